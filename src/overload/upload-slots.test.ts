import { expect, test } from "bun:test";
import { createUploadSlots } from "./upload-slots.ts";

test("A5: one client cannot hold more than its share; others still get slots", () => {
  const slots = createUploadSlots({ total: 4, perClient: 2 });
  const first = slots.tryAcquire("10.0.0.1");
  const second = slots.tryAcquire("10.0.0.1");
  expect(typeof first).toBe("function");
  expect(typeof second).toBe("function");
  expect(slots.tryAcquire("10.0.0.1")).toBe("per_client");
  expect(typeof slots.tryAcquire("10.0.0.2")).toBe("function");
  expect(slots.inUse()).toBe(3);
});

test("A5: the total cap holds across clients, and a release frees a slot once", () => {
  const slots = createUploadSlots({ total: 2, perClient: 2 });
  const release = slots.tryAcquire("a");
  slots.tryAcquire("b");
  expect(slots.tryAcquire("c")).toBe("total");
  if (typeof release !== "function") throw new Error("expected a slot");
  release();
  release(); // a second release must not free a slot it does not hold
  expect(slots.inUse()).toBe(1);
  expect(typeof slots.tryAcquire("c")).toBe("function");
  expect(slots.tryAcquire("d")).toBe("total");
});

test("requests without a known address share one key", () => {
  const slots = createUploadSlots({ total: 10, perClient: 1 });
  expect(typeof slots.tryAcquire(null)).toBe("function");
  expect(slots.tryAcquire(null)).toBe("per_client");
});
