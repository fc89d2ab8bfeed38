// The README's "Upload a first blob" commands, run as written against the binary.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startBinary } from "../support/binary.ts";
import { tempDir } from "../support/temp-dir.ts";

const root = resolve(import.meta.dir, "../..");

function uploadSnippet(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Upload a first blob"));
  const block = section.split("```sh\n")[1]?.split("```")[0];
  if (block === undefined) throw new Error("README has no upload snippet");
  return block;
}

test("README: the curl upload of a first blob works as written", async () => {
  await using server = await startBinary();
  await using work = await tempDir();
  const script = uploadSnippet()
    .replaceAll("http://localhost:3000", server.url)
    .replaceAll(".tools/node_modules/.bin/bun", process.execPath);
  const run = Bun.spawnSync(["bash", "-euo", "pipefail", "-c", script], {
    cwd: work.path,
    env: { ...process.env, NODE_PATH: join(root, "node_modules") },
  });
  const output = run.stdout.toString();
  expect(run.exitCode).toBe(0);
  expect(output).toContain('"type":"text/plain"');
  expect(output.trimEnd().endsWith("hello blossom")).toBe(true);
});
