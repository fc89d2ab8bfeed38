// A soft memory limit. On a machine with much RAM the JavaScript engine lets its heap grow far
// past the live data before it collects (a 24 GiB machine's /list load left 50 MiB of garbage
// resident). Past the limit the server asks for a full collection; it asks again only once the
// resident set has grown another step past what the last collection left, so live data above
// the limit (caches the operator sized) costs one collection, not one per check.

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

/** How often resident memory is compared with the limit. */
const CHECK_EVERY_MS = 100;
const STEP_BYTES = 16 * 1024 ** 2;

/** Checks this process against the limit on a timer; returns the function that stops it. */
export function watchMemory(softLimitBytes: number, onCollected: (ms: number) => void): () => void {
  if (softLimitBytes === 0) return () => {}; // off: no timer waking the process for nothing
  const memory = createSoftMemoryLimit({
    softLimitBytes,
    stepBytes: STEP_BYTES,
    residentBytes: () => process.memoryUsage.rss(),
    collect: () => {
      const startedMs = performance.now();
      Bun.gc(true);
      onCollected(Math.round(performance.now() - startedMs));
    },
  });
  const timer = setInterval(() => memory.check(), CHECK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
