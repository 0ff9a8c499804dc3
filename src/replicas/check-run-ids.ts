import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";

/** How long a head's check-run id is shared: far longer than any delivery of that head takes to arrive. */
const TTL_SECONDS = 7 * 24 * 3600;

const redisKey = (key: string) => `roleguard:check-run:${key.toLowerCase()}`;

/**
 * The memory of check-run ids (repo@sha → id), shared by every replica.
 *
 * An evaluation of a commit just pushed skips asking GitHub for the head's
 * run ("no run can exist yet") and relies on this memory to catch a run made
 * meanwhile for the same head — say by the `check_suite.requested` GitHub
 * sends with every push. With replicas, that run may have been made by
 * another one; so every id learnt is also written to Redis, and whoever takes
 * a head's lock first loads the head's id from there (`loadShared`), before its
 * evaluation decides whether to create or update. Writes are awaited before
 * the lock is released (`flushShared`), so the next holder always sees them.
 */
export class SharedCheckRunIds extends LRUCache<string, number> {
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: Redis,
    private readonly onError: (error: unknown) => void,
  ) {
    super({ max: 50_000 });
  }

  override set(key: string, value: number, options?: LRUCache.SetOptions<string, number, unknown>): this {
    super.set(key, value, options);
    const lower = key.toLowerCase();
    const write = this.client
      .set(redisKey(key), JSON.stringify({ key, id: value }), "EX", TTL_SECONDS)
      .catch(this.onError)
      .finally(() => {
        if (this.pending.get(lower) === write) this.pending.delete(lower);
      });
    this.pending.set(lower, write);
    return this;
  }

  /** Takes the head's id from Redis into this process's memory (under the head's lock). */
  async loadShared(key: string): Promise<void> {
    const stored = await this.client.get(redisKey(key));
    if (!stored) return;
    const parsed = JSON.parse(stored) as { key?: unknown; id?: unknown };
    if (typeof parsed.key === "string" && typeof parsed.id === "number") super.set(parsed.key, parsed.id);
  }

  /** Waits for this head's writes to Redis (before its lock is released). */
  async flushShared(key: string): Promise<void> {
    await this.pending.get(key.toLowerCase());
  }
}

/** The keys the serializer holds per head commit ("owner/repo@sha"), as opposed to per PR ("owner/repo#7"). */
export const isHeadKey = (key: string): boolean => key.includes("@");
