import { ExecutionError, Redlock, ResourceLockedError } from "@sesamecare-oss/redlock";
import type { Redis } from "ioredis";
import { KeyedSerializer, type Serializer } from "../app/state.js";
import { RedisUnavailableError, untilReady } from "./redis.js";

export interface RedisSerializerOptions {
  /** How long a lock lives unless extended (it is, every `duration - extendBefore` ms, while its task runs). A replica that dies frees its PRs after this. */
  durationMs?: number;
  /** How long a task may wait for another replica to finish the same PR before it fails (and its delivery is retried). */
  waitMs?: number;
  /** How often a waiting replica asks again. */
  retryDelayMs?: number;
  /** Called with the lock's key once it is held and right before it is released: state to load from or save to Redis while nobody else can change it. */
  onAcquired?: (key: string) => Promise<void>;
  onReleasing?: (key: string) => Promise<void>;
  /** Told when a lock could not be extended and may have been taken over (exclusivity is no longer certain). */
  onLost?: (key: string, error: Error) => void;
}

/** The Redis key of a caller's key: `roleguard:pr:owner/repo#7`, `roleguard:pr:owner/repo@<sha>`. */
export const lockKey = (key: string): string => `roleguard:pr:${key}`;

/**
 * The per-PR serializer across replicas: tasks of one key run one at a time
 * over every replica sharing the Redis. Within this process they queue in
 * order first (an in-process KeyedSerializer, so a replica never competes with
 * itself); the task at the head of that queue then takes the Redis lock
 * (redlock, auto-extended while the task runs) and waits for any other
 * replica's holder to release it. Waiting is bounded (`waitMs`), and a Redis
 * that does not answer fails the task at once with RedisUnavailableError.
 */
export class RedisSerializer implements Serializer {
  private readonly local = new KeyedSerializer();
  private readonly redlock: Redlock;
  private readonly durationMs: number;
  private readonly waitMs: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly client: Redis,
    private readonly options: RedisSerializerOptions = {},
  ) {
    this.durationMs = options.durationMs ?? 15_000;
    this.waitMs = options.waitMs ?? 120_000;
    this.retryDelayMs = options.retryDelayMs ?? 50;
    this.redlock = new Redlock([client], { retryCount: 0, automaticExtensionThreshold: Math.floor(this.durationMs / 3), db: client.options.db ?? 0 });
    // Every refused attempt is also emitted as an `error` event; the attempts' outcome is handled below.
    this.redlock.on("error", () => undefined);
  }

  get size(): number {
    return this.local.size;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.local.run(key, () => this.underRedisLock(key, task));
  }

  private async underRedisLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    const resource = lockKey(key);
    await untilReady(this.client).catch((error: unknown) => {
      throw new RedisUnavailableError(`could not take the lock ${resource}`, error);
    });
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      let started = false;
      let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
      try {
        return await this.redlock.using([resource], this.durationMs, async (signal) => {
          started = true;
          signal.addEventListener("abort", () => this.options.onLost?.(key, signal.error ?? new Error("lock lost")));
          await this.options.onAcquired?.(key);
          try {
            const value = await task();
            outcome = { ok: true, value };
            return value;
          } catch (error) {
            outcome = { ok: false, error };
            throw error;
          } finally {
            await this.options.onReleasing?.(key);
          }
        });
      } catch (error) {
        // A release that failed after the task (Redis gone meanwhile) changes nothing: the lock lapses on its own,
        // and the task's own result or failure is the caller's. A task is never run twice.
        if (outcome) {
          if (outcome.ok) return outcome.value;
          throw outcome.error;
        }
        if (started) throw error;
        const refusal = await whyRefused(error);
        if (!refusal.held) throw new RedisUnavailableError(`could not take the lock ${resource}`, refusal.cause);
        if (Date.now() >= deadline) throw new Error(`${resource} stayed locked by another replica for ${Math.round(this.waitMs / 1000)} s`);
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs + Math.floor(Math.random() * this.retryDelayMs)));
      }
    }
  }
}

/**
 * Why an acquisition failed: `held` when another holder has the key, else the
 * first error Redis gave (down, timed out, refused the script).
 */
async function whyRefused(error: unknown): Promise<{ held: true } | { held: false; cause: unknown }> {
  if (!(error instanceof ExecutionError)) return { held: false, cause: error };
  const stats = await Promise.all(error.attempts);
  const against = stats.flatMap((each) => [...each.votesAgainst.values()]);
  const other = against.find((cause) => !(cause instanceof ResourceLockedError));
  return other === undefined && against.length > 0 ? { held: true } : { held: false, cause: other ?? error };
}
