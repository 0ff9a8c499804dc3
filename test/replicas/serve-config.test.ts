import { afterEach, expect, it } from "vitest";
import { serve, ServeError } from "../../src/server.js";

/** Settings of the replicas checked when the server starts: a mistyped one is a one-line refusal, not a failure later. */
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const base = { APP_ID: "1", PRIVATE_KEY: "unused: refused before the key is read", WEBHOOK_SECRET: "s", LOG_LEVEL: "fatal", ROLEGUARD_RECONCILE_SECONDS: "0" };

it.each([
  ["REDIS_URL", "localhost:6379", /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
  ["REDIS_URL", "redis://has space", /REDIS_URL must be/],
  ["ROLEGUARD_GITHUB_TIMEOUT_SECONDS", "0", /ROLEGUARD_GITHUB_TIMEOUT_SECONDS must be a positive number/],
  ["ROLEGUARD_GITHUB_TIMEOUT_SECONDS", "30s", /ROLEGUARD_GITHUB_TIMEOUT_SECONDS must be a positive number/],
  ["ROLEGUARD_QUEUE_CONCURRENCY", "0", /ROLEGUARD_QUEUE_CONCURRENCY must be a positive whole number/],
  ["ROLEGUARD_QUEUE_CONCURRENCY", "2.5", /ROLEGUARD_QUEUE_CONCURRENCY must be a positive whole number/],
])("%s=%s is refused at start", async (name, value, message) => {
  Object.assign(process.env, base, { [name]: value });
  const started = serve({ port: 0, host: "127.0.0.1" });
  await expect(started).rejects.toBeInstanceOf(ServeError);
  await expect(started).rejects.toThrow(message);
});
