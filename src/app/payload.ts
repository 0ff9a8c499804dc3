import * as z from "zod";
import type { RepoRef } from "../sources/github/client.js";
import type { PullRequestInfo } from "../sources/github/pull-request.js";

/**
 * The parts of webhook payloads roleguard reads, validated: an unexpected
 * payload is logged and skipped, never a crash deep inside a handler.
 */
export const RepositorySchema = z.object({
  name: z.string(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string().default("main"),
});

export const PullRequestSchema = z.object({
  number: z.number().int().positive(),
  state: z.string().optional(),
  user: z.object({ login: z.string(), type: z.string().optional() }),
  head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/), ref: z.string() }),
  base: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/), ref: z.string() }),
  body: z.string().nullish(),
  labels: z.array(z.object({ name: z.string() })).nullish(),
  changed_files: z.number().int().nonnegative().optional(),
  updated_at: z.string().optional(),
  // Mixed users and teams in the wild: keep whatever has a login or a slug.
  requested_reviewers: z.array(z.object({ login: z.string().optional() }).loose()).nullish(),
  requested_teams: z.array(z.object({ slug: z.string().optional() }).loose()).nullish(),
});
export type PullRequestPayload = z.infer<typeof PullRequestSchema>;

export function repoRefOf(repository: z.infer<typeof RepositorySchema>): RepoRef & { defaultBranch: string } {
  return { owner: repository.owner.login, repo: repository.name, defaultBranch: repository.default_branch };
}

export function pullRequestInfo(pr: PullRequestPayload, unlabeled?: PullRequestInfo["unlabeled"]): PullRequestInfo {
  return {
    ...(unlabeled ? { unlabeled } : {}),
    number: pr.number,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseSha: pr.base.sha,
    baseRef: pr.base.ref,
    author: pr.user.login,
    authorIsBot: pr.user.type === "Bot" || pr.user.login.endsWith("[bot]"),
    body: pr.body ?? "",
    labels: (pr.labels ?? []).map((label) => label.name),
    ...(pr.changed_files !== undefined ? { changedFiles: pr.changed_files } : {}),
    requestedReviewers: (pr.requested_reviewers ?? []).flatMap((user) => (user.login ? [user.login] : [])),
    requestedTeams: (pr.requested_teams ?? []).flatMap((team) => (team.slug ? [team.slug] : [])),
  };
}
