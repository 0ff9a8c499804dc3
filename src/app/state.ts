import { ledgerKey } from "../approvals/ledger.js";
import { Metrics } from "./metrics.js";
import type { LRUCache } from "lru-cache";
import { GitHubCache } from "../sources/github/cache.js";
import { newCheckRunIds, type CheckRunIds } from "../sources/github/check-runs.js";
import { newReviewMemory, type ReviewMemory } from "../sources/github/review-requests.js";
import { boundedCache } from "../bounded-cache.js";

/**
 * Runs tasks with the same key one after another (the same PR evaluated for
 * two deliveries at once would otherwise race to create two check runs);
 * different keys run in parallel. Callers pass their own keys ("owner/repo#7"
 * for a PR, "owner/repo@sha" for a head commit); a task may take another
 * key's turn inside its own, never its own key again.
 */
export interface Serializer {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Keys with a task running or waiting in this process (the shutdown waits for 0). */
  readonly size: number;
}

/** The embedded serializer: one process, one promise chain per key. */
export class KeyedSerializer implements Serializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  get size(): number {
    return this.tails.size;
  }
}

/** What the app keeps in memory between deliveries; all of it bounded, none of it needed for correctness after a restart. */
export interface AppState {
  cache: GitHubCache;
  checkRunIds: CheckRunIds;
  reviewMemory: ReviewMemory;
  /** In-process by default; across replicas (a Redis lock per key) when the server runs with REDIS_URL. */
  serializer: Serializer;
  /** This app's id, to tell its check runs from another app's of the same name. */
  appId?: number;
  /** The app's bot login ("roleguard[bot]"), to recognise its own comments. */
  botLogin?: string;
  /** Signs the approvals record; derived from the webhook secret so every replica agrees. */
  ledgerKey: Buffer;
  metrics: Metrics;
  /** Head SHAs (repo@sha) whose check run this process completed with a real verdict: reconciliation skips them. */
  completed: LRUCache<string, true>;
  /** Delivery ids being run again (an earlier attempt failed or its replica died): never treated as a head just pushed. */
  reruns: LRUCache<string, true>;
}

export interface AppStateOptions {
  /** Node's process metrics too (the server wants them; tests do not). */
  defaultMetrics?: boolean;
  appId?: number;
  botLogin?: string;
  /** The secret the approvals record is signed with (WEBHOOK_SECRET in production). */
  secret?: string;
}

export function newAppState(options: AppStateOptions = {}): AppState {
  const { appId, botLogin } = options;
  return {
    metrics: new Metrics({ defaultMetrics: options.defaultMetrics ?? false }),
    completed: boundedCache<string, true>(100_000),
    reruns: boundedCache<string, true>(10_000),
    ledgerKey: ledgerKey(options.secret ?? process.env.ROLEGUARD_SIGNING_SECRET ?? process.env.WEBHOOK_SECRET ?? "roleguard-development-only"),
    ...(botLogin ? { botLogin } : {}),
    cache: new GitHubCache(),
    checkRunIds: newCheckRunIds(),
    reviewMemory: newReviewMemory(),
    serializer: new KeyedSerializer(),
    ...(appId !== undefined ? { appId } : {}),
  };
}
