import { expect, test } from "bun:test";
import { LruMap } from "./lru-map.ts";

/** Values oldest first, emptying the map. */
const drain = <K, V>(map: LruMap<K, V>) => {
  const order: V[] = [];
  for (let value = map.removeOldest(); value !== undefined; value = map.removeOldest()) {
    order.push(value);
  }
  return order;
};

test("entries leave oldest first; get and set make an entry the newest, peek does not", () => {
  const map = new LruMap<string, number>();
  for (const key of ["a", "b", "c", "d"]) map.set(key, key.charCodeAt(0));
  expect(map.get("a")).toBe(97);
  map.set("b", 1);
  expect(map.peek("c")).toBe(99);
  expect(map.size).toBe(4);
  expect(drain(map)).toEqual([99, 100, 97, 1]); // c, d, a, b
  expect(map.size).toBe(0);
  expect(map.removeOldest()).toBeUndefined();
});

test("delete and clear leave the order of the rest intact", () => {
  const map = new LruMap<string, string>();
  for (const key of ["a", "b", "c", "d", "e"]) map.set(key, key.toUpperCase());
  expect(map.delete("a")).toBe(true); // the oldest
  expect(map.delete("e")).toBe(true); // the newest
  expect(map.delete("c")).toBe(true); // one in the middle
  expect(map.delete("c")).toBe(false);
  expect([map.get("c"), map.peek("c")]).toEqual([undefined, undefined]);
  expect(map.removeOldest()).toBe("B");
  map.set("f", "F");
  expect(drain(map)).toEqual(["D", "F"]);
  map.set("g", "G");
  map.clear();
  expect([map.size, map.removeOldest(), map.get("g")]).toEqual([0, undefined, undefined]);
  map.set("h", "H");
  expect(drain(map)).toEqual(["H"]);
});

test("a bounded cache keeps the most recently used under random use, like a model of it", () => {
  const bound = 50;
  const map = new LruMap<number, number>();
  let model: number[] = []; // keys, oldest first
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % 200;
  };
  for (let step = 0; step < 20_000; step++) {
    const key = random();
    const op = step % 3;
    if (op === 0) {
      map.set(key, key); // the value is the key, so what leaves can be compared with the model
      model = [...model.filter((k) => k !== key), key];
      if (map.size > bound) expect(map.removeOldest()).toBe(model.shift() as number);
    } else if (op === 1) {
      const hit = map.get(key) !== undefined;
      expect(hit).toBe(model.includes(key));
      if (hit) model = [...model.filter((k) => k !== key), key];
    } else if (key % 7 === 0) {
      expect(map.delete(key)).toBe(model.includes(key));
      model = model.filter((k) => k !== key);
    }
    expect(map.size).toBe(model.length);
  }
  expect(drain(map)).toEqual(model);
});

test("with a bound, setting a new key past it removes the least recently used", () => {
  const map = new LruMap<string, number>(2);
  map.set("a", 1);
  map.set("b", 2);
  map.get("a");
  map.set("c", 3); // b was used least recently
  map.set("a", 4); // an existing key: nothing leaves
  expect([map.size, map.peek("b"), map.peek("a"), map.peek("c")]).toEqual([2, undefined, 4, 3]);
});
