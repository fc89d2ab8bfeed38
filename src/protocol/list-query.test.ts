import { expect, test } from "bun:test";
import { BlossomError } from "./errors.ts";
import { parseListRequest } from "./list-query.ts";

const PK = "a".repeat(64);
const H = "b".repeat(64);
const parse = (query: string, pubkey = PK) => parseListRequest(pubkey, new URLSearchParams(query));

test("B12-04, P-16: defaults and clamping", () => {
  expect(parse("")).toEqual({ pubkey: PK, query: { limit: 100 } });
  expect(parse("limit=5000").query.limit).toBe(1000);
  expect(parse(`cursor=${H.toUpperCase()}&limit=2&since=10&until=20`)).toEqual({
    pubkey: PK,
    query: { limit: 2, cursor: H, sinceSec: 10, untilSec: 20 },
  });
  expect(parse("", PK.toUpperCase()).pubkey).toBe(PK);
});

test("B12-09, P-16: malformed parameters → 400", () => {
  for (const query of [
    "limit=0",
    "limit=-1",
    "limit=abc",
    "cursor=xyz",
    "since=1.5",
    "until=-3",
    "limit=1e3",
  ]) {
    expect(() => parse(query)).toThrow(BlossomError);
  }
  expect(() => parse("", "npub1xyz")).toThrow(BlossomError); // B12-01: hex only
});

test("B12-05, P-16: limit bounds and zero timestamps", () => {
  expect(parse("limit=1").query.limit).toBe(1);
  expect(parse("limit=1000").query.limit).toBe(1000);
  expect(parse("since=0&until=0").query).toEqual({ limit: 100, sinceSec: 0, untilSec: 0 });
});

test("B12-01, P-16: the path pubkey must be exactly 64 hex", () => {
  for (const pubkey of [PK.slice(1), `${PK}0`, "", `${PK.slice(2)}zz`]) {
    expect(() => parse("", pubkey)).toThrow(BlossomError);
  }
  expect(() => parse(`cursor=${H.slice(1)}`)).toThrow(BlossomError);
});
