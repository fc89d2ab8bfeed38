// An adaptive concurrency limiter in the manner of Netflix's concurrency-limits "gradient" limit:
// the limit follows minLatency / recentLatency, so it falls when latency rises over the best seen
// and climbs back (by √limit headroom) when latency recovers. Pure: the clock is injected.

export interface LimiterOptions {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  /** Latency samples averaged per update. */
  readonly windowSize?: number;
  /** Weight of a new limit against the old one (0…1]. */
  readonly smoothing?: number;
  /** How much slower than the best observed latency counts as "no worse" (ratio ≥ 1). */
  readonly tolerance?: number;
  readonly nowMs: () => number;
}

export interface Permit {
  /** "success" measures latency; "dropped" (timeout, overload) cuts the limit; "ignore" neither. */
  release(outcome: "success" | "dropped" | "ignore"): void;
}

export interface AdaptiveLimiter {
  /** null: over the limit; the caller answers 503 with Retry-After. */
  tryAcquire(): Permit | null;
  limit(): number;
  inFlight(): number;
}

export function createAdaptiveLimiter(options: LimiterOptions): AdaptiveLimiter {
  const windowSize = options.windowSize ?? 20;
  const smoothing = options.smoothing ?? 0.2;
  const tolerance = options.tolerance ?? 1.5;
  let limit = options.initialLimit;
  let inFlight = 0;
  let bestLatencyMs = Number.POSITIVE_INFINITY;
  let samples: number[] = [];

  const clamp = (value: number) => Math.min(options.maxLimit, Math.max(options.minLimit, value));

  function update(): void {
    const recent = samples.reduce((a, b) => a + b, 0) / samples.length;
    samples = [];
    bestLatencyMs = Math.min(bestLatencyMs, recent);
    const gradient = Math.max(
      0.5,
      Math.min(1, (tolerance * bestLatencyMs) / Math.max(recent, 1e-6)),
    );
    const headroom = Math.sqrt(limit);
    const target = limit * gradient + headroom;
    limit = clamp((1 - smoothing) * limit + smoothing * target);
  }

  return {
    tryAcquire() {
      if (inFlight >= Math.floor(limit)) return null;
      inFlight++;
      const startedMs = options.nowMs();
      let released = false;
      return {
        release(outcome) {
          if (released) return;
          released = true;
          inFlight--;
          if (outcome === "dropped") {
            limit = clamp(limit * 0.9);
            return;
          }
          if (outcome === "ignore") return;
          samples.push(options.nowMs() - startedMs);
          if (samples.length >= windowSize) update();
        },
      };
    },
    limit: () => Math.floor(limit),
    inFlight: () => inFlight,
  };
}
