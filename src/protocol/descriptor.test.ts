import { expect, test } from "bun:test";
import { blobDescriptor, blobUrl } from "./descriptor.ts";

const H = "b1674191a88ec5cdd733e4240a81803105dc412d6c6708d53ab94fc248f4f553";

test("B02-02, B02-04, B08-02, P-24: descriptor fields and consistent nip94 tags", () => {
  const record = { sha256: H, size: 184292, type: "application/pdf", uploadedSec: 1725105921 };
  expect(blobDescriptor(record, "https://cdn.example.com/", [["dim", "1x1"]])).toEqual({
    url: `https://cdn.example.com/${H}.pdf`,
    sha256: H,
    size: 184292,
    type: "application/pdf",
    uploaded: 1725105921,
    nip94: [
      ["url", `https://cdn.example.com/${H}.pdf`],
      ["m", "application/pdf"],
      ["x", H],
      ["size", "184292"],
      ["dim", "1x1"],
    ],
  });
});

test("P-23: unknown types get .bin", () => {
  const record = { sha256: H, size: 1, type: "application/octet-stream", uploadedSec: 1 };
  expect(blobDescriptor(record, "http://localhost:3000").url).toBe(
    `http://localhost:3000/${H}.bin`,
  );
});

test("P-23: blobUrl drops trailing slashes of the base and always adds an extension", () => {
  expect(blobUrl(H, "image/png", "https://cdn.example.com//")).toBe(
    `https://cdn.example.com/${H}.png`,
  );
  expect(blobUrl(H, "video/mp2t", "https://cdn.example.com")).toBe(
    `https://cdn.example.com/${H}.ts`,
  );
});

test("B08-02: extra nip94 tags are copied, not shared with the caller", () => {
  const record = { sha256: H, size: 1, type: "image/png", uploadedSec: 1 };
  const extra = [["dim", "1x1"]];
  const descriptor = blobDescriptor(record, "https://cdn.example.com", extra);
  extra[0]?.push("changed");
  expect(descriptor.nip94.at(-1)).toEqual(["dim", "1x1"]);
  expect(blobDescriptor(record, "https://cdn.example.com").nip94).toHaveLength(4);
});
