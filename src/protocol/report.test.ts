import { expect, test } from "bun:test";
import { nostrVectors, signEvent, testKeys } from "../../test/support/nostr.ts";
import { parseReport } from "./report.ts";

const H = "b1674191a88ec5cdd733e4240a81803105dc412d6c6708d53ab94fc248f4f553";
const event = (tags: string[][], kind = 1984) =>
  signEvent(testKeys.carol, { kind, created_at: 1_700_000_000, tags, content: "why" });

test("B09-01, N56-03: the V3 vector parses with its blob and type", () => {
  const result = parseReport(nostrVectors.V3);
  expect(result.ok && result.report.blobs).toEqual([{ sha256: H, type: "malware" }]);
});

test("N56-03: a missing or unknown type is null; duplicate x tags count once; hex is lower-cased", () => {
  const result = parseReport(
    event([
      ["x", H],
      ["x", H.toUpperCase(), "weird"],
      ["e", "a".repeat(64)],
    ]),
  );
  expect(result.ok && result.report.blobs).toEqual([{ sha256: H, type: null }]);
});

test("P-20: refusals are 400 with a reason", () => {
  const cases: unknown[] = [
    "not an object",
    event([["x", H]], 1),
    event([["p", "a".repeat(64)]]),
    event([["x", "zz"]]),
    { ...event([["x", H]]), content: "edited" },
    event(Array.from({ length: 101 }, (_, i) => ["x", i.toString(16).padStart(64, "0")])),
  ];
  for (const json of cases)
    expect(parseReport(json)).toMatchObject({ ok: false, code: "bad_request" });
});
