import { expect, test } from "bun:test";
import {
  contentTypeEssence,
  extensionFor,
  isActiveType,
  matchesTypePattern,
  sniffMime,
  storedType,
  typeForExtension,
} from "./mime.ts";

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

test("P-22: the Content-Type essence is lower-cased without parameters; junk is null", () => {
  expect(contentTypeEssence("Text/Plain; charset=UTF-8")).toBe("text/plain");
  expect(contentTypeEssence("image/svg+xml")).toBe("image/svg+xml");
  expect(contentTypeEssence(null)).toBeNull();
  expect(contentTypeEssence("nonsense")).toBeNull();
  expect(contentTypeEssence("a/b/c")).toBeNull();
});

const magic: Array<[string, Uint8Array, string | null]> = [
  ["png", bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0), "image/png"],
  ["jpeg", bytes(0xff, 0xd8, 0xff, 0xe0), "image/jpeg"],
  ["gif", text("GIF89a"), "image/gif"],
  ["webp", text("RIFF\0\0\0\0WEBPVP8 "), "image/webp"],
  ["wav", text("RIFF\0\0\0\0WAVEfmt "), "audio/wav"],
  ["mp4", text("\0\0\0\x18ftypisom"), "video/mp4"],
  ["avif", text("\0\0\0\x1cftypavif"), "image/avif"],
  ["quicktime", text("\0\0\0\x14ftypqt  "), "video/quicktime"],
  ["pdf", text("%PDF-1.7"), "application/pdf"],
  ["webm", bytes(0x1a, 0x45, 0xdf, 0xa3), "video/webm"],
  ["svg", text('  <svg xmlns="http://www.w3.org/2000/svg">'), "image/svg+xml"],
  ["html", text("<!DOCTYPE html><html>"), "text/html"],
  ["random", bytes(1, 2, 3, 4, 5), null],
  ["empty", bytes(), null],
];
for (const [name, head, expected] of magic) {
  test(`P-22: sniffs ${name}`, () => expect(sniffMime(head)).toBe(expected));
}

test("P-22: the declared type wins unless it is absent or octet-stream", () => {
  const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  expect(storedType("text/plain", png)).toBe("text/plain");
  expect(storedType(null, png)).toBe("image/png");
  expect(storedType("application/octet-stream", png)).toBe("image/png");
  expect(storedType(null, bytes(1, 2))).toBe("application/octet-stream");
});

test("P-23: extensions from a fixed table, bin when unknown; B04-06 the reverse", () => {
  expect(extensionFor("image/jpeg")).toBe("jpg");
  expect(extensionFor("application/vnd.apple.mpegurl")).toBe("m3u8");
  expect(extensionFor("video/mp2t")).toBe("ts");
  expect(extensionFor("application/x-unknown")).toBe("bin");
  expect(typeForExtension("JPG")).toBe("image/jpeg");
  expect(typeForExtension("m3u8")).toBe("application/vnd.apple.mpegurl");
  expect(typeForExtension("zzz")).toBeNull();
});

test("A9: active types are the ones a browser would run", () => {
  for (const type of ["text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript"]) {
    expect(isActiveType(type)).toBe(true);
  }
  for (const type of ["image/png", "text/plain", "video/mp4"])
    expect(isActiveType(type)).toBe(false);
});

test("allowed type patterns: exact, family wildcard, everything, empty list", () => {
  expect(matchesTypePattern("image/png", [])).toBe(true);
  expect(matchesTypePattern("image/png", ["image/*"])).toBe(true);
  expect(matchesTypePattern("video/mp4", ["image/*"])).toBe(false);
  expect(matchesTypePattern("video/mp4", ["*/*"])).toBe(true);
  expect(matchesTypePattern("text/plain", ["image/png", "text/plain"])).toBe(true);
});
