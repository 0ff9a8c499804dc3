import type { Report } from "../policy/report.js";
import type { GitHub, RepoRef } from "../sources/github/client.js";
import type { PullRequestInfo } from "../sources/github/pull-request.js";
import { PullRequestSchema, pullRequestInfo } from "./payload.js";

/**
 * One branch proposed to two bases gives two open PRs with one head commit,
 * and a commit has one `roleguard` check run. The run must never be laxer
 * than any of those PRs' own evaluation (SPEC §5): a change forbidden into
 * `main` must not show green because it is fine into `dev`.
 */
export async function openPullsSharingHead(gh: GitHub, repo: RepoRef, pr: PullRequestInfo): Promise<PullRequestInfo[]> {
  const { data } = await gh.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: pr.headSha, per_page: 100 });
  return data.flatMap((raw) => {
    const parsed = PullRequestSchema.safeParse(raw);
    if (!parsed.success) return [];
    const other = parsed.data;
    if (other.state !== "open" || other.number === pr.number || other.head.sha !== pr.headSha) return [];
    return [pullRequestInfo(other)];
  });
}

export interface PullVerdict {
  number: number;
  baseRef: string;
  report: Report;
}

/** Blocking beats passing; among passes, a role's verdict beats "not checked". */
const SEVERITY: Record<Report["conclusion"], number> = { failure: 3, action_required: 2, success: 1, neutral: 0 };

/** The verdict to post for a shared head: the strictest; on a tie, the PR being evaluated (listed first). */
export function strictest(verdicts: readonly PullVerdict[]): PullVerdict {
  return verdicts.reduce((chosen, each) => (SEVERITY[each.report.conclusion] > SEVERITY[chosen.report.conclusion] ? each : chosen));
}

/** The summary note naming every PR's verdict, so a maintainer sees why the check is stricter than their PR. */
export function sharedHeadNote(verdicts: readonly PullVerdict[], chosen: PullVerdict): string {
  const each = [...verdicts]
    .sort((a, b) => a.number - b.number)
    .map((verdict) => `#${verdict.number} into \`${verdict.baseRef.replace(/`/g, "'")}\`: ${verdict.report.conclusion}`)
    .join("; ");
  return `This commit is the head of ${verdicts.length} open pull requests; the check shows the strictest verdict, #${chosen.number}'s. ${each}.`;
}
