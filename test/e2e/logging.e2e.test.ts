// One JSON line per request by default; logRequests=failures keeps only refused and failed ones.
import { expect, test } from "bun:test";
import { type RunningServer, startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, testKeys } from "../support/nostr.ts";

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
