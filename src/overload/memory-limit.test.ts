import { expect, test } from "bun:test";
import { createIdleCollector, createSoftMemoryLimit } from "./memory-limit.ts";

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

/** A process whose clock and CPU time the test moves; checks every 100 ms as the timer does. */
function idleProcess(idleMs: number) {
  let now = 0;
  let cpu = 0;
  let collections = 0;
  const collector = createIdleCollector({
    idleMs,
    minWorkMs: 250,
    cpuMs: () => cpu,
    nowMs: () => now,
    collect: () => {
      collections++;
      cpu += 70; // a collection costs CPU time of its own
    },
  });
  /** `ms` of wall time, busy at `share` of a CPU; the checks that collected, in order. */
  const run = (ms: number, share: number) => {
    const collected: number[] = [];
    for (let at = 100; at <= ms; at += 100) {
      now += 100;
      cpu += 100 * share;
      if (collector.check()) collected.push(at);
    }
    return collected;
  };
  return { run, collections: () => collections };
}

test("after a burst of work, one collection once the process has been quiet for idleMs", () => {
  const server = idleProcess(1000);
  expect(server.run(2000, 0.9)).toEqual([]); // busy: never while work goes on
  expect(server.run(3000, 0)).toEqual([1000]); // quiet for a second: once, not again
  expect(server.collections()).toBe(1);
});

test("no collection without enough work since the last one, nor while a trickle keeps it busy", () => {
  const quiet = idleProcess(1000);
  expect(quiet.run(200, 0.5)).toEqual([]); // 100 ms of work: not worth a pause
  expect(quiet.run(3000, 0)).toEqual([]);
  const trickle = idleProcess(1000);
  expect(trickle.run(3000, 0.5)).toEqual([]);
  expect(trickle.run(5000, 0.06)).toEqual([]); // just above the busy share: not quiet
  expect(trickle.run(1500, 0.01)).toEqual([1000]);
});

test("an idle time of 0 never collects", () => {
  const server = idleProcess(0);
  server.run(2000, 1);
  expect(server.run(5000, 0)).toEqual([]);
});
