// Seeds a data dir with many blobs without HTTP: files through the project's own local store
// (fsync off: the figures are about reading), rows written straight into an index migrated by
// the project's own SQLite store, in one transaction, then one flush of the file system.
// 100,000 blobs take seconds, not the hour that 100,000 signed uploads would. Blobs are 64
// bytes; `listOwner` owns `listOwnerCount` of them, `bulkOwner` the rest, so list pages can be
// compared at any index size.
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { openSqliteStore } from "../../src/metadata/sqlite/sqlite-store.ts";
import { createLocalStore } from "../../src/storage/local-store.ts";

export interface IndexSeed {
  readonly dataDir: string;
  readonly blobs: number;
  readonly listOwner: string;
  readonly listOwnerCount: number;
  readonly bulkOwner: string;
}

export interface SeededIndex {
  /** Every seeded hash, in seeding order (newest upload time last). */
  readonly hashes: string[];
  readonly seedMs: number;
}

const BLOB_BYTES = 64;
const PARALLEL_FILES = 64;
const FIRST_UPLOADED_SEC = 1_700_000_000;

function blobBytes(index: number): Uint8Array {
  const bytes = new Uint8Array(BLOB_BYTES);
  new DataView(bytes.buffer).setUint32(0, index);
  bytes.set(new TextEncoder().encode("hanami bench seed"), 4);
  return bytes;
}

async function writeFiles(dataDir: string, count: number): Promise<string[]> {
  const store = await createLocalStore({ dataDir, reserveFreeBytes: 0, fsync: false });
  const hashes: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      const bytes = blobBytes(index);
      const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
      await using staged = await store.stage();
      await staged.write(bytes);
      await staged.commit(sha256);
      hashes[index] = sha256;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_FILES }, worker));
  return hashes;
}

async function writeRows(seed: IndexSeed, hashes: readonly string[]): Promise<void> {
  const path = join(seed.dataDir, "index.sqlite");
  // The project's store applies the migrations; the rows then go in as one transaction.
  await openSqliteStore({ path, nowSec: FIRST_UPLOADED_SEC }).close();
  const sqlite = new Database(path);
  const blob = sqlite.prepare(
    "INSERT INTO blobs (sha256, size, type, uploaded) VALUES (?, ?, ?, ?)",
  );
  const owner = sqlite.prepare(
    "INSERT INTO owners (sha256, pubkey, added, uploaded, size, type) VALUES (?, ?, ?, ?, ?, ?)",
  );
  sqlite.transaction(() => {
    hashes.forEach((sha256, index) => {
      const uploaded = FIRST_UPLOADED_SEC + index;
      blob.run(sha256, BLOB_BYTES, "application/octet-stream", uploaded);
      const pubkey = index < seed.listOwnerCount ? seed.listOwner : seed.bulkOwner;
      owner.run(sha256, pubkey, uploaded, uploaded, BLOB_BYTES, "application/octet-stream");
    });
  })();
  sqlite.run("PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite.close();
}

/**
 * Writes the seeded files out now. Left to the kernel, 100,000 files (640 MB of dirty pages)
 * went out about 30 s later, in the middle of the measurements: one run's 100,000-blob server
 * used 0.53 of its core with a hot-GET p99 of 38 ms. `sync -f` (syncfs) takes under a second.
 */
function flushFileSystem(dir: string): void {
  const sync = Bun.spawnSync(["sync", "--file-system", dir], { stderr: "pipe" });
  if (sync.exitCode !== 0) throw new Error(`sync --file-system ${dir}: ${sync.stderr.toString()}`);
}

export async function seedIndex(seed: IndexSeed): Promise<SeededIndex> {
  const startedMs = performance.now();
  const hashes = await writeFiles(seed.dataDir, seed.blobs);
  await writeRows(seed, hashes);
  flushFileSystem(seed.dataDir);
  return { hashes, seedMs: performance.now() - startedMs };
}
