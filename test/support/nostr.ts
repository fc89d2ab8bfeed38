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

/** Signs with a test key or a raw 32-byte secret key. */
export function signEvent(key: TestKey | Uint8Array, template: EventTemplate): NostrEvent {
  const secretKey = key instanceof Uint8Array ? key : key.secretKey;
  const pubkey = bytesToHex(schnorr.getPublicKey(secretKey));
  const unsigned = { ...template, pubkey, id: "", sig: "" };
  const id = computeEventId(unsigned);
  const sig = bytesToHex(schnorr.sign(hexToBytes(id), secretKey));
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

const HASH_PDF = "b1674191a88ec5cdd733e4240a81803105dc412d6c6708d53ab94fc248f4f553";
const HASH_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

type VectorName = "V1" | "V2" | "V3" | "V4" | "V5" | "V6";

/** The signed vectors of nostr.md §9 (sk = 1, 2, 3; zero aux randomness). */
export const nostrVectors: Record<VectorName, NostrEvent> = {
  V1: {
    id: "415bf9f0931e9a7604d0aff5626b128ce7eaf61da280b8bfe98772fd04fe6db0",
    pubkey: "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    created_at: 1708773959,
    kind: 24242,
    tags: [
      ["t", "upload"],
      ["x", HASH_PDF],
      ["expiration", "1708858680"],
      ["server", "cdn.example.com"],
    ],
    content: "Upload bitcoin.pdf",
    sig: "f5f9213549f4bf8d256c32e923387f7ae18f6058190421610c6f19155320cdef9b160a0e5496b4fe8b5fe59f5256d2e107f8493a21b38b7a477b0273b378a2b0",
  },
  V2: {
    id: "537bb75ce6c0059cf4bced6e3e4d0e277e4dd414c75787796248eaaf89c27be2",
    pubkey: "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5",
    created_at: 1700000000,
    kind: 1,
    tags: [["t", "tëst"]],
    content: 'line1\nline2\t"quoted" back\\slash\r\b\f ü € 🌸 </script> \u0001',
    sig: "c52fd2deb21b3a29b414d58068e286a3bf6abd5272b4673c3e99af163c87534714041d8644d07ab930775913292ae2021485bfe8a61ea15fb4ad922db4b88cbc",
  },
  V3: {
    id: "7f1433dc90ca5201662b2d493c8ed440d8abf265fcaf9bd4a46a63da2aa24b4b",
    pubkey: "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9",
    created_at: 1710000000,
    kind: 1984,
    tags: [
      ["x", HASH_PDF, "malware"],
      ["e", "834185269f4ab72539193105060dbb1c8b2efd702d14481cea345c47beefe6eb", "malware"],
      ["server", `https://cdn.example.com/${HASH_PDF}.pdf`],
    ],
    content: "This file contains malware",
    sig: "0795d1c824c6985b189c0d21252286d6ad81c14f117d46cdb0ee1ca0ec5dd7262b4ae6407688b283b33ec22c606a6f69f382c55af44e7db8de3116b619f17dac",
  },
  V4: {
    id: "02f41a233d469c7e5edca20fda0bd7fa255a98b58520b830cfda9ff52a2cfb7f",
    pubkey: "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    created_at: 1682327852,
    kind: 27235,
    tags: [
      ["u", "https://cdn.example.com/n96"],
      ["method", "POST"],
      ["payload", HASH_PDF],
    ],
    content: "",
    sig: "b69994f40b9c1bccd7e7972a39fdab8c8316869a5de6da74da3877cba385461f47674ede6fd9d98ea6ceb620a0ee6289c3b8e9b8d8be6bbbe8400a4531944c5f",
  },
  V5: {
    id: "593fe1cf22ad16475bb79dca0dcd4c26b5567ba00ab775916b0eb014217bd9ef",
    pubkey: "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    created_at: 1708774469,
    kind: 24242,
    tags: [
      ["t", "delete"],
      ["x", HASH_PDF],
      ["x", HASH_EMPTY],
      ["expiration", "4102444800"],
    ],
    content: "Delete bitcoin.pdf",
    sig: "22caaad0e78ef89d001eed9fd4e7412913651f6c782a632e7f2ba86708bbe35647a94c5852e9f22e3c6a14429db85409b77f81b04ee0bf34cb7dd7ada1f02b46",
  },
  V6: {
    id: "737147bcf2642c94a1f4e581944cf775f634be8f7dffe212ae42130ead00eb85",
    pubkey: "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    created_at: 1708771227,
    kind: 24242,
    tags: [
      ["t", "get"],
      ["expiration", "4102444800"],
      ["server", "https://cdn.example.com/"],
    ],
    content: "Get files??? >>>",
    sig: "dca8b25c555358345348a81ff5cf3cb5fd6bf65b27455d00ebc257677f09c6f1c75c4e4b1ac762dc5b0befaed69063495e9d13dbcb0ebe2921859339ba94973b",
  },
};
