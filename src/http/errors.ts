// The only place where error codes become HTTP statuses (STYLE §3.6, P-02).
import { BlossomError, type ErrorCode } from "../protocol/errors.ts";
import { LruMap } from "../util/lru-map.ts";
import { addCorsHeaders } from "./cors.ts";

const STATUS_BY_CODE = {
  bad_request: 400,
  auth_required: 401,
  auth_invalid: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  hash_mismatch: 409,
  length_required: 411,
  too_large: 413,
  unsupported_type: 415,
  range_not_satisfiable: 416,
  unprocessable_media: 422,
  rate_limited: 429,
  internal: 500,
  upstream_failed: 502,
  busy: 503,
  storage_full: 503, // 507 was in the spec for five days only (blossom.md §4.3, reliability P7)
} as const satisfies Record<ErrorCode, number>;

const MAX_REASON_CHARS = 200;

export function statusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

/** A legal header value: printable ASCII, no CR/LF, at most 200 characters (P-02). */
export function toHeaderSafe(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, "?").trim();
  return ascii.length > MAX_REASON_CHARS ? `${ascii.slice(0, MAX_REASON_CHARS - 3)}...` : ascii;
}

/** The headers of an error answer but X-Request-Id. */
function errorHeaders(error: BlossomError, reason: string, withBody: boolean): Headers {
  const headers = addCorsHeaders(new Headers({ "X-Reason": reason }));
  if (error.code === "auth_required" || error.code === "auth_invalid") {
    headers.set("WWW-Authenticate", "Nostr"); // P-11
  }
  if (error.hints.retryAfterSec !== undefined) {
    headers.set("Retry-After", String(error.hints.retryAfterSec));
  }
  if (error.code === "range_not_satisfiable" && error.hints.blobSize !== undefined) {
    headers.set("Content-Range", `bytes */${error.hints.blobSize}`);
  }
  if (error.hints.allow !== undefined) headers.set("Allow", error.hints.allow.join(", "));
  if (withBody) headers.set("Content-Type", "text/plain; charset=utf-8");
  return headers;
}

export type ErrorResponder = (error: BlossomError, method: string) => Response;

/** Distinct error answers whose headers are kept: a flood repeats a handful of them. */
const ERROR_HEADER_TEMPLATES = 256;

/**
 * The response for a refusal: X-Reason, CORS, the hints' headers and the reason as its body.
 * Headers are built once per distinct answer: a Response copies the Headers it is given, so a
 * template serves every response of its kind (1.1 µs a refusal against 2.2 µs,
 * bench/micro/error-response.bench.ts). Answers with a size or an Allow list are rare: built
 * each time.
 */
export function createErrorResponder(): ErrorResponder {
  const templates = new LruMap<string, Headers>(ERROR_HEADER_TEMPLATES);
  const headersOf = (error: BlossomError, reason: string, withBody: boolean): Headers => {
    const { hints } = error;
    if (hints.blobSize !== undefined || hints.allow !== undefined) {
      return errorHeaders(error, reason, withBody);
    }
    const key = `${withBody ? "" : "HEAD "}${error.code} ${hints.retryAfterSec ?? ""} ${reason}`;
    let headers = templates.get(key);
    if (headers === undefined) {
      headers = errorHeaders(error, reason, withBody);
      templates.set(key, headers);
    }
    return headers;
  };
  return (error, method) => {
    const reason = toHeaderSafe(error.reason);
    const withBody = method !== "HEAD";
    return new Response(withBody ? reason : null, {
      status: statusOf(error.code),
      headers: headersOf(error, reason, withBody),
    });
  };
}

/** Anything that is not a BlossomError is an internal error with a generic public reason. */
export function toBlossomError(error: unknown): BlossomError {
  if (error instanceof BlossomError) return error;
  return new BlossomError("internal", "internal error", {}, { cause: error });
}
