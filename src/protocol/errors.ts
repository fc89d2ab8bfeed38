// The one error vocabulary of hanami. Codes only: statuses live in src/http/errors.ts (STYLE §3.6).

export type ErrorCode =
  | "bad_request"
  | "auth_required"
  | "auth_invalid"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "hash_mismatch"
  | "length_required"
  | "too_large"
  | "unsupported_type"
  | "range_not_satisfiable"
  | "unprocessable_media"
  | "payment_required"
  | "rate_limited"
  | "upstream_failed"
  | "busy"
  | "storage_full"
  | "internal";

export interface ErrorHints {
  /** Seconds a client should wait before retrying (503, 429). */
  readonly retryAfterSec?: number;
  /** The blob's size, for `Content-Range: bytes *\/size` on 416. */
  readonly blobSize?: number;
  /** Methods a route accepts, for `Allow` on 405. */
  readonly allow?: readonly string[];
}

export class BlossomError extends Error {
  override readonly name = "BlossomError";

  constructor(
    readonly code: ErrorCode,
    /** Public, human-readable reason: becomes `X-Reason`. Never include secrets or paths. */
    readonly reason: string,
    readonly hints: ErrorHints = {},
    options?: { cause?: unknown },
  ) {
    // A refusal is an answer, not a bug: no line ever shows its stack, and capturing one doubled
    // its cost (bench/micro/error-response.bench.ts: 0.30 µs against 0.62). Internal errors keep
    // theirs, for the log.
    const stackTraceLimit = Error.stackTraceLimit;
    if (code !== "internal") Error.stackTraceLimit = 0;
    super(reason, options);
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** A check's failure as a value; callers decide whether to throw (STYLE §3.5). */
export interface Rejection {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly reason: string;
}

export type Checked<T> = ({ readonly ok: true } & T) | Rejection;

export function reject(code: ErrorCode, reason: string): Rejection {
  return { ok: false, code, reason };
}

/** Turns a failed check into a thrown BlossomError; returns the success value otherwise. */
export function orThrow<T>(result: Checked<T>): { readonly ok: true } & T {
  if (!result.ok) throw new BlossomError(result.code, result.reason);
  return result;
}
