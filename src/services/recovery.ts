// Start-up recovery and fsck: the index and the blob files agree before the port opens
// (reliability P3, I1–I4, R3).
import type { MetadataStore } from "../metadata/metadata-store.ts";
import type { BlobStore, Sha256 } from "../storage/blob-store.ts";

export interface RecoveryDeps {
  readonly store: BlobStore;
  readonly metadata: MetadataStore;
}

export interface RecoveryReport {
  /** False after a clean shutdown: only temp files were cleared, files and rows not compared. */
  readonly fullScan: boolean;
  readonly tempFilesRemoved: number;
  /** Rows whose file is gone: forgotten, so they can never answer 200 (I2). */
  readonly danglingRowsRemoved: Sha256[];
  /** Files without a row whose bytes match their name: adopted as ownerless blobs. */
  readonly orphansAdopted: Sha256[];
  /** Files without a row whose bytes do not match their name: deleted (I1). */
  readonly corruptOrphansRemoved: Sha256[];
}

export interface FsckReport {
  readonly checked: number;
  readonly corrupt: Sha256[];
  readonly orphans: Sha256[];
  readonly dangling: Sha256[];
  readonly tempFiles: number;
  readonly repaired: boolean;
}

/** Streams the stored bytes through SHA-256; null when the blob is not readable. */
async function hashStored(
  store: BlobStore,
  sha256: Sha256,
): Promise<{ sha256: string; size: number } | null> {
  const body = await store.open(sha256);
  if (body === null) return null;
  const hasher = new Bun.CryptoHasher("sha256");
  let size = 0;
  for await (const chunk of body.stream()) {
    hasher.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hasher.digest("hex"), size };
}

async function collect(iterable: AsyncIterable<Sha256>): Promise<Set<Sha256>> {
  const set = new Set<Sha256>();
  for await (const value of iterable) set.add(value);
  return set;
}

/**
 * The file is written before its row, and the row is the commit point, so a crash leaves at most
 * a temp file or a file without a row; a row without a file means the disk lost it.
 */
export async function recoverAtStartup(
  deps: RecoveryDeps,
  nowSec: number,
  options: { afterCleanShutdown: boolean },
): Promise<RecoveryReport> {
  const { store, metadata } = deps;
  const tempFilesRemoved = await store.clearStaged();
  if (options.afterCleanShutdown) {
    return {
      fullScan: false,
      tempFilesRemoved,
      danglingRowsRemoved: [],
      orphansAdopted: [],
      corruptOrphansRemoved: [],
    };
  }
  const files = await collect(store.list());
  const rows = await collect(metadata.allHashes());
  const danglingRowsRemoved = [...rows].filter((sha256) => !files.has(sha256));
  for (const sha256 of danglingRowsRemoved) await metadata.forgetBlob(sha256);
  const orphansAdopted: Sha256[] = [];
  const corruptOrphansRemoved: Sha256[] = [];
  for (const sha256 of [...files].filter((name) => !rows.has(name))) {
    const stored = await hashStored(store, sha256);
    if (stored === null) continue;
    if (stored.sha256 !== sha256) {
      await store.delete(sha256);
      corruptOrphansRemoved.push(sha256);
      continue;
    }
    // Its upload was never acknowledged; keep the bytes ownerless rather than lose them (P3).
    const record = {
      sha256,
      size: stored.size,
      type: "application/octet-stream",
      uploadedSec: nowSec,
    };
    await metadata.recordUpload(record, null);
    orphansAdopted.push(sha256);
  }
  return {
    fullScan: true,
    tempFilesRemoved,
    danglingRowsRemoved,
    orphansAdopted,
    corruptOrphansRemoved,
  };
}

/** Re-hashes every stored blob (hanami fsck); with repair, applies the start-up rules too. */
export async function fsck(deps: RecoveryDeps, options: { repair: boolean }): Promise<FsckReport> {
  const { store, metadata } = deps;
  const files = await collect(store.list());
  const rows = await collect(metadata.allHashes());
  const corrupt: Sha256[] = [];
  for (const sha256 of files) {
    const stored = await hashStored(store, sha256);
    const record = rows.has(sha256) ? await metadata.getBlob(sha256) : null;
    const sizeMismatch = record !== null && stored !== null && record.size !== stored.size;
    if (stored === null || stored.sha256 !== sha256 || sizeMismatch) corrupt.push(sha256);
  }
  const orphans = [...files].filter((sha256) => !rows.has(sha256) && !corrupt.includes(sha256));
  const dangling = [...rows].filter((sha256) => !files.has(sha256));
  if (options.repair) {
    for (const sha256 of corrupt) {
      await store.delete(sha256);
      await metadata.forgetBlob(sha256);
    }
  }
  const tempFiles = options.repair ? await store.clearStaged() : 0;
  return { checked: files.size, corrupt, orphans, dangling, tempFiles, repaired: options.repair };
}
