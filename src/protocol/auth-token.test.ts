// BUD-11 token rules, one broken at a time (reliability S4 at the protocol level), and the
// decoding variants of P-05 with the vectors of nostr.md §9. Steps 9–10 are in
// auth-token-signature.test.ts, the server names of P-06 in auth-token-server.test.ts.
import { describe, expect, test } from "bun:test";
import {
  encodeToken,
  nostrVectors,
  signEvent,
  testKeys,
  tokenEvent,
} from "../../test/support/nostr.ts";
import {
  checkImpliedHash,
  checkToken,
  parseAuthHeader,
  type TokenNeed,
  verifyTokenSignatureSync,
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

const T_UPLOAD = ["t", "upload"];
const X_HASH = ["x", HASH];
const expiresAt = (value: string | number) => ["expiration", String(value)];
const valid = [T_UPLOAD, X_HASH, expiresAt(NOW + 600)];
const withoutX = [T_UPLOAD, expiresAt(NOW + 600)];
const server = (name: string) => ["server", name];

describe("B11 checks (steps 3–8), each rule broken alone", () => {
  type Row = [string, NostrEvent, Partial<TokenNeed>, string | null];
  const cases: Row[] = [
    ["B11-10…B11-15: accepts a valid token", withTags(valid), {}, null],
    ["B11-10: kind other than 24242", withTags(valid, { kind: 24243 }), {}, "kind"],
    [
      "B11-11, P-07: created_at 120 s ahead",
      withTags(valid, { created_at: NOW + 120 }),
      {},
      "future",
    ],
    [
      "P-07: created_at 59 s ahead is within the skew",
      withTags(valid, { created_at: NOW + 59 }),
      {},
      null,
    ],
    [
      "P-08: a month-old created_at is fine",
      withTags(valid, { created_at: NOW - 2_592_000 }),
      {},
      null,
    ],
    ["B11-12: no expiration", withTags([T_UPLOAD, X_HASH]), {}, "expiration"],
    [
      "B11-12: expiration in the past",
      withTags([T_UPLOAD, X_HASH, expiresAt(NOW - 1)]),
      {},
      "expired",
    ],
    [
      "B11-12: expiration equal to now",
      withTags([T_UPLOAD, X_HASH, expiresAt(NOW)]),
      {},
      "expired",
    ],
    [
      "P-09: expiration not numeric",
      withTags([T_UPLOAD, X_HASH, expiresAt("x")]),
      {},
      "expiration",
    ],
    ["P-09: expiration 1e10", withTags([T_UPLOAD, X_HASH, expiresAt("1e10")]), {}, "expiration"],
    [
      "P-09, A3: expiration in ms",
      withTags([T_UPLOAD, X_HASH, expiresAt(NOW * 1000)]),
      {},
      "expiration",
    ],
    [
      "P-09: expiration with a sign",
      withTags([T_UPLOAD, X_HASH, expiresAt("+1900000000")]),
      {},
      "expiration",
    ],
    ["P-09: two expiration tags", withTags([...valid, expiresAt(NOW + 5)]), {}, "expiration"],
    [
      "B11-13: t verb mismatch",
      withTags([["t", "delete"], X_HASH, expiresAt(NOW + 600)]),
      {},
      "allow upload",
    ],
    ["B11-13: no t tag", withTags([X_HASH, expiresAt(NOW + 600)]), {}, "allow upload"],
    ["P-10b: any of several t tags grants the verb", withTags([["t", "get"], ...valid]), {}, null],
    [
      "B11-14: server tag for another domain",
      withTags([...valid, server("other.test")]),
      {},
      "server",
    ],
    [
      "B11-14, P-06: legacy URL server tag",
      withTags([...valid, server("https://CDN.example.com:443/")]),
      {},
      null,
    ],
    [
      "P-06: www. is not stripped",
      withTags([...valid, server("www.cdn.example.com")]),
      {},
      "server",
    ],
    [
      "B11-06: one of several server tags",
      withTags([...valid, server("a.test"), server("cdn.example.com")]),
      {},
      null,
    ],
    ["B11-15: x missing where required", withTags(withoutX), { impliedSha256: HASH }, "x tags"],
    ["B11-15: x mismatch", withTags(valid), { impliedSha256: OTHER }, "x tags"],
    ["B11-15: x match", withTags(valid), { impliedSha256: HASH }, null],
    [
      "B11-15: x upper-case in the tag still matches",
      withTags([T_UPLOAD, ["x", HASH.toUpperCase()], expiresAt(NOW + 1)]),
      { impliedSha256: HASH },
      null,
    ],
    [
      "B11-08: optional x, present and different",
      withTags(valid),
      { impliedSha256: OTHER, xRequired: false },
      "x tags",
    ],
    [
      "B11-08: optional x, absent",
      withTags(withoutX),
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
    const url = standard.replace(/\+/g, "-").replace(/\//g, "_");
    expect(standard).toMatch(/[+/]/); // the vector exercises both alphabets
    const encodings = [standard, standard.replace(/=+$/, ""), url, url.replace(/=+$/, "")];
    for (const payload of encodings) {
      expect(parseAuthHeader(`Nostr ${payload}`)).toEqual({ ok: true, event: nostrVectors.V6 });
    }
    const a = parseAuthHeader(`Nostr ${standard}`);
    if (!a.ok) throw new Error(a.reason);
    expect(verifyTokenSignatureSync(a.event)).toEqual({ ok: true });
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

describe("B11-16: the vectors of nostr.md §9 through the whole check", () => {
  const { V1, V5 } = nostrVectors;
  const V1_NOW = 1708800000; // V1 is valid at this fake time only (it expired in 2024)
  const v1Need: TokenNeed = { ...need, impliedSha256: HASH };

  test("B11-16, V1: the spec-form header decodes, passes steps 3–10 on cdn.example.com", () => {
    const header = `Nostr ${Buffer.from(JSON.stringify(V1)).toString("base64url")}`;
    const parsed = parseAuthHeader(header);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.event).toEqual(V1);
    const checked = checkToken(parsed.event, v1Need, V1_NOW);
    if (!checked.ok) throw new Error(checked.reason);
    expect(checked.token).toMatchObject({
      id: V1.id,
      pubkey: V1.pubkey,
      createdAtSec: 1708773959,
      expiresAtSec: 1708858680,
      verbs: ["upload"],
      xs: [HASH],
      servers: ["cdn.example.com"],
    });
    expect(verifyTokenSignatureSync(parsed.event)).toEqual({ ok: true });
  });

  const v1Failures: Array<[string, Partial<TokenNeed>, number, string]> = [
    ["B11-14: V1 on another host", { serverNames: ["other.example.com"] }, V1_NOW, "server"],
    ["B11-13: V1 for a verb other than upload", { verb: "media" }, V1_NOW, "allow media"],
    ["B11-15: V1 with another X-SHA-256", { impliedSha256: OTHER }, V1_NOW, `include ${OTHER}`],
    ["B11-12: V1 at its expiration time", {}, 1708858680, "token expired"],
  ];
  for (const [name, extra, nowSec, reason] of v1Failures) {
    test(name, () => {
      expect(checkToken(V1, { ...v1Need, ...extra }, nowSec)).toEqual({
        ok: false,
        code: "auth_invalid",
        reason: expect.stringContaining(reason),
      });
    });
  }

  const v5Cases: Array<[string, string, boolean]> = [
    ["B11-08, V5: a delete token with two x tags allows the first hash", HASH, true],
    ["B11-08, V5: … and the second (the empty blob)", OTHER, true],
    ["B11-08, V5: … and no other hash", "c".repeat(64), false],
  ];
  for (const [name, implied, ok] of v5Cases) {
    test(name, () => {
      const result = checkToken(V5, { ...need, verb: "delete", impliedSha256: implied }, NOW);
      expect(result.ok).toBe(ok);
    });
  }

  test("B11-06, V5: no server tag means any server", () => {
    const elsewhere = { ...need, verb: "delete" as const, serverNames: ["x.test"] };
    expect(checkToken(V5, elsewhere, NOW).ok).toBe(true);
  });
});

describe("S4: token faults end in auth_invalid with a short ASCII reason", () => {
  const event = tokenEvent(testKeys.alice, { verb: "upload", x: [HASH], nowSec: NOW });
  const encode = (value: unknown) =>
    `Nostr ${Buffer.from(JSON.stringify(value)).toString("base64url")}`;
  const headers: Array<[string, string]> = [
    ["S4: tags not an array", encode({ ...event, tags: "t" })],
    ["S4: a tag not an array", encode({ ...event, tags: [null] })],
    ["S4: a number where a tag value belongs", encode({ ...event, tags: [["t", 5]] })],
    ["S4: an upper-case id", encode({ ...event, id: event.id.toUpperCase() })],
    ["S4: created_at as a string", encode({ ...event, created_at: String(NOW) })],
    ["S4: JSON that is an array", encode([event])],
    ["S4: a bare scheme with spaces", "Nostr    "],
    ["S4: two payloads", `Nostr ${encode(event).slice(6)} extra`],
  ];
  for (const [name, header] of headers) {
    test(name, () => {
      const result = parseAuthHeader(header);
      expect(result).toMatchObject({ ok: false, code: "auth_invalid" });
      if (!result.ok) expect(result.reason).toMatch(/^[\x20-\x7e]{1,100}$/);
    });
  }

  test("S4: every checkToken rejection reason is printable ASCII", () => {
    const broken: Array<[NostrEvent, Partial<TokenNeed>]> = [
      [{ ...event, kind: 1 }, {}],
      [{ ...event, created_at: NOW + 3600 }, {}],
      [{ ...event, tags: [["t", "upload"]] }, {}],
      [
        {
          ...event,
          tags: [
            ["t", "upload"],
            ["expiration", "soon"],
          ],
        },
        {},
      ],
      [event, { verb: "delete" }],
      [event, { serverNames: [] }],
      [event, { impliedSha256: OTHER }],
    ];
    for (const [candidate, extra] of broken) {
      const withServer = { ...candidate, tags: [...candidate.tags, ["server", "cdn.example.com"]] };
      const result = checkToken(withServer, { ...need, ...extra }, NOW);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/^[\x20-\x7e]{1,100}$/);
    }
  });

  test("B11-15: x missing or mismatched on delete and on a mirror-style late check", () => {
    const noX = tokenEvent(testKeys.alice, { verb: "delete", nowSec: NOW });
    const deleteNeed = { ...need, verb: "delete" as const, impliedSha256: HASH };
    expect(checkToken(noX, deleteNeed, NOW).ok).toBe(false);
    const mirror = checkToken(event, need, NOW); // mirror: hash known only after the download
    if (!mirror.ok) throw new Error(mirror.reason);
    expect(checkImpliedHash(mirror.token, OTHER, true)).toMatchObject({ ok: false });
    expect(checkImpliedHash(mirror.token, HASH, true)).toEqual({ ok: true });
  });

  test("B11-13: a verb only in a second tag value does not count", () => {
    const odd = signEvent(testKeys.alice, {
      kind: 24242,
      created_at: NOW - 1,
      tags: [
        ["t", "get", "upload"],
        ["expiration", String(NOW + 60)],
      ],
      content: "",
    });
    expect(checkToken(odd, { ...need, xRequired: false }, NOW)).toMatchObject({ ok: false });
  });

  test("B11-02, P-09: empty content is accepted", () => {
    const empty = tokenEvent(testKeys.alice, { verb: "upload", content: "", nowSec: NOW });
    expect(checkToken(empty, { ...need, xRequired: false }, NOW).ok).toBe(true);
  });
});
