import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLeaderPass } from "../../src/replicas/leader.js";
import { lockKey, RedisSerializer } from "../../src/replicas/lock.js";
import { fastFailingClient, pingRedis, RedisUnavailableError, untilReady } from "../../src/replicas/redis.js";
import { HAS_REDIS, RedisServer, until } from "./harness.js";

/**
 * The Redis-backed serializer and leader, as two replicas use them: each
 * "replica" here is its own ioredis client and its own serializer, sharing one
 * redis-server.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as never;

describe.skipIf(!HAS_REDIS)("RedisSerializer and the reconciliation leader on a real Redis", () => {
  let redis: RedisServer;
  const clients: Redis[] = [];
  const client = () => {
    const made = fastFailingClient(redis.url, "test");
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
  }, 30_000);
  afterAll(async () => {
    for (const each of clients) each.disconnect();
    await redis?.stop();
  });

  /** Runs `tasks` on alternating replicas; reports the most that ever ran at once. */
  async function overlap(serializers: RedisSerializer[], keys: string[], taskMs: number): Promise<{ most: number; order: number[] }> {
    let active = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      keys.map((key, index) =>
        (serializers[index % serializers.length] as RedisSerializer).run(key, async () => {
          most = Math.max(most, ++active);
          await sleep(taskMs);
          order.push(index);
          active--;
        }),
      ),
    );
    return { most, order };
  }

  it("tasks of one key never overlap across replicas; every one runs", { timeout: 30_000 }, async () => {
    const replicas = [new RedisSerializer(client()), new RedisSerializer(client())];
    const { most, order } = await overlap(replicas, Array.from({ length: 12 }, () => "acme/shop#1"), 30);
    expect(most).toBe(1);
    expect(order.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, index) => index));
    expect(replicas.map((each) => each.size)).toEqual([0, 0]);
  });

  it("different keys run in parallel", { timeout: 30_000 }, async () => {
    const replicas = [new RedisSerializer(client()), new RedisSerializer(client())];
    const { most } = await overlap(replicas, ["acme/shop#1", "acme/shop#2", "acme/shop@abc", "acme/web#1"], 300);
    expect(most).toBeGreaterThan(1);
  });

  it("a task longer than the lock's duration keeps it (auto-extension): the other replica waits", { timeout: 30_000 }, async () => {
    const replicas = [new RedisSerializer(client(), { durationMs: 600 }), new RedisSerializer(client(), { durationMs: 600 })];
    const { most } = await overlap(replicas, ["acme/shop#9", "acme/shop#9"], 2_000);
    expect(most).toBe(1);
  });

  it("a task's failure is the caller's, and frees the lock for the next", { timeout: 30_000 }, async () => {
    const [a, b] = [new RedisSerializer(client()), new RedisSerializer(client())];
    await expect(a.run("acme/shop#3", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(b.run("acme/shop#3", async () => "next")).resolves.toBe("next");
  });

  it("a lock left by a replica that died is taken once it lapses", { timeout: 30_000 }, async () => {
    const raw = client();
    await untilReady(raw, 5_000);
    await raw.set(lockKey("acme/shop#4"), "a-dead-replica", "PX", 1_000);
    const started = Date.now();
    await new RedisSerializer(client()).run("acme/shop#4", async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it("a waiter gives up after waitMs with an error naming the key (the delivery is then retried)", { timeout: 30_000 }, async () => {
    const raw = client();
    await untilReady(raw, 5_000);
    await raw.set(lockKey("acme/shop#5"), "someone", "PX", 20_000);
    await expect(new RedisSerializer(client(), { waitMs: 500 }).run("acme/shop#5", async () => undefined)).rejects.toThrow(/roleguard:pr:acme\/shop#5 stayed locked/);
    await raw.del(lockKey("acme/shop#5"));
  });

  it("a Redis that does not answer fails the task at once with RedisUnavailableError, and the serializer works again when it is back", { timeout: 60_000 }, async () => {
    const serializer = new RedisSerializer(client());
    const probe = client();
    await serializer.run("acme/shop#6", async () => undefined);
    await redis.stop();
    try {
      await until("the client to notice", async () => !(await pingRedis(probe, 200)), 5_000);
      const started = Date.now();
      let ran = false;
      const error = await serializer.run("acme/shop#6", async () => void (ran = true)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as Error).message).toMatch(/Redis is unreachable: could not take the lock roleguard:pr:acme\/shop#6/);
      expect(ran).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(serializer.size).toBe(0);
    } finally {
      await redis.start();
    }
    await until("the client to reconnect", () => pingRedis(probe), 20_000);
    await expect(serializer.run("acme/shop#6", async () => "back")).resolves.toBe("back");
  });

  it("reconciliation: one pass per interval across replicas, never two at once", { timeout: 30_000 }, async () => {
    let active = 0;
    let most = 0;
    const passes: string[] = [];
    const pass = (name: string) => async () => {
      most = Math.max(most, ++active);
      passes.push(name);
      await sleep(200);
      active--;
    };
    const started = Date.now();
    const stops = [startLeaderPass(client(), pass("a"), { intervalSeconds: 1, log: quiet }), startLeaderPass(client(), pass("b"), { intervalSeconds: 1, log: quiet })];
    await sleep(4_300);
    await Promise.all(stops.map((stop) => stop()));
    const intervals = Math.ceil((Date.now() - started) / 1000);
    expect(most).toBe(1);
    expect(passes.length).toBeGreaterThanOrEqual(2);
    // Each replica ticks every interval: without the turn key there would be about twice as many.
    expect(passes.length).toBeLessThanOrEqual(intervals);
  });

  it("a pass longer than the interval is not joined by another replica's", { timeout: 30_000 }, async () => {
    let active = 0;
    let most = 0;
    const pass = async () => {
      most = Math.max(most, ++active);
      await sleep(2_500);
      active--;
    };
    const stops = [startLeaderPass(client(), pass, { intervalSeconds: 1, log: quiet }), startLeaderPass(client(), pass, { intervalSeconds: 1, log: quiet })];
    await sleep(4_500);
    await Promise.all(stops.map((stop) => stop()));
    expect(most).toBe(1);
  });
});
