// Reading, listing and deleting blobs (BUD-01, BUD-12), with ownership (P-15).

import type { BlobRecord, ListQuery, MetadataStore } from "../metadata/metadata-store.ts";
import { BlossomError } from "../protocol/errors.ts";
import type { BlobStore, Sha256 } from "../storage/blob-store.ts";
import type { KeyedMutex } from "../util/keyed-mutex.ts";

export interface StoredBlob {
  readonly record: BlobRecord;
  readonly body: Blob;
}

export interface BlobService {
  /** The blob's row and bytes; null when either is missing (a row without a file is a 404). */
  find(sha256: Sha256): Promise<StoredBlob | null>;
  /**
   * What `find` would answer, when both the index row and the bytes (or file handle) are held in
   * memory; undefined when finding out needs I/O. For the synchronous read path.
   */
  findHot(sha256: Sha256): StoredBlob | undefined;
  /** P-15: 404 unknown, 403 not an owner; the bytes go with the last owner. */
  remove(sha256: Sha256, pubkey: string): Promise<void>;
  list(pubkey: string, query: ListQuery): Promise<BlobRecord[]>;
}

export interface HotBlobCacheOptions {
  /** Blobs up to this size are kept in memory; larger ones keep only their file handle. */
  readonly maxEntryBytes: number;
  /** Bytes of blobs held in memory, all entries together. */
  readonly maxTotalBytes: number;
  /** Entries of either kind; a file handle costs no blob bytes, only this count. */
  readonly maxEntries: number;
}

interface HotEntry extends StoredBlob {
  /** Bytes held in memory: the blob's size, or 0 for a file handle. */
  readonly heldBytes: number;
}

const isSameRecord = (a: BlobRecord, b: BlobRecord) =>
  a.size === b.size && a.type === b.type && a.uploadedSec === b.uploadedSec;

/**
 * Hot blobs by sha256, least recently used out first: small ones' bytes, large ones' file handle
 * (skips the stat and the open). Bytes are content-addressed, so an entry is never stale; whether
 * the blob still exists is the index's answer on every read, so a blob deleted by any path is a
 * 404 at once (the SQLite store answers hot rows from memory and forgets them on every delete).
 * While the index's row is unchanged the same entry is handed out, so callers may key caches by it.
 */
function createHotBlobCache(options: HotBlobCacheOptions) {
  const entries = new Map<Sha256, HotEntry>(); // insertion order = recency order
  let heldBytes = 0;
  const forget = (sha256: Sha256) => {
    const entry = entries.get(sha256);
    if (entry === undefined) return;
    entries.delete(sha256);
    heldBytes -= entry.heldBytes;
  };
  return {
    get(sha256: Sha256): HotEntry | undefined {
      const entry = entries.get(sha256);
      if (entry === undefined) return undefined;
      entries.delete(sha256);
      entries.set(sha256, entry);
      return entry;
    },
    holdsBytesOf: (size: number) => size > 0 && size <= options.maxEntryBytes,
    put(record: BlobRecord, body: Blob, inMemory: boolean): StoredBlob {
      forget(record.sha256);
      const entry = { record, body, heldBytes: inMemory ? body.size : 0 };
      entries.set(record.sha256, entry);
      heldBytes += entry.heldBytes;
      for (const [oldest] of entries) {
        if (heldBytes <= options.maxTotalBytes && entries.size <= options.maxEntries) break;
        forget(oldest);
      }
      return entry;
    },
    forget,
  };
}

export function createBlobService(deps: {
  store: BlobStore;
  metadata: MetadataStore;
  locks: KeyedMutex;
  hotCache: HotBlobCacheOptions;
}): BlobService {
  const { store, metadata, locks } = deps;
  const hot = createHotBlobCache(deps.hotCache);
  /**
   * A small blob is read once, whole (a stat, then a read, cost a quarter of a cold GET); a large
   * one keeps its file handle. A file whose size is not the row's is served (the caller decides)
   * but never held.
   */
  const openAndHold = async (record: BlobRecord): Promise<StoredBlob | null> => {
    if (hot.holdsBytesOf(record.size)) {
      const bytes = await store.readStart(record.sha256, record.size + 1);
      if (bytes === null) return null;
      if (bytes.byteLength === record.size) return hot.put(record, new Blob([bytes]), true);
    }
    const body = await store.open(record.sha256);
    if (body === null || body.size !== record.size) return body === null ? null : { record, body };
    return hot.put(record, body, false);
  };
  return {
    async find(sha256) {
      const record = await metadata.getBlob(sha256);
      if (record === null) {
        hot.forget(sha256); // removed by another path (moderation, fsck)
        return null;
      }
      const cached = hot.get(sha256);
      if (cached !== undefined) {
        if (isSameRecord(cached.record, record)) return cached;
        hot.forget(sha256); // deleted and stored again by another path, with another type
      }
      return openAndHold(record);
    },

    findHot(sha256) {
      const record = metadata.getHotBlob?.(sha256);
      if (record === undefined) return undefined;
      const cached = hot.get(sha256);
      return cached !== undefined && isSameRecord(cached.record, record) ? cached : undefined;
    },

    remove: (sha256, pubkey) =>
      locks.run(sha256, async () => {
        const result = await metadata.removeOwner(sha256, pubkey);
        if (result === "not_found") throw new BlossomError("not_found", "blob not found");
        if (result === "not_owner") {
          throw new BlossomError("forbidden", "only an owner of this blob may delete it");
        }
        // The row is gone already, so GET answers 404 at once even if the unlink fails (I5).
        if (result === "blob_removed") {
          hot.forget(sha256);
          await store.delete(sha256);
        }
      }),

    async list(pubkey, query) {
      const page = await metadata.listByOwner(pubkey, query);
      if (page === "unknown_cursor") throw new BlossomError("bad_request", "unknown cursor");
      return page;
    },
  };
}
