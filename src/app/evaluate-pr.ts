import type { Report } from "../policy/report.js";
import { buildCheckOutput, jsonBlock, type CheckOutput } from "../report/check-output.js";
import { CheckRun, type CheckAction } from "../sources/github/check-runs.js";
import { describeGitHubError, type RepoRef } from "../sources/github/client.js";
import type { PullRequestInfo } from "../sources/github/pull-request.js";
import { rememberedRefusals, requestReviews } from "../sources/github/review-requests.js";
import type { RecordComment } from "../approvals/fold.js";
import { judgeWithDecisions } from "./decisions.js";
import { PullRequestEvaluation, startEarly, type EvaluationContext } from "./pull-evaluation.js";
import { openPullsSharingHead, sharedHeadNote, strictest, type PullVerdict } from "./shared-head.js";

export type { EvaluationContext } from "./pull-evaluation.js";

export const RERUN_ACTION: CheckAction = { label: "Re-run", description: "Evaluate this commit again", identifier: "rerun" };
export const APPROVE_ALL_ACTION: CheckAction = { label: "Approve all", description: "Approve every pending category", identifier: "approve_all" };

export interface EvaluateOptions {
  /** The head SHA was just pushed or opened: no check run can exist for it yet. */
  knownNew?: boolean;
  /** The PR was just opened: it has no comments or reviews to read yet. */
  fresh?: boolean;
  /** Record entries just appended by a command, counted without listing the comments again. */
  appended?: readonly RecordComment[];
  /** Warnings for the check: a command that could not be carried out, and how to retry. */
  notes?: readonly string[];
}

export function completedKey(repo: RepoRef, sha: string): string {
  return `${repo.owner}/${repo.repo}@${sha}`.toLowerCase();
}

/** One lock per PR: evaluations, commands and reviews of the same PR never interleave. */
export function pullKey(repo: RepoRef, number: number): string {
  return `${repo.owner}/${repo.repo}#${number}`.toLowerCase();
}

/**
 * How long an evaluation may take before its check is marked `in_progress`:
 * a verdict ready sooner is written once, already completed (SPEC §5), which
 * saves a write — and Octokit spaces writes a second apart per installation.
 */
export const IN_PROGRESS_AFTER_MS = 2_000;

/**
 * Evaluates one PR at its head SHA and writes the verdict: policy from the
 * default branch → change → engine (with recorded approvals and reviews) →
 * the check run, created completed (or marked in progress first when that
 * takes longer than IN_PROGRESS_AFTER_MS) → review requests. Any failure
 * still completes the check, as `failure` with the reason and how to retry.
 */
export async function evaluatePullRequest(ctx: EvaluationContext, repo: RepoRef & { defaultBranch: string }, pr: PullRequestInfo, options: EvaluateOptions = {}): Promise<Report | undefined> {
  const { serializer, metrics } = ctx.state;
  const pending = serializer.run(pullKey(repo, pr.number), () => evaluateUnlocked(ctx, repo, pr, options));
  metrics.queueDepth.set(serializer.size);
  try {
    return await pending;
  } finally {
    metrics.queueDepth.set(serializer.size);
  }
}

/** The same, for callers that already hold the PR's lock. */
export async function evaluateUnlocked(
  ctx: EvaluationContext,
  repo: RepoRef & { defaultBranch: string },
  pr: PullRequestInfo,
  options: EvaluateOptions & { prepared?: PullRequestEvaluation } = {},
): Promise<Report | undefined> {
  // PRs sharing a head commit share its check run: one evaluation of that commit at a time.
  return ctx.state.serializer.run(completedKey(repo, pr.headSha), () => evaluateHead(ctx, repo, pr, options));
}

