import { expect, test } from "bun:test";
import { parseRange, type RangeResult } from "./range.ts";

// blossom.md §3.5 / P-25 on an 11-byte blob unless said otherwise.
const cases: Array<[string | null, number, RangeResult]> = [
  [null, 11, { kind: "full" }],
  ["bytes=0-4", 11, { kind: "partial", start: 0, end: 4 }],
  ["bytes=5-", 11, { kind: "partial", start: 5, end: 10 }],
  ["bytes=-3", 11, { kind: "partial", start: 8, end: 10 }],
  ["bytes=3-100", 11, { kind: "partial", start: 3, end: 10 }],
  ["bytes=-100", 11, { kind: "partial", start: 0, end: 10 }],
  ["bytes=20-30", 11, { kind: "unsatisfiable" }],
  ["bytes=11-", 11, { kind: "unsatisfiable" }],
  ["bytes=-0", 11, { kind: "unsatisfiable" }],
  ["bytes=3-2", 11, { kind: "full" }],
  ["bytes=abc", 11, { kind: "full" }],
  ["bytes=0-1,3-4", 11, { kind: "full" }],
  ["items=0-1", 11, { kind: "full" }],
  ["bytes=-", 11, { kind: "full" }],
  ["bytes=0-5", 0, { kind: "full" }],
  ["bytes=0-10", 11, { kind: "partial", start: 0, end: 10 }],
  ["bytes=10-10", 11, { kind: "partial", start: 10, end: 10 }],
  ["bytes=-11", 11, { kind: "partial", start: 0, end: 10 }],
  ["Bytes=0-0", 11, { kind: "partial", start: 0, end: 0 }],
  [" bytes=1-2 ", 11, { kind: "partial", start: 1, end: 2 }],
  ["bytes=99999999999999999999-", 11, { kind: "unsatisfiable" }],
  ["bytes=0-99999999999999999999", 11, { kind: "partial", start: 0, end: 10 }],
  ["bytes=1-2, 4-5", 11, { kind: "full" }],
  ["bytes=-1-2", 11, { kind: "full" }],
  ["bytes=0x1-2", 11, { kind: "full" }],
  ["bytes=-", 0, { kind: "full" }],
  ["", 11, { kind: "full" }],
];

for (const [header, size, expected] of cases) {
  test(`P-25: ${JSON.stringify(header)} on ${size} bytes → ${expected.kind}`, () => {
    expect(parseRange(header, size)).toEqual(expected);
  });
}
