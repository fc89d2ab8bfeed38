// Upload admission, shared by PUT and HEAD so both answer alike (P-14 step 5, P-19, BUD-06).
import { BlossomError, type Checked, reject } from "./errors.ts";
import { contentTypeEssence, isActiveType, matchesTypePattern, OCTET_STREAM } from "./mime.ts";
import { parseSha256Header, type Sha256 } from "./sha256.ts";

export interface UploadPolicy {
  readonly maxUploadBytes: number;
  /** MIME patterns ("image/*"); empty = everything. */
  readonly allowedTypes: readonly string[];
  /** Hex pubkeys; empty = anyone. */
  readonly allowedPubkeys: readonly string[];
  readonly refuseActiveTypes: boolean;
  readonly requireContentLength: boolean;
}

export interface AdmissionInput {
  readonly pubkey: string | null;
  readonly declaredSize: number | null;
  /** null when not known yet (no Content-Type): the type is checked again after sniffing. */
  readonly type: string | null;
}

export function checkAdmission(input: AdmissionInput, policy: UploadPolicy): Checked<object> {
  const allowList = policy.allowedPubkeys;
  if (allowList.length > 0 && (input.pubkey === null || !allowList.includes(input.pubkey))) {
    return reject("forbidden", "pubkey is not allowed to upload here"); // P-11
  }
  if (input.declaredSize === null && policy.requireContentLength) {
    return reject("length_required", "Content-Length required"); // P-21
  }
  if (input.declaredSize !== null && input.declaredSize > policy.maxUploadBytes) {
    return reject("too_large", `blob is larger than ${policy.maxUploadBytes} bytes`);
  }
  const type = input.type;
  if (type !== null && !matchesTypePattern(type, policy.allowedTypes)) {
    return reject("unsupported_type", `type ${type} is not accepted here`);
  }
  if (type !== null && policy.refuseActiveTypes && isActiveType(type)) {
    return reject("unsupported_type", `active content (${type}) is not accepted here`); // P-22
  }
  return { ok: true };
}

const DECIMAL = /^[0-9]{1,16}$/;

/** A non-negative decimal integer, or null when the header is absent; else 400. */
export function parseContentLength(value: string | null): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  const size = Number(trimmed);
  if (!DECIMAL.test(trimmed) || !Number.isSafeInteger(size)) {
    throw new BlossomError("bad_request", "Content-Length must be a non-negative integer");
  }
  return size;
}

export interface PreflightHeaders {
  readonly xSha256: string | null;
  readonly xContentLength: string | null;
  readonly xContentType: string | null;
}

/** BUD-06 table (B06-04, P-19): 400 for a missing/malformed hash or length, 411 for no length. */
export function parsePreflight(headers: PreflightHeaders): {
  sha256: Sha256;
  size: number;
  type: string;
} {
  const sha256 = parseSha256Header(headers.xSha256);
  if (sha256 === undefined) throw new BlossomError("bad_request", "X-SHA-256 header required"); // ⚠A-08
  let size: number | null;
  try {
    size = parseContentLength(headers.xContentLength);
  } catch {
    throw new BlossomError("bad_request", "X-Content-Length must be a non-negative integer");
  }
  if (size === null) throw new BlossomError("length_required", "X-Content-Length header required");
  const type = contentTypeEssence(headers.xContentType) ?? OCTET_STREAM;
  return { sha256, size, type };
}
