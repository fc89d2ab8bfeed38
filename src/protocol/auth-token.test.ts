// BUD-11 token rules, one broken at a time (reliability S4 at the protocol level), and the
// decoding variants of P-05 with the vectors of nostr.md §9.
import { describe, expect, test } from "bun:test";
import { encodeToken, signEvent, testKeys, tokenEvent } from "../../test/support/nostr.ts";
import {
  checkImpliedHash,
  checkToken,
  normaliseServerTag,
  parseAuthHeader,
  type TokenNeed,
} from "./auth-token.ts";
import type { NostrEvent } from "./nostr-event.ts";

const NOW = 1_800_000_000;
const HASH = "b1674191a88ec5cdd733e4240a81803105dc412d6c6708d53ab94fc248f4f553";
const OTHER = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const need: TokenNeed = {
  verb: "upload",
  serverNames: ["cdn.example.com"],
  clockSkewSec: 60,
  xRequired: true,
};

function withTags(tags: string[][], overrides: Partial<NostrEvent> = {}): NostrEvent {
  return signEvent(testKeys.alice, {
    kind: 24242,
    created_at: NOW - 10,
    tags,
    content: "test",
    ...overrides,
  });
}

const valid = [
  ["t", "upload"],
  ["x", HASH],
  ["expiration", String(NOW + 600)],
];

describe("B11 checks (steps 3–8), each rule broken alone", () => {
  const cases: Array<[string, NostrEvent, Partial<TokenNeed>, string | null]> = [
    ["accepts a valid token", withTags(valid), {}, null],
    ["B11-10: kind other than 24242", withTags(valid, { kind: 24243 }), {}, "kind"],
    [
      "B11-11, P-07: created_at 120 s in the future",
      withTags(valid, { created_at: NOW + 120 }),
      {},
      "future",
    ],
    [
      "P-07: created_at 59 s in the future is within the skew",
      withTags(valid, { created_at: NOW + 59 }),
      {},
      null,
    ],
    [
      "P-08: an old created_at is fine",
      withTags(valid, { created_at: NOW - 86_400 * 30 }),
      {},
      null,
    ],
    [
      "B11-12: no expiration",
      withTags([
        ["t", "upload"],
        ["x", HASH],
      ]),
      {},
      "expiration",
    ],
    [
      "B11-12: expiration in the past",
      withTags([
        ["t", "upload"],
        ["x", HASH],
        ["expiration", String(NOW - 1)],
      ]),
      {},
      "expired",
    ],
    [
      "B11-12: expiration equal to now",
      withTags([
        ["t", "upload"],
        ["x", HASH],
        ["expiration", String(NOW)],
      ]),
      {},
      "expired",
    ],
    [
      "P-09: expiration not numeric",
      withTags([
        ["t", "upload"],
        ["x", HASH],
        ["expiration", "x"],
      ]),
      {},
      "expiration",
    ],
    [
      "P-09: expiration 1e10",
      withTags([
        ["t", "upload"],
        ["x", HASH],
        ["expiration", "1e10"],
      ]),
      {},
      "expiration",
    ],
    [
      "P-09: expiration in milliseconds",
      withTags([
        ["t", "upload"],
        ["x", HASH],
        ["expiration", String(NOW * 1000)],
      ]),
      {},
      "expiration",
    ],
    [
      "P-09: two expiration tags",
      withTags([...valid, ["expiration", String(NOW + 5)]]),
      {},
      "expiration",
    ],
    [
      "B11-13: t verb mismatch",
      withTags([
        ["t", "delete"],
        ["x", HASH],
        ["expiration", String(NOW + 600)],
      ]),
      {},
      "allow upload",
    ],
    ["P-10b: any of several t tags grants the verb", withTags([["t", "get"], ...valid]), {}, null],
    [
      "B11-14: server tag for another domain",
      withTags([...valid, ["server", "other.example.com"]]),
      {},
      "server",
    ],
    [
      "B11-14, P-06: server tag as a legacy URL",
      withTags([...valid, ["server", "https://CDN.example.com:443/"]]),
      {},
      null,
    ],
    [
      "B11-06: one of several server tags matches",
      withTags([...valid, ["server", "a.test"], ["server", "cdn.example.com"]]),
      {},
      null,
    ],
    [
      "B11-15: x missing on an endpoint that requires it",
      withTags([
        ["t", "upload"],
        ["expiration", String(NOW + 600)],
      ]),
      { impliedSha256: HASH },
      "x tags",
    ],
    ["B11-15: x mismatch", withTags(valid), { impliedSha256: OTHER }, "x tags"],
    ["B11-15: x match", withTags(valid), { impliedSha256: HASH }, null],
    [
      "B11-08: optional x, present and different",
      withTags(valid),
      { impliedSha256: OTHER, xRequired: false },
      "x tags",
    ],
    [
      "B11-08: optional x, absent",
      withTags([
        ["t", "upload"],
        ["expiration", String(NOW + 600)],
      ]),
      { impliedSha256: OTHER, xRequired: false },
      null,
    ],
  ];
  for (const [name, event, extra, reason] of cases) {
    test(name, () => {
      const result = checkToken(event, { ...need, ...extra }, NOW);
      if (reason === null) {
        expect(result.ok).toBe(true);
      } else {
        expect(result).toMatchObject({ ok: false, code: "auth_invalid" });
        if (!result.ok) expect(result.reason).toContain(reason);
      }
    });
  }

  test("B11-15: checkImpliedHash runs step 8 alone after the body is hashed", () => {
    const result = checkToken(withTags(valid), need, NOW);
    if (!result.ok) throw new Error(result.reason);
    expect(checkImpliedHash(result.token, HASH, true).ok).toBe(true);
    expect(checkImpliedHash(result.token, OTHER, true).ok).toBe(false);
  });
});

