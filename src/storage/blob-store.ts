// The bytes of blobs, addressed by SHA-256. No metadata lives here (STYLE §3.9).

/** 64 lower-case hex characters; validated before it reaches a store. */
export type Sha256 = string;

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export interface BlobStore {
  /** "local", "s3": for logs and metrics. */
  readonly name: string;
  stat(sha256: Sha256): Promise<{ size: number } | null>;
  /**
   * A body for a response: a `Blob` (for the local store a `Bun.file`, so Bun can use sendfile)
   * or null when the blob is not stored.
   */
  open(sha256: Sha256): Promise<Blob | null>;
  /**
   * At most the first `maxBytes` bytes, in one read, or null when the blob is not stored: for
   * the small blobs served from memory (no stat first, and a longer file is never read whole).
   */
  readStart(sha256: Sha256, maxBytes: number): Promise<Uint8Array | null>;
  /** A new temporary destination for incoming bytes, on the same file system as the blobs. */
  stage(): Promise<StagedBlob>;
  /** False when the blob was not there. */
  delete(sha256: Sha256): Promise<boolean>;
  /** Removes leftovers of uploads cut short by a crash (reliability P3); returns how many. */
  clearStaged(): Promise<number>;
  /** Every stored hash, for recovery and fsck. */
  list(): AsyncIterable<Sha256>;
}

export interface StagedBlob extends AsyncDisposable {
  /**
   * Appends bytes. Resolves when the bytes are handed to the OS; rejects on any write error
   * (ENOSPC included), never losing one silently.
   */
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
  /**
   * Flushes to stable storage and publishes the bytes under `sha256` atomically.
   * Idempotent for content-addressed data: "existed" when the blob was already stored.
   */
  commit(sha256: Sha256): Promise<"created" | "existed">;
  /** Drops the staged bytes; dispose calls it unless committed. */
  abort(): Promise<void>;
}
