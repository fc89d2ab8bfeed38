import { expect, test } from "bun:test";
import fc from "fast-check";
import { BlossomError } from "./errors.ts";
import {
  blobHashOfSegment,
  isSha256,
  lastSha256In,
  parseBlobPath,
  parseSha256Header,
} from "./sha256.ts";

const H = "b1674191a88ec5cdd733e4240a81803105dc412d6c6708d53ab94fc248f4f553";

const paths: Array<[string, ReturnType<typeof parseBlobPath>["kind"], string | null]> = [
  [`/${H}`, "blob", null],
  [`/${H}.pdf`, "blob", "pdf"],
  [`/${H.toUpperCase()}.PNG`, "blob", "PNG"],
  [`/${H}.tar.gz`, "blob", "tar.gz"],
  [`/${H}foo`, "malformed", null],
  [`/${H}.`, "malformed", null],
  [`/${H}.%2e%2e`, "malformed", null],
  [`/${H}%00`, "malformed", null],
  [`/${H.slice(1)}`, "other", null],
  [`/${H}/x`, "other", null],
  ["/..%2f..%2fetc%2fpasswd", "other", null],
  ["/favicon.ico", "other", null],
  [`/${H}.${"a".repeat(32)}`, "blob", "a".repeat(32)],
  [`/${H}.${"a".repeat(33)}`, "malformed", null],
  [`/${H}._x`, "malformed", null],
  [`/${H}.x_-.9`, "blob", "x_-.9"],
  [`/${H}?x=1`, "malformed", null],
  [`/${H}0`, "malformed", null],
  [`/${H}.pdf/`, "other", null],
  [`//${H}`, "other", null],
  [`/upload`, "other", null],
  ["/", "other", null],
  // RFC 3986 §6.2.2.2: a percent-encoded unreserved character is that character; others stay.
  [`/%62${H.slice(1)}`, "blob", null],
  [`/${H}.p%6Eg`, "blob", "png"],
  [`/${H}%2Epdf`, "blob", "pdf"],
  [`/${H}%2fx`, "malformed", null],
  [`/${H}%252e`, "malformed", null],
];

/** Names tests by the part that differs: the hash as <hash> (or <HASH>), the tail verbatim. */
const shorten = (path: string) =>
  path.replace(H, "<hash>").replace(H.toUpperCase(), "<HASH>").replace(H.slice(1), "<63 hex>");

for (const [path, kind, ext] of paths) {
  test(`P-01: ${shorten(path)} → ${kind}`, () => {
    const parsed = parseBlobPath(path);
    expect(parsed.kind).toBe(kind);
    if (parsed.kind === "blob") {
      expect(parsed.sha256).toBe(H);
      expect(parsed.ext).toBe(ext);
    }
  });
}

/** What a router's parameter holds for a raw segment, or undefined when it cannot be decoded. */
function decodedSegment(rawPath: string): string | undefined {
  try {
    return decodeURIComponent(rawPath.slice(1));
  } catch {
    return undefined;
  }
}

test("P-01: a decoded segment is a blob name exactly when its raw path is a blob path", () => {
  for (const [path, kind] of paths.filter(([path]) => !/[?/]/.test(path.slice(1)))) {
    const decoded = decodedSegment(path);
    const hash = decoded === undefined ? undefined : blobHashOfSegment(decoded);
    expect({ path, hash }).toEqual({ path, hash: kind === "blob" ? H : undefined });
  }
});

test("P-01: whatever a segment decodes to, the hot path never names a blob the raw path does not", () => {
  const octet = fc
    .integer({ min: 0, max: 255 })
    .map((byte) => `%${byte.toString(16).padStart(2, "0")}`);
  const piece = fc.oneof(
    fc.string({ maxLength: 3 }),
    octet,
    fc.constantFrom(".", "%2e", "%2E", "/"),
  );
  const raw = fc
    .tuple(fc.constantFrom(H, H.toUpperCase(), H.slice(1)), fc.array(piece, { maxLength: 6 }))
    .map(([hash, tail]) => `/${hash}${tail.join("")}`);
  fc.assert(
    fc.property(raw, (path) => {
      const decoded = decodedSegment(path);
      const hot = decoded === undefined ? undefined : blobHashOfSegment(decoded);
      if (hot === undefined) return;
      const parsed = parseBlobPath(path);
      expect(parsed.kind === "blob" ? parsed.sha256 : parsed.kind).toBe(hot);
    }),
    { numRuns: 5_000, seed: 7 },
  );
});

test("B02-10: X-SHA-256 absent → undefined, upper case normalised, malformed → 400", () => {
  expect(parseSha256Header(null)).toBeUndefined();
  expect(parseSha256Header(H.toUpperCase())).toBe(H);
  expect(() => parseSha256Header("abc")).toThrow(BlossomError);
  expect(() => parseSha256Header(`${H}0`)).toThrow(BlossomError);
});

test("B03-05: the last 64-hex run of a URL names the blob", () => {
  const first = "a".repeat(64);
  expect(lastSha256In(`https://cdn.example.com/${first}/${H}.pdf`)).toBe(H);
  expect(lastSha256In(`https://x.test/${H.toUpperCase()}`)).toBe(H);
  expect(lastSha256In("https://x.test/nothing")).toBeNull();
});

test("B00-02: isSha256 accepts exactly 64 lower-case hex characters", () => {
  expect(isSha256(H)).toBe(true);
  for (const bad of [H.toUpperCase(), H.slice(1), `${H}0`, `${H.slice(1)}g`, "", ` ${H}`]) {
    expect(isSha256(bad)).toBe(false);
  }
});
