// Token buckets per client address (reliability A4: a per-IP bucket runs before the signature
// check), so one address cannot spend the server's verification capacity alone. Pure: the clock
// is injected. Full buckets are forgotten, and the map is bounded, so idle clients cost nothing.

export interface TokenBuckets {
  /** 0 when a token was taken; otherwise seconds until one is available. */
  take(client: string | null): number;
}

export interface TokenBucketOptions {
  /** Tokens added per second; 0 turns the buckets off. */
  readonly ratePerSec: number;
  readonly burst: number;
  readonly maxClients: number;
  readonly nowMs: () => number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export function createTokenBuckets(options: TokenBucketOptions): TokenBuckets {
  const buckets = new Map<string, Bucket>(); // insertion order ≈ least recently refilled first
  const refill = (bucket: Bucket, nowMs: number) => {
    const earned = ((nowMs - bucket.updatedMs) / 1000) * options.ratePerSec;
    bucket.tokens = Math.min(options.burst, bucket.tokens + earned);
    bucket.updatedMs = nowMs;
  };
  const evictFull = (nowMs: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, nowMs);
      if (bucket.tokens >= options.burst) buckets.delete(key);
    }
    // Still too many live clients: the oldest lose their debt rather than the map growing.
    for (const key of buckets.keys()) {
      if (buckets.size < options.maxClients) break;
      buckets.delete(key);
    }
  };
  return {
    take(client) {
      if (options.ratePerSec <= 0) return 0;
      const nowMs = options.nowMs();
      const key = client ?? "";
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= options.maxClients) evictFull(nowMs);
        bucket = { tokens: options.burst, updatedMs: nowMs };
      } else {
        buckets.delete(key);
        refill(bucket, nowMs);
      }
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / options.ratePerSec));
    },
  };
}
