// BUD-11 authorization tokens: header decoding (P-05) and the ordered checks of blossom.md §13.3.
import { type Checked, reject } from "./errors.ts";
import { hasValidId, type NostrEvent, parseEventShape, verifySignature } from "./nostr-event.ts";
import type { Sha256 } from "./sha256.ts";

export type AuthVerb = "get" | "upload" | "list" | "delete" | "media";

const AUTH_EVENT_KIND = 24242;
const MAX_DECODED_BYTES = 16 * 1024; // P-05
const BASE64_ANY = /^[A-Za-z0-9+/_-]+={0,2}$/;
const EXPIRATION = /^[0-9]{1,10}$/; // P-09, reliability A3

export interface AuthToken {
  readonly event: NostrEvent;
  readonly id: string;
  readonly pubkey: string;
  readonly createdAtSec: number;
  readonly expiresAtSec: number;
  readonly verbs: readonly string[];
  readonly xs: readonly string[];
  readonly servers: readonly string[];
}

export interface TokenNeed {
  readonly verb: AuthVerb;
  /** This server's host names (P-06), from configuration. */
  readonly serverNames: readonly string[];
  readonly clockSkewSec: number;
  /** The endpoint's implied hash when it is known before the body (step 8). */
  readonly impliedSha256?: Sha256 | undefined;
  readonly xRequired: boolean;
}

function decodeBase64Any(payload: string): string | null {
  if (!BASE64_ANY.test(payload)) return null;
  const bytes = Buffer.from(payload, "base64"); // all four variants (nostr.md §3)
  if (bytes.byteLength > MAX_DECODED_BYTES) return null;
  return bytes.toString("utf8");
}

/** Steps 1–2: `Nostr <base64>` → a structurally valid event (P-05). */
export function parseAuthHeader(header: string | null | undefined): Checked<{ event: NostrEvent }> {
  if (header === null || header === undefined || header.trim() === "") {
    return reject("auth_required", "authorization required"); // step 1
  }
  const match = /^\s*nostr\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined) return reject("auth_invalid", "authorization scheme must be Nostr");
  if (match[1].length > (MAX_DECODED_BYTES * 4) / 3 + 4) {
    return reject("auth_invalid", "authorization token too large");
  }
  const text = decodeBase64Any(match[1]);
  if (text === null) return reject("auth_invalid", "authorization token is not base64");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return reject("auth_invalid", "authorization token is not JSON");
  }
  return parseEventShape(json);
}

/** P-06: lower-case, trim, take the host of a URL or cut at the first "/", drop a port. */
export function normaliseServerTag(value: string): string {
  let host = value.trim().toLowerCase();
  if (host.includes("://")) {
    try {
      return new URL(host).hostname;
    } catch {
      return host;
    }
  }
  const slash = host.indexOf("/");
  if (slash !== -1) host = host.slice(0, slash);
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

export function hostnameOf(publicUrl: string): string {
  return new URL(publicUrl).hostname.toLowerCase();
}

function tagValues(event: NostrEvent, name: string): string[] {
  return event.tags
    .filter((tag) => tag[0] === name && tag[1] !== undefined)
    .map((tag) => tag[1] as string);
}

/** Steps 3–8 in order; the id and signature (9–10) are checked afterwards, see below. */
export function checkToken(
  event: NostrEvent,
  need: TokenNeed,
  nowSec: number,
): Checked<{ token: AuthToken }> {
  if (event.kind !== AUTH_EVENT_KIND) return reject("auth_invalid", "token kind must be 24242"); // B11-10
  if (event.created_at > nowSec + need.clockSkewSec) {
    return reject("auth_invalid", "token created_at is in the future"); // B11-11, P-07
  }
  const expirations = tagValues(event, "expiration");
  const expiration = expirations[0];
  if (expiration === undefined) return reject("auth_invalid", "token has no expiration tag"); // B11-12
  if (expirations.length > 1 || !EXPIRATION.test(expiration)) {
    return reject("auth_invalid", "token expiration must be one unix time in seconds"); // P-09
  }
  const expiresAtSec = Number(expiration);
  if (!(expiresAtSec > nowSec)) return reject("auth_invalid", "token expired"); // B11-12
  const verbs = tagValues(event, "t");
  if (!verbs.includes(need.verb)) {
    return reject("auth_invalid", `token does not allow ${need.verb}`); // B11-13, P-10b
  }
  const servers = tagValues(event, "server");
  const names = need.serverNames;
  if (servers.length > 0 && !servers.some((s) => names.includes(normaliseServerTag(s)))) {
    return reject("auth_invalid", "token server tag does not name this server"); // B11-14, P-06
  }
  const token: AuthToken = {
    event,
    id: event.id,
    pubkey: event.pubkey,
    createdAtSec: event.created_at,
    expiresAtSec,
    verbs,
    xs: tagValues(event, "x").map((x) => x.toLowerCase()),
    servers,
  };
  if (need.impliedSha256 !== undefined) {
    const step8 = checkImpliedHash(token, need.impliedSha256, need.xRequired);
    if (!step8.ok) return step8;
  }
  return { ok: true, token };
}

/** Step 8 alone (B11-15, B11-08): for hashes known only after the body was read. */
export function checkImpliedHash(
  token: AuthToken,
  sha256: Sha256,
  xRequired: boolean,
): Checked<object> {
  if (token.xs.length === 0 && !xRequired) return { ok: true };
  if (token.xs.includes(sha256)) return { ok: true };
  return reject("auth_invalid", `token x tags do not include ${sha256}`);
}

/**
 * Steps 9–10 without a cache (B11-16): the id first (µs), the BIP-340 signature last (~1 ms).
 * Servers use a caching verifier instead; this one serves tests, tools and the worker-free path.
 */
export function verifyTokenSignatureSync(event: NostrEvent): Checked<object> {
  if (!hasValidId(event)) return reject("auth_invalid", "token id does not match its content");
  if (!verifySignature(event)) return reject("auth_invalid", "token signature is invalid");
  return { ok: true };
}
