import { Octokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import type { Logger } from "pino";
import type { GitHub } from "./client.js";

/** How long one request of the CLI may take, retries included, before it gives up with a clear error (ROLEGUARD_REQUEST_TIMEOUT_MS). */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Each request attempt waits at most `timeout` ms (an AbortSignal of its own), then fails with an error that
 * has no HTTP status: the retry plugin retries only answers GitHub gave, so a GitHub that does not answer ends
 * the command after one wait instead of four and their back-off.
 */
function requestTimeout(octokit: Pick<Octokit, "hook" | "request">, options: { requestTimeoutMs?: number } & Record<string, unknown>): void {
  const timeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  octokit.hook.wrap("request", async (request, route) => {
    const signal = AbortSignal.timeout(timeout);
    // Hooks share one options object (a wrapped request ignores arguments): the signal is set on it, anew each attempt.
    route.request = { ...route.request, signal };
    try {
      return await request(route);
    } catch (error) {
      if (!signal.aborted) throw error;
      const { method, url } = octokit.request.endpoint.parse(route);
      throw new Error(`GitHub did not answer ${method} ${new URL(url).pathname.replace(/^\/api\/v3/, "")} within ${timeout / 1000} s (a timeout)`);
    }
  });
}

/**
 * Octokit with GitHub's recommended retry and rate-limit handling: what the app gets from Probot, without Probot.
 * The timeout is applied first, so it is innermost: every retry gets a fresh one.
 */
const CliOctokit = Octokit.plugin(requestTimeout, retry, throttling);

/**
 * A GitHub client for the CLI, from the environment: a token in GITHUB_TOKEN
 * (or GH_TOKEN) and, for GitHub Enterprise, GITHUB_API_URL or GHE_HOST.
 * Undefined without a token. Logs go to stderr, so stdout stays the report.
 * Plain @octokit/rest with the retry and throttling plugins (Probot's
 * server is never loaded for a one-shot command); every request carries a
 * timeout, so an unanswering GitHub ends the command instead of hanging it.
 */
export function githubFromEnv(env: NodeJS.ProcessEnv): { gh: GitHub; log: Logger } | undefined {
  const token = env.GITHUB_TOKEN ?? env.GH_TOKEN;
  if (!token) return undefined;
  const baseUrl = env.GITHUB_API_URL ?? (env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` : undefined);
  const timeout = Number(env.ROLEGUARD_REQUEST_TIMEOUT_MS) > 0 ? Number(env.ROLEGUARD_REQUEST_TIMEOUT_MS) : REQUEST_TIMEOUT_MS;
  const log = stderrLogger(env.LOG_LEVEL ?? "warn");
  const octokit = new CliOctokit({
    auth: token,
    requestTimeoutMs: timeout,
    userAgent: "roleguard-cli",
    ...(baseUrl ? { baseUrl } : {}),
    // Octokit logs every failed request as an error (a 404 for an org without a .github repository is normal);
    // the command reports what failed itself, so those lines are debug output here.
    log: { debug: () => undefined, info: () => undefined, warn: (message: string) => log.warn(message), error: (message: string) => log.debug(message) },
    throttle: {
      // As Probot does: wait out a rate limit once, then give up with GitHub's answer.
      onRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) => retryCount < 1,
      onSecondaryRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) => retryCount < 1,
    },
  });
  // The engine is written against Probot's Octokit type; the CLI's client has every method it calls.
  return { gh: octokit as unknown as GitHub, log };
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/**
 * pino's shape for a one-shot command, without loading pino: JSON lines on
 * stderr (stdout is the report) at `level` and above. The engine logs next
 * to nothing on this path; the messages it does log are kept.
 */
function stderrLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  const threshold = Math.max(0, LEVELS.indexOf(level as (typeof LEVELS)[number]));
  const logger: Record<string, unknown> = { level, child: (more: Record<string, unknown>) => stderrLogger(level, { ...bindings, ...more }) };
  LEVELS.forEach((name, index) => {
    logger[name] = (first: unknown, second?: unknown) => {
      if (index < threshold || level === "silent") return;
      const fields = typeof first === "object" && first !== null ? (first as Record<string, unknown>) : {};
      const msg = typeof first === "string" ? first : typeof second === "string" ? second : undefined;
      const err = fields.err instanceof Error ? { err: { type: fields.err.name, message: fields.err.message } } : {};
      process.stderr.write(`${JSON.stringify({ level: name, time: Date.now(), ...bindings, ...fields, ...err, ...(msg ? { msg } : {}) })}\n`);
    };
  });
  return logger as unknown as Logger;
}
