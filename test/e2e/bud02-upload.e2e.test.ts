// BUD-02 PUT /upload and BUD-06 HEAD /upload against the compiled binary (P-14, P-19, P-21).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RunningServer, startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, signToken, testKeys } from "../support/nostr.ts";

let server: RunningServer;
const LIMIT = 64 * 1024;

beforeAll(async () => {
  server = await startBinary({ args: ["--set", `upload.maxBytes=${LIMIT}`] });
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

const { alice, bob } = testKeys;

describe("PUT /upload", () => {
  test("B02-06, B02-08, B02-12, B08-01, B08-02: a new blob → 201 with its descriptor and nip94 tags", async () => {
    const blob = randomBlob(1000);
    const res = await uploadBlob(server, alice, blob.bytes, { type: "image/png" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      url: `${server.url}/${blob.sha256}.png`,
      sha256: blob.sha256,
      size: 1000,
      type: "image/png",
      uploaded: expect.any(Number),
      nip94: expect.arrayContaining([
        ["url", `${server.url}/${blob.sha256}.png`],
        ["x", blob.sha256],
        ["m", "image/png"],
        ["size", "1000"],
      ]),
    });
    const stored = await server.fetch(`/${blob.sha256}`);
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(blob.bytes); // B02-07
  });

  test("B02-13: the same blob again → 200, same descriptor; by another user too", async () => {
    const blob = randomBlob(200);
    const first = await (await uploadBlob(server, alice, blob.bytes)).json();
    const again = await uploadBlob(server, alice, blob.bytes);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    const byBob = await uploadBlob(server, bob, blob.bytes, { withHashHeader: false });
    expect(byBob.status).toBe(200);
  });

  test("B02-04, P-23: the url carries an extension; .bin for unknown types", async () => {
    const blob = randomBlob(100);
    const body = (await (await uploadBlob(server, alice, blob.bytes)).json()) as Record<
      string,
      unknown
    >;
    expect(body.url).toBe(`${server.url}/${blob.sha256}.bin`);
    expect(body.type).toBe("application/octet-stream");
  });

  test("P-22: the type is the Content-Type essence; sniffed when absent", async () => {
    const blob = randomBlob(64);
    const res = await uploadBlob(server, alice, blob.bytes, { type: "Text/Plain; charset=utf-8" });
    expect(((await res.json()) as { type: string }).type).toBe("text/plain");
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const sniffed = await uploadBlob(server, alice, png, { type: "application/octet-stream" });
    expect(((await sniffed.json()) as { type: string }).type).toBe("image/png");
  });

  test("B00-02: a zero-byte body is a valid blob", async () => {
    const empty = randomBlob(0);
    const res = await uploadBlob(server, alice, empty.bytes);
    expect([200, 201]).toContain(res.status);
    expect(((await res.json()) as { sha256: string }).sha256).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  test("P-14: without a token → 401 with WWW-Authenticate, before anything else", async () => {
    const res = await server.fetch("/upload", {
      method: "PUT",
      body: new Uint8Array(LIMIT * 2),
      headers: { "x-sha-256": "not-a-hash" },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Nostr");
    expect(res.headers.get("x-reason")).toBeTruthy();
  });

  test("P-14: malformed X-SHA-256 → 400", async () => {
    const blob = randomBlob(10);
    const res = await server.fetch("/upload", {
      method: "PUT",
      body: blob.bytes,
      headers: {
        authorization: signToken(alice, { verb: "upload", x: [blob.sha256] }),
        "x-sha-256": "xyz",
      },
    });
    expect(res.status).toBe(400);
  });

  test("B11-15: X-SHA-256 not among the token's x tags → 401", async () => {
    const blob = randomBlob(10);
    const other = randomBlob(10);
    const res = await uploadBlob(server, alice, blob.bytes, { sha256: blob.sha256 });
    expect(res.status).toBe(201);
    const mismatch = await server.fetch("/upload", {
      method: "PUT",
      body: other.bytes,
      headers: {
        authorization: signToken(alice, { verb: "upload", x: [blob.sha256] }),
        "x-sha-256": other.sha256,
      },
    });
    expect(mismatch.status).toBe(401);
  });

  test("P-13: without X-SHA-256 the computed hash must be in the token; otherwise 401 and nothing kept", async () => {
    const blob = randomBlob(10);
    const other = randomBlob(10);
    const res = await server.fetch("/upload", {
      method: "PUT",
      body: blob.bytes,
      headers: { authorization: signToken(alice, { verb: "upload", x: [other.sha256] }) },
    });
    expect(res.status).toBe(401);
    expect((await server.fetch(`/${blob.sha256}`)).status).toBe(404);
  });

  test("B02-15, R4: body not matching X-SHA-256 → 409 and nothing stored", async () => {
    const blob = randomBlob(10);
    const claimed = randomBlob(10);
    const res = await server.fetch("/upload", {
      method: "PUT",
      body: blob.bytes,
      headers: {
        authorization: signToken(alice, { verb: "upload", x: [claimed.sha256] }),
        "x-sha-256": claimed.sha256,
      },
    });
    expect(res.status).toBe(409);
    expect((await server.fetch(`/${blob.sha256}`)).status).toBe(404);
    expect((await server.fetch(`/${claimed.sha256}`)).status).toBe(404);
  });

  test("S7: Content-Length over the limit → our 413 with CORS and X-Reason", async () => {
    const blob = randomBlob(LIMIT + 1);
    const res = await uploadBlob(server, alice, blob.bytes);
    expect(res.status).toBe(413);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("x-reason")).toContain("larger");
  });

  test("S7, R4: a chunked body crossing the limit → 413 and nothing stored", async () => {
    const blob = randomBlob(LIMIT + 10);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < blob.bytes.length; at += 8192) {
          controller.enqueue(blob.bytes.slice(at, at + 8192));
        }
        controller.close();
      },
    });
    const res = await server.fetch("/upload", {
      method: "PUT",
      body,
      headers: { authorization: signToken(alice, { verb: "upload", x: [blob.sha256] }) },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect((await server.fetch(`/${blob.sha256}`)).status).toBe(404);
  });

  test("B02-14, B06-09: PUT works without a preceding HEAD", async () => {
    const res = await uploadBlob(server, bob, randomBlob(33).bytes);
    expect(res.status).toBe(201);
  });
});

describe("HEAD /upload (BUD-06, P-19)", () => {
  const preflight = (headers: Record<string, string>) =>
    server.fetch("/upload", { method: "HEAD", headers });

  test("B06-04, B06-07: acceptable → 200 (never 204), also when the blob exists", async () => {
    const blob = randomBlob(10);
    const auth = signToken(alice, { verb: "upload", x: [blob.sha256] });
    const headers = {
      authorization: auth,
      "x-sha-256": blob.sha256,
      "x-content-length": "10",
      "x-content-type": "image/png",
    };
    expect((await preflight(headers)).status).toBe(200);
    await uploadBlob(server, alice, blob.bytes);
    expect((await preflight(headers)).status).toBe(200);
  });

  test("B06-07: 401 first, then 400 / 411 / 401 (x) / 413 in the order of P-19", async () => {
    const blob = randomBlob(10);
    const auth = signToken(alice, { verb: "upload", x: [blob.sha256] });
    const cases: Array<[string, Record<string, string>, number]> = [
      ["no token", { "x-sha-256": "bad" }, 401],
      ["no X-SHA-256", { authorization: auth, "x-content-length": "10" }, 400],
      ["bad X-SHA-256", { authorization: auth, "x-sha-256": "zz", "x-content-length": "1" }, 400],
      [
        "bad length",
        { authorization: auth, "x-sha-256": blob.sha256, "x-content-length": "-1" },
        400,
      ],
      ["no length", { authorization: auth, "x-sha-256": blob.sha256 }, 411],
      [
        "x mismatch",
        { authorization: auth, "x-sha-256": randomBlob(5).sha256, "x-content-length": "5" },
        401,
      ],
      [
        "too large",
        { authorization: auth, "x-sha-256": blob.sha256, "x-content-length": String(LIMIT + 1) },
        413,
      ],
    ];
    for (const [name, headers, status] of cases) {
      const res = await preflight(headers);
      expect({ name, status: res.status, reason: Boolean(res.headers.get("x-reason")) }).toEqual({
        name,
        status,
        reason: true,
      });
    }
  });
});
