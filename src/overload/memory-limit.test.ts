import { expect, test } from "bun:test";
import { createSoftMemoryLimit } from "./memory-limit.ts";

const MiB = 1024 ** 2;

/** A resident set that a collection brings down to `afterCollect`. */
function simulated(afterCollect: number) {
  let resident = 0;
  let collections = 0;
  const limit = createSoftMemoryLimit({
    softLimitBytes: 128 * MiB,
    stepBytes: 16 * MiB,
    residentBytes: () => resident,
    collect: () => {
      collections++;
      resident = Math.min(resident, afterCollect);
    },
  });
  return {
    at(mib: number) {
      resident = mib * MiB;
      return limit.check();
    },
    collections: () => collections,
  };
}

test("under the limit nothing is collected", () => {
  const memory = simulated(100 * MiB);
  expect([memory.at(60), memory.at(127)]).toEqual([false, false]);
  expect(memory.collections()).toBe(0);
});

test("past the limit one collection; again only after another step of growth", () => {
  const memory = simulated(140 * MiB); // live data above the limit: a collection cannot fix it
  expect(memory.at(150)).toBe(true); // leaves 140
  expect([memory.at(145), memory.at(155)]).toEqual([false, false]); // under 140 + 16
  expect(memory.at(157)).toBe(true);
  expect(memory.collections()).toBe(2);
});

test("after falling under the limit, the next crossing collects at once", () => {
  const memory = simulated(90 * MiB);
  expect(memory.at(130)).toBe(true); // leaves 90
  expect(memory.at(100)).toBe(false);
  expect(memory.at(129)).toBe(true);
});

test("a limit of 0 never collects", () => {
  const limit = createSoftMemoryLimit({
    softLimitBytes: 0,
    stepBytes: MiB,
    residentBytes: () => 10 ** 12,
    collect: () => {
      throw new Error("must not collect");
    },
  });
  expect(limit.check()).toBe(false);
});
