// Real BIP-340 keys and signed events for tests (nostr.md §1.3).
import { schnorr } from "@noble/curves/secp256k1.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import type { AuthVerb } from "../../src/protocol/auth-token.ts";
import { computeEventId, type NostrEvent } from "../../src/protocol/nostr-event.ts";

export interface TestKey {
  readonly secretKey: Uint8Array;
  readonly pubkey: string;
}

function keyFrom(hex: string): TestKey {
  const secretKey = hexToBytes(hex);
  return { secretKey, pubkey: bytesToHex(schnorr.getPublicKey(secretKey)) };
}

/** Fixed test-only keys: deterministic across runs, never used anywhere else. */
export const testKeys = {
  alice: keyFrom("a1".repeat(32)),
  bob: keyFrom("b2".repeat(32)),
  carol: keyFrom("c3".repeat(32)),
} as const;

export interface EventTemplate {
  readonly kind: number;
  readonly created_at: number;
  readonly tags: string[][];
  readonly content: string;
}

export function signEvent(key: TestKey, template: EventTemplate): NostrEvent {
  const unsigned = { ...template, pubkey: key.pubkey, id: "", sig: "" };
  const id = computeEventId(unsigned);
  const sig = bytesToHex(schnorr.sign(hexToBytes(id), key.secretKey));
  return { ...unsigned, id, sig };
}

export function encodeToken(event: object, encoding: "base64url" | "base64" = "base64url"): string {
  const json = Buffer.from(JSON.stringify(event));
  return `Nostr ${encoding === "base64url" ? json.toString("base64url") : json.toString("base64")}`;
}

export interface TokenOptions {
  readonly verb: AuthVerb;
  readonly x?: readonly string[];
  readonly server?: readonly string[];
  readonly expiresInSec?: number;
  readonly createdAtSec?: number;
  readonly nowSec?: number;
  readonly content?: string;
  readonly encoding?: "base64url" | "base64";
  readonly extraTags?: readonly string[][];
}

export function tokenEvent(key: TestKey, options: TokenOptions): NostrEvent {
  const nowSec = options.nowSec ?? Math.floor(Date.now() / 1000);
  const tags = [
    ["t", options.verb],
    ...(options.x ?? []).map((x) => ["x", x]),
    ...(options.server ?? []).map((server) => ["server", server]),
    ["expiration", String(nowSec + (options.expiresInSec ?? 600))],
    ...(options.extraTags ?? []).map((tag) => [...tag]),
  ];
  return signEvent(key, {
    kind: 24242,
    created_at: options.createdAtSec ?? nowSec - 1,
    tags,
    content: options.content ?? `hanami test ${options.verb}`,
  });
}

/** The full `Authorization` header value for a freshly signed BUD-11 token. */
export function signToken(key: TestKey, options: TokenOptions): string {
  return encodeToken(tokenEvent(key, options), options.encoding);
}

export function randomBlob(size: number): { bytes: Uint8Array<ArrayBuffer>; sha256: string } {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
  return { bytes, sha256: new Bun.CryptoHasher("sha256").update(bytes).digest("hex") };
}
