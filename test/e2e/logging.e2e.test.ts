// One JSON line per request by default; logRequests=failures keeps only refused and failed ones;
// logClientIp says which lines carry the client address (by default all but served reads).
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
    .map((line) => JSON.parse(line) as { requestId: string; status: number; clientIp?: unknown })
    .filter((line) => requestIds.includes(line.requestId));
}

/** The request ids of an upload, a GET of its blob and a GET of a missing blob, in that order. */
async function uploadAndGetTwice(server: RunningServer): Promise<[string, string, string]> {
  const blob = randomBlob(100);
  const uploaded = await uploadBlob(server, testKeys.alice, blob.bytes);
  const found = await server.fetch(`/${blob.sha256}`);
  const missing = await server.fetch(`/${"0".repeat(64)}`);
  expect([uploaded.status, found.status, missing.status]).toEqual([201, 200, 404]);
  const idOf = (response: Response) => response.headers.get("x-request-id") ?? "";
  return [idOf(uploaded), idOf(found), idOf(missing)];
}

/** Each request's [status, client address or "none"] from the lines of `ids`, in that order. */
async function addressesIn(server: RunningServer, ids: string[]) {
  const lines = await requestLines(server, ids);
  expect(lines.map((line) => line.requestId)).toEqual(ids);
  return lines.map((line) => [line.status, "clientIp" in line ? line.clientIp : "none"]);
}

test("every request gets one line; by default a served read's has no client address", async () => {
  await using server = await startBinary();
  const ids = await uploadAndGetTwice(server);
  expect(await addressesIn(server, ids)).toEqual([
    [201, "127.0.0.1"],
    [200, "none"],
    [404, "127.0.0.1"],
  ]);
});

test("logClientIp=all puts the address in every line, none in no line", async () => {
  await using everyLine = await startBinary({ args: ["--set", "logClientIp=all"] });
  expect(await addressesIn(everyLine, await uploadAndGetTwice(everyLine))).toEqual([
    [201, "127.0.0.1"],
    [200, "127.0.0.1"],
    [404, "127.0.0.1"],
  ]);
  await using noLine = await startBinary({ args: ["--set", "logClientIp=none"] });
  expect(await addressesIn(noLine, await uploadAndGetTwice(noLine))).toEqual([
    [201, "none"],
    [200, "none"],
    [404, "none"],
  ]);
});

test("logRequests=failures writes only the refused request", async () => {
  await using server = await startBinary({ args: ["--set", "logRequests=failures"] });
  const ids = await uploadAndGetTwice(server);
  const lines = await requestLines(server, ids);
  expect(lines.map((line) => [line.requestId, line.status])).toEqual([[ids[2], 404]]);
});

test("past memory.softLimitBytes the server collects garbage and says so at debug level", async () => {
  await using server = await startBinary({
    args: ["--set", "memory.softLimitBytes=1048576", "--set", "logLevel=debug"],
  });
  await Bun.sleep(400); // checks run every 100 ms; a 1 MiB limit is passed at once
  await server.stop();
  expect(server.output()).toContain('"event":"memory collected","reason":"soft limit"');
});

test("a server that has done no work does not collect, however long it is idle", async () => {
  await using server = await startBinary({
    args: ["--set", "memory.idleCollectAfterMs=100", "--set", "logLevel=debug"],
  });
  await Bun.sleep(600);
  await server.stop();
  expect(server.output()).not.toContain('"event":"memory collected"');
});

test("after a burst of work the server collects once it is idle, says so at debug level and counts it", async () => {
  await using server = await startBinary({
    args: [
      "--set",
      "memory.idleCollectAfterMs=200",
      "--set",
      "logLevel=debug",
      "--set",
      "auth.verifyBurstPerClient=1000",
    ],
  });
  // 300 fresh-token uploads: about 0.4 s of the server's CPU, past the 250 ms that make a
  // collection worth its pause.
  const blobs = Array.from({ length: 300 }, () => randomBlob(1024));
  for (let at = 0; at < blobs.length; at += 10) {
    const batch = blobs.slice(at, at + 10);
    const uploads = batch.map((blob) => uploadBlob(server, testKeys.alice, blob.bytes));
    for (const response of await Promise.all(uploads)) expect(response.status).toBe(201);
  }
  await Bun.sleep(800);
  const metrics = await (await server.fetch("/metrics")).text();
  const counted = /^hanami_memory_collections_total\{reason="idle"\} (\d+)$/m.exec(metrics);
  await server.stop();
  const collections = server
    .output()
    .split("\n")
    .filter((line) => line.includes('"event":"memory collected"'))
    .map((line) => JSON.parse(line) as { reason: string });
  expect(collections.length).toBeGreaterThan(0);
  expect(collections.every((line) => line.reason === "idle")).toBe(true);
  expect(Number(counted?.[1])).toBe(collections.length); // and counted in /metrics
});

