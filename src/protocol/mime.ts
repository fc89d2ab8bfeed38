// MIME types: the stored type (P-22), sniffing, extensions (P-23) and active types (reliability A9).

const ESSENCE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
export const OCTET_STREAM = "application/octet-stream";

/** `Type/Sub; charset=x` → `type/sub`; null when absent or not a valid type. */
export function contentTypeEssence(header: string | null): string | null {
  if (header === null) return null;
  const essence = (header.split(";")[0] ?? "").trim().toLowerCase();
  return ESSENCE.test(essence) ? essence : null;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

/** Bytes as Latin-1 text, one character per byte (spreading them into fromCharCode cost 9 µs). */
function ascii(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1", from, to);
}

const FTYP_BRANDS: Record<string, string> = {
  avif: "image/avif",
  avis: "image/avif",
  heic: "image/heic",
  heix: "image/heic",
  mif1: "image/heif",
  qt: "video/quicktime",
  M4A: "audio/mp4",
};

function sniffFtyp(bytes: Uint8Array): string | null {
  if (ascii(bytes, 4, 8) !== "ftyp") return null;
  const brand = ascii(bytes, 8, 12).trim();
  return FTYP_BRANDS[brand] ?? "video/mp4";
}

function sniffText(bytes: Uint8Array): string | null {
  const start = ascii(bytes, 0, Math.min(bytes.length, 256)).replace(/^\uFEFF|^\xEF\xBB\xBF/, "");
  const head = start.trimStart().toLowerCase();
  if (head.startsWith("<svg") || (head.startsWith("<?xml") && head.includes("<svg"))) {
    return "image/svg+xml";
  }
  if (head.startsWith("<!doctype html") || head.startsWith("<html")) return "text/html";
  return null;
}

const MAGIC: ReadonlyArray<readonly [readonly number[], string, number?]> = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "image/png"],
  [[0xff, 0xd8, 0xff], "image/jpeg"],
  [[0x47, 0x49, 0x46, 0x38], "image/gif"],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], "application/pdf"],
  [[0x50, 0x4b, 0x03, 0x04], "application/zip"],
  [[0x1f, 0x8b], "application/gzip"],
  [[0x49, 0x44, 0x33], "audio/mpeg"],
  [[0x4f, 0x67, 0x67, 0x53], "audio/ogg"],
  [[0x66, 0x4c, 0x61, 0x43], "audio/flac"],
  [[0x00, 0x61, 0x73, 0x6d], "application/wasm"],
];

const EBML = [0x1a, 0x45, 0xdf, 0xa3];

/** Matroska and WebM share the EBML header; the DocType element near the start tells them apart. */
function sniffEbml(bytes: Uint8Array): string | null {
  if (!startsWith(bytes, EBML)) return null;
  return ascii(bytes, 4, 64).includes("matroska") ? "video/x-matroska" : "video/webm";
}

/**
 * An ADTS (AAC) or MPEG audio frame header. Reserved field values are refused, which also keeps
 * UTF-16 text (BOM FF FE) from passing for MP3.
 */
function sniffFrameSync(bytes: Uint8Array): string | null {
  const [b0, b1 = 0, b2 = 0] = bytes;
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0 || bytes.length < 4) return null;
  if ((b1 & 0xf6) === 0xf0) return "audio/aac"; // ADTS: sync, any version, layer bits 00
  const version = (b1 >> 3) & 0x03;
  const layer = (b1 >> 1) & 0x03;
  const bitrate = b2 >> 4;
  const sampleRate = (b2 >> 2) & 0x03;
  const valid = version !== 1 && layer !== 0 && bitrate !== 0x0f && sampleRate !== 0x03;
  return valid ? "audio/mpeg" : null;
}

/** Magic bytes of common blob types; null when unrecognised. */
export function sniffMime(bytes: Uint8Array): string | null {
  for (const [signature, type] of MAGIC) if (startsWith(bytes, signature)) return type;
  if (ascii(bytes, 0, 4) === "RIFF") {
    const form = ascii(bytes, 8, 12);
    if (form === "WEBP") return "image/webp";
    if (form === "WAVE") return "audio/wav";
  }
  return sniffEbml(bytes) ?? sniffFrameSync(bytes) ?? sniffFtyp(bytes) ?? sniffText(bytes);
}

/** P-22: the request's type unless missing or octet-stream; then sniffed; else octet-stream. */
export function storedType(declared: string | null, firstBytes: Uint8Array): string {
  if (declared !== null && declared !== OCTET_STREAM) return declared;
  return sniffMime(firstBytes) ?? OCTET_STREAM;
}

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/avif": "avif",
  "image/heic": "heic",
  "image/heif": "heif",
  "image/svg+xml": "svg",
  "image/bmp": "bmp",
  "image/x-icon": "ico",
  "video/mp4": "mp4",
  "video/webm": "webm",
  "video/quicktime": "mov",
  "video/x-matroska": "mkv",
  "video/mp2t": "ts",
  "video/iso.segment": "m4s",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/ogg": "ogg",
  "audio/wav": "wav",
  "audio/flac": "flac",
  "audio/aac": "aac",
  "audio/webm": "weba",
  "application/pdf": "pdf",
  "application/zip": "zip",
  "application/gzip": "gz",
  "application/json": "json",
  "application/wasm": "wasm",
  "application/vnd.apple.mpegurl": "m3u8",
  "application/x-mpegurl": "m3u8",
  "text/plain": "txt",
  "text/html": "html",
  "text/css": "css",
  "text/csv": "csv",
  "text/markdown": "md",
  "text/javascript": "js",
  "application/javascript": "js",
  "application/xml": "xml",
  "text/xml": "xml",
  "application/xhtml+xml": "xhtml",
};

const EXTENSION_BY_TYPE = new Map(Object.entries(EXTENSIONS)); // no prototype keys, one lookup

/** P-23: a fixed table; unknown types get `bin` (B10-02). */
export function extensionFor(type: string): string {
  return EXTENSION_BY_TYPE.get(type) ?? "bin";
}

// Reverse lookup: the first type listed for an extension wins; a few common aliases are added.
const TYPES_BY_EXTENSION = new Map([
  ["jpeg", "image/jpeg"],
  ["htm", "text/html"],
  ["mjs", "text/javascript"],
  ["m4v", "video/mp4"],
  ...Object.entries(EXTENSIONS)
    .reverse()
    .map(([type, ext]) => [ext, type] as const),
]);

/** B04-06: the type a URL's extension suggests, for origins that send none. */
export function typeForExtension(ext: string): string | null {
  return TYPES_BY_EXTENSION.get(ext.toLowerCase()) ?? null;
}

const ACTIVE_TYPES = new Set([
  "text/html",
  "application/xhtml+xml",
  "image/svg+xml",
  "text/xml",
  "application/xml",
  "application/javascript",
  "text/javascript",
]);

/** Types a browser would execute when opened: served as attachments (reliability A9). */
export function isActiveType(type: string): boolean {
  return ACTIVE_TYPES.has(type);
}

/** "image/*", "*\/*" or exact; an empty list allows everything. */
export function matchesTypePattern(type: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => {
    const p = pattern.trim().toLowerCase();
    if (p === "*/*" || p === "*") return true;
    if (p.endsWith("/*")) return type.startsWith(p.slice(0, -1));
    return p === type;
  });
}
