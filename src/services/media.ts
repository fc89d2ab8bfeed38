// PUT /media and HEAD /media (BUD-05, P-18): the original is hashed and checked like an upload,
// optimised, and the result and its thumbnail are stored as ordinary blobs. Images are held in
// memory and re-encoded in the CPU pool; video streams to a scratch file and is transcoded by
// ffmpeg (media/video.ts), whose first frame the pool turns into the thumbnail.
// A derivative cache maps original → result so the same input is never processed twice.
import type { Container } from "../media/ffmpeg-args.ts";
import type { ImageOptions } from "../media/image.ts";
import type { VideoOutcome, VideoProcessor } from "../media/video.ts";
import type { BlobRecord, Derivative, MetadataStore } from "../metadata/metadata-store.ts";
import { checkAdmission, type UploadPolicy } from "../protocol/admission.ts";
import { BlossomError, orThrow } from "../protocol/errors.ts";
import { OCTET_STREAM, sniffMime } from "../protocol/mime.ts";
import type { BlobStore, Sha256 } from "../storage/blob-store.ts";
import type { Clock } from "../util/clock.ts";
import type { CpuPool } from "../workers/pool.ts";
import { ingest } from "./ingest.ts";
import type { StoreResult, UploadInput, UploadService } from "./upload.ts";

/** The same request shape as an upload; `checkHash` must name the original (P-18). */
export type MediaInput = UploadInput;

export interface MediaResult extends StoreResult {
  readonly derivative: Derivative;
  /** The thumbnail blob's type, for its URL's extension (P-23). */
  readonly thumbType: string;
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
  /** For images; `maxUploadBytes` is the image limit (the original is held in memory). */
  readonly policy: UploadPolicy;
  readonly image: ImageOptions;
  readonly video: Pick<VideoProcessor, "unavailable" | "isSaturated" | "open">;
  /** The video limit: the original streams to a scratch file, never into memory. */
  readonly videoMaxBytes: number;
}

const IMAGE_TYPES = [
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/gif",
  "image/avif",
  "image/heic",
  "image/heif",
];
const RESULT_VIDEO_TYPE = "video/mp4";
/** Enough leading bytes to tell the containers and image formats apart (P-22). */
const SNIFF_BYTES = 512;
const VIDEO_BUSY_RETRY_SEC = 10;
/** Well inside the per-request idle timer that the route's keep-alive re-arms (30 s). */
const KEEP_ALIVE_EVERY_MS = 10_000;

/** The sniffed containers ffmpeg transcodes, and the demuxer forced for each (A7). */
const CONTAINERS: Record<string, Container> = {
  "video/mp4": "mov",
  "video/quicktime": "mov",
  "video/webm": "matroska",
  "video/x-matroska": "matroska",
};
const VIDEO_TYPES = Object.keys(CONTAINERS);
const isVideoType = (type: string | null) => type !== null && Object.hasOwn(CONTAINERS, type);

interface Peeked {
  readonly head: Uint8Array;
  readonly body: AsyncIterable<Uint8Array>;
}

/** Reads the first bytes for sniffing, then gives the whole body back as one stream. */
async function peek(body: AsyncIterable<Uint8Array> | null, wanted: number): Promise<Peeked> {
  if (body === null) return { head: new Uint8Array(), body: (async function* () {})() };
  const iterator = body[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < wanted && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else {
      taken.push(next.value);
      size += next.value.byteLength;
    }
  }
  async function* all() {
    try {
      yield* taken;
      for (let next = done ? null : await iterator.next(); next !== null && !next.done; ) {
        yield next.value;
        next = await iterator.next();
      }
    } finally {
      await iterator.return?.();
    }
  }
  return { head: Buffer.concat(taken), body: all() };
}

interface Original {
  readonly sha256: Sha256;
  readonly size: number;
}

/** Hashes the body while handing every chunk to `sink`; 413 past `maxBytes`. */
async function consume(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
  sink: (chunk: Uint8Array) => unknown,
  onChunk?: () => void,
): Promise<Original> {
  const hasher = new Bun.CryptoHasher("sha256");
  let size = 0;
  for await (const chunk of body) {
    onChunk?.();
    size += chunk.byteLength;
    if (size > maxBytes)
      throw new BlossomError("too_large", `media is larger than ${maxBytes} bytes`);
    hasher.update(chunk);
    await sink(chunk);
  }
  return { sha256: hasher.digest("hex"), size };
}

