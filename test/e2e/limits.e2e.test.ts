// S3 (path traversal fuzz), S13 (CORS on every response), S7 (a 1 GiB upload keeps memory flat),
// and slow-but-live uploads outlasting the idle timeout, against the binary.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { type RunningServer, startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, signToken, testKeys } from "../support/nostr.ts";

let server: RunningServer;
let stored: string;

beforeAll(async () => {
  server = await startBinary();
  const blob = randomBlob(100);
  expect((await uploadBlob(server, testKeys.alice, blob.bytes)).status).toBe(201);
  stored = blob.sha256;
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

/** Every file under the data dir, relative: storage must hold only 64-hex names (reliability A2). */
async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

describe("S3: path traversal", () => {
  const hexish = fc.stringMatching(/^[0-9a-fA-F]{60,68}$/);
  const segment = fc.oneof(
    fc.constantFrom(
      "..",
      "%2e%2e",
      "%2f",
      "%00",
      "%5c",
      "\\",
      "%c0%af",
      "etc",
      "passwd",
      ".",
      "%252e",
    ),
    hexish,
    fc.string({ maxLength: 12 }).map(encodeURIComponent),
  );
  const path = fc.oneof(
    fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join("/")}`),
    fc
      .tuple(hexish, fc.array(segment, { maxLength: 3 }))
      .map(([hash, rest]) => `/${hash}${rest.join("")}`),
    fc
      .tuple(
        fc.constant(stored),
        fc.constantFrom(".pdf", ".tar.gz", "..", ".%2e", "%00.png", ".PNG", "/.."),
      )
      .map(([hash, tail]) => `/${hash}${tail}`),
  );
  const CASES = 10_000;

  test(`S3: ${CASES} hostile paths on GET, HEAD and DELETE: only 200/400/404 (+401 on DELETE), nothing outside 64-hex names`, async () => {
    const paths = fc.sample(path, { numRuns: CASES, seed: 42 });
    const statuses = new Map<string, number>();
    const methods = ["GET", "HEAD", "DELETE"] as const;
    for (let at = 0; at < paths.length; at += 50) {
      await Promise.all(
        paths.slice(at, at + 50).map(async (p, i) => {
          const method = methods[(at + i) % 3] as (typeof methods)[number];
          const res = await fetch(`${server.url}${p}`, { method });
          await res.arrayBuffer();
          const key = `${method} ${res.status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }),
      );
    }
    // DELETE answers 401 on blob paths before anything else (P-15); other paths are not a DELETE
    // route: 404, or 405 on a fixed path such as "/".
    const allowed = new Set([
      ...["GET 200", "GET 400", "GET 404", "HEAD 200", "HEAD 400", "HEAD 404"],
      ...["DELETE 401", "DELETE 404", "DELETE 405"],
    ]);
    const unexpected = [...statuses.keys()].filter((key) => !allowed.has(key));
    expect(unexpected).toEqual([]);
    const stray = (await filesUnder(join(server.dataDir, "blobs"))).filter(
      (file) => !/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(file),
    );
    expect(stray).toEqual([]);
    console.log(`S3: ${CASES} paths, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 60_000);
});

describe("S13: CORS everywhere", () => {
  test("S13: every kind of response carries Access-Control-Allow-Origin: * and no credentials", async () => {
    const blob = randomBlob(10);
    const requests: Array<[string, RequestInit]> = [
      ["/", {}],
      ["/", { method: "HEAD" }],
      [`/${stored}`, {}],
      [`/${stored}`, { headers: { range: "bytes=0-1" } }],
      [`/${stored}`, { headers: { range: "bytes=500-" } }],
      [`/${stored}`, { headers: { "if-none-match": `"${stored}"` } }],
      [`/${stored}`, { method: "HEAD" }],
      [`/${"0".repeat(64)}`, {}],
      [`/${stored}zz`, {}],
      ["/upload", { method: "PUT", body: "x" }],
      ["/upload", { method: "GET" }],
      ["/upload", { method: "HEAD" }],
      ["/upload", { method: "OPTIONS" }],
      [
        "/upload",
        {
          method: "PUT",
          body: blob.bytes,
          headers: {
            authorization: signToken(testKeys.alice, { verb: "upload", x: [blob.sha256] }),
            "x-sha-256": "bad",
          },
        },
      ],
      [`/list/${testKeys.alice.pubkey}`, {}],
      ["/list/nothex", {}],
      [`/${stored}`, { method: "DELETE" }],
      [`/${stored}`, { method: "POST" }],
      ["/nowhere/at/all", {}],
    ];
    for (const [path, init] of requests) {
      const res = await server.fetch(path, init);
      await res.arrayBuffer();
      expect({
        path,
        method: init.method ?? "GET",
        acao: res.headers.get("access-control-allow-origin"),
      }).toEqual({
        path,
        method: init.method ?? "GET",
        acao: "*",
      });
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });
});

describe("S7: memory stays flat while a large body streams", () => {
  function rssBytes(pid: number): number {
    const status = require("node:fs").readFileSync(`/proc/${pid}/status`, "utf8") as string;
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  }

  test("S7: a 1 GiB chunked upload raises the server's RSS by less than 64 MiB", async () => {
    await using big = await startBinary({
      args: ["--set", `upload.maxBytes=${2 * 1024 ** 3}`, "--set", "storage.fsync=false"],
    });
    const chunk = randomBlob(1024 * 1024).bytes;
    const TOTAL_MIB = 1024;
    const hasher = new Bun.CryptoHasher("sha256");
    for (let i = 0; i < TOTAL_MIB; i++) hasher.update(chunk);
    const sha256 = hasher.digest("hex");
    // Warm up with one 8 MiB upload so the baseline is a server that has served traffic.
    const warm = randomBlob(8 * 1024 * 1024);
    expect((await uploadBlob(big, testKeys.bob, warm.bytes)).status).toBe(201);
    const baseline = rssBytes(big.proc.pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(big.proc.pid));
    }, 20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === TOTAL_MIB) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await big.fetch("/upload", {
      method: "PUT",
      body,
      headers: {
        authorization: signToken(testKeys.alice, { verb: "upload", x: [sha256] }),
        "x-sha-256": sha256,
      },
    });
    clearInterval(sampler);
    expect(res.status).toBe(201);
    expect(((await res.json()) as { size: number }).size).toBe(TOTAL_MIB * 1024 * 1024);
    const growthMiB = (peak - baseline) / 1024 ** 2;
    console.log(
      `S7: 1 GiB upload, server RSS ${Math.round(baseline / 1024 ** 2)} → peak ${Math.round(peak / 1024 ** 2)} MiB`,
    );
    expect(growthMiB).toBeLessThan(64);
  }, 120_000);
});

describe("idle timeout", () => {
  test("a slow but live upload outlasts http.idleTimeoutSec; a stalled one is cut", async () => {
    await using slow = await startBinary({ args: ["--set", "http.idleTimeoutSec=2"] });
    const blob = randomBlob(64 * 1024);
    let sent = 0;
    const CHUNK = 4096;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= blob.bytes.byteLength) return controller.close();
        await Bun.sleep(250); // the client's pace (16 KiB/s for 4 s), not a readiness wait
        controller.enqueue(blob.bytes.slice(sent, sent + CHUNK));
        sent += CHUNK;
      },
    });
    const res = await slow.fetch("/upload", {
      method: "PUT",
      body,
      headers: {
        authorization: signToken(testKeys.alice, { verb: "upload", x: [blob.sha256] }),
        "x-sha-256": blob.sha256,
      },
    });
    expect(res.status).toBe(201);
  }, 30_000);
});

describe("A5: concurrent uploads are capped", () => {
  /** An upload whose body stays open until `finish` is called. */
  function heldUpload(target: RunningServer) {
    const blob = randomBlob(8192);
    let finish = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(blob.bytes.slice(0, 4096));
        await finished;
        controller.enqueue(blob.bytes.slice(4096));
        controller.close();
      },
    });
    const response = target.fetch("/upload", {
      method: "PUT",
      body,
      headers: {
        authorization: signToken(testKeys.alice, { verb: "upload", x: [blob.sha256] }),
        "x-sha-256": blob.sha256,
      },
    });
    return { finish, response };
  }

  async function slotsInUse(target: RunningServer): Promise<number> {
    const text = await (await target.fetch("/metrics")).text();
    return Number(/^hanami_upload_slots_in_use (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
  }

  test("past the per-client cap an upload gets 503 + Retry-After at once; reads go on", async () => {
    await using capped = await startBinary({
      args: ["--set", "upload.maxConcurrentPerClient=2"],
    });
    const held = [heldUpload(capped), heldUpload(capped)];
    for (let polls = 0; (await slotsInUse(capped)) < 2; polls++) {
      expect(polls).toBeLessThan(200); // both requests reach the server within a few ms
      await Bun.sleep(10);
    }
    const refused = await uploadBlob(capped, testKeys.bob, randomBlob(100).bytes);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("x-reason")).toMatch(/too many uploads in progress/);
    expect((await capped.fetch("/")).status).toBe(200);

    for (const upload of held) upload.finish();
    expect((await Promise.all(held.map((upload) => upload.response))).map((r) => r.status)).toEqual(
      [201, 201],
    );
    expect(await slotsInUse(capped)).toBe(0);
    expect((await uploadBlob(capped, testKeys.bob, randomBlob(100).bytes)).status).toBe(201);
  });
});

/** Writes raw requests on one connection; resolves with what came back once the socket ends. */
async function exchange(request: string, secondRequest: string): Promise<string> {
  const { hostname, port } = new URL(server.url);
  let received = "";
  const { promise: ended, resolve } = Promise.withResolvers<void>();
  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data: (_socket, chunk) => {
        received += chunk.toString("latin1");
      },
      close: () => resolve(),
      end: () => resolve(),
    },
  });
  socket.write(request);
  await Bun.sleep(100); // the first answer is out before the second request is sent
  socket.write(secondRequest);
  await Promise.race([ended, Bun.sleep(2_000)]);
  socket.end();
  return received;
}

/** The status of every response in a raw exchange (a body may run straight into the next). */
const statusesIn = (received: string) =>
  [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => match[1]);

describe("a refused upload body", () => {
  const refusedUpload = (size: number) =>
    `PUT /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${size}\r\n\r\n${"x".repeat(size)}`;
  const landing = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

  test("a small one is skipped and its connection serves the next request", async () => {
    const received = await exchange(refusedUpload(1024), landing);
    const statuses = statusesIn(received);
    expect(statuses).toEqual(["401", "200"]);
    expect(received.split("\r\n\r\n")[0]?.toLowerCase()).not.toContain("connection: close");
  });

  test("a large one closes its connection after the answer", async () => {
    const received = await exchange(refusedUpload(256 * 1024), landing);
    const statuses = statusesIn(received);
    expect(statuses).toEqual(["401"]);
    expect(received.toLowerCase()).toContain("connection: close");
  });
});
