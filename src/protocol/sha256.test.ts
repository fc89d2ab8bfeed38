import { expect, test } from "bun:test";
import { BlossomError } from "./errors.ts";
import { lastSha256In, parseBlobPath, parseSha256Header } from "./sha256.ts";

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
  ["/", "other", null],
];

for (const [path, kind, ext] of paths) {
  test(`P-01: ${path.slice(0, 40)}… → ${kind}`, () => {
    const parsed = parseBlobPath(path);
    expect(parsed.kind).toBe(kind);
    if (parsed.kind === "blob") {
      expect(parsed.sha256).toBe(H);
      expect(parsed.ext).toBe(ext);
    }
  });
}

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
