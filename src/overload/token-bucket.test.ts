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

test("the map stays bounded: refilled clients are forgotten first, then the oldest", () => {
  const { clock, limiter } = buckets({ maxClients: 2, burst: 1, ratePerSec: 1 });
  expect(limiter.take("a")).toBe(0);
  expect(limiter.take("b")).toBe(0);
  clock.nowMs = 500;
  expect(limiter.take("c")).toBe(0); // a, b still in debt: the oldest (a) is dropped
  expect(limiter.take("b")).toBe(1); // b kept its debt
  clock.nowMs = 5_000;
  expect(limiter.take("d")).toBe(0); // everyone refilled: forgotten, d fits
  expect(limiter.take("a")).toBe(0);
});
