// An adaptive concurrency limiter in the manner of Netflix's concurrency-limits "gradient2" limit:
// the limit follows longLatency / recentLatency, so it falls when latency rises over its long-term
// average (a queue is building) and climbs back (by √limit headroom) when latency recovers or
// settles. The long-term average, not the best latency ever seen, is the baseline: against the
// best, any steady load above the quietest moment read as congestion, and the signature limit
// fell from 64 to 5 while the server used 41 % of its core. Pure: the clock is injected.

export interface LimiterOptions {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  /** Latency samples averaged per update. */
  readonly windowSize?: number;
  /** Weight of a new limit against the old one (0…1]. */
  readonly smoothing?: number;
  /** How much slower than the long-term latency counts as "no worse" (ratio ≥ 1). */
  readonly tolerance?: number;
  /** Windows over which the long-term latency adapts (its exponential average's span). */
  readonly longWindows?: number;
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
  const longWeight = 1 / (options.longWindows ?? 30);
  let limit = options.initialLimit;
  let inFlight = 0;
  let longLatencyMs = Number.NaN;
  let samples: number[] = [];

  const clamp = (value: number) => Math.min(options.maxLimit, Math.max(options.minLimit, value));

  function update(): void {
    const recent = samples.reduce((a, b) => a + b, 0) / samples.length;
    samples = [];
    longLatencyMs = Number.isNaN(longLatencyMs)
      ? recent
      : longLatencyMs + (recent - longLatencyMs) * longWeight;
    // When the load goes away the baseline follows quickly, so the next rise is seen at once.
    if (longLatencyMs > 2 * recent) longLatencyMs *= 0.95;
    const gradient = Math.max(
      0.5,
      Math.min(1, (tolerance * longLatencyMs) / Math.max(recent, 1e-6)),
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