/**
 * No bytes move while a job runs, and Bun's idle timer would close the connection after 30 s of
 * that (a long transcode was cut at 32 s); the keep-alive re-arms it meanwhile.
 */
async function keptAlive<T>(work: Promise<T>, keepAlive: (() => void) | undefined): Promise<T> {
  if (keepAlive === undefined) return work;
  const timer = setInterval(keepAlive, KEEP_ALIVE_EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

function videoFailure(outcome: Exclude<VideoOutcome, { ok: true }>): BlossomError {
  const hints = outcome.code === "busy" ? { retryAfterSec: VIDEO_BUSY_RETRY_SEC } : {};
  return new BlossomError(outcome.code, outcome.reason, hints, { cause: outcome.detail });
}

export function createMediaService(deps: MediaDeps): MediaService {
  const { pool, uploads, store, metadata, clock, video } = deps;
  const accepted = { refuseActiveTypes: true, allowedTypes: [...IMAGE_TYPES, ...VIDEO_TYPES] };
  const imagePolicy: UploadPolicy = { ...deps.policy, ...accepted };
  const videoPolicy: UploadPolicy = { ...imagePolicy, maxUploadBytes: deps.videoMaxBytes };
  /** Before the type is known, the larger limit; the right one applies once it is sniffed. */
  const anyPolicy = deps.videoMaxBytes > imagePolicy.maxUploadBytes ? videoPolicy : imagePolicy;
  const policyFor = (type: string | null) =>
    type === null ? anyPolicy : isVideoType(type) ? videoPolicy : imagePolicy;

  async function storeBytes(bytes: Uint8Array, type: string, owner: string | null) {
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

  /** A result file (the transcoded video) streamed into the store, hashed on the way. */
  async function storeFile(path: string, type: string, owner: string | null) {
    await using staged = await store.stage();
    const { sha256, size } = await ingest(Bun.file(path).stream(), staged, {
      maxBytes: Number.MAX_SAFE_INTEGER,
    });
    const record: BlobRecord = { sha256, size, type, uploadedSec: clock.nowSec() };
    return await uploads.commitStaged(staged, record, owner);
  }

  async function thumbTypeOf(derivative: Derivative, fallback: string): Promise<string> {
    return (await metadata.getBlob(derivative.thumb))?.type ?? fallback;
  }

  async function fromCache(original: Sha256, owner: string | null): Promise<MediaResult | null> {
    const derivative = await metadata.findDerivative(original);
    if (derivative === null) return null;
    const adopted = await uploads.adopt(derivative.result, owner);
    if (adopted === null) return null;
    // The thumbnail is this owner's too, so that it outlives the first uploader's delete.
    await uploads.adopt(derivative.thumb, owner);
    return {
      ...adopted,
      derivative,
      thumbType: await thumbTypeOf(derivative, adopted.record.type),
    };
  }

  /** P-14 order after the bytes: 409, then the token's x (401), then size and type (413, 415). */
  function verifyOriginal(input: MediaInput, original: Original, type: string): void {
    if (input.declaredSha256 !== undefined && original.sha256 !== input.declaredSha256) {
      throw new BlossomError("hash_mismatch", "body does not match X-SHA-256");
    }
    input.checkHash(original.sha256); // P-18
    const admission = { pubkey: input.uploader, declaredSize: original.size, type };
    orThrow(checkAdmission(admission, policyFor(type)));
  }

  /** A full ffmpeg queue is answered before the body is read (503 + Retry-After). */
  function refuseWhenSaturated(): void {
    if (video.isSaturated()) {
      throw new BlossomError("busy", "video processing is busy, retry later", {
        retryAfterSec: VIDEO_BUSY_RETRY_SEC,
      });
    }
  }

  async function record(
    original: Sha256,
    stored: StoreResult,
    thumb: StoreResult,
    described: { width: number; height: number; blurhash: string },
  ): Promise<MediaResult> {
    const derivative: Derivative = {
      original,
      result: stored.record.sha256,
      thumb: thumb.record.sha256,
      dim: `${described.width}x${described.height}`,
      blurhash: described.blurhash,
    };
    await metadata.recordDerivative(derivative);
    return { ...stored, derivative, thumbType: thumb.record.type };
  }

  async function processImage(input: MediaInput, body: AsyncIterable<Uint8Array>, type: string) {
    const chunks: Uint8Array[] = [];
    const original = await consume(
      body,
      imagePolicy.maxUploadBytes,
      (c) => chunks.push(c),
      input.onChunk,
    );
    verifyOriginal(input, original, type);
    const cached = await fromCache(original.sha256, input.uploader);
    if (cached !== null) return cached;
    const bytes = new Uint8Array(Buffer.concat(chunks));
    const result = await keptAlive(
      pool.run(
        "optimizeImage",
        { bytes, options: deps.image },
        { transfer: [bytes.buffer as ArrayBuffer] },
      ),
      input.onChunk,
    );
    // The result first: a small image's thumbnail can be the very same blob (P-18's 201).
    const stored = await storeBytes(result.bytes, result.type, input.uploader);
    const thumb = await storeBytes(result.thumbnail.bytes, result.thumbnail.type, input.uploader);
    return record(original.sha256, stored, thumb, result);
  }

  async function processVideo(
    input: MediaInput,
    body: AsyncIterable<Uint8Array>,
    type: string,
    container: Container,
  ): Promise<MediaResult> {
    await using job = await video.open();
    const original = await consume(body, deps.videoMaxBytes, (c) => job.write(c), input.onChunk);
    verifyOriginal(input, original, type);
    const cached = await fromCache(original.sha256, input.uploader);
    if (cached !== null) return cached;
    const outcome = await keptAlive(job.run(container), input.onChunk);
    if (!outcome.ok) throw videoFailure(outcome);
    const { frame } = outcome;
    const described = await keptAlive(
      pool.run(
        "describeFrame",
        { bytes: frame, options: deps.image },
        { transfer: [frame.buffer as ArrayBuffer] },
      ),
      input.onChunk,
    );
    const stored = await storeFile(outcome.videoPath, RESULT_VIDEO_TYPE, input.uploader);
    const { thumbnail } = described;
    const thumb = await storeBytes(thumbnail.bytes, thumbnail.type, input.uploader);
    return record(original.sha256, stored, thumb, described);
  }

  /** Anything else is hashed and dropped, then refused in P-14 order (401 before 415). */
  async function refuseOther(
    input: MediaInput,
    body: AsyncIterable<Uint8Array>,
    type: string,
  ): Promise<never> {
    const original = await consume(
      body,
      policyFor(type).maxUploadBytes,
      () => undefined,
      input.onChunk,
    );
    verifyOriginal(input, original, type);
    const reason = isVideoType(type) ? video.unavailable() : null;
    throw new BlossomError("unsupported_type", reason ?? `type ${type} is not processed here`);
  }

  return {
    preflight: ({ pubkey, size, type }) => {
      orThrow(checkAdmission({ pubkey, declaredSize: size, type }, policyFor(type))); // B05-14
      const unavailable = isVideoType(type) ? video.unavailable() : null;
      if (unavailable !== null) throw new BlossomError("unsupported_type", unavailable);
    },

    async process(input) {
      const known = input.declaredType === OCTET_STREAM ? null : input.declaredType;
      const admission = { pubkey: input.uploader, declaredSize: input.declaredSize, type: known };
      orThrow(checkAdmission(admission, policyFor(known)));
      const { head, body } = await peek(input.body, SNIFF_BYTES);
      const sniffed = sniffMime(head) ?? OCTET_STREAM;
      const container = CONTAINERS[sniffed];
      if (container !== undefined && video.unavailable() === null) {
        refuseWhenSaturated();
        return processVideo(input, body, sniffed, container);
      }
      if (IMAGE_TYPES.includes(sniffed)) return processImage(input, body, sniffed);
      return refuseOther(input, body, sniffed);
    },
  };
}
