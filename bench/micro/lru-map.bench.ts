// A full cache's miss: insert one entry, evict the oldest. The engine's Map evicting through
// `keys().next()` (what the hot rows, the blob cache, the header templates and the token cache
// did) against LruMap, at the sizes those caches have. Run alone:
// `bun bench/micro/lru-map.bench.ts`.
import { bench, group, run, summary } from "mitata";
import { LruMap } from "../../src/util/lru-map.ts";

const SIZES = [1_000, 3_000, 10_000];

function filledMap(size: number): Map<string, number> {
  const map = new Map<string, number>();
  for (let i = 0; i < size; i++) map.set(`key-${i}`, i);
  return map;
}

function filledLru(size: number): LruMap<string, number> {
  const map = new LruMap<string, number>();
  for (let i = 0; i < size; i++) map.set(`key-${i}`, i);
  return map;
}

for (const size of SIZES) {
  group(`full cache of ${size}: insert one, evict the oldest`, () => {
    summary(() => {
      const map = filledMap(size);
      let next = size;
      bench("Map, keys().next()", () => {
        map.set(`key-${next++}`, next);
        map.delete(map.keys().next().value as string);
      });
      const lru = filledLru(size);
      let lruNext = size;
      bench("LruMap, removeOldest()", () => {
        lru.set(`key-${lruNext++}`, lruNext);
        lru.removeOldest();
      });
    });
  });
}

if (import.meta.main) await run({ colors: false });
