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
  /** P-15: 404 unknown, 403 not an owner; the bytes go with the last owner. */
  remove(sha256: Sha256, pubkey: string): Promise<void>;
  list(pubkey: string, query: ListQuery): Promise<BlobRecord[]>;
}

export function createBlobService(deps: {
  store: BlobStore;
  metadata: MetadataStore;
  locks: KeyedMutex;
}): BlobService {
  const { store, metadata, locks } = deps;
  return {
    async find(sha256) {
      const record = await metadata.getBlob(sha256);
      if (record === null) return null;
      const body = await store.open(sha256);
      return body === null ? null : { record, body };
    },

    remove: (sha256, pubkey) =>
      locks.run(sha256, async () => {
        const result = await metadata.removeOwner(sha256, pubkey);
        if (result === "not_found") throw new BlossomError("not_found", "blob not found");
        if (result === "not_owner") {
          throw new BlossomError("forbidden", "only an owner of this blob may delete it");
        }
        // The row is gone already, so GET answers 404 at once even if the unlink fails (I5).
        if (result === "blob_removed") await store.delete(sha256);
      }),

    async list(pubkey, query) {
      const page = await metadata.listByOwner(pubkey, query);
      if (page === "unknown_cursor") throw new BlossomError("bad_request", "unknown cursor");
      return page;
    },
  };
}
