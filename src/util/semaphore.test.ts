import { expect, test } from "bun:test";
import { createSemaphore } from "./semaphore.ts";

test("permits up to size at once, then queues up to queueLimit, then refuses", async () => {
  const semaphore = createSemaphore(2, 1);
  const first = await semaphore.tryAcquire();
  const second = await semaphore.tryAcquire();
  expect(semaphore.isSaturated()).toBe(false);
  const third = semaphore.tryAcquire();
  expect(third).not.toBeNull();
  expect(semaphore.stats()).toEqual({ running: 2, waiting: 1 });
  expect(semaphore.isSaturated()).toBe(true);
  expect(semaphore.tryAcquire()).toBeNull();
  first?.();
  const thirdRelease = await third;
  expect(semaphore.stats()).toEqual({ running: 2, waiting: 0 });
  second?.();
  thirdRelease?.();
  expect(semaphore.stats()).toEqual({ running: 0, waiting: 0 });
});

test("a release called twice frees one permit only", async () => {
  const semaphore = createSemaphore(1, 0);
  const release = await semaphore.tryAcquire();
  expect(semaphore.tryAcquire()).toBeNull();
  release?.();
  release?.();
  const again = await semaphore.tryAcquire();
  expect(semaphore.stats()).toEqual({ running: 1, waiting: 0 });
  expect(semaphore.tryAcquire()).toBeNull();
  again?.();
});

test("waiters are served in order", async () => {
  const semaphore = createSemaphore(1, 3);
  const order: number[] = [];
  const held = await semaphore.tryAcquire();
  const waits = [1, 2, 3].map(async (n) => {
    const release = await semaphore.tryAcquire();
    order.push(n);
    release?.();
  });
  held?.();
  await Promise.all(waits);
  expect(order).toEqual([1, 2, 3]);
});
