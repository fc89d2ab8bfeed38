import { expect, test } from "bun:test";
import { createAdaptiveLimiter } from "./limiter.ts";

function harness(initialLimit = 20) {
  let now = 0;
  const limiter = createAdaptiveLimiter({
    initialLimit,
    minLimit: 2,
    maxLimit: 100,
    windowSize: 10,
    nowMs: () => now,
  });
  /** Runs `count` requests that each take `latencyMs`, one after another. */
  const run = (count: number, latencyMs: number) => {
    for (let i = 0; i < count; i++) {
      const permit = limiter.tryAcquire();
      if (permit === null) throw new Error("unexpectedly over the limit");
      now += latencyMs;
      permit.release("success");
    }
  };
  return { limiter, run };
}

test("steady latency lets the limit grow toward the maximum", () => {
  const { limiter, run } = harness(10);
  run(2000, 5);
  expect(limiter.limit()).toBe(100);
});

test("rising latency lowers the limit; recovery raises it again", () => {
  const { limiter, run } = harness(50);
  run(200, 5); // learn the best latency
  const before = limiter.limit();
  run(300, 50); // ten times slower
  const congested = limiter.limit();
  expect(congested).toBeLessThan(before);
  run(500, 5);
  expect(limiter.limit()).toBeGreaterThan(congested);
});

test("a steady load slower than the quietest moment is not congestion: the limit recovers", () => {
  const { limiter, run } = harness(64);
  run(100, 0.5); // a quiet start
  run(1000, 3); // then a steady six times slower, no queue building
  const settled = limiter.limit();
  run(2000, 3);
  expect(limiter.limit()).toBeGreaterThanOrEqual(settled);
  expect(limiter.limit()).toBeGreaterThan(64);
});

test("the limit never leaves [min, max]", () => {
  const { limiter, run } = harness(3);
  run(50, 1);
  run(2000, 1000);
  expect(limiter.limit()).toBeGreaterThanOrEqual(2);
  run(3000, 1);
  expect(limiter.limit()).toBeLessThanOrEqual(100);
});

test("over the limit tryAcquire answers null; releasing frees a slot; double release is harmless", () => {
  const limiter = createAdaptiveLimiter({
    initialLimit: 2,
    minLimit: 1,
    maxLimit: 2,
    nowMs: () => 0,
  });
  const a = limiter.tryAcquire();
  const b = limiter.tryAcquire();
  expect(limiter.tryAcquire()).toBeNull();
  expect(limiter.inFlight()).toBe(2);
  a?.release("ignore");
  a?.release("ignore");
  expect(limiter.inFlight()).toBe(1);
  expect(limiter.tryAcquire()).not.toBeNull();
  b?.release("success");
});

test("dropped requests cut the limit multiplicatively", () => {
  const limiter = createAdaptiveLimiter({
    initialLimit: 50,
    minLimit: 1,
    maxLimit: 100,
    nowMs: () => 0,
  });
  for (let i = 0; i < 10; i++) limiter.tryAcquire()?.release("dropped");
  expect(limiter.limit()).toBe(Math.floor(50 * 0.9 ** 10));
});
