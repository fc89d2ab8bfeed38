// A4: a flood of well-formed tokens with bad signatures while legitimate GETs run. GETs keep
// answering, the flood gets 401 or 503, the process stays up. (Rates and latencies: bench/.)
import { expect, test } from "bun:test";
import { startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { encodeToken, randomBlob, signToken, testKeys, tokenEvent } from "../support/nostr.ts";

test("A4: a bad-signature flood is refused while GETs keep answering", async () => {
  // One address sends the whole flood: its per-client bucket is off here, so that the limiter
  // and the pool are what refuse it (the bucket has its own test below).
  await using server = await startBinary({
    args: ["--set", "pool.queueLimit=16", "--set", "auth.verifyRatePerClient=0"],
  });
  const blob = randomBlob(1024);
  expect((await uploadBlob(server, testKeys.alice, blob.bytes)).status).toBe(201);
  const template = tokenEvent(testKeys.bob, {
    verb: "upload",
    x: [blob.sha256],
    expiresInSec: 3600,
  });
  const FLOOD = 1500;
  const CONCURRENCY = 64;
  const flood = Array.from({ length: FLOOD }, (_, i) => {
    const sig = (BigInt(`0x${template.sig}`) ^ BigInt(i + 1)).toString(16).padStart(128, "0");
    return encodeToken({ ...template, sig });
  });
  const floodStatuses = new Map<number, number>();
  let next = 0;
  const floodWorker = async () => {
    while (next < flood.length) {
      const authorization = flood[next++] as string;
      const res = await server.fetch("/upload", {
        method: "HEAD",
        headers: { authorization, "x-sha-256": blob.sha256, "x-content-length": "1024" },
      });
      floodStatuses.set(res.status, (floodStatuses.get(res.status) ?? 0) + 1);
    }
  };
  const getStatuses: number[] = [];
  const getter = async () => {
    while (next < flood.length) {
      const res = await server.fetch(`/${blob.sha256}`);
      await res.arrayBuffer();
      getStatuses.push(res.status);
    }
  };
  await Promise.all([...Array.from({ length: CONCURRENCY }, floodWorker), getter(), getter()]);
  expect([...floodStatuses.keys()].filter((status) => status !== 401 && status !== 503)).toEqual(
    [],
  );
  expect(getStatuses.length).toBeGreaterThan(0);
  expect(getStatuses.every((status) => status === 200)).toBe(true);
  expect(server.proc.exitCode).toBeNull();
  const metrics = await (await server.fetch("/metrics")).text();
  expect(metrics).toContain('hanami_limiter_limit{route="auth"}');
  console.log(
    `A4 flood: ${JSON.stringify(Object.fromEntries(floodStatuses))}, ${getStatuses.length} GETs all 200`,
  );
}, 60_000);

test("A4: one address past its signed-request budget gets 429 + Retry-After; others do not", async () => {
  await using server = await startBinary({
    args: [
      "--set",
      "auth.verifyRatePerClient=1",
      "--set",
      "auth.verifyBurstPerClient=3",
      "--set",
      "trustedProxies=127.0.0.1",
    ],
  });
  const preflight = (client: string) => {
    const blob = randomBlob(64);
    return server.fetch("/upload", {
      method: "HEAD",
      headers: {
        authorization: signToken(testKeys.alice, { verb: "upload", x: [blob.sha256] }),
        "x-sha-256": blob.sha256,
        "x-content-length": "64",
        "x-forwarded-for": client,
      },
    });
  };
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await preflight("198.51.100.7")).status);
  expect(statuses).toEqual([200, 200, 200, 429]);
  const limited = await preflight("198.51.100.7");
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect(limited.headers.get("x-reason")).toMatch(/too many signed requests/);
  expect((await preflight("203.0.113.9")).status).toBe(200);
  const blob = randomBlob(10);
  expect((await server.fetch(`/${blob.sha256}`)).status).toBe(404); // unsigned reads unaffected
});
