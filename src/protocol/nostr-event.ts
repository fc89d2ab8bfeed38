// NIP-01 events: shape, id and BIP-340 signature (nostr.md §1, N01-01…N01-07).
import { schnorr } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { type Checked, reject } from "./errors.ts";

export interface NostrEvent {
  readonly id: string;
  readonly pubkey: string;
  readonly created_at: number;
  readonly kind: number;
  readonly tags: string[][];
  readonly content: string;
  readonly sig: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const MAX_TAGS = 1000;
const MAX_STRING_CHARS = 16 * 1024;

function isTagList(value: unknown): value is string[][] {
  if (!Array.isArray(value) || value.length > MAX_TAGS) return false;
  return value.every(
    (tag) =>
      Array.isArray(tag) &&
      tag.length >= 1 &&
      tag.every((item) => typeof item === "string" && item.length <= MAX_STRING_CHARS),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** N01-02…N01-04: a strict structural check before anything is computed. */
export function parseEventShape(json: unknown): Checked<{ event: NostrEvent }> {
  if (!isRecord(json)) return reject("auth_invalid", "event is not a JSON object");
  const { id, pubkey, created_at, kind, tags, content, sig } = json;
  if (typeof id !== "string" || !HEX64.test(id))
    return reject("auth_invalid", "event id malformed");
  if (typeof pubkey !== "string" || !HEX64.test(pubkey)) {
    return reject("auth_invalid", "event pubkey malformed");
  }
  if (typeof sig !== "string" || !HEX128.test(sig))
    return reject("auth_invalid", "event sig malformed");
  if (typeof created_at !== "number" || !Number.isSafeInteger(created_at) || created_at < 0) {
    return reject("auth_invalid", "event created_at must be an integer");
  }
  if (typeof kind !== "number" || !Number.isSafeInteger(kind) || kind < 0 || kind > 65535) {
    return reject("auth_invalid", "event kind must be an integer 0-65535");
  }
  if (!isTagList(tags)) return reject("auth_invalid", "event tags must be arrays of strings");
  if (typeof content !== "string" || content.length > MAX_STRING_CHARS) {
    return reject("auth_invalid", "event content must be a string");
  }
  return { ok: true, event: { id, pubkey, created_at, kind, tags, content, sig } };
}

function idBytes(event: NostrEvent): Uint8Array {
  const serialized = JSON.stringify([
    0,
    event.pubkey,
    event.created_at,
    event.kind,
    event.tags,
    event.content,
  ]);
  return sha256(utf8ToBytes(serialized));
}

/** N01-01: the id is recomputed from the parsed fields, never from the text sent. */
export function computeEventId(event: NostrEvent): string {
  return bytesToHex(idBytes(event));
}

/** N01-05 */
export function hasValidId(event: NostrEvent): boolean {
  return computeEventId(event) === event.id;
}

/** N01-06: BIP-340 over the 32 id bytes; an invalid pubkey fails rather than throws. */
export function verifySignature(event: Pick<NostrEvent, "id" | "pubkey" | "sig">): boolean {
  try {
    return schnorr.verify(hexToBytes(event.sig), hexToBytes(event.id), hexToBytes(event.pubkey));
  } catch {
    return false;
  }
}
