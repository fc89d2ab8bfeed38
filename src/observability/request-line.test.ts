import { expect, test } from "bun:test";
import fc from "fast-check";
import { lineCarriesClientIp, type RequestLineFields, requestLineMembers } from "./request-line.ts";

const parsed = (fields: RequestLineFields) =>
  JSON.parse(`{${requestLineMembers(fields, true).slice(1)}}`);

test("the request line's fields in order, ms to a tenth; the address only when asked for", () => {
  const fields = (clientIp: () => string) => ({
    requestId: "k3x-1z",
    route: "blob",
    method: "HEAD",
    status: 200,
    durationMs: 0.1234,
    get clientIp() {
      return clientIp();
    },
  });
  const unasked = fields(() => {
    throw new Error("the address was worked out");
  });
  expect(requestLineMembers(unasked, false)).toBe(
    ',"requestId":"k3x-1z","route":"blob","method":"HEAD","status":200,"ms":0.1',
  );
  expect(
    requestLineMembers(
      fields(() => "127.0.0.1"),
      true,
    ),
  ).toBe(
    ',"requestId":"k3x-1z","route":"blob","method":"HEAD","status":200,"ms":0.1,"clientIp":"127.0.0.1"',
  );
});

test("any text stays valid JSON (X-Forwarded-For is the client's); numbers as JSON has them", () => {
  fc.assert(
    fc.property(
      fc.record({
        requestId: fc.string(),
        route: fc.string(),
        method: fc.string(),
        status: fc.integer(),
        durationMs: fc.double(),
        clientIp: fc.option(fc.string(), { nil: null }),
      }),
      (fields) => {
        const { durationMs, ...rest } = fields;
        const ms = Math.round(durationMs * 10) / 10;
        // What JSON.stringify of the same fields gives: NaN and the infinities null, -0 as 0.
        const expected = JSON.parse(JSON.stringify({ ...rest, ms }));
        expect(parsed(fields)).toEqual(expected);
      },
    ),
  );
});

test("except-reads: the address on changes and on failures, not on a served read", () => {
  const carries = (method: string, failed: boolean) =>
    lineCarriesClientIp("except-reads", method, failed);
  expect(["GET", "HEAD", "OPTIONS"].map((method) => carries(method, false))).toEqual([
    false,
    false,
    false,
  ]);
  expect(["GET", "HEAD", "OPTIONS"].map((method) => carries(method, true))).toEqual([
    true,
    true,
    true,
  ]);
  expect(["PUT", "DELETE", "POST", "PATCH"].map((method) => carries(method, false))).toEqual([
    true,
    true,
    true,
    true,
  ]);
});

test("all and none do not look at the request", () => {
  for (const method of ["GET", "PUT"]) {
    for (const failed of [false, true]) {
      expect(lineCarriesClientIp("all", method, failed)).toBe(true);
      expect(lineCarriesClientIp("none", method, failed)).toBe(false);
    }
  }
});
