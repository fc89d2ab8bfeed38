// NIP-01 vectors of nostr.md §9 (computed with noble and cross-checked with nostr-tools).
import { describe, expect, test } from "bun:test";
import {
  computeEventId,
  hasValidId,
  type NostrEvent,
  parseEventShape,
  verifySignature,
} from "./nostr-event.ts";

const V1: NostrEvent = {
  id: "415bf9f0931e9a7604d0aff5626b128ce7eaf61da280b8bfe98772fd04fe6db0",
  pubkey: "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
  created_at: 1708773959,
  kind: 24242,
  tags: [
    ["t", "upload"],
    ["x", "b1674191a88ec5cdd733e4240a81803105dc412d6c6708d53ab94fc248f4f553"],
    ["expiration", "1708858680"],
    ["server", "cdn.example.com"],
  ],
  content: "Upload bitcoin.pdf",
  sig: "f5f9213549f4bf8d256c32e923387f7ae18f6058190421610c6f19155320cdef9b160a0e5496b4fe8b5fe59f5256d2e107f8493a21b38b7a477b0273b378a2b0",
};

const V2: NostrEvent = {
  id: "537bb75ce6c0059cf4bced6e3e4d0e277e4dd414c75787796248eaaf89c27be2",
  pubkey: "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5",
  created_at: 1700000000,
  kind: 1,
  tags: [["t", "tëst"]],
  content: 'line1\nline2\t"quoted" back\\slash\r\b\f ü € 🌸 </script> \u0001',
  sig: "c52fd2deb21b3a29b414d58068e286a3bf6abd5272b4673c3e99af163c87534714041d8644d07ab930775913292ae2021485bfe8a61ea15fb4ad922db4b88cbc",
};

const V3: NostrEvent = {
  id: "7f1433dc90ca5201662b2d493c8ed440d8abf265fcaf9bd4a46a63da2aa24b4b",
  pubkey: "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9",
  created_at: 1710000000,
  kind: 1984,
  tags: [
    ["x", "b1674191a88ec5cdd733e4240a81803105dc412d6c6708d53ab94fc248f4f553", "malware"],
    ["e", "834185269f4ab72539193105060dbb1c8b2efd702d14481cea345c47beefe6eb", "malware"],
    [
      "server",
      "https://cdn.example.com/b1674191a88ec5cdd733e4240a81803105dc412d6c6708d53ab94fc248f4f553.pdf",
    ],
  ],
  content: "This file contains malware",
  sig: "0795d1c824c6985b189c0d21252286d6ad81c14f117d46cdb0ee1ca0ec5dd7262b4ae6407688b283b33ec22c606a6f69f382c55af44e7db8de3116b619f17dac",
};

describe("N01: ids and signatures", () => {
  for (const [name, event] of [
    ["V1", V1],
    ["V2", V2],
    ["V3", V3],
  ] as const) {
    test(`N01-05, N01-06: ${name} id recomputes and its signature verifies`, () => {
      expect(computeEventId(event)).toBe(event.id);
      expect(hasValidId(event)).toBe(true);
      expect(verifySignature(event)).toBe(true);
    });
  }

  test("N01-05: one trailing space in content changes the id (V1 negative)", () => {
    const changed = { ...V1, content: "Upload bitcoin.pdf " };
    expect(computeEventId(changed)).toBe(
      "36b70695cd9bd504a1c8e36ceb5d9a1821d5d094f4750c31a05133d2c9501b6a",
    );
    expect(hasValidId(changed)).toBe(false);
    expect(verifySignature({ ...changed, id: computeEventId(changed) })).toBe(false);
  });

  test("N01-06: a tampered signature and a pubkey off the curve fail without throwing", () => {
    const flipped = `${V1.sig.slice(0, 127)}${V1.sig.endsWith("0") ? "1" : "0"}`;
    expect(verifySignature({ ...V1, sig: flipped })).toBe(false);
    expect(verifySignature({ ...V1, pubkey: "f".repeat(64) })).toBe(false);
  });

  test("BIP-340 official vector #0 verifies (library sanity check)", () => {
    expect(
      verifySignature({
        id: "0".repeat(64),
        pubkey: "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9",
        sig: "e907831f80848d1069a5371b402410364bdf1c5f8307b0084c55f1ce2dca821525f66a4a85ea8b71e482a74f382d2ce5ebeee8fdb2172f477df4900d310536c0",
      }),
    ).toBe(true);
  });
});

describe("N01-02…N01-04: shape", () => {
  const cases: Array<[string, unknown]> = [
    ["not an object", [1, 2]],
    ["upper-case id", { ...V1, id: V1.id.toUpperCase() }],
    ["short pubkey", { ...V1, pubkey: "ab" }],
    ["sig of 127 chars", { ...V1, sig: V1.sig.slice(1) }],
    ["float created_at", { ...V1, created_at: 1700000000.5 }],
    ["string kind", { ...V1, kind: "24242" }],
    ["kind out of range", { ...V1, kind: 70000 }],
    ["tags not an array", { ...V1, tags: {} }],
    ["tag not an array", { ...V1, tags: ["t"] }],
    ["tag with a number", { ...V1, tags: [["t", 1]] }],
    ["empty tag", { ...V1, tags: [[]] }],
    ["null tag", { ...V1, tags: [null] }],
    ["content not a string", { ...V1, content: 5 }],
    ["too many tags", { ...V1, tags: Array.from({ length: 1001 }, () => ["t", "x"]) }],
  ];
  for (const [name, json] of cases) {
    test(`N01-02…04: rejects ${name}`, () => {
      const result = parseEventShape(json);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.code).toBe("auth_invalid");
    });
  }

  test("N01-07: unknown top-level fields are ignored", () => {
    const result = parseEventShape({ ...V1, extra: "ignored" });
    expect(result.ok && result.event).toEqual(V1);
  });
});
