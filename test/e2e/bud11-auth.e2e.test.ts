// BUD-11 over HTTP: the S4 matrix (each rule broken alone) and the S5 fuzz of malformed headers,
// against the compiled binary. Every token fault is a 401 with X-Reason, never 400 or 5xx.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type RunningServer, startBinary } from "../support/binary.ts";
import {
  encodeToken,
  randomBlob,
  signEvent,
  signToken,
  testKeys,
  tokenEvent,
} from "../support/nostr.ts";

let server: RunningServer;
const { alice } = testKeys;

beforeAll(async () => {
  server = await startBinary({ args: ["--public-url", "http://cdn.test"] });
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

function upload(
  blob: { bytes: Uint8Array; sha256: string },
  authorization: string,
  extra: Record<string, string> = {},
) {
  return server.fetch("/upload", {
    method: "PUT",
    body: blob.bytes,
    headers: { authorization, "x-sha-256": blob.sha256, ...extra },
  });
}

describe("S4: the BUD-11 matrix on PUT /upload", () => {
  const nowSec = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, (sha256: string) => string, number]> = [
    ["B11-16: a valid token", (x) => signToken(alice, { verb: "upload", x: [x] }), 201],
    [
      "B11-10: wrong kind",
      (x) =>
        encodeToken(
          signEvent(alice, { ...tokenEvent(alice, { verb: "upload", x: [x] }), kind: 1 }),
        ),
      401,
    ],
    [
      "B11-11: created_at +120 s",
      (x) => signToken(alice, { verb: "upload", x: [x], createdAtSec: nowSec() + 120 }),
      401,
    ],
    ["B11-12: expired", (x) => signToken(alice, { verb: "upload", x: [x], expiresInSec: -5 }), 401],
    [
      "B11-12: expiration missing",
      (x) =>
        encodeToken(
          signEvent(alice, {
            kind: 24242,
            created_at: nowSec() - 1,
            tags: [
              ["t", "upload"],
              ["x", x],
            ],
            content: "",
          }),
        ),
      401,
    ],
    [
      "P-09: expiration not a number",
      (x) =>
        encodeToken(
          signEvent(alice, {
            kind: 24242,
            created_at: nowSec() - 1,
            tags: [
              ["t", "upload"],
              ["x", x],
              ["expiration", "soon"],
            ],
            content: "",
          }),
        ),
      401,
    ],
    ["B11-13: verb get on upload", (x) => signToken(alice, { verb: "get", x: [x] }), 401],
    [
      "B11-14: server tag of another host",
      (x) => signToken(alice, { verb: "upload", x: [x], server: ["evil.test"] }),
      401,
    ],
    [
      "B11-14, P-06: server tag of this host as a URL",
      (x) => signToken(alice, { verb: "upload", x: [x], server: ["https://CDN.test/"] }),
      201,
    ],
    [
      "B11-15: x of another blob",
      () => signToken(alice, { verb: "upload", x: [randomBlob(4).sha256] }),
      401,
    ],
    [
      "B11-16: id does not match the content",
      (x) => encodeToken({ ...tokenEvent(alice, { verb: "upload", x: [x] }), content: "changed" }),
      401,
    ],
    [
      "B11-16: bad signature",
      (x) => {
        const event = tokenEvent(alice, { verb: "upload", x: [x] });
        return encodeToken({ ...event, sig: `${event.sig.slice(0, 126)}00` });
      },
      401,
    ],
    [
      "P-05: standard base64 with padding",
      (x) => signToken(alice, { verb: "upload", x: [x], encoding: "base64" }),
      201,
    ],
    [
      "tags not an array",
      () => encodeToken({ ...tokenEvent(alice, { verb: "upload" }), tags: "t" }),
      401,
    ],
    [
      "a tag not an array",
      () => encodeToken({ ...tokenEvent(alice, { verb: "upload" }), tags: [null] }),
      401,
    ],
  ];
  for (const [name, makeHeader, status] of cases) {
    test(`S4 ${name} → ${status}`, async () => {
      const blob = randomBlob(64);
      const res = await upload(blob, makeHeader(blob.sha256));
      expect(res.status).toBe(status);
      if (status === 401) {
        expect(res.headers.get("www-authenticate")).toBe("Nostr");
        expect(res.headers.get("x-reason")).toMatch(/^[\x20-\x7e]{1,200}$/);
      }
    });
  }

  test("S14: a Host header naming another server does not make its tokens valid here", async () => {
    const blob = randomBlob(64);
    const res = await upload(
      blob,
      signToken(alice, { verb: "upload", x: [blob.sha256], server: ["evil.test"] }),
      {
        host: "evil.test",
        "x-forwarded-host": "evil.test",
      },
    );
    expect(res.status).toBe(401);
  });

  test("S14: descriptor URLs come from the configured public URL, not from Host or X-Forwarded-*", async () => {
    const blob = randomBlob(64);
    const res = await upload(blob, signToken(alice, { verb: "upload", x: [blob.sha256] }), {
      host: "evil.test",
      "x-forwarded-host": "evil.test",
      "x-forwarded-proto": "gopher",
    });
    expect(((await res.json()) as { url: string }).url).toBe(`http://cdn.test/${blob.sha256}.bin`);
  });
});

describe("S5: malformed Authorization headers", () => {
  const valid = tokenEvent(alice, {
    verb: "upload",
    x: [randomBlob(1).sha256],
    expiresInSec: 3600,
  });
  const mutation = fc.oneof(
    fc.string({ maxLength: 300 }).map((s) => `Nostr ${s}`),
    fc.uint8Array({ maxLength: 400 }).map((b) => `Nostr ${Buffer.from(b).toString("base64url")}`),
    fc.string({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 6 }).map((v) => encodeToken(v as object)),
    fc
      .record({
        key: fc.constantFrom("id", "pubkey", "created_at", "kind", "tags", "content", "sig"),
        value: fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.constant(1e308),
          fc.constant(-1),
          fc.string(),
        ),
      })
      .map(({ key, value }) => encodeToken({ ...valid, [key]: value })),
    fc
      .array(fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }), { maxLength: 30 })
      .map((tags) => encodeToken({ ...valid, tags })),
  );
  const TOTAL = 10_000;

  test(`S5: ${TOTAL} malformed headers: 0 crashes, 0 5xx, all 401 with X-Reason`, async () => {
    const headers = fc.sample(mutation, { numRuns: TOTAL, seed: 20261122 });
    const statuses = new Map<number, number>();
    const withoutReason: string[] = [];
    const BATCH = 50;
    for (let at = 0; at < headers.length; at += BATCH) {
      const batch = headers.slice(at, at + BATCH).map(async (authorization) => {
        const safe = authorization.replace(/[^\x20-\x7e]/g, "?");
        const res = await server.fetch("/upload", {
          method: "HEAD",
          headers: { authorization: safe },
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (!res.headers.get("x-reason")) withoutReason.push(safe);
      });
      await Promise.all(batch);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: TOTAL });
    expect(withoutReason).toEqual([]);
    expect(server.proc.exitCode).toBeNull();
  });
});
