import { approvalRefusal } from "../approvals/authorize.js";
import { bodyDigest, compactLedger, coverDigest, emptyLedger, isLedgerComment, readLedger, writeLedger, type Ledger } from "../approvals/ledger.js";
import type { Approval, Override } from "../policy/change.js";
import type { Report } from "../policy/report.js";
import type { CommentInfo } from "../sources/github/pull-request.js";
import { startEarly, type PullRequestEvaluation } from "./pull-evaluation.js";

export interface RecordedDecisions {
  approvals: Approval[];
  overrides: Override[];
  warnings: string[];
  /** The record to extend with the next decision (a fresh one when the old was tampered with). */
  ledger: Ledger;
  ledgerCommentId?: number;
}

/**
 * Approvals and overrides as recorded in the app's signed comment. A record
 * that fails its signature counts for nothing (fail closed) and is reported as
 * tampering; a decision whose command comment was deleted no longer counts.
 */
export async function readRecordedDecisions(evaluation: PullRequestEvaluation, liveKeys: readonly string[] = []): Promise<RecordedDecisions> {
  const { state } = evaluation.ctx;
  const repoName = `${evaluation.repo.owner}/${evaluation.repo.repo}`;
  const comments = await evaluation.source.comments();
  const warnings: string[] = [];
  const isOurs = (comment: CommentInfo) =>
    comment.isBot && (!state.botLogin || comment.login.toLowerCase() === state.botLogin.toLowerCase()) && (state.appId === undefined || comment.appId === undefined || comment.appId === state.appId);
  const records = comments.filter((comment) => isLedgerComment(comment.body));
  for (const forged of records.filter((comment) => !isOurs(comment))) {
    warnings.push(`tamper: @${forged.login} posted a comment imitating roleguard's approvals record (comment ${forged.id}); it is ignored`);
  }
  const mine = records.filter(isOurs).at(-1);
  if (!mine) return { approvals: [], overrides: [], warnings, ledger: emptyLedger(repoName, evaluation.pr.number) };

  const read = readLedger(mine.body, state.ledgerKey, repoName, evaluation.pr.number);
  if (!read.ok) {
    warnings.push(`tamper: ${read.reason}; earlier approvals and overrides are not counted — give them again`);
    return { approvals: [], overrides: [], warnings, ledger: emptyLedger(repoName, evaluation.pr.number), ledgerCommentId: mine.id };
  }
  const present = new Map(comments.map((comment) => [comment.id, comment]));
  const approvals: Approval[] = [];
  const overrides: Override[] = [];
  // The record keeps digests of finding keys; the engine binds decisions to the keys they stand for now.
  const byCover = new Map(liveKeys.flatMap((key) => [[key, key] as const, [coverDigest(key), key] as const]));
  const resolve = (covers: readonly string[]) => [...new Set(covers.flatMap((cover) => byCover.get(cover) ?? []))];
  for (const entry of read.ledger.entries) {
    // id 0: a check-run button, which has no comment to delete.
    const deleted = entry.id !== 0 && !present.has(entry.id);
    // An approve or override comment edited after it was carried out no longer counts, even when the edit's webhook was missed.
    const comment = present.get(entry.id);
    if (entry.kind !== "tamper" && entry.body !== undefined && comment && bodyDigest(comment.body) !== entry.body) {
      warnings.push(`the comment of @${entry.by}'s ${entry.kind === "approve" ? "approval" : "override"} was edited after it was carried out: it no longer counts — comment again`);
      continue;
    }
    if (entry.kind === "approve" && !deleted) approvals.push({ categories: entry.categories, by: entry.by, at: entry.at, covers: resolve(entry.covers), via: entry.id === 0 ? "button" : "comment" });
    else if (entry.kind === "override" && !deleted) overrides.push({ by: entry.by, at: entry.at, reason: entry.reason, covers: resolve(entry.covers), via: entry.id === 0 ? "button" : "comment" });
    else if (entry.kind === "tamper") warnings.push(`tamper: @${entry.by} ${entry.action} a command comment by @${entry.author} at ${entry.at}`);
  }
  return { approvals, overrides, warnings, ledger: read.ledger, ledgerCommentId: mine.id };
}

/**
 * An approving review on the head commit approves every pending category its
 * author may approve (`approvals.reviews`). Only each reviewer's latest review
 * counts, so a later "changes requested" or a dismissal takes it back.
 */
export async function reviewApprovals(evaluation: PullRequestEvaluation, report: Report): Promise<Approval[]> {
  if (!countsReviews(evaluation, report)) return [];
  const pending = [...new Set(report.findings.filter((finding) => finding.state === "pending").map((finding) => finding.category))];
  const latest = new Map<string, Awaited<ReturnType<typeof evaluation.source.reviews>>[number]>();
  for (const review of await evaluation.source.reviews()) {
    if (review.state === "COMMENTED" || review.state === "PENDING") continue;
    latest.set(review.login.toLowerCase(), review);
  }
  const approvals: Approval[] = [];
  const pull = await evaluation.pullFacts();
  for (const review of latest.values()) {
    if (review.state !== "APPROVED" || review.commitId !== evaluation.pr.headSha) continue;
    const actor = await evaluation.actorFacts(review.login, review.isBot);
    const allowed: string[] = [];
    for (const category of pending) if ((await approvalRefusal(category, evaluation.config, actor, pull)) === undefined) allowed.push(category);
    if (allowed.length > 0) approvals.push({ categories: allowed, by: review.login, at: review.submittedAt, via: "review" });
  }
  return approvals;
}

/** Whether approving reviews can settle anything in this verdict: reviews count and something is pending. */
function countsReviews(evaluation: PullRequestEvaluation, report: Report): boolean {
  return evaluation.config.approvals.reviews && report.findings.some((finding) => finding.state === "pending");
}

/** The verdict with every recorded decision and approving review applied. */
export async function judgeWithDecisions(evaluation: PullRequestEvaluation, options: { fresh?: boolean } = {}): Promise<{ report: Report; recorded?: RecordedDecisions }> {
  const plain = await evaluation.judge();
  // A PR just opened has no comments or reviews yet; a verdict with nothing to settle needs none.
  if (options.fresh || plain.findings.length === 0) return { report: plain };
  // Comments and reviews are independent reads: the reviews start with the comments and are awaited after them.
  if (countsReviews(evaluation, plain)) startEarly(evaluation.source.reviews());
  const recorded = await readRecordedDecisions(evaluation, plain.findings.map((finding) => finding.key));
  const reviews = await reviewApprovals(evaluation, plain);
  const report = await evaluation.judge({ approvals: [...recorded.approvals, ...reviews], overrides: recorded.overrides, warnings: recorded.warnings });
  return { report, recorded };
}

/** Writes the record: edits the app's comment when there is one, else creates it. */
export async function saveLedger(evaluation: PullRequestEvaluation, ledger: Ledger, commentId: number | undefined, liveKeys?: ReadonlySet<string>): Promise<number> {
  const { gh, state } = evaluation.ctx;
  const body = writeLedger(compactLedger(ledger, state.ledgerKey, liveKeys), state.ledgerKey);
  const target = { owner: evaluation.repo.owner, repo: evaluation.repo.repo };
  if (commentId !== undefined) {
    await gh.rest.issues.updateComment({ ...target, comment_id: commentId, body });
    return commentId;
  }
  const { data } = await gh.rest.issues.createComment({ ...target, issue_number: evaluation.pr.number, body });
  return data.id;
}
