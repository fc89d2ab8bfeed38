// BUD-12 GET /list/<pubkey> and DELETE /<sha256> against the binary (P-15, P-16).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RunningServer, startBinary } from "../support/binary.ts";
import { deleteBlob, uploadBlob } from "../support/blossom.ts";
import { randomBlob, signToken, testKeys } from "../support/nostr.ts";

let server: RunningServer;
const { alice, bob, carol } = testKeys;
const aliceBlobs: string[] = [];

beforeAll(async () => {
  server = await startBinary();
  for (let i = 0; i < 5; i++) {
    const blob = randomBlob(100 + i);
    expect((await uploadBlob(server, alice, blob.bytes)).status).toBe(201);
    aliceBlobs.push(blob.sha256);
  }
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

async function list(pubkey: string, query = ""): Promise<Response> {
  return server.fetch(`/list/${pubkey}${query}`);
}

async function hashes(res: Response): Promise<string[]> {
  return ((await res.json()) as Array<{ sha256: string }>).map((d) => d.sha256);
}

describe("GET /list/<pubkey>", () => {
  test("B12-03, B12-06, P-16: all of a pubkey's blobs, newest first, ties by sha256", async () => {
    const res = await list(alice.pubkey);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const listed = await hashes(res);
    expect(listed.sort()).toEqual([...aliceBlobs].sort());
    const descriptors = (await (await list(alice.pubkey)).json()) as Array<{
      uploaded: number;
      sha256: string;
    }>;
    for (let i = 1; i < descriptors.length; i++) {
      const [a, b] = [descriptors[i - 1], descriptors[i]];
      if (a === undefined || b === undefined) continue;
      expect(a.uploaded > b.uploaded || (a.uploaded === b.uploaded && a.sha256 < b.sha256)).toBe(
        true,
      );
    }
  });

  test("B12-04, B12-05, B12-07: cursor pages never repeat and never skip", async () => {
    const all = await hashes(await list(alice.pubkey));
    const seen: string[] = [];
    let cursor = "";
    for (let page = 0; page < 10; page++) {
      const res = await list(alice.pubkey, `?limit=2${cursor === "" ? "" : `&cursor=${cursor}`}`);
      const chunk = await hashes(res);
      if (chunk.length === 0) break;
      expect(chunk.length).toBeLessThanOrEqual(2);
      if (cursor !== "") expect(chunk).not.toContain(cursor);
      seen.push(...chunk);
      cursor = chunk.at(-1) as string;
    }
    expect(seen).toEqual(all);
  });

  test("B12-08: since/until filter on uploaded", async () => {
    expect(await hashes(await list(alice.pubkey, "?until=1"))).toEqual([]);
    expect((await hashes(await list(alice.pubkey, "?since=1"))).length).toBe(5);
  });

  test("B12-01: an empty list for a pubkey with no blobs", async () => {
    expect(await hashes(await list(carol.pubkey))).toEqual([]);
  });

  test("B12-09, P-16: malformed queries and unknown cursors → 400 with X-Reason", async () => {
    const cases = [
      [alice.pubkey, "?limit=0"],
      [alice.pubkey, "?limit=abc"],
      [alice.pubkey, "?cursor=nothex"],
      [alice.pubkey, `?cursor=${"0".repeat(64)}`],
      [alice.pubkey, "?since=-1"],
      ["npub1notahexkey", ""],
    ] as const;
    for (const [pubkey, query] of cases) {
      const res = await list(pubkey, query);
      expect({ query, status: res.status, reason: Boolean(res.headers.get("x-reason")) }).toEqual({
        query,
        status: 400,
        reason: true,
      });
    }
  });
});

describe("DELETE /<sha256>", () => {
  test("P-15: no token → 401 before existence is revealed", async () => {
    const unknown = await server.fetch(`/${"c".repeat(64)}`, { method: "DELETE" });
    const known = await server.fetch(`/${aliceBlobs[0]}`, { method: "DELETE" });
    expect([unknown.status, known.status]).toEqual([401, 401]);
    expect(known.headers.get("www-authenticate")).toBe("Nostr");
  });

  test("B12-14, B11-15: a delete token must name the blob in an x tag", async () => {
    const target = aliceBlobs[0] as string;
    const res = await server.fetch(`/${target}`, {
      method: "DELETE",
      headers: {
        authorization: signToken(alice, { verb: "delete", x: [aliceBlobs[1] as string] }),
      },
    });
    expect(res.status).toBe(401);
    const noX = await server.fetch(`/${target}`, {
      method: "DELETE",
      headers: { authorization: signToken(alice, { verb: "delete" }) },
    });
    expect(noX.status).toBe(401);
  });

  test("B12-12: unknown blob → 404; not an owner → 403", async () => {
    expect((await deleteBlob(server, alice, "d".repeat(64))).status).toBe(404);
    expect((await deleteBlob(server, bob, aliceBlobs[0] as string)).status).toBe(403);
  });

  test("B12-11, B12-13, P-15: with two x tags only the path's blob goes; 204; then 404", async () => {
    const [first, second] = aliceBlobs as [string, string];
    const res = await server.fetch(`/${first}.bin`, {
      method: "DELETE",
      headers: { authorization: signToken(alice, { verb: "delete", x: [first, second] }) },
    });
    expect(res.status).toBe(204);
    expect((await server.fetch(`/${first}`)).status).toBe(404);
    expect((await server.fetch(`/${second}`)).status).toBe(200);
    expect(await hashes(await list(alice.pubkey))).not.toContain(first);
  });

  test("P-15, I5: with two owners the bytes stay until the last owner deletes", async () => {
    const blob = randomBlob(500);
    expect((await uploadBlob(server, alice, blob.bytes)).status).toBe(201);
    expect((await uploadBlob(server, bob, blob.bytes)).status).toBe(200);
    expect((await deleteBlob(server, alice, blob.sha256)).status).toBe(204);
    expect((await server.fetch(`/${blob.sha256}`)).status).toBe(200);
    expect((await server.fetch(`/${blob.sha256}`)).status).toBe(200); // now answered from memory
    expect(await hashes(await list(alice.pubkey))).not.toContain(blob.sha256);
    expect(await hashes(await list(bob.pubkey))).toContain(blob.sha256);
    expect((await deleteBlob(server, bob, blob.sha256)).status).toBe(204);
    expect((await server.fetch(`/${blob.sha256}`)).status).toBe(404);
    const shard = `${server.dataDir}/blobs/${blob.sha256.slice(0, 2)}/${blob.sha256.slice(2, 4)}/${blob.sha256}`;
    expect(await Bun.file(shard).exists()).toBe(false);
  });
});
