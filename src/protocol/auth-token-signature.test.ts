// BUD-11 steps 9–10 on their own: the id recomputed from the content, then the BIP-340 signature.
import { describe, expect, test } from "bun:test";
import { testKeys, tokenEvent } from "../../test/support/nostr.ts";
import { verifyTokenSignatureSync } from "./auth-token.ts";
import { computeEventId } from "./nostr-event.ts";

const NOW = 1_800_000_000;
const HASH = "b1674191a88ec5cdd733e4240a81803105dc412d6c6708d53ab94fc248f4f553";

describe("B11-16: steps 9–10 (verifyTokenSignatureSync)", () => {
  const event = tokenEvent(testKeys.carol, { verb: "upload", x: [HASH], nowSec: NOW });

  test("B11-16: a freshly signed token verifies", () => {
    expect(verifyTokenSignatureSync(event)).toEqual({ ok: true });
  });

  test("B11-16: content changed after signing → id mismatch (step 9)", () => {
    expect(verifyTokenSignatureSync({ ...event, content: "changed" })).toEqual({
      ok: false,
      code: "auth_invalid",
      reason: "token id does not match its content",
    });
  });

  test("B11-16: a signature by another key → invalid signature (step 10)", () => {
    const other = tokenEvent(testKeys.alice, { verb: "upload", x: [HASH], nowSec: NOW });
    expect(verifyTokenSignatureSync({ ...event, sig: other.sig })).toEqual({
      ok: false,
      code: "auth_invalid",
      reason: "token signature is invalid",
    });
  });

  test("B11-16: a pubkey that is not on the curve fails without throwing", () => {
    const offCurve = { ...event, pubkey: "f".repeat(64) };
    const forged = { ...offCurve, id: computeEventId(offCurve) }; // passes step 9
    expect(verifyTokenSignatureSync(forged)).toEqual({
      ok: false,
      code: "auth_invalid",
      reason: "token signature is invalid",
    });
  });
});
