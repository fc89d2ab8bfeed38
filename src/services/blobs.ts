// Reading, listing and deleting blobs (BUD-01, BUD-12), with ownership (P-15).

import type { BlobRecord, ListQuery, MetadataStore } from "../metadata/metadata-store.ts";
import { BlossomError } from "../protocol/errors.ts";
import type { BlobStore, Sha256 } from "../storage/blob-store.ts";
import type { KeyedMutex } from "../util/keyed-mutex.ts";
import { LruMap } from "../util/lru-map.ts";

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
  /**
   * Blobs up to this size are kept in memory (from their first read up to HELD_AT_FIRST_READ,
   * from their second above it); larger ones keep only their file handle.
   */
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

/**
 * Blobs up to this size are held in memory from their first read. A larger one is held only when
 * it is read again while its file handle is still cached, and only into free room of the byte
 * budget: large blobs read once cost no copy into memory, and many large blobs read in turn never
 * push each other out (each such push would be a whole-file read for nothing).
 */
const HELD_AT_FIRST_READ = 64 * 1024;

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
  const entries = new LruMap<Sha256, HotEntry>();
  let heldBytes = 0;
  const forget = (sha256: Sha256) => {
    const entry = entries.peek(sha256);
    if (entry === undefined) return;
    entries.delete(sha256);
    heldBytes -= entry.heldBytes;
  };
  return {
    get: (sha256: Sha256): HotEntry | undefined => entries.get(sha256),
    holdsBytesOf: (size: number) => size > 0 && size <= options.maxEntryBytes,
    /** Whether `entry` is still what the cache holds for its blob. */
    holds: (entry: HotEntry) => entries.peek(entry.record.sha256) === entry,
    /** Whether `size` more bytes fit without pushing other bytes out. */
    hasRoomFor: (size: number) => heldBytes + size <= options.maxTotalBytes,
    put(record: BlobRecord, body: Blob, inMemory: boolean): StoredBlob {
      forget(record.sha256);
      const entry = { record, body, heldBytes: inMemory ? body.size : 0 };
      entries.set(record.sha256, entry);
      heldBytes += entry.heldBytes;
      while (heldBytes > options.maxTotalBytes || entries.size > options.maxEntries) {
        const oldest = entries.removeOldest();
        if (oldest === undefined) break;
        heldBytes -= oldest.heldBytes;
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
  /** The blob's bytes when its file has exactly the row's size; null otherwise (or absent). */
  const readExactly = async (record: BlobRecord): Promise<Blob | null> => {
    const bytes = await store.readStart(record.sha256, record.size + 1);
    return bytes !== null && bytes.byteLength === record.size ? new Blob([bytes]) : null;
  };
  /**
   * A small blob is read once, whole (a stat, then a read, cost a quarter of a cold GET); a large
   * one keeps its file handle. A file whose size is not the row's is served (the caller decides)
   * but never held.
   */
  const openAndHold = async (record: BlobRecord): Promise<StoredBlob | null> => {
    if (hot.holdsBytesOf(record.size) && record.size <= HELD_AT_FIRST_READ) {
      const bytes = await readExactly(record);
      if (bytes !== null) return hot.put(record, bytes, true);
    }
    const body = await store.open(record.sha256);
    if (body === null || body.size !== record.size) return body === null ? null : { record, body };
    return hot.put(record, body, false);
  };
  const promoting = new Set<Sha256>();
  const isPromotable = (entry: HotEntry) =>
    entry.heldBytes === 0 &&
    hot.holdsBytesOf(entry.record.size) &&
    hot.hasRoomFor(entry.record.size) &&
    !promoting.has(entry.record.sha256);
  /**
   * A second read of a blob held by its file handle (HELD_AT_FIRST_READ): its bytes are read in
   * the background and replace the handle if the entry is still the cache's and there is room.
   * The read that asked is answered from the handle meanwhile; a failed read leaves the handle
   * (the next read reports errors).
   */
  const promote = (entry: HotEntry): void => {
    if (!isPromotable(entry)) return;
    const { record } = entry;
    promoting.add(record.sha256);
    readExactly(record)
      .then((bytes) => {
        if (bytes !== null && hot.holds(entry) && hot.hasRoomFor(record.size)) {
          hot.put(record, bytes, true);
        }
      })
      .catch(() => undefined)
      .finally(() => promoting.delete(record.sha256));
  };
  /** The cached entry for `record`'s blob, or undefined (a stale one is forgotten). */
  const cachedFor = (record: BlobRecord): HotEntry | undefined => {
    const cached = hot.get(record.sha256);
    if (cached === undefined) return undefined;
    if (!isSameRecord(cached.record, record)) {
      hot.forget(record.sha256); // deleted and stored again by another path, with another type
      return undefined;
    }
    promote(cached);
    return cached;
  };
  return {
    async find(sha256) {
      const record = await metadata.getBlob(sha256);
      if (record === null) {
        hot.forget(sha256); // removed by another path (moderation, fsck)
        return null;
      }
      return cachedFor(record) ?? openAndHold(record);
    },

    findHot(sha256) {
      const record = metadata.getHotBlob?.(sha256);
      return record === undefined ? undefined : cachedFor(record);
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
