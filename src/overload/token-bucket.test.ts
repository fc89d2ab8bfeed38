import { expect, test } from "bun:test";
import { createTokenBuckets } from "./token-bucket.ts";

function buckets(overrides: { ratePerSec?: number; burst?: number; maxClients?: number } = {}) {
  const clock = { nowMs: 0 };
  const limiter = createTokenBuckets({
    ratePerSec: overrides.ratePerSec ?? 10,
    burst: overrides.burst ?? 3,
    maxClients: overrides.maxClients ?? 100,
    nowMs: () => clock.nowMs,
  });
  return { clock, limiter };
}

test("A4: a client gets its burst, then waits for the refill; other clients are untouched", () => {
  const { clock, limiter } = buckets();
  expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([0, 0, 0]);
  expect(limiter.take("a")).toBe(1); // Retry-After in whole seconds, at least 1
  expect(limiter.take("b")).toBe(0);
  clock.nowMs = 100; // 10 per second: one token back
  expect(limiter.take("a")).toBe(0);
  expect(limiter.take("a")).toBe(1);
});

test("a slow rate asks for a longer wait", () => {
  const { limiter } = buckets({ ratePerSec: 0.1, burst: 1 });
  expect(limiter.take("a")).toBe(0);
  expect(limiter.take("a")).toBe(10);
});

test("rate 0 turns the buckets off", () => {
  const { limiter } = buckets({ ratePerSec: 0, burst: 1 });
  for (let i = 0; i < 10; i++) expect(limiter.take("a")).toBe(0);
});

test("the map stays bounded: the client seen least recently is forgotten, debt and all", () => {
  const { clock, limiter } = buckets({ maxClients: 2, burst: 1, ratePerSec: 1 });
  expect(limiter.take("a")).toBe(0);
  expect(limiter.take("b")).toBe(0);
  clock.nowMs = 500;
  expect(limiter.take("a")).toBe(1); // a in debt, and now seen after b
  expect(limiter.take("c")).toBe(0); // b is forgotten
  expect(limiter.take("a")).toBe(1); // a kept its debt
  expect(limiter.take("b")).toBe(0); // back with a full burst, in c's place (c was seen before a)
  expect(limiter.take("a")).toBe(1);
  expect(limiter.take("c")).toBe(0); // forgotten too
});

test("many clients past the bound: the latest are remembered, the earlier ones are not", () => {
  const { limiter } = buckets({ maxClients: 1_000, burst: 1, ratePerSec: 0.001 });
  for (let i = 0; i < 5_000; i++) expect(limiter.take(`client-${i}`)).toBe(0);
  expect(limiter.take("client-4999")).toBeGreaterThan(0); // the last 1,000 are remembered
  expect(limiter.take("client-3999")).toBe(0); // earlier ones are not
});
