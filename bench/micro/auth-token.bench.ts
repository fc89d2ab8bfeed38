// A BUD-11 token from header to verified signature: parse (base64 + JSON + shape), the ordered
// checks, the id, then BIP-340 on the main thread against a round trip through the CPU pool
// (one worker, the real worker entry). Distinct events, so no cache helps. Run alone:
// `bun bench/micro/auth-token.bench.ts`.
import { bench, do_not_optimize, group, run, summary } from "mitata";
import {
  checkToken,
  parseAuthHeader,
  verifyTokenSignatureSync,
} from "../../src/protocol/auth-token.ts";
import { hasValidId, type NostrEvent } from "../../src/protocol/nostr-event.ts";
import { createCpuPool } from "../../src/workers/pool.ts";
import { encodeToken, testKeys, tokenEvent } from "../../test/support/nostr.ts";

const EVENTS = 256;
const events: NostrEvent[] = Array.from({ length: EVENTS }, (_, index) =>
  tokenEvent(testKeys.alice, { verb: "upload", x: [index.toString(16).padStart(64, "0")] }),
);
const headers = events.map((event) => encodeToken(event));
const need = { verb: "upload", serverNames: [], clockSkewSec: 60, xRequired: false } as const;
const nowSec = Math.floor(Date.now() / 1000);
// Measure the success path: a setup mistake must not time an early rejection.
if (!parseAuthHeader(headers[0]).ok || !checkToken(events[0] as NostrEvent, need, nowSec).ok) {
  throw new Error("bench tokens do not pass parse and checks");
}
let at = 0;
const next = () => at++ % EVENTS;

const pool = createCpuPool({
  size: 1,
  queueLimit: 1024,
  taskTimeoutMs: 10_000,
  workerUrl: new URL("../../src/workers/cpu.worker.ts", import.meta.url),
});
const check = (event: NostrEvent) => ({ id: event.id, pubkey: event.pubkey, sig: event.sig });

group("BUD-11 token, before the signature", () => {
  bench("parseAuthHeader (base64, JSON, shape)", () =>
    do_not_optimize(parseAuthHeader(headers[next()])),
  );
  bench("checkToken (steps 3–8)", () =>
    do_not_optimize(checkToken(events[next()] as NostrEvent, need, nowSec)),
  );
  bench("hasValidId (serialise + SHA-256)", () =>
    do_not_optimize(hasValidId(events[next()] as NostrEvent)),
  );
});

group("BIP-340 signature of a fresh token", () => {
  summary(() => {
    bench("main thread: verifyTokenSignatureSync", () =>
      do_not_optimize(verifyTokenSignatureSync(events[next()] as NostrEvent)),
    );
    bench("CPU pool round trip: verifySignatures [1]", async () =>
      do_not_optimize(await pool.run("verifySignatures", [check(events[next()] as NostrEvent)])),
    );
    bench("CPU pool round trip, no work: ping", async () =>
      do_not_optimize(await pool.run("ping", 1)),
    );
  });
});

if (import.meta.main) {
  await run({ colors: false });
  await pool.close();
}
