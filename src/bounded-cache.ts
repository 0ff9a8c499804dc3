import { LRUCache } from "lru-cache";

/**
 * An LRU cache that holds at most `entries` entries and grows as it fills.
 * lru-cache's own `max` allocates every slot when the cache is made (about
 * 40 ms for 200,000 on this machine): the app makes its caches once, but
 * `check --pr` made fourteen of them, up to 200,000 slots each, to read one
 * PR — a quarter of a second before its first request (issue 13). Bounding
 * by size, each entry counted 1, evicts exactly as `max` does.
 */
export function boundedCache<K extends {}, V extends {}>(entries: number, options: Omit<LRUCache.Options<K, V, unknown>, "max" | "maxSize" | "sizeCalculation"> = {}): LRUCache<K, V> {
  return new LRUCache<K, V>({ ...options, maxSize: entries, sizeCalculation: () => 1 });
}
