// The whole suite, as CI and the README run it: check → build → every test, then one closing
// line `N passed, N failed` read from bun's JUnit report.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TEST_ROOTS = ["src", "test", "scripts"];

function run(name: string, command: string[]): boolean {
  console.log(`\n== ${name}`);
  const result = Bun.spawnSync(command, { stdout: "inherit", stderr: "inherit" });
  return result.exitCode === 0;
}

function count(xml: string, attribute: string): number {
  const match = new RegExp(`<testsuites[^>]*\\s${attribute}="(\\d+)"`).exec(xml);
  return Number(match?.[1] ?? 0);
}

if (!run("check", [process.execPath, "scripts/check.ts"])) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}
if (!run("build", [process.execPath, "scripts/build.ts"])) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const reportDir = mkdtempSync(join(tmpdir(), "hanami-junit-"));
const report = join(reportDir, "junit.xml");
const testsOk = run("test", [
  process.execPath,
  "test",
  "--reporter=junit",
  `--reporter-outfile=${report}`,
  ...TEST_ROOTS.map((root) => `./${root}`),
]);
let xml = "";
try {
  xml = readFileSync(report, "utf8");
} catch {
  console.error("no JUnit report was written");
}
rmSync(reportDir, { recursive: true, force: true });
const total = count(xml, "tests");
const failures = count(xml, "failures") + count(xml, "errors");
const skipped = count(xml, "skipped");
const failed = testsOk || failures > 0 ? failures : Math.max(failures, 1);
const skippedText = skipped > 0 ? `, ${skipped} skipped` : "";
console.log(`${total - failures - skipped} passed, ${failed} failed${skippedText}`);
process.exit(testsOk && failed === 0 ? 0 : 1);
