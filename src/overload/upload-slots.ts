// Concurrent body-carrying requests (uploads, mirrors, media), capped in total and per client
// address (reliability A5): past a cap the request is refused at once, before its token is
// verified or a byte of its body is read, instead of queueing without bound.

export type SlotRefusal = "total" | "per_client";

export interface UploadSlots {
  /** A release function, or why there is no slot. Release exactly once. */
  tryAcquire(client: string | null): (() => void) | SlotRefusal;
  inUse(): number;
}

export function createUploadSlots(options: { total: number; perClient: number }): UploadSlots {
  const byClient = new Map<string, number>();
  let inUse = 0;
  return {
    tryAcquire(client) {
      if (inUse >= options.total) return "total";
      const key = client ?? "";
      const held = byClient.get(key) ?? 0;
      if (held >= options.perClient) return "per_client";
      inUse++;
      byClient.set(key, held + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inUse--;
        const left = (byClient.get(key) ?? 1) - 1;
        if (left === 0) byClient.delete(key);
        else byClient.set(key, left);
      };
    },
    inUse: () => inUse,
  };
}
