// BUD-12 list parameters (B12-04, B12-05, B12-08, P-16).
import type { ListQuery } from "../metadata/metadata-store.ts";
import { BlossomError } from "./errors.ts";

const HEX64 = /^[0-9a-fA-F]{64}$/;
const UNSIGNED = /^[0-9]{1,15}$/;
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;

function unsigned(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (!UNSIGNED.test(value))
    throw new BlossomError("bad_request", `${name} must be a non-negative integer`);
  return Number(value);
}

export function parseListRequest(
  pubkeyParam: string,
  params: URLSearchParams,
): { pubkey: string; query: ListQuery } {
  if (!HEX64.test(pubkeyParam))
    throw new BlossomError("bad_request", "pubkey must be 64 hex characters"); // B12-01
  const limit = unsigned(params, "limit") ?? DEFAULT_LIST_LIMIT;
  if (limit === 0) throw new BlossomError("bad_request", "limit must be a positive integer");
  const cursor = params.get("cursor");
  if (cursor !== null && !HEX64.test(cursor)) {
    throw new BlossomError("bad_request", "cursor must be 64 hex characters");
  }
  const sinceSec = unsigned(params, "since");
  const untilSec = unsigned(params, "until");
  const query: ListQuery = {
    limit: Math.min(limit, MAX_LIST_LIMIT),
    ...(cursor === null ? {} : { cursor: cursor.toLowerCase() }),
    ...(sinceSec === undefined ? {} : { sinceSec }),
    ...(untilSec === undefined ? {} : { untilSec }),
  };
  return { pubkey: pubkeyParam.toLowerCase(), query };
}
