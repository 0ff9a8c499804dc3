import { ProbotOctokit } from "probot";

/** Default bound on one GitHub request (headers and body), in seconds. */
export const DEFAULT_GITHUB_TIMEOUT_SECONDS = 30;
/** Rate-limit waits the app sits out, per request; a longer one fails the request (and the check says so). */
const MAX_RETRY_AFTER_SECONDS = 60;
const MAX_LIMIT_RETRIES = 3;

/** ROLEGUARD_GITHUB_TIMEOUT_SECONDS, checked: a positive number of seconds. */
export function githubTimeoutSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ROLEGUARD_GITHUB_TIMEOUT_SECONDS;
  if (raw === undefined || raw === "") return DEFAULT_GITHUB_TIMEOUT_SECONDS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`ROLEGUARD_GITHUB_TIMEOUT_SECONDS must be a positive number of seconds, not ${JSON.stringify(raw)}`);
  return seconds;
}

/**
 * `fetch` with a deadline: every GitHub request (the token exchange too) is
 * aborted when GitHub has not finished answering within `seconds` — a
 * connection that never answers must not hold a PR's lock for ever. The
 * abort fails the request like any network error, which Octokit's retry
 * plugin retries a few times with backoff.
 */
export function fetchWithTimeout(seconds: number, base: typeof fetch = globalThis.fetch): typeof fetch {
  const ms = Math.round(seconds * 1000);
  return async (input, init = {}) => {
    const deadline = AbortSignal.timeout(ms);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      return await base(input, { ...init, signal });
    } catch (error) {
      if (deadline.aborted) throw new Error(`GitHub did not answer within ${seconds} s (ROLEGUARD_GITHUB_TIMEOUT_SECONDS)`, { cause: error });
      throw error;
    }
  };
}

interface LimitedRequest {
  method?: string;
  url?: string;
  request?: { retryCount?: number };
}

interface Logged {
  log: { warn(message: string): void };
}

/** Retries a rate-limited request after GitHub's `retry-after`, a bounded number of times and for a bounded wait. */
export function retryAfterLimit(kind: "rate limit" | "secondary rate limit") {
  return (retryAfter: number, options: LimitedRequest, octokit: Logged): boolean => {
    const attempt = options.request?.retryCount ?? 0;
    const retry = attempt < MAX_LIMIT_RETRIES && retryAfter <= MAX_RETRY_AFTER_SECONDS;
    octokit.log.warn(
      `GitHub ${kind} on ${options.method ?? ""} ${options.url ?? ""}: ${retry ? `retrying in ${retryAfter} s (retry ${attempt + 1} of ${MAX_LIMIT_RETRIES})` : `not retried (retry-after ${retryAfter} s, ${attempt} retries done)`}`,
    );
    return retry;
  };
}

/**
 * The Octokit class the server's Probot uses: Probot's, with rate limits
 * (primary and secondary) retried after `retry-after` — Probot's own
 * throttling options log a secondary limit and give up — and every request
 * bounded by `fetchWithTimeout`.
 */
export function roleguardOctokit(timeoutSeconds: number): typeof ProbotOctokit {
  const fetch = fetchWithTimeout(timeoutSeconds);
  return ProbotOctokit.defaults((options: Record<string, unknown>) => {
    const throttle = (options.throttle ?? {}) as Record<string, unknown>;
    const request = (options.request ?? {}) as Record<string, unknown>;
    return {
      ...options,
      request: { ...request, fetch },
      throttle:
        throttle.enabled === false
          ? throttle
          : { ...throttle, onRateLimit: retryAfterLimit("rate limit"), onSecondaryRateLimit: retryAfterLimit("secondary rate limit") },
    };
  }) as typeof ProbotOctokit;
}