describe("P-05: the Authorization header", () => {
  const event = tokenEvent(testKeys.bob, { verb: "get", nowSec: NOW });
  const json = Buffer.from(JSON.stringify(event));
  const variants = {
    "base64url without padding": json.toString("base64url"),
    "base64url with padding": json
      .toString("base64url")
      .padEnd(Math.ceil(json.length / 3) * 4, "="),
    "standard base64 with padding": json.toString("base64"),
    "standard base64 without padding": json.toString("base64").replace(/=+$/, ""),
  };
  for (const [name, payload] of Object.entries(variants)) {
    test(`P-05: accepts ${name}`, () => {
      expect(parseAuthHeader(`Nostr ${payload}`)).toEqual({ ok: true, event });
      expect(parseAuthHeader(`nostr ${payload}`)).toEqual({ ok: true, event });
    });
  }

  test("B11-09, V6: the four encodings of the spec vector decode to the same event", () => {
    const standard =
      "eyJpZCI6IjczNzE0N2JjZjI2NDJjOTRhMWY0ZTU4MTk0NGNmNzc1ZjYzNGJlOGY3ZGZmZTIxMmFlNDIxMzBlYWQwMGViODUiLCJwdWJrZXkiOiI3OWJlNjY3ZWY5ZGNiYmFjNTVhMDYyOTVjZTg3MGIwNzAyOWJmY2RiMmRjZTI4ZDk1OWYyODE1YjE2ZjgxNzk4IiwiY3JlYXRlZF9hdCI6MTcwODc3MTIyNywia2luZCI6MjQyNDIsInRhZ3MiOltbInQiLCJnZXQiXSxbImV4cGlyYXRpb24iLCI0MTAyNDQ0ODAwIl0sWyJzZXJ2ZXIiLCJodHRwczovL2Nkbi5leGFtcGxlLmNvbS8iXV0sImNvbnRlbnQiOiJHZXQgZmlsZXM/Pz8gPj4+Iiwic2lnIjoiZGNhOGIyNWM1NTUzNTgzNDUzNDhhODFmZjVjZjNjYjVmZDZiZjY1YjI3NDU1ZDAwZWJjMjU3Njc3ZjA5YzZmMWM3NWM0ZTRiMWFjNzYyZGM1YjBiZWZhZWQ2OTA2MzQ5NWU5ZDEzZGJjYjBlYmUyOTIxODU5MzM5YmE5NDk3M2IifQ==";
    const url = standard.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const a = parseAuthHeader(`Nostr ${standard}`);
    const b = parseAuthHeader(`Nostr ${url}`);
    expect(a.ok && a.event.id).toBe(
      "737147bcf2642c94a1f4e581944cf775f634be8f7dffe212ae42130ead00eb85",
    );
    expect(b).toEqual(a);
    if (!a.ok) return;
    const checked = checkToken(a.event, { ...need, verb: "get", xRequired: false }, 1708800000);
    expect(checked.ok).toBe(true); // the URL-form server tag normalises to cdn.example.com (P-06)
  });

  const bad: Array<[string, string | null, string]> = [
    ["missing header", null, "auth_required"],
    ["empty header", "", "auth_required"],
    ["other scheme", `Bearer ${variants["standard base64 with padding"]}`, "auth_invalid"],
    ["no payload", "Nostr", "auth_invalid"],
    ["not base64", "Nostr !!!!", "auth_invalid"],
    ["base64 of not JSON", `Nostr ${Buffer.from("hello").toString("base64")}`, "auth_invalid"],
    [
      "JSON of the wrong shape",
      `Nostr ${Buffer.from('{"kind":24242}').toString("base64")}`,
      "auth_invalid",
    ],
    ["over 16 KiB decoded", `Nostr ${"A".repeat(30_000)}`, "auth_invalid"],
  ];
  for (const [name, header, code] of bad) {
    test(`P-05: ${name} → ${code}`, () => {
      expect(parseAuthHeader(header)).toMatchObject({ ok: false, code });
    });
  }

  test("P-05: encodeToken of the test support round-trips", () => {
    expect(parseAuthHeader(encodeToken(event, "base64"))).toEqual({ ok: true, event });
  });
});

describe("P-06: server tag normalisation", () => {
  const cases: Array<[string, string]> = [
    ["cdn.example.com", "cdn.example.com"],
    [" CDN.Example.com ", "cdn.example.com"],
    ["https://cdn.example.com/", "cdn.example.com"],
    ["http://cdn.example.com:8080/path", "cdn.example.com"],
    ["cdn.example.com:3000", "cdn.example.com"],
    ["cdn.example.com/upload", "cdn.example.com"],
    ["www.cdn.example.com", "www.cdn.example.com"],
  ];
  for (const [input, expected] of cases) {
    test(`P-06: ${JSON.stringify(input)} → ${expected}`, () => {
      expect(normaliseServerTag(input)).toBe(expected);
    });
  }
});