/** The binary with its stdout on a pipe that this test reads only when it chooses to. */
async function startWithUnreadStdout(dataDir: string) {
  const proc = Bun.spawn(
    [BINARY, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir],
    {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "ignore",
      env: { PATH: process.env.PATH ?? "", HANAMI_STORAGE_RESERVE_FREE_BYTES: "0" },
    },
  );
  const reader = proc.stdout.getReader();
  let head = "";
  while (!head.includes('"event":"listening"')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited before listening:\n${head}`);
    head += new TextDecoder().decode(value);
  }
  const url = `http://127.0.0.1:${Number(/"port":(\d+)/.exec(head)?.[1])}`;
  let rest = "";
  let reading: Promise<void> | null = null;
  /** Reads stdout from now on; returns what was written so far. */
  const readOn = () => {
    reading ??= (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        rest += new TextDecoder().decode(value);
      }
    })();
    return `${head}${rest}`;
  };
  /** Stops the server and returns every line it wrote. */
  const stopAndReadAll = async () => {
    readOn();
    proc.kill("SIGTERM");
    await Promise.all([proc.exited, reading]);
    return readOn()
      .split("\n")
      .filter((line) => line !== "");
  };
  return { proc, url, readOn, stopAndReadAll };
}

/** `count` GETs of a missing blob on `connections` connections, or "timed out" after 4 s. */
async function missesWithin4s(url: string, count: number, connections: number) {
  const answered = Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = 0; i < count / connections; i++) {
        expect((await fetch(`${url}/${"0".repeat(64)}`)).status).toBe(404);
      }
    }),
  );
  const timedOut = Bun.sleep(4_000).then(() => "timed out");
  return Promise.race([answered.then(() => "answered"), timedOut]);
}

test("a server whose stdout nobody reads keeps answering; its lines arrive once it is read", async () => {
  await using dir = await tempDir("hanami-stalled-stdout-");
  const server = await startWithUnreadStdout(dir.path);
  try {
    // From here on nobody reads stdout: a few hundred request lines fill the pipe.
    expect(await missesWithin4s(server.url, 2000, 8)).toBe("answered");
    const lines = await server.stopAndReadAll();
    expect(lines.filter((line) => line.includes('"event":"request"')).length).toBe(2000);
  } finally {
    server.proc.kill("SIGKILL");
  }
});

test("past 4 MiB of lines held for an unread stdout, lines are dropped, counted in the log and in /metrics", async () => {
  await using dir = await tempDir("hanami-stalled-stdout-");
  const server = await startWithUnreadStdout(dir.path);
  try {
    // Each 404 line is about 220 bytes: 24,000 of them are more than 4 MiB.
    expect(await missesWithin4s(server.url, 24_000, 32)).toBe("answered");
    // The reader is back: the held lines go out, then the count of the dropped ones.
    while (!server.readOn().includes('"event":"log lines dropped"')) await Bun.sleep(20);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const counted = Number(/^hanami_log_lines_dropped_total (\d+)$/m.exec(metrics)?.[1]);
    const records = (await server.stopAndReadAll()).map(
      (line) => JSON.parse(line) as { event: string; count?: number },
    );
    const reported = records
      .filter((line) => line.event === "log lines dropped")
      .reduce((sum, line) => sum + (line.count ?? 0), 0);
    const written = records.filter((line) => line.event === "request").length;
    expect(counted).toBeGreaterThan(0);
    expect(reported).toBe(counted);
    expect(written + reported).toBe(24_001); // the misses and the scrape
  } finally {
    server.proc.kill("SIGKILL");
  }
}, 20_000);
