// A Map that gives up its least recently used entry in constant time. The engine's Map keeps a
// deleted entry as a hole until it rehashes, and `keys().next()` walks over the holes: evicting
// the oldest entry that way cost 0.4 µs at 1,000 entries and 6.4 µs at 10,000 on every miss of a
// full cache, this 0.2 µs at any size (bench/micro/lru-map.bench.ts). The order is a linked list;
// the Map is never iterated.

interface Node<K, V> {
  key: K;
  value: V;
  older: Node<K, V> | null;
  newer: Node<K, V> | null;
}

export class LruMap<K, V> {
  readonly #nodes = new Map<K, Node<K, V>>();
  /** Past this many entries, setting a new key removes the least recently used. */
  readonly #maxSize: number;
  #oldest: Node<K, V> | null = null;
  #newest: Node<K, V> | null = null;
  /** The last node removed as the oldest, reused by the next new key: a full cache's miss
   * (evict one, add one) then leaves no garbage of its own. */
  #spare: Node<K, V> | null = null;

  constructor(maxSize = Number.POSITIVE_INFINITY) {
    this.#maxSize = maxSize;
  }

  get size(): number {
    return this.#nodes.size;
  }

  /** The value, which becomes the most recently used. */
  get(key: K): V | undefined {
    const node = this.#nodes.get(key);
    if (node === undefined) return undefined;
    this.#unlink(node);
    this.#append(node);
    return node.value;
  }

  /** The value, its recency unchanged. */
  peek(key: K): V | undefined {
    return this.#nodes.get(key)?.value;
  }

  /** Sets the value, which becomes the most recently used; past the bound the oldest leaves. */
  set(key: K, value: V): void {
    const held = this.#nodes.get(key);
    if (held !== undefined) {
      held.value = value;
      this.#unlink(held);
      this.#append(held);
      return;
    }
    const node = this.#spare ?? { key, value, older: null, newer: null };
    this.#spare = null;
    node.key = key;
    node.value = value;
    this.#nodes.set(key, node);
    this.#append(node);
    if (this.#nodes.size > this.#maxSize) this.removeOldest();
  }

  delete(key: K): boolean {
    const node = this.#nodes.get(key);
    if (node === undefined) return false;
    this.#nodes.delete(key);
    this.#unlink(node);
    return true;
  }

  /** Removes the least recently used entry and returns its value; undefined when empty. */
  removeOldest(): V | undefined {
    const oldest = this.#oldest;
    if (oldest === null) return undefined;
    this.#nodes.delete(oldest.key);
    this.#unlink(oldest);
    const { value } = oldest;
    oldest.value = undefined as V; // the spare must not keep the value alive
    this.#spare = oldest;
    return value;
  }

  clear(): void {
    this.#nodes.clear();
    this.#oldest = null;
    this.#newest = null;
    this.#spare = null;
  }

  #append(node: Node<K, V>): void {
    node.older = this.#newest;
    node.newer = null;
    if (this.#newest === null) this.#oldest = node;
    else this.#newest.newer = node;
    this.#newest = node;
  }

  #unlink(node: Node<K, V>): void {
    if (node.older === null) this.#oldest = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === null) this.#newest = node.older;
    else node.newer.older = node.older;
    node.older = null;
    node.newer = null;
  }
}
