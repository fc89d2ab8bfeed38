// Requirement IDs of BUD-01/02/06/11/12 not covered by the per-BUD suites, named by their ID.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BINARY, type RunningServer, startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, signToken, testKeys } from "../support/nostr.ts";

let server: RunningServer;
const { alice } = testKeys;

beforeAll(async () => {
  server = await startBinary();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

describe("BUD-01", () => {
  test("B01-05: every response with status >= 400 carries a human-readable X-Reason", async () => {
    const responses = await Promise.all([
      server.fetch(`/${"0".repeat(64)}`),
      server.fetch(`/${"0".repeat(64)}zz`),
      server.fetch("/upload", { method: "PUT", body: "x" }),
      server.fetch("/upload", { method: "GET" }),
      server.fetch("/list/zz"),
      server.fetch(`/${"0".repeat(64)}`, { method: "DELETE" }),
    ]);
    for (const res of responses) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get("x-reason")).toMatch(/^[\x20-\x7e]+$/);
    }
  });

  test("B01-06: every endpoint lives at the root of the domain", async () => {
    const blob = randomBlob(32);
    expect((await uploadBlob(server, alice, blob.bytes)).status).toBe(201);
    for (const path of [`/${blob.sha256}`, `/list/${alice.pubkey}`, "/"]) {
      expect((await server.fetch(path)).status).toBe(200);
    }
    expect((await server.fetch("/upload", { method: "OPTIONS" })).status).toBe(204);
  });

  test("B01-06: a public URL under a path prefix is refused at start (exit 78)", () => {
    const run = Bun.spawnSync(
      [BINARY, "check-config", "--public-url", "https://cdn.example.com/blossom"],
      { env: { PATH: process.env.PATH ?? "" } },
    );
    expect(run.exitCode).toBe(78);
    expect(run.stdout.toString() + run.stderr.toString()).toContain("publicUrl");
  });
});

describe("BUD-02 and BUD-06", () => {
  test("B02-11: a known X-SHA-256 answers 200 before the body is read (the fast path)", async () => {
    const blob = randomBlob(64);
    expect((await uploadBlob(server, alice, blob.bytes)).status).toBe(201);
    // The body does not match: with the fast path the server never reads it.
    const res = await server.fetch("/upload", {
      method: "PUT",
      body: randomBlob(64).bytes,
      headers: {
        authorization: signToken(testKeys.bob, { verb: "upload", x: [blob.sha256] }),
        "x-sha-256": blob.sha256,
      },
    });
    expect(res.status).toBe(200);
    const listed = (await (await server.fetch(`/list/${testKeys.bob.pubkey}`)).json()) as Array<{
      sha256: string;
    }>;
    expect(listed.map((d) => d.sha256)).toContain(blob.sha256);
  });

  test("B06-01, B06-11: HEAD /upload answers with a status and X-Reason, never a body", async () => {
    const res = await server.fetch("/upload", { method: "HEAD" });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-reason")).toBeTruthy();
    expect(await res.text()).toBe("");
  });
});

describe("BUD-11 endpoint table", () => {
  test("B11-17: verbs, implied hashes and x requirements per endpoint", async () => {
    const blob = randomBlob(48);
    const other = randomBlob(8).sha256;
    expect((await uploadBlob(server, alice, blob.bytes)).status).toBe(201);
    const cases: Array<[string, string, RequestInit, number]> = [
      [
        "upload needs t=upload",
        "/upload",
        {
          method: "PUT",
          body: blob.bytes,
          headers: {
            authorization: signToken(alice, { verb: "media", x: [blob.sha256] }),
            "x-sha-256": blob.sha256,
          },
        },
        401,
      ],
      [
        "HEAD /upload: x must equal X-SHA-256",
        "/upload",
        {
          method: "HEAD",
          headers: {
            authorization: signToken(alice, { verb: "upload", x: [other] }),
            "x-sha-256": blob.sha256,
            "x-content-length": "48",
          },
        },
        401,
      ],
      [
        "DELETE: x required",
        `/${blob.sha256}`,
        { method: "DELETE", headers: { authorization: signToken(alice, { verb: "delete" }) } },
        401,
      ],
      [
        "DELETE: t=delete required",
        `/${blob.sha256}`,
        {
          method: "DELETE",
          headers: { authorization: signToken(alice, { verb: "upload", x: [blob.sha256] }) },
        },
        401,
      ],
      [
        "GET: token ignored when not required (P-12)",
        `/${blob.sha256}`,
        { headers: { authorization: "Nostr garbage" } },
        200,
      ],
      ["list: no token needed by default", `/list/${alice.pubkey}`, { headers: {} }, 200],
    ];
    for (const [name, path, init, status] of cases) {
      const res = await server.fetch(path, init);
      expect({ name, status: res.status }).toEqual({ name, status });
    }
  });

  test("B11-17: with auth required for GET, x tags (when present) must name the blob", async () => {
    await using strict = await startBinary({
      args: ["--set", "auth.requireForGet=true", "--set", "list.requireAuth=true"],
    });
    const blob = randomBlob(40);
    expect((await uploadBlob(strict, alice, blob.bytes)).status).toBe(201);
    const get = (authorization?: string) =>
      strict.fetch(`/${blob.sha256}`, {
        headers: authorization === undefined ? {} : { authorization },
      });
    expect((await get()).status).toBe(401);
    expect((await get(signToken(alice, { verb: "get" }))).status).toBe(200); // ⚠A-22
    expect((await get(signToken(alice, { verb: "get", x: [blob.sha256] }))).status).toBe(200);
    expect((await get(signToken(alice, { verb: "get", x: [randomBlob(4).sha256] }))).status).toBe(
      401,
    );
    expect((await get()).status).toBe(401); // the blob is hot now: memory skips no auth
    expect((await strict.fetch(`/list/${alice.pubkey}`)).status).toBe(401);
    const listed = await strict.fetch(`/list/${alice.pubkey}`, {
      headers: { authorization: signToken(alice, { verb: "list" }) },
    });
    expect(listed.status).toBe(200);
  });
});

describe("BUD-12", () => {
  test("B12-02: an operator can turn the list endpoint off (404)", async () => {
    await using noList = await startBinary({ args: ["--set", "list.enabled=false"] });
    expect((await noList.fetch(`/list/${alice.pubkey}`)).status).toBe(404);
  });
});

describe("trusted proxies", () => {
  const logged = (output: string, requestId: string) =>
    output
      .split("\n")
      .filter((line) => line.includes(`"requestId":"${requestId}"`))
      .map((line) => JSON.parse(line) as { clientIp: string | null })[0];

  test("S14: X-Forwarded-For is believed only from a configured proxy", async () => {
    await using proxied = await startBinary({ args: ["--set", "trustedProxies=127.0.0.1"] });
    // A failed read: its line carries the address under the default logClientIp.
    const missing = `/${"0".repeat(64)}`;
    await proxied.fetch(missing, {
      headers: { "x-forwarded-for": "203.0.113.7, 10.0.0.1", "x-request-id": "via-proxy" },
    });
    await server.fetch(missing, {
      headers: { "x-forwarded-for": "203.0.113.7", "x-request-id": "direct" },
    });
    await proxied.stop();
    await server.stop();
    expect(logged(proxied.output(), "via-proxy")?.clientIp).toBe("203.0.113.7");
    expect(logged(server.output(), "direct")?.clientIp).toBe("127.0.0.1");
  });
});
