import { expect, test } from "bun:test";
import { acceptRequestId, createRequestIdGenerator } from "./request-id.ts";

test("generated ids are short, safe to echo, and unique within a process", () => {
  const ids = createRequestIdGenerator();
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const id = ids.next();
    expect(acceptRequestId(id)).toBe(id);
    seen.add(id);
  }
  expect(seen.size).toBe(10_000);
  expect(ids.next().length).toBeLessThanOrEqual(16);
});

test("an incoming X-Request-Id is kept only if it is 1–64 chars of [A-Za-z0-9._-]", () => {
  const cases: Array<[string | null, string | null]> = [
    ["abc-123_x.y", "abc-123_x.y"],
    ["a".repeat(64), "a".repeat(64)],
    ["a".repeat(65), null],
    ["", null],
    [null, null],
    ["has space", null],
    ["line\nbreak", null],
    ['quote"', null],
    ["ünïcode", null],
  ];
  expect(cases.map(([header]) => acceptRequestId(header))).toEqual(cases.map(([, want]) => want));
});
