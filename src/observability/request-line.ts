// The fields of the per-request log line, as JSON members built by hand. Every request writes
// one; a fields object through the logger's general path cost 6 % of a cached HEAD
// (docs/PERFORMANCE.md).

import { jsonString } from "./log.ts";

export interface RequestLineFields {
  readonly requestId: string;
  readonly route: string;
  readonly method: string;
  readonly status: number;
  readonly durationMs: number;
  /** Read only when asked for, so a line is the only reason to work it out. */
  readonly clientIp: string | null;
}

/** Which request lines carry the client address (the `logClientIp` setting). */
export type ClientIpInLines = "all" | "except-reads" | "none";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request's line carries the client address. "except-reads" leaves it out of served
 * reads: the bulk of the traffic, where it would record who read what and cost a system call.
 */
export function lineCarriesClientIp(
  policy: ClientIpInLines,
  method: string,
  failed: boolean,
): boolean {
  if (policy === "except-reads") return failed || !READ_METHODS.has(method);
  return policy === "all";
}

/** A number as JSON: NaN and the infinities have no JSON form. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/**
 * `,"requestId":…,"route":…,"method":…,"status":…,"ms":…[,"clientIp":…]` for
 * `Logger.infoMembers`; the address only `withClientIp` (working it out costs a system call).
 */
export function requestLineMembers(fields: RequestLineFields, withClientIp: boolean): string {
  const ms = Math.round(fields.durationMs * 10) / 10;
  const members =
    `,"requestId":${jsonString(fields.requestId)},"route":${jsonString(fields.route)}` +
    `,"method":${jsonString(fields.method)},"status":${jsonNumber(fields.status)}` +
    `,"ms":${jsonNumber(ms)}`;
  if (!withClientIp) return members;
  const { clientIp } = fields;
  return `${members},"clientIp":${clientIp === null ? "null" : jsonString(clientIp)}`;
}
