// Every static gate in one command: format and lint, types, import layers, config docs.
const STEPS: ReadonlyArray<[name: string, command: string[]]> = [
  ["biome (format, lint, import order)", ["biome", "ci", "--colors=off", "."]],
  ["types (tsc --noEmit, strict)", ["tsc", "--noEmit", "-p", "tsconfig.json"]],
  ["import layers", [process.execPath, "scripts/check-layers.ts"]],
  ["config docs up to date", [process.execPath, "scripts/config-docs.ts", "--check"]],
];

const binDir = `${process.cwd()}/node_modules/.bin`;
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ""}` };

let failed = 0;
for (const [name, command] of STEPS) {
  const started = performance.now();
  const run = Bun.spawnSync(command, { stdout: "inherit", stderr: "inherit", env });
  const ms = Math.round(performance.now() - started);
  console.log(`${run.exitCode === 0 ? "ok  " : "FAIL"} ${name} (${ms} ms)`);
  if (run.exitCode !== 0) failed++;
}
if (failed > 0) {
  console.error(`check: ${failed} step(s) failed`);
  process.exit(1);
}
