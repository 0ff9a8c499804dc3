import type { ProbotOctokit } from "probot";

/** The authenticated GitHub client: Probot's Octokit, with retry and throttling plugins. */
export type GitHub = ProbotOctokit;

export interface RepoRef {
  owner: string;
  repo: string;
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

export const isNotFound = (error: unknown): boolean => statusOf(error) === 404;

/** A short reason for a person: the status and GitHub's message, never headers or tokens. */
export function describeGitHubError(error: unknown): string {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
  return status ? `GitHub answered ${status}${message ? `: ${message.replace(/ - https:\/\/docs\.github\.com\S*/, "")}` : ""}` : message;
}
