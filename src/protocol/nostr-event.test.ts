// NIP-01 vectors of nostr.md §9 (computed with noble and cross-checked with nostr-tools).
import { describe, expect, test } from "bun:test";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { nostrVectors } from "../../test/support/nostr.ts";
import { computeEventId, hasValidId, parseEventShape, verifySignature } from "./nostr-event.ts";

const { V1, V2 } = nostrVectors;

describe("N01: ids and signatures", () => {
  for (const [name, event] of Object.entries(nostrVectors)) {
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

  test("N01-01: the id is the hash of the compact serialization, never a pretty-printed one", () => {
    const pretty = JSON.stringify(
      [0, V1.pubkey, V1.created_at, V1.kind, V1.tags, V1.content],
      null,
      1,
    );
    expect(bytesToHex(sha256(utf8ToBytes(pretty)))).toBe(
      "e958a22226087ae537592db80779f482a9a72fecf399f65f93725ec378936594",
    );
    expect(computeEventId(V1)).toBe(V1.id);
  });

  test("N01-01: V2 escapes only what NIP-01 escapes (\\u00fc for ü would change the id)", () => {
    const serialized = JSON.stringify([0, V2.pubkey, V2.created_at, V2.kind, V2.tags, V2.content]);
    expect(serialized).toContain("ü € 🌸 </script> \\u0001");
    expect(utf8ToBytes(serialized).length).toBe(173);
    const escaped = serialized.replace(/ü/g, "\\u00fc").replace(/ë/g, "\\u00eb");
    expect(bytesToHex(sha256(utf8ToBytes(escaped)))).not.toBe(V2.id);
  });

  test("N01-05: an event whose id was edited fails the id check but not the shape check", () => {
    const edited = { ...V1, id: nostrVectors.V5.id };
    expect(parseEventShape(edited).ok).toBe(true);
    expect(hasValidId(edited)).toBe(false);
    expect(verifySignature(edited)).toBe(false);
  });

  test("N01-06: BIP-340 official vector #0 verifies (library sanity check)", () => {
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
    ["negative created_at", { ...V1, created_at: -1 }],
    ["unsafe integer created_at", { ...V1, created_at: 2 ** 53 }],
    ["missing sig", { ...V1, sig: undefined }],
    ["null", null],
    ["content over 16 KiB", { ...V1, content: "a".repeat(16 * 1024 + 1) }],
    ["tag value over 16 KiB", { ...V1, tags: [["t", "a".repeat(16 * 1024 + 1)]] }],
  ];
  for (const [name, json] of cases) {
    test(`N01-02…04: rejects ${name}`, () => {
      const result = parseEventShape(json);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.code).toBe("auth_invalid");
    });
  }

  test("N01-02…04: 1,000 tags and 16 KiB strings are still accepted", () => {
    const big = { ...V1, tags: Array.from({ length: 1000 }, () => ["t", "x"]) };
    expect(parseEventShape(big).ok).toBe(true);
    expect(parseEventShape({ ...V1, content: "a".repeat(16 * 1024) }).ok).toBe(true);
  });

  test("N01-07: unknown top-level fields are ignored", () => {
    const result = parseEventShape({ ...V1, extra: "ignored" });
    expect(result.ok && result.event).toEqual(V1);
  });
});
