// BIP-340 checks of auth tokens with a cache of verified ids (blossom.md §13.3, reliability A4):
// one verification costs ~0.85 ms of CPU, so hits skip it, an idle server verifies inline, and a
// busy one hands the work to the CPU pool. The caller has already recomputed the id.
import type { NostrEvent } from "../protocol/nostr-event.ts";
import { verifySignature } from "../protocol/nostr-event.ts";
import type { CpuPool } from "../workers/pool.ts";

export interface TokenVerifier {
  verify(event: NostrEvent, expiresAtSec: number): Promise<boolean>;
  stats(): { cacheHits: number; cacheMisses: number; inline: number; pooled: number };
}

export function createTokenVerifier(deps: {
  pool: Pick<CpuPool, "run">;
  nowSec: () => number;
  cacheSize: number;
}): TokenVerifier {
  // Map keeps insertion order: re-inserting on a hit makes it an LRU.
  const verified = new Map<string, number>();
  const inFlight = new Map<string, Promise<boolean>>();
  const counts = { cacheHits: 0, cacheMisses: 0, inline: 0, pooled: 0 };

  function remember(key: string, expiresAtSec: number): void {
    verified.delete(key);
    verified.set(key, expiresAtSec);
    if (verified.size > deps.cacheSize) {
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) verified.delete(oldest);
    }
  }

  async function check(event: NostrEvent): Promise<boolean> {
    // Inline only when nothing else is verifying: one check is cheaper than a hop to a worker.
    if (inFlight.size <= 1) {
      counts.inline++;
      return verifySignature(event);
    }
    counts.pooled++;
    const [valid] = await deps.pool.run("verifySignatures", [
      { id: event.id, pubkey: event.pubkey, sig: event.sig },
    ]);
    return valid === true;
  }

  return {
    async verify(event, expiresAtSec) {
      const key = `${event.id}:${event.sig}:${event.pubkey}`;
      const cachedUntil = verified.get(key);
      if (cachedUntil !== undefined && cachedUntil > deps.nowSec()) {
        counts.cacheHits++;
        remember(key, cachedUntil);
        return true;
      }
      counts.cacheMisses++;
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const result = Promise.resolve()
        .then(() => check(event))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, result);
      const valid = await result;
      if (valid) remember(key, expiresAtSec);
      return valid;
    },
    stats: () => ({ ...counts }),
  };
}
