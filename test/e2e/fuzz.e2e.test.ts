// S16 (hostile /list query strings) and S18 in its short CI form (random methods, paths, headers
// and bodies on every route), against the binary. Seeded: a failure replays the same cases.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type RunningServer, startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, signToken, testKeys } from "../support/nostr.ts";

const { alice, bob } = testKeys;
let server: RunningServer;
const aliceBlobs = new Set<string>();

beforeAll(async () => {
  server = await startBinary({ args: ["--set", "auth.verifyRatePerClient=0"] });
  for (let i = 0; i < 12; i++) {
    const blob = randomBlob(100 + i);
    expect((await uploadBlob(server, alice, blob.bytes)).status).toBe(201);
    aliceBlobs.add(blob.sha256);
  }
  expect((await uploadBlob(server, bob, randomBlob(50).bytes)).status).toBe(201);
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

async function unhandledErrors(): Promise<number> {
  const text = await (await server.fetch("/metrics")).text();
  return Number(/^hanami_unhandled_errors_total (\d+)$/m.exec(text)?.[1] ?? 0);
}

describe("S16: /list query fuzz", () => {
  // The 100,000-character value once in twenty; Bun answers it with 431 before we see it.
  const hostile = fc.oneof(
    { arbitrary: fc.constant("x".repeat(100_000)), weight: 1 },
    { arbitrary: fc.stringMatching(/^[0-9a-f]{64}$/), weight: 4 },
    { arbitrary: fc.integer({ min: -1e12, max: 1e12 }).map(String), weight: 5 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 5 },
    {
      arbitrary: fc.constantFrom(
        "'",
        '"',
        "%",
        "_",
        "\0",
        "--",
        "; DROP TABLE blobs;",
        "1 OR 1=1",
        "-1",
        "1e9",
      ),
      weight: 5,
    },
  );
  const query = fc.dictionary(
    fc.constantFrom("cursor", "limit", "since", "until", "unknown", "LIMIT", "limit[]"),
    hostile,
    { maxKeys: 4 },
  );
  const CASES = 2_000;

  test(`S16: ${CASES} hostile query strings: only 200 or 400 (431 when huge), and only the pubkey's blobs, newest first`, async () => {
    const cases = fc.sample(query, { numRuns: CASES, seed: 16 });
    const statuses = new Map<number, number>();
    const foreign: string[] = [];
    for (let at = 0; at < cases.length; at += 25) {
      await Promise.all(
        cases.slice(at, at + 25).map(async (params) => {
          const search = new URLSearchParams(params).toString();
          const res = await server.fetch(`/list/${alice.pubkey}?${search}`);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status !== 200) return void (await res.arrayBuffer());
          const page = (await res.json()) as Array<{ sha256: string; uploaded: number }>;
          for (const entry of page) if (!aliceBlobs.has(entry.sha256)) foreign.push(entry.sha256);
          const uploaded = page.map((entry) => entry.uploaded);
          expect(uploaded).toEqual([...uploaded].sort((a, b) => b - a)); // B12-06
        }),
      );
    }
    // 431: Bun refuses a request line past its header limit itself (the one documented exception).
    const allowed = new Set([200, 400, 431]);
    expect([...statuses.keys()].filter((status) => !allowed.has(status))).toEqual([]);
    expect(foreign).toEqual([]);
    expect(await unhandledErrors()).toBe(0);
    console.log(`S16: ${CASES} queries, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 60_000);
});

describe("S18: never crash (short form)", () => {
  const method = fc.constantFrom("GET", "HEAD", "PUT", "DELETE", "POST", "PATCH", "OPTIONS");
  const path = fc.oneof(
    fc.constantFrom(
      "/",
      "/upload",
      "/media",
      "/mirror",
      "/report",
      "/tos",
      "/metrics",
      `/list/${alice.pubkey}`,
      "/admin/reports",
      `/${[...aliceBlobs][0] ?? "0".repeat(64)}`,
    ),
    fc.stringMatching(/^\/[ -~]{0,80}$/).map((raw) => raw.replace(/[#?]/g, "")),
  );
  const header = fc.tuple(
    fc.constantFrom(
      "authorization",
      "content-type",
      "content-length",
      "x-sha-256",
      "x-content-length",
      "x-content-type",
      "range",
      "if-none-match",
      "accept",
      "x-forwarded-for",
    ),
    fc.oneof(
      fc.stringMatching(/^[ -~]{0,200}$/),
      fc.constant(signToken(alice, { verb: "upload" })),
      fc.constant("Nostr e30"),
      fc.constant("bytes=0-0,5-"),
    ),
  );
  const request = fc.record({
    method,
    path,
    headers: fc.uniqueArray(header, { maxLength: 5, selector: ([name]) => name }),
    body: fc.option(fc.uint8Array({ maxLength: 4096 }), { nil: undefined }),
  });
  const CASES = 3_000;

  test(`S18: ${CASES} random requests: no 5xx except 503, the process stays up, 0 unhandled errors`, async () => {
    const cases = fc.sample(request, { numRuns: CASES, seed: 18 });
    const statuses = new Map<number, number>();
    for (let at = 0; at < cases.length; at += 25) {
      await Promise.all(
        cases.slice(at, at + 25).map(async ({ method, path, headers, body }) => {
          const init: RequestInit = { method, headers: Object.fromEntries(headers) };
          const headersInit = init.headers as Record<string, string>;
          // fetch itself refuses a body on GET/HEAD and a lying Content-Length; keep those client-side.
          delete headersInit["content-length"];
          if (body !== undefined && method !== "GET" && method !== "HEAD") init.body = body;
          const res = await server.fetch(path, init).catch(() => null);
          if (res === null) return;
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }),
      );
    }
    const serverErrors = [...statuses.keys()].filter((status) => status >= 500 && status !== 503);
    expect(serverErrors).toEqual([]);
    expect(server.proc.exitCode).toBeNull();
    expect((await server.fetch("/")).status).toBe(200);
    expect(await unhandledErrors()).toBe(0);
    console.log(`S18: ${CASES} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 90_000);
});
