// The blob hash grammar and blob paths (B00-02, B01-09, P-01, B03-05).
import { BlossomError } from "./errors.ts";

/** 64 lower-case hex characters. */
export type Sha256 = string;

const SHA256 = /^[0-9a-f]{64}$/;
const SHA256_ANY_CASE = /^[0-9a-fA-F]{64}$/;
const BLOB_PATH = /^\/([0-9a-fA-F]{64})(\.[A-Za-z0-9][A-Za-z0-9._-]{0,31})?$/; // P-01
const STARTS_WITH_HASH = /^\/[0-9a-fA-F]{64}/;
/** The scheme and authority of an absolute request URL (a regex source). */
const URL_ORIGIN = "^[^:]+://[^/]*";
/**
 * P-01 on a whole request URL: origin, then exactly a blob path, then any query. The hot read
 * path tests the URL with it instead of cutting the path out first; group 1 is the hash.
 */
export const BLOB_URL = new RegExp(`${URL_ORIGIN}${BLOB_PATH.source.slice(1, -1)}(?:[?#]|$)`);
const URL_PATH = new RegExp(`${URL_ORIGIN}(/[^?#]*)`);
const HEX_RUNS = /[0-9a-fA-F]{64,}/g;

/**
 * The path of an absolute request URL as the client sent it, without query or fragment: a
 * `new URL` per blob request was 3 % of a GET (docs/PERFORMANCE.md). Nothing is decoded or
 * normalised, so a path with dot segments or backslashes simply does not match a blob.
 */
export function rawPathOf(requestUrl: string): string {
  return URL_PATH.exec(requestUrl)?.[1] ?? "/";
}

export function isSha256(value: string): boolean {
  return SHA256.test(value);
}

export type BlobPath =
  | { kind: "blob"; sha256: Sha256; ext: string | null }
  | { kind: "malformed"; reason: string }
  | { kind: "other" };

/** Parses the raw (still percent-encoded) pathname; the extension never reaches storage. */
export function parseBlobPath(rawPathname: string): BlobPath {
  const match = BLOB_PATH.exec(rawPathname);
  if (match?.[1] !== undefined) {
    return { kind: "blob", sha256: match[1].toLowerCase(), ext: match[2]?.slice(1) ?? null };
  }
  const singleSegment = rawPathname.indexOf("/", 1) === -1;
  if (singleSegment && STARTS_WITH_HASH.test(rawPathname)) {
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
