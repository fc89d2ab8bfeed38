// BUD-01 against the compiled binary: GET/HEAD /<sha256>[.ext], ranges, caching, CORS.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RunningServer, startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, testKeys } from "../support/nostr.ts";

let server: RunningServer;
const text = randomBlob(0);
const bytes = new TextEncoder().encode("0123456789"); // 10 bytes, easy ranges
const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
const html = new TextEncoder().encode("<!doctype html><script>document.title='x'</script>");
const htmlSha256 = new Bun.CryptoHasher("sha256").update(html).digest("hex");
const pdf = randomBlob(100 * 1024); // past the in-memory cache's 64 KiB: served from its file

beforeAll(async () => {
  server = await startBinary();
  expect((await uploadBlob(server, testKeys.alice, bytes, { type: "text/plain" })).status).toBe(
    201,
  );
  expect((await uploadBlob(server, testKeys.alice, html, { type: "text/html" })).status).toBe(201);
  expect((await uploadBlob(server, testKeys.alice, text.bytes)).status).toBe(201);
  const pdfUpload = await uploadBlob(server, testKeys.alice, pdf.bytes, {
    type: "application/pdf",
  });
  expect(pdfUpload.status).toBe(201);
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

describe("GET /<sha256>", () => {
  test("B01-07, B01-08: returns the bytes with the stored type", async () => {
    const res = await server.fetch(`/${sha256}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("0123456789");
  });

  test("B01-09, B01-10: any extension is accepted and never changes Content-Type", async () => {
    for (const ext of [".pdf", ".png", ".txt", ".bin"]) {
      const res = await server.fetch(`/${sha256}${ext}`);
      expect({ ext, status: res.status, type: res.headers.get("content-type") }).toEqual({
        ext,
        status: 200,
        type: "text/plain",
      });
    }
  });

  test("B01-10: an unknown type is served as application/octet-stream", async () => {
    const res = await server.fetch(`/${text.sha256}`);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
  });

  test("B01-02, P-03: every response carries CORS headers, errors too", async () => {
    for (const path of [`/${sha256}`, `/${"0".repeat(64)}`, `/${sha256}x`, "/nope"]) {
      const res = await server.fetch(path);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-expose-headers")).toContain("X-Reason");
    }
  });

  test("B01-14, P-01: unknown hash 404, malformed tail 400, other paths 404, all with X-Reason", async () => {
    const cases = [
      [`/${"a".repeat(64)}`, 404],
      [`/${sha256}foo`, 400],
      [`/${sha256}.`, 400],
      [`/${sha256.slice(1)}`, 404],
      ["/favicon.ico", 404],
    ] as const;
    for (const [path, status] of cases) {
      const res = await server.fetch(path);
      expect({ path, status: res.status, reason: Boolean(res.headers.get("x-reason")) }).toEqual({
        path,
        status,
        reason: true,
      });
    }
  });

  test("P-01: upper-case hex is accepted and normalised", async () => {
    const res = await server.fetch(`/${sha256.toUpperCase()}.txt`);
    expect(res.status).toBe(200);
  });

  test("P-01: percent-encoded unreserved characters are themselves, cold or hot; other octets stay encoded", async () => {
    const blob = randomBlob(64); // never read yet: the first GET takes the cold path
    expect((await uploadBlob(server, testKeys.alice, blob.bytes)).status).toBe(201);
    const first = blob.sha256.charCodeAt(0).toString(16);
    const cases = [
      [`/%${first}${blob.sha256.slice(1)}`, 200],
      [`/${blob.sha256}.p%6Eg`, 200],
      [`/${blob.sha256}%2Ebin`, 200],
      [`/${blob.sha256}.p%25`, 400],
      [`/${blob.sha256}%2fbin`, 400],
    ] as const;
    for (const round of ["cold", "hot", "hot again"]) {
      for (const [path, status] of cases) {
        for (const method of ["GET", "HEAD"]) {
          const res = await server.fetch(path, { method });
          const body = method === "GET" && status === 200 ? await res.bytes() : null;
          expect({ round, method, path, status: res.status }).toEqual({
            round,
            method,
            path,
            status,
          });
          if (body !== null) expect(body).toEqual(blob.bytes);
        }
      }
    }
  });

  test("P-10: query strings (BUD-10 hints) are ignored", async () => {
    const res = await server.fetch(`/${sha256}.txt?xs=cdn.example.com&as=${testKeys.bob.pubkey}`);
    expect(res.status).toBe(200);
  });

  test("P-26: ETag, immutable caching and If-None-Match → 304 with CORS", async () => {
    const first = await server.fetch(`/${sha256}`);
    expect(first.headers.get("etag")).toBe(`"${sha256}"`);
    expect(first.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const second = await server.fetch(`/${sha256}`, {
      headers: { "if-none-match": `"${sha256}"` },
    });
    expect(second.status).toBe(304);
    expect(second.headers.get("access-control-allow-origin")).toBe("*");
    expect(second.headers.get("content-length")).toBeNull();
  });

  test("P-22: nosniff and a sandboxing CSP on every blob; active types download", async () => {
    const plain = await server.fetch(`/${sha256}`);
    expect(plain.headers.get("x-content-type-options")).toBe("nosniff");
    expect(plain.headers.get("content-security-policy")).toContain("sandbox");
    expect(plain.headers.get("content-disposition")).toBe("inline");
    // Bun would name a file-backed PDF `filename="<sha256>"` on its own (a download in browsers).
    const large = await server.fetch(`/${pdf.sha256}.pdf`);
    expect(large.headers.get("content-disposition")).toBe("inline");
    expect((await large.arrayBuffer()).byteLength).toBe(pdf.bytes.byteLength);
    const active = await server.fetch(`/${htmlSha256}.html`);
    expect(active.headers.get("content-type")).toBe("text/html");
    expect(active.headers.get("content-disposition")).toBe("attachment");
    expect(active.headers.get("content-security-policy")).toContain("sandbox");
  });
});

describe("Range (B01-20, P-25)", () => {
  const cases: Array<[string, number, string | null, string | null]> = [
    ["bytes=0-3", 206, "bytes 0-3/10", "0123"],
    ["bytes=7-", 206, "bytes 7-9/10", "789"],
    ["bytes=-2", 206, "bytes 8-9/10", "89"],
    ["bytes=5-100", 206, "bytes 5-9/10", "56789"],
    ["bytes=-50", 206, "bytes 0-9/10", "0123456789"],
    ["bytes=10-", 416, "bytes */10", null],
    ["bytes=20-30", 416, "bytes */10", null],
    ["bytes=3-2", 200, null, "0123456789"],
    ["bytes=abc", 200, null, "0123456789"],
    ["bytes=0-1,3-4", 200, null, "0123456789"],
  ];
  for (const [range, status, contentRange, body] of cases) {
    test(`B01-20: ${range} → ${status}`, async () => {
      const res = await server.fetch(`/${sha256}`, { headers: { range } });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-range")).toBe(contentRange);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      if (body !== null) {
        expect(res.headers.get("content-length")).toBe(String(body.length));
        expect(await res.text()).toBe(body);
      }
    });
  }

  test("P-25: a zero-length blob ignores Range", async () => {
    const res = await server.fetch(`/${text.sha256}`, { headers: { range: "bytes=0-5" } });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});

/** The value of one sample in /metrics (`name` with its labels as rendered), 0 when absent. */
async function metricValue(name: string): Promise<number> {
  const text = await (await server.fetch("/metrics")).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name} `));
  return Number(line?.slice(name.length + 1) ?? 0);
}

test("hanami_requests_total and the latency histogram count each request by route, method, status", async () => {
  const ok = 'hanami_requests_total{route="blob",method="HEAD",status="200"}';
  const missing = 'hanami_requests_total{route="blob",method="HEAD",status="404"}';
  const timed = 'hanami_request_duration_seconds_count{route="blob"}';
  const before = [await metricValue(ok), await metricValue(missing), await metricValue(timed)];
  await server.fetch(`/${sha256}`, { method: "HEAD" });
  await server.fetch(`/${sha256}`, { method: "HEAD" });
  await server.fetch(`/${"c".repeat(64)}`, { method: "HEAD" });
  const after = [await metricValue(ok), await metricValue(missing), await metricValue(timed)];
  expect(after.map((value, i) => value - (before[i] ?? 0))).toEqual([2, 1, 3]);
});

test("/metrics carries the process's figures under client_golang's names, and the build", async () => {
  const rss = await metricValue("process_resident_memory_bytes");
  expect(rss).toBeGreaterThan(10 * 1024 * 1024);
  expect(await metricValue("hanami_heap_used_bytes")).toBeLessThan(rss);
  expect(await metricValue("process_cpu_seconds_total")).toBeGreaterThan(0);
  expect(await metricValue("process_open_fds")).toBeGreaterThanOrEqual(4); // stdio and a socket
  expect(await metricValue("process_max_fds")).toBeGreaterThan(0);
  const text = await (await server.fetch("/metrics")).text();
  expect(text).toMatch(/^hanami_build_info\{version="[^"]+",bun="[^"]+"\} 1$/m);
  const startedSec = await metricValue("process_start_time_seconds");
  expect(Math.abs(Date.now() / 1000 - startedSec)).toBeLessThan(600);
});

test("hanami_sent_bytes_total counts blob bodies and ranges, not HEAD", async () => {
  const before = await metricValue("hanami_sent_bytes_total");
  await (await server.fetch(`/${sha256}`)).arrayBuffer(); // 10
  await (await server.fetch(`/${sha256}`, { headers: { range: "bytes=2-4" } })).arrayBuffer(); // 3
  await server.fetch(`/${sha256}`, { method: "HEAD" });
  expect((await metricValue("hanami_sent_bytes_total")) - before).toBe(13);
});

describe("HEAD /<sha256>", () => {
  test("B01-15, B01-16, B01-17: same status and headers as GET, no body", async () => {
    const get = await server.fetch(`/${sha256}.txt`);
    const head = await server.fetch(`/${sha256}.txt`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    for (const name of [
      "content-type",
      "content-length",
      "accept-ranges",
      "etag",
      "cache-control",
    ]) {
      expect({ name, value: head.headers.get(name) }).toEqual({
        name,
        value: get.headers.get(name),
      });
    }
    expect(head.headers.get("content-length")).toBe("10");
  });

  test("B01-18, B01-19: HEAD accepts extensions; 404 for unknown; 400 for malformed", async () => {
    expect((await server.fetch(`/${sha256}.pdf`, { method: "HEAD" })).status).toBe(200);
    expect((await server.fetch(`/${"b".repeat(64)}`, { method: "HEAD" })).status).toBe(404);
    expect((await server.fetch(`/${sha256}zz`, { method: "HEAD" })).status).toBe(400);
  });

  test("P-25: HEAD ignores Range", async () => {
    const res = await server.fetch(`/${sha256}`, {
      method: "HEAD",
      headers: { range: "bytes=0-1" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe("10");
  });
});

describe("OPTIONS and the landing page", () => {
  test("B01-03, B01-04, P-04: preflight on any path is 204 with the required headers", async () => {
    for (const path of ["/upload", `/${sha256}`, "/anything/at/all"]) {
      const res = await server.fetch(path, { method: "OPTIONS" });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-allow-headers")).toContain("Authorization");
      expect(res.headers.get("access-control-allow-methods")).toContain("GET, HEAD, PUT, DELETE");
      expect(res.headers.get("access-control-max-age")).toBe("86400");
    }
  });

  test("P-28: GET / answers JSON for programs and HTML for browsers; HEAD / is 200", async () => {
    const json = await server.fetch("/", { headers: { accept: "application/json" } });
    expect(await json.json()).toMatchObject({
      name: "hanami",
      buds: [
        "BUD-01",
        "BUD-02",
        "BUD-04",
        "BUD-05",
        "BUD-06",
        "BUD-08",
        "BUD-09",
        "BUD-11",
        "BUD-12",
      ],
    });
    const page = await server.fetch("/", { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type")).toContain("text/html");
    expect((await server.fetch("/", { method: "HEAD" })).status).toBe(200);
  });

  test("405 with Allow for a known path and a wrong method", async () => {
    const res = await server.fetch("/upload", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toContain("PUT");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  test("405 for a method no route serves names only the methods the path serves", async () => {
    const res = await server.fetch("/upload", { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("PUT, HEAD, OPTIONS");
  });
});
