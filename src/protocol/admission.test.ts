import { expect, test } from "bun:test";
import {
  checkAdmission,
  parseContentLength,
  parsePreflight,
  type UploadPolicy,
} from "./admission.ts";
import { BlossomError } from "./errors.ts";

const policy: UploadPolicy = {
  maxUploadBytes: 1000,
  allowedTypes: ["image/*", "text/plain"],
  allowedPubkeys: [],
  refuseActiveTypes: true,
  requireContentLength: false,
};
const alice = "a".repeat(64);
const H = "b1674191a88ec5cdd733e4240a81803105dc412d6c6708d53ab94fc248f4f553";

const cases: Array<
  [string, Parameters<typeof checkAdmission>[0], Partial<UploadPolicy>, string | null]
> = [
  [
    "accepts an allowed type within the limit",
    { pubkey: alice, declaredSize: 1000, type: "image/png" },
    {},
    null,
  ],
  ["P-14: too large", { pubkey: alice, declaredSize: 1001, type: "image/png" }, {}, "too_large"],
  [
    "P-14: type not allowed",
    { pubkey: alice, declaredSize: 10, type: "video/mp4" },
    {},
    "unsupported_type",
  ],
  [
    "P-22: active type refused when configured",
    { pubkey: alice, declaredSize: 10, type: "image/svg+xml" },
    {},
    "unsupported_type",
  ],
  [
    "unknown type is checked later (null)",
    { pubkey: alice, declaredSize: 10, type: null },
    {},
    null,
  ],
  [
    "P-11: pubkey not on the allow-list",
    { pubkey: alice, declaredSize: 10, type: "image/png" },
    { allowedPubkeys: ["b".repeat(64)] },
    "forbidden",
  ],
  [
    "P-11: anonymous with an allow-list",
    { pubkey: null, declaredSize: 10, type: "image/png" },
    { allowedPubkeys: [alice] },
    "forbidden",
  ],
  [
    "P-21: length required when configured",
    { pubkey: alice, declaredSize: null, type: "image/png" },
    { requireContentLength: true },
    "length_required",
  ],
  [
    "P-21: no length accepted by default",
    { pubkey: alice, declaredSize: null, type: "image/png" },
    {},
    null,
  ],
];
for (const [name, input, extra, code] of cases) {
  test(name, () => {
    const result = checkAdmission(input, { ...policy, ...extra });
    if (code === null) expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, code });
  });
}

test("P-14 step 3: Content-Length must be a non-negative integer", () => {
  expect(parseContentLength(null)).toBeNull();
  expect(parseContentLength("0")).toBe(0);
  expect(parseContentLength("1048576")).toBe(1048576);
  for (const bad of ["-1", "1.5", "1e3", "abc", "99999999999999999"]) {
    expect(() => parseContentLength(bad)).toThrow(BlossomError);
  }
});

test("B06-04, P-19: preflight headers", () => {
  expect(parsePreflight({ xSha256: H, xContentLength: "10", xContentType: null })).toEqual({
    sha256: H,
    size: 10,
    type: "application/octet-stream",
  });
  const codeOf = (headers: Parameters<typeof parsePreflight>[0]) => {
    try {
      parsePreflight(headers);
      return "ok";
    } catch (error) {
      return (error as BlossomError).code;
    }
  };
  expect(codeOf({ xSha256: null, xContentLength: "1", xContentType: null })).toBe("bad_request");
  expect(codeOf({ xSha256: "zz", xContentLength: "1", xContentType: null })).toBe("bad_request");
  expect(codeOf({ xSha256: H, xContentLength: "x", xContentType: null })).toBe("bad_request");
  expect(codeOf({ xSha256: H, xContentLength: null, xContentType: null })).toBe("length_required");
});
