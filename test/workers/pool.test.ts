// The CPU pool with a fixture worker: saturation, timeouts, crashes, aborts, FIFO order, and the
// real worker entry verifying real signatures. No sleeps: the fixture computes for given times.
import { expect, test } from "bun:test";
import { BlossomError } from "../../src/protocol/errors.ts";
import { createCpuPool, defaultPoolSize } from "../../src/workers/pool.ts";
import { signEvent, testKeys } from "../support/nostr.ts";

const fixture = new URL("../fixtures/spin-fixture.worker.ts", import.meta.url);
const realWorker = new URL("../../src/workers/cpu.worker.ts", import.meta.url);

test("A4: a full queue answers busy at once, with a Retry-After hint", async () => {
  const pool = createCpuPool({ size: 1, queueLimit: 2, taskTimeoutMs: 10_000, workerUrl: fixture });
  const running = [pool.run("ping", 100), pool.run("ping", 1), pool.run("ping", 1)];
  const refused = pool.run("ping", 1);
  await expect(refused).rejects.toMatchObject({ code: "busy", hints: { retryAfterSec: 1 } });
  expect(await Promise.all(running)).toEqual([100, 1, 1]);
  await pool.close();
});

test("tasks run in FIFO order on a single worker", async () => {
  const pool = createCpuPool({
    size: 1,
    queueLimit: 10,
    taskTimeoutMs: 10_000,
    workerUrl: fixture,
  });
  const finished: number[] = [];
  await Promise.all(
    [5, 4, 3, 2, 1].map((ms) => pool.run("ping", ms).then((v) => finished.push(v))),
  );
  expect(finished).toEqual([5, 4, 3, 2, 1]);
  await pool.close();
});

test("a task past its timeout costs its worker, which is replaced", async () => {
  const pool = createCpuPool({ size: 1, queueLimit: 10, taskTimeoutMs: 200, workerUrl: fixture });
  await expect(pool.run("ping", -2)).rejects.toBeInstanceOf(BlossomError);
  expect(await pool.run("ping", 3)).toBe(3);
  expect(pool.stats()).toEqual({ size: 1, busy: 0, queued: 0 });
  await pool.close();
});

test("a crashed worker fails only its own task and is replaced", async () => {
  const pool = createCpuPool({
    size: 2,
    queueLimit: 10,
    taskTimeoutMs: 10_000,
    workerUrl: fixture,
  });
  const crash = pool.run("ping", -1);
  const fine = pool.run("ping", 20);
  await expect(crash).rejects.toBeInstanceOf(BlossomError);
  expect(await fine).toBe(20);
  expect(await Promise.all([pool.run("ping", 1), pool.run("ping", 2)])).toEqual([1, 2]);
  await pool.close();
});

test("an aborted task still in the queue is removed", async () => {
  const pool = createCpuPool({
    size: 1,
    queueLimit: 10,
    taskTimeoutMs: 10_000,
    workerUrl: fixture,
  });
  const first = pool.run("ping", 50);
  const controller = new AbortController();
  const queued = pool.run("ping", 1, { signal: controller.signal });
  expect(pool.stats().queued).toBe(1);
  controller.abort(new Error("client went away"));
  await expect(queued).rejects.toThrow("client went away");
  expect(pool.stats().queued).toBe(0);
  expect(await first).toBe(50);
  await pool.close();
});

test("close rejects what is queued and stops the workers", async () => {
  const pool = createCpuPool({
    size: 1,
    queueLimit: 10,
    taskTimeoutMs: 10_000,
    workerUrl: fixture,
  });
  const running = pool.run("ping", 50);
  const queued = pool.run("ping", 1);
  await pool.close();
  await expect(queued).rejects.toMatchObject({ code: "busy" });
  await expect(running).rejects.toMatchObject({ code: "busy" });
  await expect(pool.run("ping", 1)).rejects.toMatchObject({ code: "busy" });
});

test("the real worker verifies real BIP-340 signatures, valid and tampered", async () => {
  const pool = createCpuPool({
    size: 1,
    queueLimit: 10,
    taskTimeoutMs: 10_000,
    workerUrl: realWorker,
  });
  const good = signEvent(testKeys.alice, { kind: 24242, created_at: 1, tags: [], content: "a" });
  const bad = { ...good, sig: `${good.sig.slice(0, 126)}00` };
  expect(await pool.run("verifySignatures", [good, bad, good])).toEqual([true, false, true]);
  await pool.close();
});

test("the default size leaves one core to the event loop", () => {
  expect([defaultPoolSize(1), defaultPoolSize(2), defaultPoolSize(8)]).toEqual([1, 1, 7]);
});
