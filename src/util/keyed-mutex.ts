/**
 * One critical section at a time per key (e.g. per blob hash), so that commit, owner changes
 * and deletes of the same blob never interleave (reliability P5, P6). In-process only.
 */
export interface KeyedMutex {
  run<T>(key: string, critical: () => Promise<T>): Promise<T>;
}

export function createKeyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run<T>(key: string, critical: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const current = previous.then(critical, critical);
      const tail = current.catch(() => undefined);
      tails.set(key, tail);
      try {
        return await current;
      } finally {
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
