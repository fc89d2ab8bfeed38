// BUD-04 PUT /mirror against the binary, from an origin on loopback that the test config allows
// (HANAMI_MIRROR_ALLOW_HOSTS); S2 resource abuse in miniature.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RunningServer, startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, signToken, testKeys } from "../support/nostr.ts";

const LIMIT = 64 * 1024;
const blobs = new Map<string, { bytes: Uint8Array; type: string | null }>();
let originHits = 0;
/** The client port of every blob request: the same port twice means a kept connection. */
const blobRequestPorts: number[] = [];
let origin: ReturnType<typeof Bun.serve>;
let server: RunningServer;
const { alice, bob } = testKeys;

beforeAll(async () => {
  origin = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request, origin) {
      originHits++;
      const url = new URL(request.url);
      const [, kind, arg] = url.pathname.split("/");
      if (kind === "hop") {
        const left = Number(arg);
        return new Response(null, {
          status: 302,
          headers: {
            location:
              left > 0 ? `/hop/${left - 1}${url.search}` : `/blob/${url.searchParams.get("end")}`,
          },
        });
      }
      if (kind === "status") return new Response("nope", { status: Number(arg) });
      if (kind === "endless") {
        const chunk = new Uint8Array(8192);
        let sent = 0;
        return new Response(
          new ReadableStream({ pull: (c) => (sent++ < 100 ? c.enqueue(chunk) : c.close()) }),
        );
      }
      if (kind === "trickle") {
        return new Response(
          new ReadableStream({
            async pull(c) {
              await Bun.sleep(500);
              c.enqueue(new Uint8Array(1));
            },
          }),
        );
      }
      if (kind === "blob") blobRequestPorts.push(origin.requestIP(request)?.port ?? 0);
      const found = blobs.get((arg ?? "").split(".")[0] ?? "");
      if (found === undefined) return new Response("missing", { status: 404 });
      return new Response(found.bytes, {
        headers: found.type === null ? {} : { "content-type": found.type },
      });
    },
  });
  server = await startBinary({
    args: [
      "--set",
      `upload.maxBytes=${LIMIT}`,
      "--set",
      "mirror.totalTimeoutMs=3000",
      "--set",
      "mirror.minBytesPerSec=1000",
    ],
    env: { HANAMI_MIRROR_ALLOW_HOSTS: `127.0.0.1:${origin.port}` },
  });
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
  origin.stop(true);
});

function hosted(size = 500, type: string | null = "image/png") {
  const blob = randomBlob(size);
  blobs.set(blob.sha256, { bytes: blob.bytes, type });
  return blob;
}

function mirror(url: string, x: string[], target = server) {
  return target.fetch("/mirror", {
    method: "PUT",
    headers: {
      authorization: signToken(alice, { verb: "upload", x }),
      "content-type": "application/json",
    },
    body: JSON.stringify({ url }),
  });
}

const at = (path: string) => `http://127.0.0.1:${origin.port}${path}`;

