// BUD-09 reports (P-20, S19) and the operator's moderation API, against the binary.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BINARY, type RunningServer, startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, signEvent, signToken, type TestKey, testKeys } from "../support/nostr.ts";

const ADMIN = "admin-secret-for-tests";
let server: RunningServer;
const { alice, bob, carol } = testKeys;

beforeAll(async () => {
  server = await startBinary({
    args: ["--set", "reports.perPubkeyPerHour=5", "--set", "reports.maxBytes=4096"],
    env: { HANAMI_ADMIN_TOKEN: ADMIN },
  });
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

function report(
  key: TestKey | Uint8Array = carol,
  tags: string[][] = [],
  kind = 1984,
  content = "this is malware",
) {
  return signEvent(key, { kind, created_at: Math.floor(Date.now() / 1000), tags, content });
}

function put(body: unknown) {
  return server.fetch("/report", {
    method: "PUT",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function admin(path: string, init: RequestInit = {}, token = ADMIN) {
  return server.fetch(path, { ...init, headers: { authorization: `Bearer ${token}` } });
}

async function stored(key = alice) {
  const blob = randomBlob(200);
  expect((await uploadBlob(server, key, blob.bytes)).status).toBe(201);
  return blob;
}

describe("PUT /report", () => {
  test("B09-01, B09-02: a signed kind-1984 report on a stored blob → 200; repeats are idempotent", async () => {
    const blob = await stored();
    const event = report(carol, [
      ["x", blob.sha256, "malware"],
      ["p", alice.pubkey],
    ]);
    const res = await put(event);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "received", blobs: 1 });
    expect((await put(event)).status).toBe(200);
    const listed = (await (await admin("/admin/reports")).json()) as Array<{
      eventId: string;
      type: string;
    }>;
    expect(listed.filter((r) => r.eventId === event.id)).toEqual([
      expect.objectContaining({ eventId: event.id, type: "malware", reporter: carol.pubkey }),
    ]);
  });

  test("N56-02, N56-03: no p or e tag and no report type are accepted (type stored as null)", async () => {
    const blob = await stored();
    expect((await put(report(bob, [["x", blob.sha256]]))).status).toBe(200);
  });

  test("P-20, S19: malformed, unsigned, wrong kind, no x, unknown blobs and oversize are refused", async () => {
    const blob = await stored();
    const valid = report(bob, [["x", blob.sha256, "spam"]]);
    const cases: Array<[string, unknown, number]> = [
      ["not JSON", "{nope", 400],
      ["not an event", { hello: 1 }, 400],
      ["wrong kind", report(bob, [["x", blob.sha256]], 1), 400],
      ["no x tag", report(bob, [["p", alice.pubkey]]), 400],
      ["x not a hash", report(bob, [["x", "abc"]]), 400],
      ["id does not match", { ...valid, content: "edited" }, 400],
      ["bad signature", { ...valid, sig: `${valid.sig.slice(0, 126)}00` }, 400],
      ["only unknown blobs", report(bob, [["x", randomBlob(3).sha256]]), 404],
      ["over reports.maxBytes", report(bob, [["x", blob.sha256]], 1984, "x".repeat(5000)), 413],
    ];
    for (const [name, body, status] of cases) {
      const res = await put(body);
      expect({ name, status: res.status, reason: Boolean(res.headers.get("x-reason")) }).toEqual({
        name,
        status,
        reason: true,
      });
    }
  });

  test("S19: a flood from one pubkey gets 429 with Retry-After", async () => {
    const blob = await stored();
    const flooder = new Uint8Array(32).fill(7);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await put(report(flooder, [["x", blob.sha256]], 1984, `flood ${i}`));
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  test("B09-06: GET /tos shows the server's rules", async () => {
    const res = await server.fetch("/tos");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("PUT /report");
  });
});

describe("moderation (admin API)", () => {
  test("the admin API needs the operator token (403 otherwise)", async () => {
    expect((await server.fetch("/admin/reports")).status).toBe(403);
    expect((await admin("/admin/reports", {}, "wrong")).status).toBe(403);
    expect((await admin("/admin/reports")).status).toBe(200);
  });

  test("B09-03: hanami reports prints the stored reports from the index", async () => {
    const blob = await stored();
    const event = report(bob, [["x", blob.sha256, "illegal"]]);
    expect((await put(event)).status).toBe(200);
    const run = Bun.spawnSync([BINARY, "reports", "--data-dir", server.dataDir], {
      env: { PATH: process.env.PATH ?? "", HANAMI_STORAGE_RESERVE_FREE_BYTES: "0" },
    });
    expect(run.exitCode).toBe(0);
    const printed = JSON.parse(run.stdout.toString()) as Array<{ eventId: string; type: string }>;
    expect(printed).toContainEqual(expect.objectContaining({ eventId: event.id, type: "illegal" }));
  });

  test("B09-03: dismissing a report removes it from the list", async () => {
    const blob = await stored();
    const event = report(bob, [["x", blob.sha256, "spam"]]);
    expect((await put(event)).status).toBe(200);
    expect(await (await admin(`/admin/reports/${event.id}`, { method: "DELETE" })).json()).toEqual({
      dismissed: 1,
    });
    const listed = (await (await admin("/admin/reports")).json()) as Array<{ eventId: string }>;
    expect(listed.map((r) => r.eventId)).not.toContain(event.id);
  });

  test("delete removes the blob for every owner", async () => {
    const blob = await stored(alice);
    expect((await uploadBlob(server, bob, blob.bytes)).status).toBe(200);
    expect((await admin(`/admin/blobs/${blob.sha256}`, { method: "DELETE" })).status).toBe(204);
    expect((await server.fetch(`/${blob.sha256}`)).status).toBe(404);
    const bobs = (await (await server.fetch(`/list/${bob.pubkey}`)).json()) as Array<{
      sha256: string;
    }>;
    expect(bobs.map((d) => d.sha256)).not.toContain(blob.sha256);
  });

  test("B09-05: a banned hash is gone and can never be uploaded again (403), preflight too", async () => {
    const blob = await stored(alice);
    expect(
      (await admin(`/admin/bans/${blob.sha256}?reason=malware`, { method: "PUT" })).status,
    ).toBe(204);
    expect((await server.fetch(`/${blob.sha256}`)).status).toBe(404);
    const again = await uploadBlob(server, bob, blob.bytes);
    expect(again.status).toBe(403);
    expect(again.headers.get("x-reason")).toContain("banned");
    const withoutHeader = await uploadBlob(server, bob, blob.bytes, { withHashHeader: false });
    expect(withoutHeader.status).toBe(403);
    const preflight = await server.fetch("/upload", {
      method: "HEAD",
      headers: {
        authorization: signToken(bob, { verb: "upload", x: [blob.sha256] }),
        "x-sha-256": blob.sha256,
        "x-content-length": "200",
      },
    });
    expect(preflight.status).toBe(403);
  });
});
