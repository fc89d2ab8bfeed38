// Latency summaries shared by the fetch client and the wrk parser.

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly durationSec: number;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Which client measured it: "fetch" or "wrk". */
  readonly client: string;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

export function summarise(
  latenciesMs: number[],
  errors: number,
  durationSec: number,
  client: string,
): LoadResult {
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    requests: sorted.length,
    errors,
    durationSec,
    requestsPerSec: sorted.length / durationSec,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] ?? 0),
    client,
  };
}

export const round = (value: number, digits = 3): number =>
  value === 0 ? 0 : Number(value.toPrecision(digits));
