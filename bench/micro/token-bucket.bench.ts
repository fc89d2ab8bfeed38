// The per-address signature budget (reliability A4) under many addresses: 10,000 clients in
// debt (the bound), then a new address per call, as a flood from a large IPv6 range would bring.
// Run alone: `bun bench/micro/token-bucket.bench.ts`.
import { bench, do_not_optimize, group, run } from "mitata";
import { createTokenBuckets } from "../../src/overload/token-bucket.ts";

const CLIENTS = 10_000;
const limiter = createTokenBuckets({
  ratePerSec: 2,
  burst: 20,
  maxClients: CLIENTS,
  nowMs: () => 0, // no refill: every client stays in debt
});
for (let i = 0; i < CLIENTS; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);

let next = 0;
group(`take() with ${CLIENTS} clients in debt`, () => {
  bench("a new address", () => do_not_optimize(limiter.take(`fd00::${(next++).toString(16)}`)));
  bench("the address seen last", () =>
    do_not_optimize(limiter.take(`fd00::${(next - 1).toString(16)}`)),
  );
});

if (import.meta.main) await run({ colors: false });
