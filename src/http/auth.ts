// BUD-11 at the HTTP edge: turns the Authorization header into a verified token, or throws.
// The order is blossom.md §13.3: cheap checks first, the signature last, x (step 8) on demand.

import { timingSafeEqual } from "node:crypto";
import {
  type AuthToken,
  type AuthVerb,
  checkImpliedHash,
  checkToken,
  parseAuthHeader,
} from "../protocol/auth-token.ts";
import { BlossomError, type ErrorCode, orThrow } from "../protocol/errors.ts";
import { hasValidId, type NostrEvent } from "../protocol/nostr-event.ts";
import type { Sha256 } from "../storage/blob-store.ts";

export interface AuthDeps {
  /** Host names this server answers to in `server` tags (P-06); from config, never from Host. */
  readonly serverNames: readonly string[];
  readonly clockSkewSec: number;
  readonly nowSec: () => number;
  /** BIP-340 check of `event.sig` (step 10); may use a cache and the CPU pool. `beforeCheck`
   * runs when the signature is really checked, not answered from the cache; it may throw. */
  readonly verifySignature: (
    event: NostrEvent,
    expiresAtSec: number,
    beforeCheck?: () => void,
  ) => Promise<boolean>;
}

export interface RouteAuthSpec {
  readonly verb: AuthVerb;
  /** Whether a request without a token is refused (401). */
  readonly required: boolean;
  /** Whether the endpoint requires an `x` tag naming its implied hash (B11-17). */
  readonly x: "required" | "optional";
}

/** An operator route (admin API, metrics): a shared secret, compared in constant time (S17). */
export interface BearerAuth {
  readonly bearerToken: string;
}

/** Every route states its auth; "public" must be written out (STYLE rule 4). */
export type RouteAuth = "public" | RouteAuthSpec | BearerAuth;

function digest(text: string): Buffer {
  return Buffer.from(new Bun.CryptoHasher("sha256").update(text).digest());
}

/** Equal-length digests, so neither the content nor the length of the secret leaks (A14). */
export function secretEquals(given: string, secret: string): boolean {
  return timingSafeEqual(digest(given), digest(secret));
}

function checkBearer(request: Request, auth: BearerAuth): void {
  const header = request.headers.get("authorization") ?? "";
  const given = /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, "") : "";
  if (auth.bearerToken === "" || !secretEquals(given, auth.bearerToken)) {
    throw new BlossomError("forbidden", "a valid operator token is required");
  }
}

/** The verified token of one request, and the step-8 check the handler must run. */
export class RequestAuth {
  #hashChecked = false;

  constructor(
    readonly token: AuthToken | null,
    private readonly spec: RouteAuthSpec | null,
  ) {}

  /** B11-15, B11-08: some `x` tag must name the implied hash (required, or present at all). */
  checkHash(sha256: Sha256, failure: ErrorCode = "auth_invalid"): void {
    this.#hashChecked = true;
    if (this.token === null || this.spec === null) return;
    const result = checkImpliedHash(this.token, sha256, this.spec.x === "required");
    if (!result.ok) throw new BlossomError(failure, result.reason);
  }

  /** True when the route needed an x check and the handler never ran it: a programming error. */
  get missedHashCheck(): boolean {
    return this.token !== null && this.spec?.x === "required" && !this.#hashChecked;
  }

  get pubkey(): string | null {
    return this.token?.pubkey ?? null;
  }
}

/**
 * The auth of a request that needs no signature check, decided without an await: a public route,
 * an operator's bearer token, or no token where none is required (and any token on a read that
 * ignores them, P-12). Otherwise the route's spec, for `authenticateToken`.
 */
export function authenticateAtOnce(request: Request, auth: RouteAuth): RequestAuth | RouteAuthSpec {
  if (auth === "public") return new RequestAuth(null, null);
  if ("bearerToken" in auth) {
    checkBearer(request, auth);
    return new RequestAuth(null, null);
  }
  if (!auth.required && (auth.verb === "get" || !request.headers.has("authorization"))) {
    return new RequestAuth(null, auth);
  }
  return auth;
}

/** Steps 1–10 for a route whose token `authenticateAtOnce` could not settle. */
export async function authenticateToken(
  request: Request,
  auth: RouteAuthSpec,
  deps: AuthDeps,
): Promise<RequestAuth> {
  const { event } = orThrow(parseAuthHeader(request.headers.get("authorization"))); // steps 1–2
  const need = { verb: auth.verb, serverNames: deps.serverNames, clockSkewSec: deps.clockSkewSec };
  const { token } = orThrow(checkToken(event, { ...need, xRequired: false }, deps.nowSec())); // 3–7
  if (!hasValidId(event)) {
    throw new BlossomError("auth_invalid", "token id does not match its content"); // step 9
  }
  if (!(await deps.verifySignature(event, token.expiresAtSec))) {
    throw new BlossomError("auth_invalid", "token signature is invalid"); // step 10
  }
  return new RequestAuth(token, auth);
}
