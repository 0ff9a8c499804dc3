import { Redis, type RedisOptions } from "ioredis";

/** How long one Redis command may take before the app calls Redis unreachable. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/** Reconnects every ≤ 1 s for as long as Redis is away: the app works again as soon as it returns, no restart. */
const retryStrategy = (times: number): number => Math.min(100 * times, 1_000);

/**
 * Raised when Redis does not answer (down, unreachable, or too slow): callers
 * answer 503 and say so, rather than waiting on a queue that is not there.
 */
export class RedisUnavailableError extends Error {
  constructor(what: string, cause?: unknown) {
    super(`Redis is unreachable: ${what}${cause instanceof Error ? ` (${cause.message.split("\n")[0]})` : ""}`, cause === undefined ? undefined : { cause });
    this.name = "RedisUnavailableError";
  }
}

/**
 * For commands that must fail fast: no offline queue (a command while the
 * connection is down fails at once instead of waiting for it) and a timeout
 * on each command (a Redis that accepts the connection but does not answer).
 * The queue's producer, the locks, the leader and /healthz use it.
 */
export function fastFailingClient(url: string, name: string): Redis {
  const options: RedisOptions = {
    connectionName: name,
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy,
  };
  return withQuietErrors(new Redis(url, options));
}

/**
 * For BullMQ's worker, whose blocking reads wait on purpose and which must
 * keep its commands across a reconnect (BullMQ requires
 * `maxRetriesPerRequest: null` there).
 */
export function workerClient(url: string, name: string): Redis {
  return withQuietErrors(new Redis(url, { connectionName: name, maxRetriesPerRequest: null, connectTimeout: 2_000, retryStrategy }));
}

/**
 * ioredis emits every failed reconnect as an `error` event (an unhandled one
 * would crash the process). The outage is reported by /healthz and by the
 * requests that fail; the client itself stays silent.
 */
function withQuietErrors(client: Redis): Redis {
  client.on("error", () => undefined);
  return client;
}

/**
 * Waits (at most `ms`) for a fast-failing client to be connected: without an
 * offline queue, a command sent while it is still connecting — right after
 * start, or while reconnecting — would fail at once even though Redis is fine.
 */
export async function untilReady(client: Redis, ms = REDIS_COMMAND_TIMEOUT_MS): Promise<void> {
  if (client.status === "ready") return;
  if (client.status === "end" || client.status === "close") throw new RedisUnavailableError("the connection is closed");
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      reject(new RedisUnavailableError(`no connection within ${ms} ms`));
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once("ready", onReady);
  });
}

/** PING within `timeoutMs`: true when Redis answered PONG. */
export async function pingRedis(client: Redis, timeoutMs = REDIS_COMMAND_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await untilReady(client, timeoutMs);
    const answer = await Promise.race([
      client.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      }),
    ]);
    return answer === "PONG";
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Settles within `ms` or throws RedisUnavailableError naming `what`: nothing waits longer on Redis than that. */
export async function withinRedisTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RedisUnavailableError(`${what} took over ${ms} ms`)), ms);
      }),
    ]);
  } catch (error) {
    if (error instanceof RedisUnavailableError) throw error;
    throw new RedisUnavailableError(what, error);
  } finally {
    clearTimeout(timer);
  }
}
