// The process side of video jobs with real processes: the wall-clock limit kills the whole
// process group and reaps it; start-up reaping finds work left in job directories (A7, R10).
import { expect, test } from "bun:test";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { runBounded } from "../../src/media/subprocess.ts";
import { reapVideoJobs } from "../../src/media/video.ts";
import { tempDir } from "../support/temp-dir.ts";
import { childrenOf, processesMentioning } from "../support/video.ts";

/** Running or sleeping; a zombie (Z, not reaped by its new parent) or a gone pid is not alive. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

/** SIGKILL lands asynchronously: waits (bounded) for `pid` to stop being alive. */
async function dies(pid: number): Promise<boolean> {
  for (let wait = 0; wait < 200; wait++) {
    if (!(await alive(pid))) return true;
    await Bun.sleep(10);
  }
  return false;
}

test("A7: past the timeout the process and its children are SIGKILLed and reaped", async () => {
  await using dir = await tempDir("hanami-subprocess-");
  const pidFile = join(dir.path, "grandchild.pid");
  // The shell starts a grandchild in its own group and waits: a kill of the shell alone would
  // leave the grandchild running.
  const result = await runBounded(["/bin/sh", "-c", `sleep 30 & echo $! > ${pidFile}; wait`], {
    timeoutMs: 300,
    captureStdout: true,
    maxCaptureBytes: 1024,
  });
  expect(result).toEqual({ exitCode: null, timedOut: true, stdout: "", stderr: "" });
  const grandchild = Number(await Bun.file(pidFile).text());
  expect(grandchild).toBeGreaterThan(0);
  expect(await dies(grandchild)).toBe(true);
  expect(
    (await childrenOf(process.pid)).filter((child) => child.cmdline.includes("sleep")),
  ).toEqual([]);
});

test("output is captured within bounds: the head of stdout, the tail of stderr", async () => {
  const result = await runBounded(["/bin/sh", "-c", "seq 1 100000; seq 1 100000 >&2; exit 3"], {
    timeoutMs: 10_000,
    captureStdout: true,
    maxCaptureBytes: 64,
  });
  expect(result.exitCode).toBe(3);
  expect(result.timedOut).toBe(false);
  expect(result.stdout.startsWith("1\n2\n3\n")).toBe(true);
  expect(result.stdout.length).toBe(64);
  expect(result.stderr.endsWith("99999\n100000\n")).toBe(true);
  expect(result.stderr.length).toBe(64);
});

test("a program that does not exist throws, for the caller to report", async () => {
  await expect(
    runBounded(["/nonexistent/ffmpeg"], {
      timeoutMs: 1000,
      captureStdout: false,
      maxCaptureBytes: 1,
    }),
  ).rejects.toThrow(/ENOENT/);
});

test("R10: start-up reaping kills processes working in job directories and removes them", async () => {
  await using scratch = await tempDir("hanami-reap-");
  const jobDir = join(scratch.path, "video-abc123");
  await mkdir(jobDir);
  await mkdir(join(scratch.path, "not-a-job"));
  // Stands in for an ffmpeg whose server died: its command line names a file in the job dir.
  const orphan = Bun.spawn(
    [process.execPath, "-e", "setTimeout(() => {}, 30_000)", join(jobDir, "original")],
    { stdin: "ignore", stdout: "ignore", stderr: "ignore" },
  );
  const bystander = Bun.spawn(
    [process.execPath, "-e", "setTimeout(() => {}, 30_000)", join(scratch.path, "not-a-job")],
    { stdin: "ignore", stdout: "ignore", stderr: "ignore" },
  );
  try {
    expect(await processesMentioning(jobDir)).toHaveLength(1);
    expect(await reapVideoJobs(scratch.path)).toBe(1);
    expect(await orphan.exited).toBe(137);
    expect(orphan.signalCode).toBe("SIGKILL");
    expect(await alive(bystander.pid)).toBe(true);
    expect(await readdir(scratch.path)).toEqual(["not-a-job"]);
    expect(await reapVideoJobs(scratch.path)).toBe(0);
  } finally {
    orphan.kill("SIGKILL");
    bystander.kill("SIGKILL");
    await Promise.all([orphan.exited, bystander.exited]);
  }
});
