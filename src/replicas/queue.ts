import { Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "probot";
import { REDIS_COMMAND_TIMEOUT_MS, withinRedisTimeout } from "./redis.js";
import type { VerifiedDelivery } from "../server/webhooks.js";

export const QUEUE_NAME = "roleguard-webhooks";
/** Deliveries one replica runs at once (ROLEGUARD_QUEUE_CONCURRENCY). */
export const DEFAULT_CONCURRENCY = 500;

/** A verified delivery, as the queue carries it to whichever replica runs it. */
export type Delivery = VerifiedDelivery;

export interface DeliveryQueueOptions {
  /** The fast-failing client (enqueueing must answer quickly, Redis or not). */
  producer: Redis;
  /** The worker's client (blocking reads; BullMQ duplicates it as it needs). */
  consumer: Redis;
  /**
   * Runs one delivery: the app's handlers. A throw fails the attempt, retried with backoff. `rerun`: an attempt
   * before this one started (it failed, or its replica died), so what it wrote may already be on GitHub.
   */
  handle: (delivery: Delivery, rerun: boolean) => Promise<void>;
  log: Logger;
  /** Deliveries one replica runs at once (each PR is serialised anyway). */
  concurrency?: number;
  /** Attempts per delivery, with exponential backoff from `backoffMs`. */
  attempts?: number;
  backoffMs?: number;
  /** How long a finished delivery's id is kept, so that a late redelivery of it is not run again. */
  keepSeconds?: number;
  /** How long a running delivery's lock lives without renewal: a replica that dies hands its deliveries on after about this. */
  lockMs?: number;
}

/**
 * The durable queue of webhook deliveries (BullMQ on Redis). The job id is
 * the delivery id, so a delivery handled by any replica — or waiting, or
 * running — is one job however many times GitHub sends it: a redelivery
 * racing the original adds nothing, nor does one arriving within
 * `keepSeconds` after it finished. A job whose replica died mid-way is found
 * stalled (its lock not renewed) and run again by another; a job whose
 * handler throws is retried with exponential backoff.
 */
export class DeliveryQueue {
  private readonly queue: Queue;
  private readonly worker: Worker;

  constructor(private readonly options: DeliveryQueueOptions) {
    const keep = options.keepSeconds ?? 24 * 3600;
    this.queue = new Queue(QUEUE_NAME, {
      connection: options.producer,
      defaultJobOptions: {
        attempts: options.attempts ?? 5,
        backoff: { type: "exponential", delay: options.backoffMs ?? 2_000 },
        removeOnComplete: { age: keep },
        removeOnFail: { age: 7 * keep },
      },
    });
    // An outage makes these fire on every reconnect attempt: said once, then at most every 30 s (/healthz says it all along).
    const redisError = everyThirtySeconds((error: Error, what: string) => options.log.warn({ err: error }, `${what}: Redis error: ${error.message}`));
    this.queue.on("error", (error) => redisError(error, "delivery queue"));
    const lockMs = options.lockMs ?? 15_000;
    this.worker = new Worker<Delivery>(QUEUE_NAME, (job) => this.run(job), {
      connection: options.consumer,
      // High on purpose: a job mostly waits on GitHub (its installation's write spacing) and on the PR's lock, and the
      // evaluation pool bounds the CPU. A small number would let one installation's burst hold every slot, and every
      // other installation's deliveries would wait behind it (measured: trickle p95 104 s with 20, see bench/RESULTS.md).
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      // A delivery whose replica died twice running it is failed, not passed round for ever (GitHub can redeliver it).
      maxStalledCount: 2,
    });
    this.worker.on("error", (error) => redisError(error, "delivery worker"));
    this.worker.on("failed", (job, error) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1);
      options.log[final ? "error" : "warn"](
        { id: job.data.id, event: job.data.name, attempt: job.attemptsMade, err: error },
        final ? `delivery ${job.data.id} failed ${job.attemptsMade} times; redeliver it from the app's settings once the cause is fixed` : `delivery ${job.data.id} failed; retrying with backoff`,
      );
    });
  }

  /** The job id of a delivery id: BullMQ refuses ids that are integers or hold ':'. */
  static jobId(deliveryId: string): string {
    return `gh-${deliveryId}`;
  }

  /**
   * Queues the delivery, or finds it queued, running or recently done (then
   * nothing more happens). One that failed every attempt is run again: GitHub
   * keeps the delivery id when someone presses Redeliver, and that must work.
   * Bounded by a short timeout; RedisUnavailableError otherwise.
   */
  async enqueue(delivery: Delivery): Promise<"queued" | "retried"> {
    return withinRedisTimeout("could not queue the delivery", 2 * REDIS_COMMAND_TIMEOUT_MS, this.add(delivery));
  }

  private async add(delivery: Delivery): Promise<"queued" | "retried"> {
    const job = await this.queue.add(delivery.name, delivery, { jobId: DeliveryQueue.jobId(delivery.id) });
    const state = await job.getState();
    if (state === "failed") {
      await job.retry("failed");
      return "retried";
    }
    return "queued";
  }

  private async run(job: Job<Delivery>): Promise<void> {
    await this.options.handle(job.data, job.attemptsStarted > 1 || job.attemptsMade > 0 || job.stalledCounter > 0);
  }

  /** Stops taking jobs and waits for the running ones (up to BullMQ's own bound), then closes the queue. */
  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }

  /** For tests and the bench: the job's state ("completed", "active", ...), or undefined when unknown. */
  async stateOf(deliveryId: string): Promise<string | undefined> {
    const job = await this.queue.getJob(DeliveryQueue.jobId(deliveryId));
    return job ? await job.getState() : undefined;
  }
}

function everyThirtySeconds<A extends unknown[]>(say: (...args: A) => void): (...args: A) => void {
  let last = 0;
  return (...args) => {
    if (Date.now() - last < 30_000) return;
    last = Date.now();
    say(...args);
  };
}
