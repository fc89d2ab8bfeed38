// The blob hash grammar and blob paths (B00-02, B01-09, P-01, B03-05).
import { BlossomError } from "./errors.ts";

/** 64 lower-case hex characters. */
export type Sha256 = string;

const SHA256 = /^[0-9a-f]{64}$/;
const SHA256_ANY_CASE = /^[0-9a-fA-F]{64}$/;
const BLOB_PATH = /^\/([0-9a-fA-F]{64})(\.[A-Za-z0-9][A-Za-z0-9._-]{0,31})?$/; // P-01
const STARTS_WITH_HASH = /^\/[0-9a-fA-F]{64}/;
/** P-01 on one path segment without its slash, as a router's decoded parameter holds it. */
const BLOB_SEGMENT = new RegExp(`^${BLOB_PATH.source.slice(3)}`);
const URL_PATH = /^[^:]+:\/\/[^/]*(\/[^?#]*)/;
const PERCENT_OCTET = /%([0-9A-Fa-f]{2})/g;
const UNRESERVED = /^[A-Za-z0-9._~-]$/;
const HEX_RUNS = /[0-9a-fA-F]{64,}/g;

/**
 * The path of an absolute request URL as the client sent it, without query or fragment: a
 * `new URL` per blob request was 3 % of a GET (docs/PERFORMANCE.md). Nothing is decoded or
 * normalised, so a path with dot segments or backslashes simply does not match a blob.
 */
export function rawPathOf(requestUrl: string): string {
  return URL_PATH.exec(requestUrl)?.[1] ?? "/";
}

/**
 * Percent-encoded unreserved characters decoded, every other octet left as it is: the same path
 * (RFC 3986 §6.2.2.2). Nothing that separates segments or ends a name (`%2f`, `%00`) is decoded.
 */
function decodeUnreserved(rawPathname: string): string {
  if (!rawPathname.includes("%")) return rawPathname;
  return rawPathname.replace(PERCENT_OCTET, (octet, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : octet;
  });
}

/**
 * The hash of a router's decoded path parameter when it is a blob name, else undefined (the raw
 * path then decides). Every character the grammar admits is unreserved, so this agrees with
 * `parseBlobPath` on the raw path; it spares the hot read path `request.url`, which cost 7 % of a
 * cached HEAD (docs/PERFORMANCE.md).
 */
export function blobHashOfSegment(decoded: string | undefined): Sha256 | undefined {
  return decoded === undefined ? undefined : BLOB_SEGMENT.exec(decoded)?.[1]?.toLowerCase();
}

export function isSha256(value: string): boolean {
  return SHA256.test(value);
}

export type BlobPath =
  | { kind: "blob"; sha256: Sha256; ext: string | null }
  | { kind: "malformed"; reason: string }
  | { kind: "other" };

/**
 * Parses the raw (still percent-encoded) pathname, with percent-encoded unreserved characters
 * taken as themselves; the extension never reaches storage.
 */
export function parseBlobPath(rawPathname: string): BlobPath {
  const pathname = decodeUnreserved(rawPathname);
  const match = BLOB_PATH.exec(pathname);
  if (match?.[1] !== undefined) {
    return { kind: "blob", sha256: match[1].toLowerCase(), ext: match[2]?.slice(1) ?? null };
  }
  const singleSegment = pathname.indexOf("/", 1) === -1;
  if (singleSegment && STARTS_WITH_HASH.test(pathname)) {
    return { kind: "malformed", reason: "malformed blob path: expected /<sha256>[.ext]" }; // P-01
  }
  return { kind: "other" };
}

/** X-SHA-256 (B02-10): absent → undefined; present but not 64 hex → 400 (P-14 step 3). */
export function parseSha256Header(value: string | null): Sha256 | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (!SHA256_ANY_CASE.test(trimmed)) {
    throw new BlossomError("bad_request", "X-SHA-256 must be 64 hex characters");
  }
  return trimmed.toLowerCase();
}

/** B03-05: the last 64-hex run in a URL names the blob. */
export function lastSha256In(text: string): Sha256 | null {
  let last: string | null = null;
  for (const run of text.match(HEX_RUNS) ?? []) last = run.slice(-64);
  return last?.toLowerCase() ?? null;
}
