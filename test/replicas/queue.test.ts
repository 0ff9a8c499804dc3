import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DeliveryQueue, type Delivery } from "../../src/replicas/queue.js";
import { fastFailingClient, RedisUnavailableError, workerClient } from "../../src/replicas/redis.js";
import { HAS_REDIS, RedisServer, until } from "./harness.js";

/** The delivery queue on a real Redis, with two "replicas" (two queues, two workers) sharing it. */
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as never;

describe.skipIf(!HAS_REDIS)("DeliveryQueue on a real Redis", () => {
  let redis: RedisServer;
  const clients: Redis[] = [];
  const queues: DeliveryQueue[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  }, 30_000);
  // Each test's replicas are its own: a worker left running would take the next test's jobs.
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  function replica(handle: (delivery: Delivery) => Promise<void>, options: { attempts?: number } = {}): DeliveryQueue {
    const producer = fastFailingClient(redis.url, "test");
    const consumer = workerClient(redis.url, "test-worker");
    clients.push(producer, consumer);
    const queue = new DeliveryQueue({ producer, consumer, handle, log: quiet, backoffMs: 100, ...options });
    queues.push(queue);
    return queue;
  }

  const delivery = (id = randomUUID()): Delivery => ({ id, name: "pull_request", payload: { action: "opened" } });

  it("one delivery id is one job, however many replicas queue it at once, and a late copy after it finished is not run again", { timeout: 30_000 }, async () => {
    const runs: string[] = [];
    const handle = async (each: Delivery) => {
      runs.push(each.id);
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    const [a, b] = [replica(handle), replica(handle)];
    const one = delivery();
    await Promise.all([a.enqueue(one), b.enqueue(one), a.enqueue(one), b.enqueue(one)]);
    await until("the job to complete", async () => (await a.stateOf(one.id)) === "completed", 10_000);
    await b.enqueue(one);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs.filter((id) => id === one.id)).toHaveLength(1);
  });

  it("a handler that throws is retried with backoff until it succeeds", { timeout: 30_000 }, async () => {
    let calls = 0;
    const queue = replica(async () => {
      if (++calls < 3) throw new Error("GitHub answered 502");
    });
    const one = delivery();
    await queue.enqueue(one);
    await until("the job to complete", async () => (await queue.stateOf(one.id)) === "completed", 20_000);
    expect(calls).toBe(3);
  });

  it("a delivery that failed every attempt runs again when GitHub redelivers it (same delivery id)", { timeout: 30_000 }, async () => {
    let calls = 0;
    let healthy = false;
    const queue = replica(async () => {
      calls++;
      if (!healthy) throw new Error("still broken");
    }, { attempts: 1 });
    const one = delivery();
    await queue.enqueue(one);
    await until("the job to fail", async () => (await queue.stateOf(one.id)) === "failed", 10_000);
    healthy = true;
    expect(await queue.enqueue(one)).toBe("retried");
    await until("the redelivered job to complete", async () => (await queue.stateOf(one.id)) === "completed", 10_000);
    expect(calls).toBe(2);
  });

  it("Redis down: enqueue fails quickly with RedisUnavailableError (the ingress answers 503)", { timeout: 60_000 }, async () => {
    const queue = replica(async () => undefined);
    await queue.enqueue(delivery());
    await redis.stop();
    try {
      const started = Date.now();
      await expect(queue.enqueue(delivery())).rejects.toBeInstanceOf(RedisUnavailableError);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await redis.start();
    }
    const after = delivery();
    await until("enqueue to work again", () => queue.enqueue(after).then(() => true, () => false), 20_000, 500);
    await until("the job to complete", async () => (await queue.stateOf(after.id)) === "completed", 20_000);
  });
});
