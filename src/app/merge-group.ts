import { text } from "../report/escape.js";
import type { Report } from "../policy/report.js";
import type { CheckOutput } from "../report/check-output.js";
import { CheckRun } from "../sources/github/check-runs.js";
import { describeGitHubError, type RepoRef } from "../sources/github/client.js";
import { completedKey, evaluatePullRequest, IN_PROGRESS_AFTER_MS, type EvaluationContext } from "./evaluate-pr.js";
import { PullRequestSchema, pullRequestInfo } from "./payload.js";

export interface MergeGroup {
  headSha: string;
  headRef: string;
  baseSha: string;
}

/**
 * The PRs a merge-queue commit holds: the one its branch names
 * (`gh-readonly-queue/<base>/pr-<N>-<sha>`) and those merged or squashed into
 * the commits between the base and it ("Merge pull request #N", "Title (#N)").
 */
export function pullNumbersOf(group: MergeGroup, commitMessages: readonly string[]): number[] {
  const numbers = new Set<number>();
  const fromRef = /\/pr-(\d+)-[0-9a-f]+$/.exec(group.headRef);
  if (fromRef?.[1]) numbers.add(Number(fromRef[1]));
  for (const message of commitMessages) {
    const subject = message.split("\n")[0] ?? "";
    const merged = /^Merge pull request #(\d+)\b/.exec(subject) ?? /\(#(\d+)\)\s*$/.exec(subject);
    if (merged?.[1]) numbers.add(Number(merged[1]));
  }
  return [...numbers].sort((a, b) => a - b);
}

/**
 * `merge_group.checks_requested`: the queue's commit passes only if every PR
 * in the group passes under the same rules, evaluated now. A group whose PRs
 * cannot be told fails closed, and so does one that cannot be evaluated (the
 * queue must not wait on a check that never completes). Like a PR's check, it
 * is written once, completed, unless that takes longer than
 * IN_PROGRESS_AFTER_MS. The queue's commit is new: no run to look up.
 */
export async function checkMergeGroup(ctx: EvaluationContext, repo: RepoRef & { defaultBranch: string }, group: MergeGroup): Promise<void> {
  // Under the head's lock, like every check-run write: across replicas too, one run per group commit.
  await ctx.state.serializer.run(completedKey(repo, group.headSha), () => checkGroupHead(ctx, repo, group));
}

async function checkGroupHead(ctx: EvaluationContext, repo: RepoRef & { defaultBranch: string }, group: MergeGroup): Promise<void> {
  const check = new CheckRun(ctx.gh, repo, group.headSha, ctx.state.checkRunIds, ctx.state.appId);
  const fresh = { knownNew: true };
  const stopTimer = check.startAfter(IN_PROGRESS_AFTER_MS, () => fresh, (error) => ctx.log.warn({ err: error }, "could not mark the merge group's check in progress"));
  try {
    const { conclusion, output } = await judgeGroup(ctx, repo, group);
    stopTimer();
    await check.complete(conclusion, output, [], fresh);
  } catch (error) {
    stopTimer();
    const reason = describeGitHubError(error);
    ctx.log.error({ err: error }, `could not evaluate the merge group: ${reason}`);
    const title = `could not evaluate: ${reason}; the queue will retry, or re-run the check`.slice(0, 1000);
    await check.complete("failure", { title, summary: `### roleguard could not evaluate this merge group\n\n**Reason:** ${text(reason)}`, text: "", annotations: [] }, [], fresh);
  }
}

async function judgeGroup(ctx: EvaluationContext, repo: RepoRef & { defaultBranch: string }, group: MergeGroup): Promise<{ conclusion: "success" | "failure"; output: CheckOutput }> {
  const { gh } = ctx;
  const { data } = await gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${group.baseSha}...${group.headSha}`, per_page: 100 });
  const numbers = pullNumbersOf(group, (data.commits ?? []).map((commit) => commit.commit.message));
  const verdicts: { number: number; report: Report | undefined }[] = [];
  for (const number of numbers) {
    const { data: raw } = await gh.rest.pulls.get({ ...repo, pull_number: number });
    const parsed = PullRequestSchema.safeParse(raw);
    verdicts.push({ number, report: parsed.success ? await evaluatePullRequest(ctx, repo, pullRequestInfo(parsed.data)) : undefined });
  }
  const passes = (report: Report | undefined) => report?.conclusion === "success" || report?.conclusion === "neutral";
  const failing = verdicts.filter((verdict) => !passes(verdict.report));
  const ok = numbers.length > 0 && failing.length === 0;
  const title = numbers.length === 0
    ? "Could not tell which pull requests this merge group holds"
    : ok
      ? `All ${numbers.length} pull request${numbers.length === 1 ? "" : "s"} in the group pass`
      : `Blocked by ${failing.map((verdict) => `#${verdict.number}`).join(", ")}`;
  // A PR's title names its files: escaped, so a file name cannot add cells or rows to this table either.
  const lines = verdicts.map((verdict) => `| #${verdict.number} | ${verdict.report?.conclusion ?? "could not evaluate"} | ${text(verdict.report?.title ?? "")} |`);
  const summary = [`### roleguard: ${title}`, "", "The merge-queue commit passes only if every pull request in the group passes.", "", "| PR | conclusion | verdict |", "|---|---|---|", ...lines].join("\n");
  return { conclusion: ok ? "success" : "failure", output: { title, summary, text: "", annotations: [] } };
}