async function evaluateHead(
  ctx: EvaluationContext,
  repo: RepoRef & { defaultBranch: string },
  pr: PullRequestInfo,
  options: EvaluateOptions & { prepared?: PullRequestEvaluation },
): Promise<Report | undefined> {
  const log = ctx.log.child({ repo: `${repo.owner}/${repo.repo}`, pr: pr.number, sha: pr.headSha });
  const check = new CheckRun(ctx.gh, repo, pr.headSha, ctx.state.checkRunIds, ctx.state.appId);
  const started = process.hrtime.bigint();
  // A second PR opened on an existing head is "opened", yet its commit may already have a run: look it up.
  let lookup: { knownNew?: boolean } = {};
  const stopTimer = check.startAfter(IN_PROGRESS_AFTER_MS, () => lookup, (error) => log.warn({ err: error }, "could not mark the check in progress"));
  try {
    // The PRs sharing this head and the evaluation's own reads are independent: they start together.
    const sharing = openPullsSharingHead(ctx.gh, repo, pr);
    const preparing = options.prepared ? Promise.resolve(options.prepared) : new PullRequestEvaluation(ctx, repo, pr).prepare();
    startEarly(sharing, preparing);
    const siblings = await sharing;
    if (options.knownNew && siblings.length === 0) lookup = { knownNew: true };
    // The head's existing run, when it may have one, is looked up while the evaluation goes on.
    startEarly(check.locate(lookup));
    const evaluation = await preparing;
    const { report } = await judgeWithDecisions(evaluation, { fresh: options.fresh === true, ...(options.appended ? { appended: options.appended } : {}), ...(options.notes ? { notes: options.notes } : {}) });
    const posted = siblings.length === 0 ? { report, own: true, shared: [] } : await strictestOfHead(ctx, repo, { number: pr.number, baseRef: pr.baseRef, report }, siblings);
    const actions = posted.report.findings.some((finding) => finding.state === "pending") ? [APPROVE_ALL_ACTION, RERUN_ACTION] : [RERUN_ACTION];
    // Refusals GitHub gave earlier are repeated in every summary (SPEC §6); the ones this evaluation's requests bring follow below.
    const remembered = rememberedRefusals(evaluation.source, ctx.state.reviewMemory);
    const write = (notes: string[]) => check.complete(posted.report.conclusion, buildCheckOutput(posted.report, [...posted.shared, ...(posted.own ? notes : [])]), actions, lookup);
    stopTimer();
    await write(remembered);
    ctx.state.completed.set(completedKey(repo, pr.headSha), true);
    ctx.state.metrics.recordReport(report, Number(process.hrtime.bigint() - started) / 1e9);
    log.info({ conclusion: report.conclusion, findings: report.findings.length }, "evaluated");
    // Review requests follow the verdict: the check is the first write. A refusal GitHub gives now is added to the summary.
    const notes = await requestReviews(ctx.gh, evaluation.source, report, evaluation.config, ctx.state.reviewMemory).catch((error: unknown) => {
      log.warn({ err: error }, `could not request reviews: ${describeGitHubError(error)}`);
      return remembered;
    });
    if (posted.own && notes.join("\n") !== remembered.join("\n")) {
      await write(notes).catch((error: unknown) => log.warn({ err: error }, `could not add the review refusals to the check: ${describeGitHubError(error)}`));
    }
    return report;
  } catch (error) {
    stopTimer();
    const reason = describeGitHubError(error);
    log.error({ err: error }, `could not evaluate: ${reason}`);
    await check.complete("failure", couldNotEvaluate(reason), [RERUN_ACTION], lookup).catch((writeError: unknown) => {
      log.error({ err: writeError }, "could not write the failure to the check run either");
    });
    return undefined;
  }
}

/** Evaluates the other open PRs of this head and picks the strictest verdict to post, naming each PR's. */
async function strictestOfHead(
  ctx: EvaluationContext,
  repo: RepoRef & { defaultBranch: string },
  own: PullVerdict,
  siblings: readonly PullRequestInfo[],
): Promise<{ report: Report; own: boolean; shared: string[] }> {
  const verdicts: PullVerdict[] = [own];
  for (const sibling of siblings) {
    const { report } = await judgeWithDecisions(await new PullRequestEvaluation(ctx, repo, sibling).prepare(), { fresh: false });
    verdicts.push({ number: sibling.number, baseRef: sibling.baseRef, report });
  }
  const chosen = strictest(verdicts);
  return { report: chosen.report, own: chosen === own, shared: [sharedHeadNote(verdicts, chosen)] };
}

export function couldNotEvaluate(reason: string): CheckOutput {
  const title = `could not evaluate: ${reason}; comment /roleguard check to retry`.slice(0, 1000);
  // The same JSON contract as every other verdict, so an agent reading the check learns why it failed.
  const report: Report = { version: 1, conclusion: "failure", title, roles: [], findings: [], checklist: [], warnings: [], errors: [{ file: "(evaluation)", message: `could not evaluate: ${reason}` }] };
  return {
    title,
    summary: [
      `### roleguard could not evaluate this pull request`,
      "",
      `**Reason:** ${reason}`,
      "",
      "The check fails closed until an evaluation succeeds. Comment `/roleguard check` on the pull request, or use the **Re-run** button, to try again.",
    ].join("\n"),
    text: jsonBlock(report),
    annotations: [],
  };
}
