// The blob service's reads on a real disk and a real index: small blobs are read once and held
// in memory, large ones keep a file handle, a file that disagrees with its row is never held.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { randomBlob } from "../../test/support/nostr.ts";
import { tempDir } from "../../test/support/temp-dir.ts";
import { openSqliteStore } from "../metadata/sqlite/sqlite-store.ts";
import { blobKey } from "../storage/layout.ts";
import { createLocalStore } from "../storage/local-store.ts";
import { createKeyedMutex } from "../util/keyed-mutex.ts";
import { type BlobService, createBlobService, type HotBlobCacheOptions } from "./blobs.ts";

async function serviceWith(
  blobs: ReturnType<typeof randomBlob>[],
  dataDir: string,
  cache: Partial<HotBlobCacheOptions> = {},
) {
  const store = await createLocalStore({ dataDir, reserveFreeBytes: 0, fsync: false });
  const metadata = openSqliteStore({ path: join(dataDir, "index.sqlite"), nowSec: 1 });
  for (const blob of blobs) {
    await using staged = await store.stage();
    await staged.write(blob.bytes);
    await staged.commit(blob.sha256);
    const record = {
      sha256: blob.sha256,
      size: blob.bytes.length,
      type: "text/plain",
      uploadedSec: 1,
    };
    await metadata.recordUpload(record, null);
  }
  const service = createBlobService({
    store,
    metadata,
    locks: createKeyedMutex(),
    hotCache: { maxEntryBytes: 4096, maxTotalBytes: 4 << 20, maxEntries: 100, ...cache },
  });
  return { service, metadata };
}

/** The bytes of a found blob, and the path it is read from (a `Bun.file` has one, memory not). */
async function contentOf(found: { body: Blob } | null | undefined) {
  if (found === null || found === undefined) return null;
  const { name } = found.body as Blob & { name?: string };
  return { path: name ?? null, bytes: new Uint8Array(await found.body.arrayBuffer()) };
}

/** Whether the blob is served from memory within 300 ms (a promotion reads in the background). */
async function heldAfterPromotion(service: BlobService, sha256: string): Promise<boolean> {
  for (let waitedMs = 0; waitedMs < 300; waitedMs += 10) {
    if ((await contentOf(service.findHot(sha256)))?.path === null) return true;
    await Bun.sleep(10);
  }
  return false;
}

test("a small blob is held in memory after its first read; a large one keeps its file", async () => {
  await using dir = await tempDir("hanami-blobs-");
  const [small, large] = [randomBlob(4096), randomBlob(4097)];
  const { service, metadata } = await serviceWith([small, large], dir.path);
  expect(await contentOf(await service.find(small.sha256))).toEqual({
    path: null,
    bytes: small.bytes,
  });
  expect(await contentOf(service.findHot(small.sha256))).toEqual({
    path: null,
    bytes: small.bytes,
  });
  expect(await contentOf(await service.find(large.sha256))).toEqual({
    path: join(dir.path, "blobs", blobKey(large.sha256)),
    bytes: large.bytes,
  });
  await metadata.close();
});

test("a small blob whose file is longer or gone is served as the disk has it, never held", async () => {
  await using dir = await tempDir("hanami-blobs-");
  const [longer, gone] = [randomBlob(100), randomBlob(100)];
  const { service, metadata } = await serviceWith([longer, gone], dir.path);
  await Bun.write(join(dir.path, "blobs", blobKey(longer.sha256)), randomBlob(10_000).bytes);
  await Bun.file(join(dir.path, "blobs", blobKey(gone.sha256))).delete();
  expect((await contentOf(await service.find(longer.sha256)))?.bytes.length).toBe(10_000);
  expect(service.findHot(longer.sha256)).toBeUndefined();
  expect(await service.find(gone.sha256)).toBeNull();
  expect(service.findHot(gone.sha256)).toBeUndefined();
  await metadata.close();
});

test("a blob over 64 KiB keeps its file handle at its first read and is held from its second", async () => {
  await using dir = await tempDir("hanami-blobs-");
  const large = randomBlob(100_000);
  const { service, metadata } = await serviceWith([large], dir.path, { maxEntryBytes: 1 << 20 });
  const onDisk = { path: join(dir.path, "blobs", blobKey(large.sha256)), bytes: large.bytes };
  expect(await contentOf(await service.find(large.sha256))).toEqual(onDisk);
  expect(await contentOf(await service.find(large.sha256))).toEqual(onDisk); // read in background
  expect(await heldAfterPromotion(service, large.sha256)).toBe(true);
  expect(await contentOf(service.findHot(large.sha256))).toEqual({
    path: null,
    bytes: large.bytes,
  });
  await metadata.close();
});

test("a large blob is held only into free room: it never pushes other held bytes out", async () => {
  await using dir = await tempDir("hanami-blobs-");
  const [a, b, c] = [randomBlob(100_000), randomBlob(100_000), randomBlob(100_000)];
  const cache = { maxEntryBytes: 1 << 20, maxTotalBytes: 250_000 };
  const { service, metadata } = await serviceWith([a, b, c], dir.path, cache);
  for (const blob of [a, b, c]) {
    await service.find(blob.sha256);
    await service.find(blob.sha256);
    await heldAfterPromotion(service, blob.sha256);
  }
  const held = await Promise.all(
    [a, b, c].map(async (blob) => (await contentOf(service.findHot(blob.sha256)))?.path === null),
  );
  expect(held).toEqual([true, true, false]);
  await metadata.close();
});
