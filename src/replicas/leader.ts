import { randomUUID } from "node:crypto";
import { ExecutionError, Redlock } from "@sesamecare-oss/redlock";
import type { Redis } from "ioredis";
import type { Logger } from "probot";
import { untilReady } from "./redis.js";

const TURN_KEY = "roleguard:reconcile:turn";
const RUNNING_KEY = "roleguard:reconcile:running";

export interface LeaderOptions {
  intervalSeconds: number;
  log: Logger;
  /** This replica's name in Redis (whose turn it was), for whoever reads the keys. */
  replica?: string;
}

/**
 * Periodic work that one replica at a time does: every `intervalSeconds` each
 * replica asks for the interval's turn (`SET roleguard:reconcile:turn NX PX
 * interval`, so at most one pass starts per interval across replicas); the
 * winner then runs the pass under a redlock lock, auto-extended, so a pass
 * longer than the interval is never joined by a second one. A replica that
 * dies mid-pass frees the lock within its duration; the next interval's
 * winner starts again (a pass is resumable: heads already judged are skipped).
 * Returns the stop function; the pass in progress finishes on its own.
 */
export function startLeaderPass(client: Redis, pass: (stopped: () => boolean) => Promise<unknown>, options: LeaderOptions): () => Promise<void> {
  const replica = options.replica ?? randomUUID();
  const redlock = new Redlock([client], { retryCount: 0, automaticExtensionThreshold: 10_000, db: client.options.db ?? 0 });
  redlock.on("error", () => undefined);
  let stopped = false;
  let running: Promise<unknown> | undefined;
  const intervalMs = options.intervalSeconds * 1000;

  const tick = async () => {
    await untilReady(client);
    const turn = await client.set(TURN_KEY, replica, "PX", intervalMs, "NX");
    if (turn !== "OK") return;
    let started = false;
    await redlock
      .using([RUNNING_KEY], 30_000, async () => {
        started = true;
        options.log.info({ replica }, "reconciliation pass: this replica's turn");
        await pass(() => stopped);
      })
      .catch((error: unknown) => {
        // Not taken: the previous interval's pass (on some replica) is still going, and carries on alone.
        if (!started && error instanceof ExecutionError) options.log.info("reconciliation pass skipped: another replica's pass is still running");
        else throw error;
      });
  };

  const timer = setInterval(() => {
    if (stopped || running) return;
    running = tick()
      .catch((error: unknown) => options.log.error({ err: error }, `reconciliation pass failed (${(error as Error).message}); the next interval retries`))
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();

  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
