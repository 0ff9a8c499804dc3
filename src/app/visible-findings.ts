import { ReportSchema } from "../policy/report.js";
import { headRunOf } from "../sources/github/check-runs.js";
import type { PullRequestEvaluation } from "./pull-evaluation.js";

/** How many of the PR's commits, newest first, are looked at to find the head a comment was written against. */
const HEADS_LOOKED_AT = 30;

/**
 * What a command comment's author could have seen (SPEC §7). A comment
 * created after the app first saw the current head (its check run's
 * `started_at`, GitHub's clock on both sides) saw the current findings. One
 * created before — the agent pushed between the comment and its webhook being
 * handled — saw the head the app had before it: only the findings whose keys
 * (path, blob SHA, dependency spec) were in that head's report may be
 * covered. A head the app has not seen yet counts as pushed after every comment.
 */
export type Visible = { all: true } | { all: false; keys: ReadonlySet<string>; head?: string };

export async function visibleFindings(evaluation: PullRequestEvaluation, createdAt: string): Promise<Visible> {
  const { gh, state } = evaluation.ctx;
  const { repo, pr } = evaluation;
  const target = { owner: repo.owner, repo: repo.repo };
  const written = Date.parse(createdAt);
  const current = await headRunOf(gh, target, pr.headSha, state.appId, state.checkRunIds);
  if (current && Date.parse(current.startedAt) <= written) return { all: true };

  const { commits } = await evaluation.source.commits();
  const earlier = commits.map((commit) => commit.sha).filter((sha) => sha !== pr.headSha).reverse().slice(0, HEADS_LOOKED_AT);
  for (const sha of earlier) {
    const run = await headRunOf(gh, target, sha, state.appId);
    if (!run || Date.parse(run.startedAt) > written) continue;
    return { all: false, keys: reportKeys(run.text), head: sha };
  }
  return { all: false, keys: new Set() };
}

/** The finding keys of a check run's JSON block; none when it is missing, cut or unreadable (fail closed). */
function reportKeys(text: string | undefined): Set<string> {
  const match = text ? /(`{3,})json\n([\s\S]*?)\n\1/.exec(text) : null;
  if (!match?.[2]) return new Set();
  try {
    const report = ReportSchema.safeParse(JSON.parse(match[2]));
    return report.success ? new Set(report.data.findings.map((finding) => finding.key)) : new Set();
  } catch {
    return new Set();
  }
}
