// Streams a body into a staged blob while hashing it: the one write path of upload, mirror and
// media (B02-08: the hash is computed over exactly the bytes received).
import { BlossomError } from "../protocol/errors.ts";
import type { StagedBlob } from "../storage/blob-store.ts";

/** Enough leading bytes for magic-byte sniffing (P-22). */
const SNIFF_BYTES = 512;
/**
 * Every body chunk is a fresh buffer; at loopback speed garbage outruns the collector and a
 * 1 GiB upload grew RSS by 70–90 MiB. A full collection (~0.2 ms on this heap) this often keeps
 * the growth near 40 MiB (reliability A5, S7).
 */
const COLLECT_EVERY_BYTES = 64 * 1024 * 1024;

export interface IngestResult {
  readonly sha256: string;
  readonly size: number;
  /** The first bytes of the body, for type sniffing. */
  readonly head: Uint8Array;
}

export async function ingest(
  body: AsyncIterable<Uint8Array> | null,
  staged: StagedBlob,
  options: { maxBytes: number; onChunk?: (() => void) | undefined },
): Promise<IngestResult> {
  const hasher = new Bun.CryptoHasher("sha256");
  const headParts: Uint8Array[] = [];
  let headBytes = 0;
  let size = 0;
  let nextCollection = COLLECT_EVERY_BYTES;
  for await (const chunk of body ?? []) {
    options.onChunk?.();
    size += chunk.byteLength;
    if (size >= nextCollection) {
      nextCollection += COLLECT_EVERY_BYTES;
      Bun.gc(true);
    }
    if (size > options.maxBytes) {
      throw new BlossomError("too_large", `blob is larger than ${options.maxBytes} bytes`);
    }
    if (headBytes < SNIFF_BYTES) {
      headParts.push(chunk.subarray(0, SNIFF_BYTES - headBytes));
      headBytes += Math.min(chunk.byteLength, SNIFF_BYTES - headBytes);
    }
    hasher.update(chunk);
    await staged.write(chunk);
  }
  return { sha256: hasher.digest("hex"), size, head: Buffer.concat(headParts) };
}
