// The BlobStore contract (STYLE rule 5): every implementation, local or S3, passes this suite.
import { describe, expect, test } from "bun:test";
import type { BlobStore } from "../../src/storage/blob-store.ts";
import { randomBlob } from "../support/nostr.ts";

export function describeBlobStore(
  name: string,
  makeStore: () => Promise<BlobStore & AsyncDisposable>,
): void {
  describe(`BlobStore contract: ${name}`, () => {
    test("stage → write → commit makes the bytes readable; a second commit says existed", async () => {
      await using store = await makeStore();
      const blob = randomBlob(100_000);
      for (const expected of ["created", "existed"] as const) {
        await using staged = await store.stage();
        await staged.write(blob.bytes.subarray(0, 40_000));
        await staged.write(blob.bytes.subarray(40_000));
        expect(staged.size).toBe(100_000);
        expect(await staged.commit(blob.sha256)).toBe(expected);
      }
      expect(await store.stat(blob.sha256)).toEqual({ size: 100_000 });
      const body = await store.open(blob.sha256);
      expect(new Uint8Array(await (body as Blob).arrayBuffer())).toEqual(blob.bytes);
      expect(await store.clearStaged()).toBe(0);
    });

    test("a staged blob disposed without commit leaves nothing behind", async () => {
      await using store = await makeStore();
      const blob = randomBlob(10);
      {
        await using staged = await store.stage();
        await staged.write(blob.bytes);
      }
      expect(await store.stat(blob.sha256)).toBeNull();
      expect(await store.clearStaged()).toBe(0);
    });

    test("abort drops the bytes; commit after abort is refused", async () => {
      await using store = await makeStore();
      const blob = randomBlob(10);
      const staged = await store.stage();
      await staged.write(blob.bytes);
      await staged.abort();
      await expect(staged.commit(blob.sha256)).rejects.toThrow();
      expect(await store.stat(blob.sha256)).toBeNull();
    });

    test("a zero-byte blob is a blob", async () => {
      await using store = await makeStore();
      const empty = randomBlob(0);
      await using staged = await store.stage();
      expect(await staged.commit(empty.sha256)).toBe("created");
      expect(await store.stat(empty.sha256)).toEqual({ size: 0 });
    });

    test("delete says whether the blob was there; list yields exactly the stored hashes", async () => {
      await using store = await makeStore();
      const blobs = [randomBlob(5), randomBlob(6), randomBlob(7)];
      for (const blob of blobs) {
        await using staged = await store.stage();
        await staged.write(blob.bytes);
        await staged.commit(blob.sha256);
      }
      expect(await store.delete(blobs[0]?.sha256 as string)).toBe(true);
      expect(await store.delete(blobs[0]?.sha256 as string)).toBe(false);
      const listed: string[] = [];
      for await (const sha256 of store.list()) listed.push(sha256);
      expect(listed.sort()).toEqual(
        [blobs[1]?.sha256 as string, blobs[2]?.sha256 as string].sort(),
      );
      expect(await store.open(blobs[0]?.sha256 as string)).toBeNull();
    });

    test("readStart reads at most maxBytes, the whole blob when it is shorter, null when absent", async () => {
      await using store = await makeStore();
      const blob = randomBlob(1000);
      await using staged = await store.stage();
      await staged.write(blob.bytes);
      await staged.commit(blob.sha256);
      expect(await store.readStart(blob.sha256, 1001)).toEqual(blob.bytes);
      expect(await store.readStart(blob.sha256, 10)).toEqual(blob.bytes.subarray(0, 10));
      expect(await store.readStart(randomBlob(5).sha256, 10)).toBeNull();
    });

    test("A2: a key that is not a sha256 never reaches the file system", async () => {
      await using store = await makeStore();
      for (const bad of ["../../etc/passwd", "A".repeat(64), "abc", `${"a".repeat(64)}/x`]) {
        await expect(store.stat(bad)).rejects.toThrow();
        await expect(store.readStart(bad, 10)).rejects.toThrow();
      }
    });
  });
}
