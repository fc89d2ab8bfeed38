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
  expect(contentTypeEssence(" IMAGE/PNG ")).toBe("image/png");
  expect(contentTypeEssence("application/vnd.apple.mpegurl;x=1")).toBe(
    "application/vnd.apple.mpegurl",
  );
  expect(contentTypeEssence("")).toBeNull();
  expect(contentTypeEssence("text/ plain")).toBeNull();
  expect(contentTypeEssence("tëxt/plain")).toBeNull();
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
  ["heic", text("\0\0\0\x18ftypheic"), "image/heic"],
  ["m4a", text("\0\0\0\x20ftypM4A "), "audio/mp4"],
  [
    "matroska",
    bytes(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88, ...text("matroska")),
    "video/x-matroska",
  ],
  [
    "webm with DocType",
    bytes(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84, ...text("webm")),
    "video/webm",
  ],
  ["zip", bytes(0x50, 0x4b, 0x03, 0x04, 0x14), "application/zip"],
  ["gzip", bytes(0x1f, 0x8b, 0x08, 0x00), "application/gzip"],
  ["mp3 with ID3", text("ID3\x04\0"), "audio/mpeg"],
  ["mp3 frame sync (MPEG-1 layer III, 128 kbit/s)", bytes(0xff, 0xfb, 0x90, 0x64), "audio/mpeg"],
  ["aac ADTS", bytes(0xff, 0xf1, 0x50, 0x80), "audio/aac"],
  ["UTF-16 text is not mp3", bytes(0xff, 0xfe, 0x3c, 0x00), null],
  ["ogg", text("OggS\0\x02"), "audio/ogg"],
  ["flac", text("fLaC\0\0\0\x22"), "audio/flac"],
  ["wasm", bytes(0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0), "application/wasm"],
  ["gif87a", text("GIF87a"), "image/gif"],
  [
    "svg after a BOM and an XML declaration",
    text('\uFEFF<?xml version="1.0"?>\n<svg>'),
    "image/svg+xml",
  ],
  ["html tag after whitespace", text("\n\t <HTML><body>"), "text/html"],
  ["plain text", text("hello world"), null],
  ["random", bytes(1, 2, 3, 4, 5), null],
  ["empty", bytes(), null],
  ["a view starts at its own offset, not its buffer's", text("<svg>").subarray(1), null],
  ["RIFF in a view", text("..RIFF\0\0\0\0WEBP").subarray(2), "image/webp"],
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
  for (const key of ["__proto__", "constructor", "toString"]) expect(extensionFor(key)).toBe("bin");
  expect(typeForExtension("JPG")).toBe("image/jpeg");
  expect(typeForExtension("m3u8")).toBe("application/vnd.apple.mpegurl");
  expect(typeForExtension("zzz")).toBeNull();
  expect(typeForExtension("jpeg")).toBe("image/jpeg");
  expect(typeForExtension("js")).toBe("text/javascript");
  expect(typeForExtension("xml")).toBe("application/xml");
  expect(extensionFor("video/iso.segment")).toBe("m4s");
  expect(extensionFor("video/x-matroska")).toBe("mkv");
});

test("A9: active types are the ones a browser would run", () => {
  const active = ["text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript"];
  for (const type of [...active, "application/javascript", "text/xml", "application/xml"]) {
    expect(isActiveType(type)).toBe(true);
  }
  for (const type of ["image/png", "text/plain", "video/mp4"])
    expect(isActiveType(type)).toBe(false);
});

test("P-14 step 5: allowed type patterns: exact, family wildcard, everything, empty list", () => {
  expect(matchesTypePattern("image/png", [])).toBe(true);
  expect(matchesTypePattern("image/png", ["image/*"])).toBe(true);
  expect(matchesTypePattern("video/mp4", ["image/*"])).toBe(false);
  expect(matchesTypePattern("video/mp4", ["*/*"])).toBe(true);
  expect(matchesTypePattern("text/plain", ["image/png", "text/plain"])).toBe(true);
});
