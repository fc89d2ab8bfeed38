// One JSON line per request by default; logRequests=failures keeps only refused and failed ones.
import { expect, test } from "bun:test";
import { BINARY, type RunningServer, startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, testKeys } from "../support/nostr.ts";
import { tempDir } from "../support/temp-dir.ts";

async function requestLines(server: RunningServer, requestIds: string[]) {
  await server.stop(); // the log is flushed on exit
  return server
    .output()
    .split("\n")
    .filter((line) => line.includes('"event":"request"'))
    .map((line) => JSON.parse(line) as { requestId: string; status: number })
    .filter((line) => requestIds.includes(line.requestId));
}

async function getTwice(server: RunningServer): Promise<[string, string]> {
  const blob = randomBlob(100);
  expect((await uploadBlob(server, testKeys.alice, blob.bytes)).status).toBe(201);
  const found = await server.fetch(`/${blob.sha256}`);
  const missing = await server.fetch(`/${"0".repeat(64)}`);
  expect([found.status, missing.status]).toEqual([200, 404]);
  const idOf = (response: Response) => response.headers.get("x-request-id") ?? "";
  return [idOf(found), idOf(missing)];
}

test("every request gets one line with its request id by default", async () => {
  await using server = await startBinary();
  const ids = await getTwice(server);
  const lines = await requestLines(server, ids);
  expect(lines.map((line) => [line.requestId, line.status])).toEqual([
    [ids[0], 200],
    [ids[1], 404],
  ]);
});

test("logRequests=failures writes only the refused request", async () => {
  await using server = await startBinary({ args: ["--set", "logRequests=failures"] });
  const ids = await getTwice(server);
  const lines = await requestLines(server, ids);
  expect(lines.map((line) => [line.requestId, line.status])).toEqual([[ids[1], 404]]);
});

test("past memory.softLimitBytes the server collects garbage and says so at debug level", async () => {
  await using server = await startBinary({
    args: ["--set", "memory.softLimitBytes=1048576", "--set", "logLevel=debug"],
  });
  await Bun.sleep(400); // checks run every 100 ms; a 1 MiB limit is passed at once
  await server.stop();
  expect(server.output()).toContain('"event":"memory collected"');
});

test("by default the server leaves collection to the engine", async () => {
  await using server = await startBinary({ args: ["--set", "logLevel=debug"] });
  await Bun.sleep(400);
  await server.stop();
  expect(server.output()).not.toContain('"event":"memory collected"');
});

test("a server whose stdout nobody reads keeps answering; its lines arrive once it is read", async () => {
  await using dir = await tempDir("hanami-stalled-stdout-");
  const proc = Bun.spawn(
    [BINARY, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.path],
    {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "ignore",
      env: { PATH: process.env.PATH ?? "", HANAMI_STORAGE_RESERVE_FREE_BYTES: "0" },
    },
  );
  try {
    const reader = proc.stdout.getReader();
    let head = "";
    while (!head.includes('"event":"listening"')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`exited before listening:\n${head}`);
      head += new TextDecoder().decode(value);
    }
    const port = Number(/"port":(\d+)/.exec(head)?.[1]);
    // From here on nobody reads stdout: a few hundred request lines fill the pipe.
    const url = `http://127.0.0.1:${port}/${"0".repeat(64)}`;
    const answered = Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 250; i++) expect((await fetch(url)).status).toBe(404);
      }),
    );
    const timedOut = Bun.sleep(4_000).then(() => "timed out");
    expect(await Promise.race([answered.then(() => "answered"), timedOut])).toBe("answered");
    let rest = "";
    const drain = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        rest += new TextDecoder().decode(value);
      }
    })();
    proc.kill("SIGTERM");
    await Promise.all([proc.exited, drain]);
    const lines = `${head}${rest}`.split("\n");
    expect(lines.filter((line) => line.includes('"event":"request"')).length).toBe(2000);
  } finally {
    proc.kill("SIGKILL");
  }
});
