// BIP-340 checks of auth tokens with a cache of verified ids (blossom.md §13.3, reliability A4):
// one verification costs ~0.5-0.85 ms of CPU, so hits skip it. The main thread verifies inline (no
// hop to a worker) within a share of its time, so a quiet server answers at once and I/O keeps
// the rest under load; past that share the CPU pool takes the work, so every core verifies. The
// caller has already recomputed the id.
import type { NostrEvent } from "../protocol/nostr-event.ts";
import { verifySignature } from "../protocol/nostr-event.ts";
import { LruMap } from "../util/lru-map.ts";
import type { CpuPool } from "../workers/pool.ts";

export interface TokenVerifier {
  /** `beforeCheck` runs only when a signature is really checked (not cached); it may throw. */
  verify(event: NostrEvent, expiresAtSec: number, beforeCheck?: () => void): Promise<boolean>;
  stats(): { cacheHits: number; cacheMisses: number; inline: number; pooled: number };
}

export interface TokenVerifierDeps {
  readonly pool: Pick<CpuPool, "run">;
  readonly nowSec: () => number;
  readonly nowMs: () => number;
  readonly cacheSize: number;
  /** Share of the main thread's time inline checks may take (0: always the pool). */
  readonly inlineShare?: number;
}

/**
 * Main-thread time that may go to inline checks, per window. The window bounds how long checks
 * may hold the event loop in one stretch (half of it): 50 ms let a saturated pool push GET p99
 * to 65 ms, 10 ms kept it near 35 ms (docs/PERFORMANCE.md).
 */
const INLINE_WINDOW_MS = 10;
const INLINE_SHARE = 0.5;

/** A budget of busy milliseconds per fixed window: the caller reports what it spent. */
export function createTimeBudget(options: {
  windowMs: number;
  share: number;
  nowMs: () => number;
}) {
  let windowStartMs = Number.NEGATIVE_INFINITY;
  let spentMs = 0;
  const roll = () => {
    const now = options.nowMs();
    if (now - windowStartMs >= options.windowMs) {
      windowStartMs = now;
      spentMs = 0;
    }
  };
  return {
    available(): boolean {
      roll();
      return spentMs < options.windowMs * options.share;
    },
    spend(ms: number): void {
      roll();
      spentMs += ms;
    },
  };
}

export function createTokenVerifier(deps: TokenVerifierDeps): TokenVerifier {
  const verified = new LruMap<string, number>(deps.cacheSize);
  const inFlight = new Map<string, Promise<boolean>>();
  const counts = { cacheHits: 0, cacheMisses: 0, inline: 0, pooled: 0 };

  const inlineBudget = createTimeBudget({
    windowMs: INLINE_WINDOW_MS,
    share: deps.inlineShare ?? INLINE_SHARE,
    nowMs: deps.nowMs,
  });

  function verifyInline(event: NostrEvent): boolean {
    counts.inline++;
    const startedMs = deps.nowMs();
    const valid = verifySignature(event);
    inlineBudget.spend(deps.nowMs() - startedMs);
    return valid;
  }

  async function check(event: NostrEvent): Promise<boolean> {
    if (inlineBudget.available()) return verifyInline(event);
    counts.pooled++;
    const [valid] = await deps.pool.run("verifySignatures", [
      { id: event.id, pubkey: event.pubkey, sig: event.sig },
    ]);
    return valid === true;
  }

  return {
    async verify(event, expiresAtSec, beforeCheck) {
      const key = `${event.id}:${event.sig}:${event.pubkey}`;
      const cachedUntil = verified.get(key); // a hit becomes the most recently used
      if (cachedUntil !== undefined && cachedUntil > deps.nowSec()) {
        counts.cacheHits++;
        return true;
      }
      counts.cacheMisses++;
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      beforeCheck?.();
      const result = Promise.resolve()
        .then(() => check(event))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, result);
      const valid = await result;
      if (valid) verified.set(key, expiresAtSec);
      return valid;
    },
    stats: () => ({ ...counts }),
  };
}
