import { pino, type Logger } from "pino";
import { ProbotOctokit } from "probot";
import type { GitHub } from "./client.js";

/**
 * A GitHub client for the CLI, from the environment: a token in GITHUB_TOKEN
 * (or GH_TOKEN) and, for GitHub Enterprise, GITHUB_API_URL or GHE_HOST.
 * Undefined without a token. Logs go to stderr, so stdout stays the report.
 */
export function githubFromEnv(env: NodeJS.ProcessEnv): { gh: GitHub; log: Logger } | undefined {
  const token = env.GITHUB_TOKEN ?? env.GH_TOKEN;
  if (!token) return undefined;
  const baseUrl = env.GITHUB_API_URL ?? (env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` : undefined);
  const log = pino({ level: env.LOG_LEVEL ?? "warn" }, pino.destination(2));
  const gh = new ProbotOctokit({ auth: { token }, log, ...(baseUrl ? { baseUrl } : {}) }) as GitHub;
  return { gh, log };
}
