// Image optimisation for BUD-05 /media (reliability A6, A8): sniffed formats only, a pixel budget
// checked before decoding, orientation applied, every metadata block dropped (the default sharp
// pipeline keeps none; never withMetadata), resized, re-encoded; plus a thumbnail and a blurhash.
import { encodeBlurhash } from "./blurhash.ts";
import { MediaError } from "./media-error.ts";
import { loadSharp, type Sharp } from "./sharp-loader.ts";

export type ImageFormat = "webp" | "jpeg" | "avif" | "png";

export interface ImageOptions {
  readonly maxPixels: number;
  readonly maxDimension: number;
  readonly thumbnailDimension: number;
  readonly format: ImageFormat;
  readonly quality: number;
  readonly cacheDir: string;
}

export interface EncodedImage {
  readonly bytes: Uint8Array;
  readonly type: string;
  readonly width: number;
  readonly height: number;
}

export interface ImageResult extends EncodedImage {
  readonly blurhash: string;
  readonly thumbnail: EncodedImage;
}

/** libvips loaders we accept; everything else (SVG, PDF, TIFF, raw, …) is blocked (A6). */
const ALLOWED_LOADERS = [
  "VipsForeignLoadJpegBuffer",
  "VipsForeignLoadPngBuffer",
  "VipsForeignLoadWebpBuffer",
  "VipsForeignLoadGifBuffer",
  "VipsForeignLoadHeifBuffer",
];
const ALLOWED_FORMATS = new Set(["jpeg", "png", "webp", "gif", "heif"]);
const BLURHASH_SIZE = 32;
let isConfigured = false;

/** sharp with the loaders blocked, one libvips thread per job, and no operation cache. */
async function configuredSharp(cacheDir: string): Promise<Sharp> {
  const sharp = await loadSharp({ cacheDir });
  if (!isConfigured) {
    sharp.block({ operation: ["VipsForeignLoad"] });
    sharp.unblock({ operation: ALLOWED_LOADERS });
    sharp.concurrency(1);
    // Every job is a new image: the cache (up to 50 MB) only held memory (PERFORMANCE.md).
    sharp.cache(false);
    isConfigured = true;
  }
  return sharp;
}

const TYPES: Record<ImageFormat, string> = {
  webp: "image/webp",
  jpeg: "image/jpeg",
  avif: "image/avif",
  png: "image/png",
};

async function encode(
  pipeline: ReturnType<Sharp>,
  options: ImageOptions,
  dimension: number,
): Promise<EncodedImage> {
  const resized = pipeline.resize({
    width: dimension,
    height: dimension,
    fit: "inside",
    withoutEnlargement: true,
  });
  const encoded = resized.toFormat(options.format, { quality: options.quality });
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return {
    bytes: new Uint8Array(data),
    type: TYPES[options.format],
    width: info.width,
    height: info.height,
  };
}

export interface FrameResult {
  readonly width: number;
  readonly height: number;
  readonly blurhash: string;
  readonly thumbnail: EncodedImage;
}

type Source = () => ReturnType<Sharp>;

/** The header is read first: formats and the pixel budget are checked before any decoding. */
async function openChecked(input: Uint8Array, options: ImageOptions): Promise<Source> {
  const sharp = await configuredSharp(options.cacheDir);
  let metadata: Awaited<ReturnType<ReturnType<Sharp>["metadata"]>>;
  try {
    // Header only: the pixel budget is checked below, with a 413 instead of a decode error.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new MediaError("unprocessable_media", "image could not be read", { cause: error });
  }
  if (!ALLOWED_FORMATS.has(metadata.format ?? "")) {
    throw new MediaError(
      "unsupported_type",
      `image format ${metadata.format ?? "unknown"} is not accepted`,
    );
  }
  const pixels = (metadata.width ?? 0) * (metadata.height ?? 0) * (metadata.pages ?? 1);
  if (pixels > options.maxPixels) {
    throw new MediaError("too_large", `image has more than ${options.maxPixels} pixels`); // S9: before decoding
  }
  return () => sharp(input, { limitInputPixels: options.maxPixels, animated: false }).rotate();
}

async function blurhashOf(source: Source): Promise<string> {
  const { data, info } = await source()
    .resize(BLURHASH_SIZE, BLURHASH_SIZE, { fit: "inside" })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return encodeBlurhash(new Uint8Array(data), info.width, info.height, 3);
}

export async function optimizeImage(
  input: Uint8Array,
  options: ImageOptions,
): Promise<ImageResult> {
  const source = await openChecked(input, options);
  try {
    const main = await encode(source(), options, options.maxDimension);
    const thumbnail = await encode(source(), options, options.thumbnailDimension);
    return { ...main, blurhash: await blurhashOf(source), thumbnail };
  } catch (error) {
    throw new MediaError("unprocessable_media", "image could not be processed", { cause: error });
  }
}

/** A video's frame (a PNG from ffmpeg) → its size, a thumbnail and a blurhash (BUD-08). */
export async function describeFrame(
  input: Uint8Array,
  options: ImageOptions,
): Promise<FrameResult> {
  const source = await openChecked(input, options);
  try {
    const { width = 0, height = 0 } = await source().metadata();
    const thumbnail = await encode(source(), options, options.thumbnailDimension);
    return { width, height, blurhash: await blurhashOf(source), thumbnail };
  } catch (error) {
    throw new MediaError("unprocessable_media", "video frame could not be processed", {
      cause: error,
    });
  }
}
