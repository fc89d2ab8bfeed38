// The MetadataStore contract (STYLE rule 5): SQLite today, Postgres later, the same suite.
import { describe, expect, test } from "bun:test";
import type { BlobRecord, MetadataStore } from "../../src/metadata/metadata-store.ts";

const hash = (n: number) => n.toString(16).padStart(64, "0");
const record = (n: number, uploadedSec = 1000): BlobRecord => ({
  sha256: hash(n),
  size: n * 10,
  type: "application/octet-stream",
  uploadedSec,
});
const ALICE = "a".repeat(64);
const BOB = "b".repeat(64);

export function describeMetadataStore(
  name: string,
  makeStore: () => Promise<MetadataStore & AsyncDisposable>,
): void {
  describe(`MetadataStore contract: ${name}`, () => {
    test("recordUpload creates once; later calls add owners and keep the first upload time", async () => {
      await using store = await makeStore();
      expect(await store.recordUpload(record(1, 1000), ALICE)).toEqual({
        record: record(1, 1000),
        created: true,
      });
      expect(await store.recordUpload(record(1, 2000), BOB)).toEqual({
        record: record(1, 1000),
        created: false,
      });
      expect(await store.isOwner(hash(1), ALICE)).toBe(true);
      expect(await store.isOwner(hash(1), BOB)).toBe(true);
      expect(await store.getBlob(hash(1))).toEqual(record(1, 1000));
      expect(await store.getBlob(hash(2))).toBeNull();
    });

    test("R5: 50 concurrent recordUpload of one hash by 50 owners → exactly one created", async () => {
      await using store = await makeStore();
      const owners = Array.from({ length: 50 }, (_, i) => i.toString(16).padStart(64, "c"));
      const results = await Promise.all(
        owners.map((owner) => store.recordUpload(record(7), owner)),
      );
      expect(results.filter((r) => r.created).length).toBe(1);
      for (const owner of owners) expect(await store.isOwner(hash(7), owner)).toBe(true);
    });

    test("P-15: removeOwner answers not_found, not_owner, owner_removed, blob_removed", async () => {
      await using store = await makeStore();
      await store.recordUpload(record(3), ALICE);
      await store.recordUpload(record(3), BOB);
      expect(await store.removeOwner(hash(9), ALICE)).toBe("not_found");
      expect(await store.removeOwner(hash(3), "c".repeat(64))).toBe("not_owner");
      expect(await store.removeOwner(hash(3), ALICE)).toBe("owner_removed");
      expect(await store.getBlob(hash(3))).not.toBeNull();
      expect(await store.removeOwner(hash(3), BOB)).toBe("blob_removed");
      expect(await store.getBlob(hash(3))).toBeNull();
    });

    test("B12-06, P-16: list order uploaded DESC, sha256 ASC; cursor excludes itself; unknown cursor", async () => {
      await using store = await makeStore();
      const times = [5, 9, 9, 1, 9, 3];
      for (const [i, t] of times.entries()) await store.recordUpload(record(i + 1, t), ALICE);
      await store.recordUpload(record(99, 50), BOB);
      const all = await store.listByOwner(ALICE, { limit: 100 });
      expect((all as BlobRecord[]).map((r) => r.sha256)).toEqual([2, 3, 5, 1, 6, 4].map(hash));
      const page1 = (await store.listByOwner(ALICE, { limit: 2 })) as BlobRecord[];
      const page2 = (await store.listByOwner(ALICE, {
        limit: 2,
        cursor: page1[1]?.sha256 as string,
      })) as BlobRecord[];
      const page3 = (await store.listByOwner(ALICE, {
        limit: 2,
        cursor: page2[1]?.sha256 as string,
      })) as BlobRecord[];
      expect([...page1, ...page2, ...page3].map((r) => r.sha256)).toEqual(
        [2, 3, 5, 1, 6, 4].map(hash),
      );
      expect(await store.listByOwner(ALICE, { limit: 2, cursor: hash(99) })).toBe("unknown_cursor");
      const window = (await store.listByOwner(ALICE, {
        limit: 100,
        sinceSec: 3,
        untilSec: 5,
      })) as BlobRecord[];
      expect(window.map((r) => r.sha256)).toEqual([1, 6].map(hash));
    });

    test("forgetBlob removes the row and its owners; allHashes and stats follow", async () => {
      await using store = await makeStore();
      await store.recordUpload(record(1), ALICE);
      await store.recordUpload(record(2), null);
      expect(await store.stats()).toEqual({ blobs: 2, bytes: 30 });
      await store.forgetBlob(hash(1));
      expect(await store.isOwner(hash(1), ALICE)).toBe(false);
      const hashes: string[] = [];
      for await (const sha256 of store.allHashes()) hashes.push(sha256);
      expect(hashes).toEqual([hash(2)]);
      expect(await store.listByOwner(ALICE, { limit: 10 })).toEqual([]);
    });
  });
}
