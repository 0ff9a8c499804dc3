import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "probot";
import type { AppState } from "../app/state.js";
import type { Dispatch, VerifiedDelivery } from "../server/webhooks.js";
import { isHeadKey, SharedCheckRunIds } from "./check-run-ids.js";
import { startLeaderPass } from "./leader.js";
import { RedisSerializer } from "./lock.js";
import { DeliveryQueue } from "./queue.js";
import { fastFailingClient, pingRedis, RedisUnavailableError, workerClient } from "./redis.js";

export interface ReplicaOptions {
  url: string;
  state: AppState;
  log: Logger;
  /** Deliveries this replica runs at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Runs one delivery through the app's handlers (`probot.receive`). */
  receive: (delivery: VerifiedDelivery, rerun: boolean) => Promise<void>;
}

export interface Replica {
  /** The ingress's dispatch: queue the delivery and answer 202, or 503 naming Redis. */
  dispatch: Dispatch;
  /** Does Redis answer a PING (within 1 s)? */
  healthy(): Promise<boolean>;
  /** Starts `pass` every `intervalSeconds` on one replica at a time. */
  startReconciler(pass: (stopped: () => boolean) => Promise<unknown>, intervalSeconds: number): () => Promise<void>;
  /** Stops taking jobs, waits up to `graceMs` for the running ones (the rest are run again by another replica), closes Redis. */
  close(graceMs: number): Promise<void>;
}

/**
 * What makes replicas one app (REDIS_URL): deliveries go through a BullMQ
 * queue keyed by delivery id, work on one PR and one head commit takes a
 * Redis lock (the app's serializer, swapped in here, so the handlers do not
 * change), check-run ids are shared through Redis, and reconciliation runs on
 * one replica at a time. The app state is changed in place.
 */
export function startReplica(options: ReplicaOptions): Replica {
  const { url, state, log } = options;
  const name = `roleguard-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const client = fastFailingClient(url, name);
  const consumer = workerClient(url, `${name}-worker`);
  const ids = new SharedCheckRunIds(client, (error) => log.warn({ err: error }, `could not share a check-run id through Redis: ${(error as Error).message}`));
  state.checkRunIds = ids;
  state.serializer = new RedisSerializer(client, {
    onAcquired: async (key) => (isHeadKey(key) ? ids.loadShared(key) : undefined),
    onReleasing: async (key) => (isHeadKey(key) ? ids.flushShared(key) : undefined),
    onLost: (key, error) => log.error({ key, err: error }, `lost the Redis lock of ${key} while working on it (${error.message}); another replica may be working on it too`),
  });
  const queue = new DeliveryQueue({ producer: client, consumer, handle: options.receive, log, ...(options.concurrency ? { concurrency: options.concurrency } : {}) });

  const dispatch: Dispatch = async (delivery) => {
    try {
      await queue.enqueue(delivery);
      return { status: 202, body: "queued\n" };
    } catch (error) {
      const reason = error instanceof RedisUnavailableError ? error.message : `Redis is unreachable: ${(error as Error).message}`;
      log.error({ id: delivery.id, event: delivery.name }, `could not accept delivery ${delivery.id} (${delivery.name}): ${reason}; GitHub records it as failed — redeliver it once Redis is back`);
      return { status: 503, body: `${JSON.stringify({ error: `${reason}; redeliver this delivery once Redis is back` })}\n` };
    }
  };

  return {
    dispatch,
    healthy: () => pingRedis(client),
    startReconciler: (pass, intervalSeconds) => startLeaderPass(client, pass, { intervalSeconds, log, replica: name }),
    async close(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([queue.close(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      consumer.disconnect();
      client.disconnect();
    },
  };
}
