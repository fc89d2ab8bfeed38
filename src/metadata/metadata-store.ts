// Blob records and their owners (later: reports, bans). Async even for SQLite so that
// Postgres fits the same interface (STYLE §3.9).
import type { Sha256 } from "../storage/blob-store.ts";

/**
 * A write that was committed but could not be made durable (the disk refused an fsync): the row
 * is in the index, so the caller must not remove what the row points at; the client may retry.
 */
export class IndexNotDurableError extends Error {
  override readonly name = "IndexNotDurableError";
}

export interface BlobRecord {
  readonly sha256: Sha256;
  readonly size: number;
  /** Stored MIME type essence; "application/octet-stream" when unknown (B02-03). */
  readonly type: string;
  /** Unix seconds when the blob was first stored on this server (B02-02, P-16). */
  readonly uploadedSec: number;
}

export interface ListQuery {
  /** sha256 of the last blob of the previous page; that blob is excluded (B12-05, B12-07). */
  readonly cursor?: Sha256;
  readonly limit: number;
  readonly sinceSec?: number;
  readonly untilSec?: number;
}

/** One blob named by one BUD-09 report (P-20: a row per event and existing hash). */
export interface ReportRecord {
  readonly eventId: string;
  readonly sha256: Sha256;
  readonly reporter: string;
  readonly type: string | null;
  readonly content: string;
  readonly receivedSec: number;
}

/** BUD-05 output of one original (P-18), so the same input is never processed twice. */
export interface Derivative {
  readonly original: Sha256;
  readonly result: Sha256;
  readonly thumb: Sha256;
  /** `<width>x<height>` of the result (NIP-94 `dim`). */
  readonly dim: string;
  readonly blurhash: string;
}

export type RemoveOwnerResult = "not_found" | "not_owner" | "owner_removed" | "blob_removed";

export interface MetadataStore {
  getBlob(sha256: Sha256): Promise<BlobRecord | null>;
  /**
   * The row when this store holds it in memory and can vouch for it now, without waiting;
   * undefined otherwise (ask `getBlob`). Optional: a store that keeps no rows leaves it out.
   */
  getHotBlob?(sha256: Sha256): BlobRecord | undefined;
  /**
   * In one transaction: inserts the blob row unless it exists, and the owner row when an owner
   * is given. `created` is true when this call inserted the blob row.
   */
  recordUpload(
    record: BlobRecord,
    owner: string | null,
  ): Promise<{ record: BlobRecord; created: boolean }>;
  isOwner(sha256: Sha256, pubkey: string): Promise<boolean>;
  /** Removes one owner; when none is left, the blob row goes in the same transaction. */
  removeOwner(sha256: Sha256, pubkey: string): Promise<RemoveOwnerResult>;
  /**
   * Blobs owned by `pubkey`, ordered `uploaded DESC, sha256 ASC` (P-16).
   * "unknown_cursor" when the cursor is not one of this pubkey's blobs.
   */
  listByOwner(pubkey: string, query: ListQuery): Promise<BlobRecord[] | "unknown_cursor">;
  /** Removes a blob row and its owners (recovery of rows whose file is gone). */
  forgetBlob(sha256: Sha256): Promise<void>;
  /** Every recorded hash, for recovery and fsck. */
  allHashes(): AsyncIterable<Sha256>;
  stats(): Promise<{ blobs: number; bytes: number }>;
  /** Stores report rows; a repeated (event, blob) pair is ignored. Returns how many were new. */
  addReports(rows: readonly ReportRecord[]): Promise<number>;
  /** Newest first. */
  listReports(limit: number): Promise<ReportRecord[]>;
  /** Removes the reports of one event, or every report of one blob; returns how many. */
  dismissReports(filter: { eventId: string } | { sha256: Sha256 }): Promise<number>;
  /** B09-05: a banned hash can never be stored again. */
  ban(sha256: Sha256, reason: string, nowSec: number): Promise<void>;
  isBanned(sha256: Sha256): Promise<boolean>;
  recordDerivative(derivative: Derivative): Promise<void>;
  findDerivative(original: Sha256): Promise<Derivative | null>;
  close(): Promise<void>;
}