describe("PUT /mirror", () => {
  test("B04-01, B04-03, B04-05, B08-01: a new blob → 201, its type from the origin's Content-Type, nip94, the bytes intact", async () => {
    const blob = hosted(700, "image/png");
    const res = await mirror(at(`/blob/${blob.sha256}`), [blob.sha256]);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      sha256: blob.sha256,
      size: 700,
      type: "image/png",
      nip94: expect.arrayContaining([
        ["x", blob.sha256],
        ["m", "image/png"],
        ["size", "700"],
      ]),
    });
    const stored = await server.fetch(`/${blob.sha256}`);
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(blob.bytes);
  });

  test("one kept connection serves mirrors from the same origin one after another", async () => {
    const first = hosted(300);
    const second = hosted(400);
    expect((await mirror(at(`/blob/${first.sha256}`), [first.sha256])).status).toBe(201);
    const portsBefore = blobRequestPorts.length;
    expect((await mirror(at(`/blob/${second.sha256}`), [second.sha256])).status).toBe(201);
    const [earlier, later] = blobRequestPorts.slice(portsBefore - 1, portsBefore + 1);
    expect(later).toBe(earlier as number);
  });

  test("B04-04, P-17: already stored and named by the token → 200 without a download", async () => {
    const blob = hosted();
    expect((await mirror(at(`/blob/${blob.sha256}`), [blob.sha256])).status).toBe(201);
    const hitsBefore = originHits;
    expect((await mirror(at(`/blob/${blob.sha256}`), [blob.sha256])).status).toBe(200);
    expect(originHits).toBe(hitsBefore);
  });

  test("B04-06: no Content-Type → the URL's extension decides", async () => {
    const blob = hosted(300, null);
    const res = await mirror(at(`/blob/${blob.sha256}.pdf`), [blob.sha256]);
    expect(((await res.json()) as { type: string }).type).toBe("application/pdf");
  });

  test("B04-12: the downloaded hash is not among the token's x tags → 409, nothing stored", async () => {
    const blob = hosted();
    const res = await mirror(at(`/blob/${blob.sha256}`), [randomBlob(3).sha256]);
    expect(res.status).toBe(409);
    expect((await server.fetch(`/${blob.sha256}`)).status).toBe(404);
  });

  test("B04-07, B04-08, B04-09: bad bodies 400, origin failures 502, oversize 413 (from Content-Length or counted), all with X-Reason", async () => {
    const blob = hosted(LIMIT + 1);
    const x = [blob.sha256];
    const raw = (body: string) =>
      server.fetch("/mirror", {
        method: "PUT",
        headers: { authorization: signToken(alice, { verb: "upload", x }) },
        body,
      });
    const cases: Array<[string, () => Promise<Response>, number]> = [
      ["not JSON", () => raw("{"), 400],
      ["no url", () => raw("{}"), 400],
      ["relative url", () => mirror("/blob/x", x), 400],
      ["file scheme", () => mirror("file:///etc/passwd", x), 403],
      ["origin 404", () => mirror(at("/status/404"), x), 502],
      ["origin 500", () => mirror(at("/status/500"), x), 502],
      ["Content-Length over the limit", () => mirror(at(`/blob/${blob.sha256}`), x), 413],
      ["S2: no length, twice the limit", () => mirror(at("/endless"), x), 413],
      ["S2: six redirects", () => mirror(at(`/hop/6?end=${blob.sha256}`), x), 502],
      ["S2: a 1 B/500 ms trickle", () => mirror(at("/trickle"), x), 502],
    ];
    for (const [name, send, status] of cases) {
      const res = await send();
      expect({ name, status: res.status, reason: Boolean(res.headers.get("x-reason")) }).toEqual({
        name,
        status,
        reason: true,
      });
    }
  }, 30_000);

  test("S2: five redirects are followed, each hop checked", async () => {
    const blob = hosted();
    expect((await mirror(at(`/hop/4?end=${blob.sha256}`), [blob.sha256])).status).toBe(201);
  });

  test("P-17: without the test exemption a loopback origin is refused with 403 before any connection", async () => {
    await using strict = await startBinary();
    const blob = hosted();
    const hitsBefore = originHits;
    const res = await mirror(at(`/blob/${blob.sha256}`), [blob.sha256], strict);
    expect(res.status).toBe(403);
    expect(originHits).toBe(hitsBefore);
  });

  test("B04-11: without a token → 401 before anything is fetched", async () => {
    const hitsBefore = originHits;
    const res = await server.fetch("/mirror", {
      method: "PUT",
      body: JSON.stringify({ url: at("/status/200") }),
    });
    expect(res.status).toBe(401);
    expect(originHits).toBe(hitsBefore);
    const bobs = await uploadBlob(server, bob, randomBlob(5).bytes);
    expect(bobs.status).toBe(201);
  });
});

describe("client flow", () => {
  test("B04-03: a real client uploads to one hanami and mirrors the descriptor to another", async () => {
    const { Actions, createUploadAuth } = await import("blossom-client-sdk");
    const { finalizeEvent, generateSecretKey } = await import("nostr-tools");
    const secretKey = generateSecretKey();
    const signer = async (draft: Parameters<typeof finalizeEvent>[0]) =>
      finalizeEvent(draft, secretKey);
    await using first = await startBinary();
    await using second = await startBinary({
      env: { HANAMI_MIRROR_ALLOW_HOSTS: `127.0.0.1:${first.port}` },
    });
    const blob = new Blob([randomBlob(2048).bytes], { type: "image/webp" });
    const descriptor = await Actions.uploadBlob(first.url, blob, {
      onAuth: (_server, sha256) => createUploadAuth(signer, sha256),
    });
    const mirrored = await Actions.mirrorBlob(second.url, descriptor, {
      onAuth: (_server, sha256) => createUploadAuth(signer, sha256),
    });
    expect(mirrored).toMatchObject({ sha256: descriptor.sha256, size: 2048, type: "image/webp" });
    const copy = await fetch(mirrored.url);
    expect(new Uint8Array(await copy.arrayBuffer())).toEqual(
      new Uint8Array(await blob.arrayBuffer()),
    );
  });
});
