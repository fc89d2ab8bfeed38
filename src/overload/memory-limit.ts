// When the server asks the engine for a full collection. On a machine with much RAM the
// JavaScript engine lets its heap grow far past the live data before it collects (a 24 GiB
// machine's /list load left 50 MiB of garbage resident), and what it frees stays with the
// process until a full collection. Two triggers:
// - a soft limit: past it one full collection, and another only once the resident set has grown
//   another step past what the last one left, so live data above the limit (caches the operator
//   sized) costs one collection, not one per check;
// - idleness: after a burst of work, once the process has been quiet for a while, one full
//   collection, so memory goes back down between bursts while nobody waits for it.

export interface SoftMemoryLimitOptions {
  /** Resident bytes above which a collection is asked for; 0: never. */
  readonly softLimitBytes: number;
  /** Growth past the last collection's result before the next one. */
  readonly stepBytes: number;
  readonly residentBytes: () => number;
  /** Runs a full, synchronous collection. */
  readonly collect: () => void;
}

export interface SoftMemoryLimit {
  /** Collects when due; returns whether it did. Call it on a timer. */
  check(): boolean;
}

export function createSoftMemoryLimit(options: SoftMemoryLimitOptions): SoftMemoryLimit {
  let floorBytes = 0; // what the last collection left; 0 when resident fell under the limit since
  return {
    check() {
      if (options.softLimitBytes === 0) return false;
      const resident = options.residentBytes();
      if (resident <= options.softLimitBytes) {
        floorBytes = 0;
        return false;
      }
      if (floorBytes !== 0 && resident < floorBytes + options.stepBytes) return false;
      options.collect();
      floorBytes = options.residentBytes();
      return true;
    },
  };
}

export interface IdleCollectorOptions {
  /** Quiet time after which a collection runs; 0: never. */
  readonly idleMs: number;
  /** CPU time spent since the last collection that makes another worth its pause. */
  readonly minWorkMs: number;
  /** CPU time this process has used so far. */
  readonly cpuMs: () => number;
  readonly nowMs: () => number;
  readonly collect: () => void;
}

/** An interval is busy when the process used more than this share of it on a CPU. */
const BUSY_CPU_SHARE = 0.05;

export function createIdleCollector(options: IdleCollectorOptions): { check(): boolean } {
  let lastCheckMs = options.nowMs();
  let lastCpuMs = options.cpuMs();
  let lastBusyMs = lastCheckMs;
  let cpuAtCollectionMs = lastCpuMs;
  return {
    /** Collects when due; returns whether it did. Call it on a timer. */
    check() {
      if (options.idleMs === 0) return false;
      const now = options.nowMs();
      const cpu = options.cpuMs();
      if (cpu - lastCpuMs > BUSY_CPU_SHARE * (now - lastCheckMs)) lastBusyMs = now;
      lastCheckMs = now;
      lastCpuMs = cpu;
      if (now - lastBusyMs < options.idleMs) return false;
      if (cpu - cpuAtCollectionMs < options.minWorkMs) return false;
      options.collect();
      // The collection's own CPU time is neither work to collect after nor a sign of traffic.
      cpuAtCollectionMs = options.cpuMs();
      lastCpuMs = cpuAtCollectionMs;
      lastCheckMs = options.nowMs();
      return true;
    },
  };
}

/** How often resident memory and CPU time are looked at. */
const CHECK_EVERY_MS = 100;
const STEP_BYTES = 16 * 1024 ** 2;
/**
 * Work since the last collection before an idle one: a full collection of a busy server's heap
 * took 76 ms (docs/PERFORMANCE.md), so at most about a third of the work it follows.
 */
const IDLE_MIN_WORK_MS = 250;

export interface MemoryWatchOptions {
  readonly softLimitBytes: number;
  readonly idleCollectAfterMs: number;
}

export type CollectionReason = "soft limit" | "idle";

/** Checks this process on a timer; returns the function that stops it. */
export function watchMemory(
  options: MemoryWatchOptions,
  onCollected: (reason: CollectionReason, ms: number) => void,
): () => void {
  if (options.softLimitBytes === 0 && options.idleCollectAfterMs === 0) return () => {}; // no timer waking the process for nothing
  const collectFor = (reason: CollectionReason) => () => {
    const startedMs = performance.now();
    Bun.gc(true);
    onCollected(reason, Math.round(performance.now() - startedMs));
  };
  const limit = createSoftMemoryLimit({
    softLimitBytes: options.softLimitBytes,
    stepBytes: STEP_BYTES,
    residentBytes: () => process.memoryUsage.rss(),
    collect: collectFor("soft limit"),
  });
  const idle = createIdleCollector({
    idleMs: options.idleCollectAfterMs,
    minWorkMs: IDLE_MIN_WORK_MS,
    cpuMs: () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    },
    nowMs: () => performance.now(),
    collect: collectFor("idle"),
  });
  const timer = setInterval(() => limit.check() || idle.check(), CHECK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
