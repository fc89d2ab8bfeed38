// Where token signatures are checked: inline within the main thread's share of time, then on the
// real CPU pool. Real signatures, the real worker entry, an injected clock.
import { afterAll, expect, test } from "bun:test";
import { createTimeBudget, createTokenVerifier } from "../../src/services/token-verifier.ts";
import { createCpuPool } from "../../src/workers/pool.ts";
import { testKeys, tokenEvent } from "../support/nostr.ts";

const pool = createCpuPool({
  size: 1,
  queueLimit: 64,
  taskTimeoutMs: 10_000,
  workerUrl: new URL("../../src/workers/cpu.worker.ts", import.meta.url),
});
afterAll(() => pool.close());

test("a time budget allows its share of each window, then refuses until the next window", () => {
  let nowMs = 0;
  const budget = createTimeBudget({ windowMs: 50, share: 0.5, nowMs: () => nowMs });
  expect(budget.available()).toBe(true);
  budget.spend(20);
  expect(budget.available()).toBe(true);
  budget.spend(5);
  expect(budget.available()).toBe(false); // 25 of 25 ms spent
  nowMs = 49;
  expect(budget.available()).toBe(false);
  nowMs = 50;
  expect(budget.available()).toBe(true);
});

test("A4: checks run inline until the main thread's share is spent, then in the pool", async () => {
  const verifier = createTokenVerifier({
    pool,
    nowSec: () => 1_000,
    nowMs: () => performance.now(),
    cacheSize: 100,
    inlineShare: 0.001, // 0.01 ms per 10 ms window: one real check spends it
  });
  const events = Array.from({ length: 6 }, (_, i) =>
    tokenEvent(testKeys.alice, { verb: "upload", content: `token ${i}` }),
  );
  const results = [];
  for (const event of events) results.push(await verifier.verify(event, 2_000));
  expect(results).toEqual([true, true, true, true, true, true]);
  const { inline, pooled } = verifier.stats();
  expect(inline).toBeGreaterThan(0);
  expect(pooled).toBeGreaterThan(0);
  expect(inline + pooled).toBe(6);
});

test("a forged signature is refused on either path, and a verified token is not checked twice", async () => {
  const options = { pool, nowSec: () => 1_000, nowMs: () => performance.now(), cacheSize: 100 };
  const good = tokenEvent(testKeys.alice, { verb: "upload" });
  const forged = { ...good, sig: `${good.sig.slice(0, -2)}00` };
  for (const inlineShare of [1, 0]) {
    const verifier = createTokenVerifier({ ...options, inlineShare });
    expect(await verifier.verify(forged, 2_000)).toBe(false);
    expect(await verifier.verify(good, 2_000)).toBe(true);
    expect(await verifier.verify(good, 2_000)).toBe(true);
    expect(verifier.stats()).toMatchObject({
      cacheHits: 1,
      cacheMisses: 2,
      inline: inlineShare === 1 ? 2 : 0,
      pooled: inlineShare === 1 ? 0 : 2,
    });
  }
});

test("A4: beforeCheck runs for real checks only, and its refusal stops the check", async () => {
  const verifier = createTokenVerifier({
    pool,
    nowSec: () => 1_000,
    nowMs: () => performance.now(),
    cacheSize: 100,
  });
  const event = tokenEvent(testKeys.carol, { verb: "upload" });
  let charged = 0;
  const charge = () => {
    charged++;
  };
  expect(await verifier.verify(event, 2_000, charge)).toBe(true);
  expect(await verifier.verify(event, 2_000, charge)).toBe(true); // cached: free
  expect(charged).toBe(1);
  const refuse = () => {
    throw new Error("over budget");
  };
  const other = tokenEvent(testKeys.carol, { verb: "delete" });
  await expect(verifier.verify(other, 2_000, refuse)).rejects.toThrow("over budget");
  expect(verifier.stats()).toMatchObject({ inline: 1, pooled: 0 });
});
