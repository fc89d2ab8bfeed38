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
    "P-14 step 5: accepts an allowed type within the limit",
    { pubkey: alice, declaredSize: 1000, type: "image/png" },
    {},
    null,
  ],
  [
    "P-14 step 5: too large",
    { pubkey: alice, declaredSize: 1001, type: "image/png" },
    {},
    "too_large",
  ],
  [
    "P-14 step 5: type not allowed",
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
    "P-22: an unknown type (null) is checked again after sniffing",
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

const orderCases: Array<[string, Parameters<typeof checkAdmission>[0], string]> = [
  [
    "P-14 step 5: forbidden comes before too large and type",
    { pubkey: null, declaredSize: 5000, type: "video/mp4" },
    "forbidden",
  ],
  [
    "P-14 step 5: too large comes before type",
    { pubkey: alice, declaredSize: 5000, type: "video/mp4" },
    "too_large",
  ],
];
for (const [name, input, code] of orderCases) {
  test(name, () => {
    const strict = { ...policy, allowedPubkeys: [alice] };
    expect(checkAdmission(input, strict)).toMatchObject({ ok: false, code });
  });
}

test("P-22: empty allowedTypes allows every type; active types only when not refused", () => {
  const open = { ...policy, allowedTypes: [], refuseActiveTypes: false };
  for (const type of ["video/mp4", "text/html", "application/octet-stream"]) {
    expect(checkAdmission({ pubkey: null, declaredSize: 1, type }, open).ok).toBe(true);
  }
  const refusing = { ...open, refuseActiveTypes: true };
  expect(
    checkAdmission({ pubkey: null, declaredSize: 1, type: "text/html" }, refusing),
  ).toMatchObject({ ok: false, code: "unsupported_type" });
});

test("P-14 step 3: Content-Length bounds: MAX_SAFE_INTEGER is the largest accepted", () => {
  expect(parseContentLength(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  expect(() => parseContentLength(String(Number.MAX_SAFE_INTEGER + 1))).toThrow(BlossomError);
  expect(() => parseContentLength("")).toThrow(BlossomError);
  expect(() => parseContentLength("+5")).toThrow(BlossomError);
});

test("B06-04, P-19: preflight normalises the hash and the type essence", () => {
  expect(
    parsePreflight({
      xSha256: H.toUpperCase(),
      xContentLength: "0",
      xContentType: "Image/PNG; q=1",
    }),
  ).toEqual({ sha256: H, size: 0, type: "image/png" });
});
