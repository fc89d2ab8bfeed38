// PUT /upload and HEAD /upload (BUD-02, BUD-06) in the order of P-14: admission, fast path,
// stream while hashing, verify, commit, record.

import type { BlobRecord, MetadataStore } from "../metadata/metadata-store.ts";
import { checkAdmission, type UploadPolicy } from "../protocol/admission.ts";
import { BlossomError, orThrow } from "../protocol/errors.ts";
import { OCTET_STREAM, storedType } from "../protocol/mime.ts";
import type { BlobStore, Sha256 } from "../storage/blob-store.ts";
import type { Clock } from "../util/clock.ts";
import type { KeyedMutex } from "../util/keyed-mutex.ts";
import { ingest } from "./ingest.ts";

export interface UploadServicePolicy extends UploadPolicy {
  /** P-14 step 6 / ⚠A-25: answer 200 from X-SHA-256 alone when the blob is already stored. */
  readonly trustDeclaredHash: boolean;
}

export interface UploadInput {
  readonly body: AsyncIterable<Uint8Array> | null;
  readonly declaredSha256: Sha256 | undefined;
  readonly declaredSize: number | null;
  /** The request's Content-Type essence, or null. */
  readonly declaredType: string | null;
  readonly uploader: string | null;
  /** P-14 step 9: checks the computed hash against the token once it is known; throws to refuse. */
  readonly checkHash: (sha256: Sha256) => void;
  readonly onChunk?: () => void;
}

export interface StoreResult {
  readonly record: BlobRecord;
  readonly created: boolean;
}

export interface Preflight {
  readonly pubkey: string | null;
  readonly sha256: Sha256;
  readonly size: number;
  readonly type: string;
}

export interface UploadService {
  store(input: UploadInput): Promise<StoreResult>;
  /** BUD-06: the same admission rules as PUT, without a body (P-19). */
  preflight(request: Preflight): Promise<void>;
  /** Publishes verified bytes: commit the staged file, then the row, under the hash's lock. */
  commitStaged: CommitStaged;
  /** Adds an owner to a blob already stored, without any bytes; null when it is not stored. */
  adopt(sha256: Sha256, owner: string | null): Promise<StoreResult | null>;
}

export type CommitStaged = (
  staged: { commit(sha256: Sha256): Promise<"created" | "existed"> },
  record: BlobRecord,
  owner: string | null,
) => Promise<StoreResult>;

export interface UploadDeps {
  readonly store: BlobStore;
  readonly metadata: MetadataStore;
  readonly clock: Clock;
  readonly locks: KeyedMutex;
  readonly policy: UploadServicePolicy;
}

/** MetadataStore's IndexNotDurableError, known by name: services import the store as types only. */
const rowLandedWithoutFsync = (error: unknown) =>
  error instanceof Error && error.name === "IndexNotDurableError";

export function createUploadService(deps: UploadDeps): UploadService {
  const { store, metadata, clock, locks, policy } = deps;

  const commitStaged: CommitStaged = (staged, record, owner) =>
    locks.run(record.sha256, async () => {
      const placed = await staged.commit(record.sha256);
      try {
        return await metadata.recordUpload(record, owner);
      } catch (error) {
        // The row is the commit point (reliability P3): a file we just placed goes with it,
        // unless the row did land and only its fsync failed (the file must stay for the row).
        if (placed === "created" && !rowLandedWithoutFsync(error)) {
          await store.delete(record.sha256);
        }
        throw new BlossomError(
          "busy",
          "index unavailable",
          { retryAfterSec: 30 },
          { cause: error },
        );
      }
    });

  /** B09-05: a hash the operator banned is refused before and after its bytes are read. */
  async function refuseBanned(sha256: Sha256): Promise<void> {
    if (await metadata.isBanned(sha256))
      throw new BlossomError("forbidden", "this blob is banned here");
  }

  async function store_(input: UploadInput): Promise<StoreResult> {
    const admission = { pubkey: input.uploader, declaredSize: input.declaredSize };
    // An octet-stream declaration is checked after sniffing, when the real type is known (P-22).
    const knownType = input.declaredType === OCTET_STREAM ? null : input.declaredType;
    orThrow(checkAdmission({ ...admission, type: knownType }, policy)); // P-14 step 5
    if (input.declaredSha256 !== undefined) await refuseBanned(input.declaredSha256);
    if (input.declaredSha256 !== undefined && policy.trustDeclaredHash) {
      const existing = await addOwnerIfStored(input.declaredSha256, input.uploader);
      if (existing !== null) return existing; // P-14 step 6
    }
    await using staged = await store.stage();
    const maxBytes = policy.maxUploadBytes;
    const { sha256, size, head } = await ingest(input.body, staged, {
      maxBytes,
      onChunk: input.onChunk,
    });
    if (input.declaredSha256 !== undefined && sha256 !== input.declaredSha256) {
      throw new BlossomError("hash_mismatch", "body does not match X-SHA-256"); // P-14 step 8
    }
    input.checkHash(sha256); // P-14 step 9
    await refuseBanned(sha256);
    const type = storedType(input.declaredType, head); // P-22
    orThrow(checkAdmission({ ...admission, declaredSize: size, type }, policy));
    const record = { sha256, size, type, uploadedSec: clock.nowSec() };
    return await commitStaged(staged, record, input.uploader); // P-14 step 10: before dispose
  }

  async function addOwnerIfStored(sha256: Sha256, owner: string | null) {
    return locks.run(sha256, async () => {
      const existing = await metadata.getBlob(sha256);
      if (existing === null || (await store.stat(sha256)) === null) return null;
      const { record } = await metadata.recordUpload(existing, owner);
      return { record, created: false };
    });
  }

  return {
    store: store_,
    preflight: async (request) => {
      const { pubkey, size, type } = request;
      orThrow(checkAdmission({ pubkey, declaredSize: size, type }, policy)); // P-19
      await refuseBanned(request.sha256);
    },
    commitStaged,
    adopt: async (sha256, owner) => {
      orThrow(checkAdmission({ pubkey: owner, declaredSize: null, type: null }, policy));
      await refuseBanned(sha256);
      return addOwnerIfStored(sha256, owner);
    },
  };
}
