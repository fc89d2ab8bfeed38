// RFC 9110 single byte ranges, exactly as blossom.md §3.5 and P-25 fix them.

export type RangeResult =
  | { kind: "full" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/i; // the range unit is case-insensitive (RFC 9110 §14.1)

export function parseRange(header: string | null | undefined, size: number): RangeResult {
  if (header === null || header === undefined || size === 0) return { kind: "full" };
  const match = SINGLE_RANGE.exec(header.trim()); // multi-range and junk: ignored → 200
  if (match === null) return { kind: "full" };
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return { kind: "full" };
  if (first === "") {
    const suffix = Number(last); // bytes=-n: the last n bytes, all of them if n > size
    if (suffix === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return { kind: "full" }; // bytes=3-2 is invalid: ignore it
  if (start >= size) return { kind: "unsatisfiable" };
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: "partial", start, end };
}
