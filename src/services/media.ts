// PUT /media and HEAD /media (BUD-05, P-18): the original is hashed and checked like an upload,
// optimised in the CPU pool, and the result and its thumbnail are stored as ordinary blobs.
// A derivative cache maps original → result so the same input is never processed twice.
import type { ImageOptions, ImageResult } from "../media/image.ts";
import type { BlobRecord, Derivative, MetadataStore } from "../metadata/metadata-store.ts";
import { checkAdmission, type UploadPolicy } from "../protocol/admission.ts";
import { BlossomError, orThrow } from "../protocol/errors.ts";
import { OCTET_STREAM, sniffMime } from "../protocol/mime.ts";
import type { BlobStore, Sha256 } from "../storage/blob-store.ts";
import type { Clock } from "../util/clock.ts";
import type { CpuPool } from "../workers/pool.ts";
import type { StoreResult, UploadService } from "./upload.ts";

export interface MediaInput {
  readonly body: AsyncIterable<Uint8Array> | null;
  readonly declaredSha256: Sha256 | undefined;
  readonly declaredSize: number | null;
  readonly declaredType: string | null;
  readonly uploader: string | null;
  /** P-18: the token's x tags must name the original's hash. */
  readonly checkHash: (sha256: Sha256) => void;
  readonly onChunk?: () => void;
}

export interface MediaResult extends StoreResult {
  readonly derivative: Derivative;
}

export interface MediaService {
  process(input: MediaInput): Promise<MediaResult>;
  preflight(request: { pubkey: string | null; size: number; type: string }): void;
}

export interface MediaDeps {
  readonly pool: Pick<CpuPool, "run">;
  readonly uploads: UploadService;
  readonly store: BlobStore;
  readonly metadata: MetadataStore;
  readonly clock: Clock;
  readonly policy: UploadPolicy;
  readonly image: Omit<ImageOptions, "maxPixels"> & { maxPixels: number };
}

/** Only images for now: the CPU pool re-encodes them (video through ffmpeg is not built yet). */
const MEDIA_TYPES = [
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/gif",
  "image/avif",
  "image/heic",
  "image/heif",
];

async function readBounded(
  body: AsyncIterable<Uint8Array> | null,
  maxBytes: number,
  onChunk?: () => void,
) {
  const hasher = new Bun.CryptoHasher("sha256");
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body ?? []) {
    onChunk?.();
    size += chunk.byteLength;
    if (size > maxBytes)
      throw new BlossomError("too_large", `media is larger than ${maxBytes} bytes`);
    hasher.update(chunk);
    chunks.push(chunk);
  }
  return { bytes: new Uint8Array(Buffer.concat(chunks)), sha256: hasher.digest("hex") };
}

export function createMediaService(deps: MediaDeps): MediaService {
  const { pool, uploads, store, metadata, clock, policy } = deps;
  const mediaPolicy = { ...policy, allowedTypes: MEDIA_TYPES, refuseActiveTypes: true };

  async function storeBytes(
    bytes: Uint8Array,
    type: string,
    owner: string | null,
  ): Promise<StoreResult> {
    const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
    await using staged = await store.stage();
    await staged.write(bytes);
    const record: BlobRecord = {
      sha256,
      size: bytes.byteLength,
      type,
      uploadedSec: clock.nowSec(),
    };
    return await uploads.commitStaged(staged, record, owner);
  }

  async function fromCache(original: Sha256, owner: string | null): Promise<MediaResult | null> {
    const derivative = await metadata.findDerivative(original);
    if (derivative === null) return null;
    const adopted = await uploads.adopt(derivative.result, owner);
    return adopted === null ? null : { ...adopted, derivative };
  }

  return {
    preflight: ({ pubkey, size, type }) => {
      orThrow(checkAdmission({ pubkey, declaredSize: size, type }, mediaPolicy)); // B05-14
    },

    async process(input) {
      const known = input.declaredType === OCTET_STREAM ? null : input.declaredType;
      orThrow(
        checkAdmission(
          { pubkey: input.uploader, declaredSize: input.declaredSize, type: known },
          mediaPolicy,
        ),
      );
      const original = await readBounded(input.body, policy.maxUploadBytes, input.onChunk);
      if (input.declaredSha256 !== undefined && original.sha256 !== input.declaredSha256) {
        throw new BlossomError("hash_mismatch", "body does not match X-SHA-256");
      }
      input.checkHash(original.sha256); // P-18
      const sniffed = sniffMime(original.bytes) ?? OCTET_STREAM;
      orThrow(
        checkAdmission(
          { pubkey: input.uploader, declaredSize: original.bytes.byteLength, type: sniffed },
          mediaPolicy,
        ),
      );
      const cached = await fromCache(original.sha256, input.uploader);
      if (cached !== null) return cached;
      const { bytes } = original;
      const result: ImageResult = await pool.run(
        "optimizeImage",
        { bytes, options: deps.image },
        { transfer: [bytes.buffer as ArrayBuffer] },
      );
      // The result first: a small image's thumbnail can be the very same blob (P-18's 201).
      const stored = await storeBytes(result.bytes, result.type, input.uploader);
      const thumb = await storeBytes(result.thumbnail.bytes, result.thumbnail.type, input.uploader);
      const derivative: Derivative = {
        original: original.sha256,
        result: stored.record.sha256,
        thumb: thumb.record.sha256,
        dim: `${result.width}x${result.height}`,
        blurhash: result.blurhash,
      };
      await metadata.recordDerivative(derivative);
      return { ...stored, derivative };
    },
  };
}
