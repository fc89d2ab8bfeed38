import { expect, test } from "bun:test";
import fc from "fast-check";
import { blobDescriptor, blobUrl, descriptorListJson } from "./descriptor.ts";

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

test("B12-03: a list page's JSON is exactly the serialised descriptors, whatever the type and base", () => {
  const record = fc.record({
    sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
    size: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    type: fc.oneof(
      fc.constantFrom("image/png", "application/octet-stream", "text/plain", "__proto__"),
      fc.string({ maxLength: 30 }),
      fc.string({ unit: "grapheme", maxLength: 10 }),
    ),
    uploadedSec: fc.nat({ max: 2 ** 40 }),
  });
  const base = fc.constantFrom(
    "http://127.0.0.1:3000",
    "https://cdn.example.com/",
    "https://cdn.example.com/blobs//",
    'http://h/"quoted"\\\\',
  );
  fc.assert(
    fc.property(fc.array(record, { maxLength: 20 }), base, (records, publicBaseUrl) => {
      const expected = JSON.stringify(records.map((r) => blobDescriptor(r, publicBaseUrl)));
      expect(descriptorListJson(records, publicBaseUrl)).toBe(expected);
    }),
    { numRuns: 500, seed: 12 },
  );
});
