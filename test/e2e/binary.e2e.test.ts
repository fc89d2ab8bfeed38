// The single executable on its own: copied alone into an empty directory it runs, serves, and
// processes an image with the sharp it carries (issue: one executable).
import { expect, test } from "bun:test";
import { copyFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { BINARY, startBinary } from "../support/binary.ts";
import { tempDir } from "../support/temp-dir.ts";

function run(binary: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = Bun.spawnSync([binary, ...args], { cwd, env: { PATH: "/usr/bin:/bin", ...env } });
  return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() };
}

test("the binary copied alone into an empty directory runs doctor with sharp working", async () => {
  await using dir = await tempDir("hanami-alone-");
  const binary = join(dir.path, "hanami");
  await copyFile(BINARY, binary);
  expect(run(binary, ["--version"], dir.path)).toMatchObject({
    code: 0,
    out: `hanami ${pkg.version}\n`,
  });
  const doctor = run(binary, ["doctor", "--data-dir", "data"], dir.path);
  expect(doctor.code).toBe(0);
  expect(JSON.parse(doctor.out)).toMatchObject({ sharp: { ok: true } });
  expect(await readdir(join(dir.path, "data", ".cache"))).toEqual(["sharp-0.35.5"]);
  // A second run reuses the extraction.
  expect(run(binary, ["doctor", "--data-dir", "data"], dir.path).code).toBe(0);
});

test("the binary alone serves on the embedded default data dir", async () => {
  await using dir = await tempDir("hanami-alone-");
  const binary = join(dir.path, "hanami");
  await copyFile(BINARY, binary);
  await using server = await startBinary({ dataDir: join(dir.path, "data") });
  expect((await server.fetch("/")).status).toBe(200);
  expect(await readdir(join(dir.path, "data"))).toEqual(
    expect.arrayContaining(["blobs", "tmp", "index.sqlite"]),
  );
});

test("check-config: every problem at once, exit 78; a good config exits 0", async () => {
  await using dir = await tempDir();
  const bad = run(
    BINARY,
    ["check-config", "--port", "30OO", "--set", "upload.maxBytes=-1"],
    dir.path,
    {
      HANAMI_NO_SUCH_SETTING: "1",
    },
  );
  expect(bad.code).toBe(78);
  const problems = `${bad.out}${bad.err}`;
  for (const path of ["port", "upload.maxBytes", "HANAMI_NO_SUCH_SETTING"])
    expect(problems).toContain(path);
  expect(run(BINARY, ["check-config", "--port", "8080"], dir.path).code).toBe(0);
  expect(run(BINARY, ["frobnicate"], dir.path).code).toBe(64);
});

test("migrate creates the index, says which migrations it applied, and is idempotent", async () => {
  await using dir = await tempDir();
  const first = run(BINARY, ["migrate", "--data-dir", "d"], dir.path);
  expect(first.code).toBe(0);
  expect(first.out).toMatch(/"event":"index migrated","versions":\[1,2,3,4\],"ms":\d+/);
  const again = run(BINARY, ["migrate", "--data-dir", "d"], dir.path);
  expect(again).toMatchObject({ code: 0, out: "" });
  expect(await readdir(join(dir.path, "d"))).toContain("index.sqlite");
});
