import { approvalRefusal } from "../approvals/authorize.js";
import { foldRecord, type FoldedRecord, type RecordComment } from "../approvals/fold.js";
import { bodyDigest, coverDigest, isLedgerComment, isSingleLedgerComment, readLedger, type Ledger } from "../approvals/ledger.js";
import { isRecordComment, readRecord, splitEntry, writeRecord, type RecordEntry } from "../approvals/record.js";
import type { Approval, Override } from "../policy/change.js";
import type { Report } from "../policy/report.js";
import type { CommentInfo } from "../sources/github/pull-request.js";
import { startEarly, type PullRequestEvaluation } from "./pull-evaluation.js";

export interface RecordedDecisions {
  approvals: Approval[];
  overrides: Override[];
  warnings: string[];
  /** The record folded: every decision still standing, the tamper notes, the command comments already carried out. */
  folded: FoldedRecord;
}

/**
 * Approvals and overrides as the app's signed record holds them: the
 * single-comment record of earlier versions, then the entries appended since
 * (one per command). An entry of the app's that fails its signature voids
 * what came before it (fail closed) and is reported as tampering; a decision
 * whose command comment was deleted or edited no longer counts. `appended`
 * are entries this process has just written, counted without listing the
 * comments again.
 */
export async function readRecordedDecisions(evaluation: PullRequestEvaluation, liveKeys: readonly string[] = [], appended: readonly RecordComment[] = []): Promise<RecordedDecisions> {
  const { state } = evaluation.ctx;
  const repoName = `${evaluation.repo.owner}/${evaluation.repo.repo}`;
  const comments = await evaluation.source.comments();
  const warnings: string[] = [];
  const isOurs = (comment: CommentInfo) =>
    comment.isBot && (!state.botLogin || comment.login.toLowerCase() === state.botLogin.toLowerCase()) && (state.appId === undefined || comment.appId === undefined || comment.appId === state.appId);
  const isRecord = (comment: CommentInfo) => isLedgerComment(comment.body);
  for (const forged of comments.filter((comment) => isRecord(comment) && !isOurs(comment))) {
    warnings.push(`tamper: @${forged.login} posted a comment imitating roleguard's approvals record (comment ${forged.id}); it is ignored`);
  }
  const ours = comments.filter((comment) => isOurs(comment) && isRecord(comment));
  let legacy: Ledger | undefined;
  const single = ours.filter((comment) => isSingleLedgerComment(comment.body) && !isRecordComment(comment.body)).at(-1);
  if (single) {
    const read = readLedger(single.body, state.ledgerKey, repoName, evaluation.pr.number);
    if (read.ok) legacy = read.ledger;
    else warnings.push(`tamper: ${read.reason}; earlier approvals and overrides are not counted — give them again`);
  }
  const known = new Set(appended.map((record) => record.commentId));
  const entries: RecordComment[] = ours
    .filter((comment) => isRecordComment(comment.body) && !known.has(comment.id))
    .map((comment) => {
      const read = readRecord(comment.body, state.ledgerKey, repoName, evaluation.pr.number);
      return read.ok ? { commentId: comment.id, entry: read.entry } : { commentId: comment.id, invalid: read.reason };
    });
  const folded = foldRecord(legacy, [...entries, ...appended]);
  warnings.push(...folded.warnings);

  const present = new Map(comments.map((comment) => [comment.id, comment]));
  const approvals: Approval[] = [];
  const overrides: Override[] = [];
  // The record keeps digests of finding keys; the engine binds decisions to the keys they stand for now.
  const byCover = new Map(liveKeys.flatMap((key) => [[key, key] as const, [coverDigest(key), key] as const]));
  const resolve = (covers: readonly string[]) => [...new Set(covers.flatMap((cover) => byCover.get(cover) ?? []))];
  for (const decision of folded.decisions) {
    // cmd 0: a check-run button, which has no comment to delete or edit.
    const comment = present.get(decision.cmd);
    if (decision.cmd !== 0 && !comment) continue;
    // An approve or override comment edited after it was carried out no longer counts, even when the edit's webhook was missed.
    if (decision.body !== undefined && comment && bodyDigest(comment.body) !== decision.body) {
      warnings.push(`the comment of @${decision.by}'s ${decision.kind === "approve" ? "approval" : "override"} was edited after it was carried out: it no longer counts — comment again`);
      continue;
    }
    const via = decision.cmd === 0 ? "button" : "comment";
    if (decision.kind === "approve") approvals.push({ categories: decision.categories, by: decision.by, at: decision.at, covers: resolve(decision.covers), via });
    else overrides.push({ by: decision.by, at: decision.at, reason: decision.reason ?? "", covers: resolve(decision.covers), via });
  }
  for (const tamper of folded.tampers) warnings.push(`tamper: @${tamper.by} ${tamper.action} a command comment by @${tamper.author} at ${tamper.at}`);
  return { approvals, overrides, warnings, folded };
}

/**
 * Appends one entry to the record: the app's reply to the command, with the
 * signed entry at its end (split into parts when it covers too much for one
 * comment). Returns the entries as written, so the caller counts them at once.
 */
export async function appendRecord(evaluation: PullRequestEvaluation, entry: RecordEntry, readable: string): Promise<RecordComment[]> {
  const { gh, state } = evaluation.ctx;
  const written: RecordComment[] = [];
  const parts = splitEntry(entry);
  for (const part of parts) {
    const text = part.part && part.part[0] > 1 ? `_roleguard's record of the same decision, part ${part.part[0]} of ${part.part[1]}._` : readable;
    const { data } = await gh.rest.issues.createComment({ owner: evaluation.repo.owner, repo: evaluation.repo.repo, issue_number: evaluation.pr.number, body: writeRecord(part, text, state.ledgerKey) });
    written.push({ commentId: data.id, entry: part });
  }
  return written;
}

/** A new entry for this PR, stamped with who decided and when. */
export function newEntry(evaluation: PullRequestEvaluation, stamp: Omit<RecordEntry, "v" | "repo" | "pr" | "decisions">, decisions: RecordEntry["decisions"]): RecordEntry {
  return { v: 2, repo: `${evaluation.repo.owner}/${evaluation.repo.repo}`.toLowerCase(), pr: evaluation.pr.number, ...stamp, decisions };
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
export interface JudgeOptions {
  /** The PR was just opened: no comments or reviews to read. */
  fresh?: boolean;
  /** Record entries this process has just appended (counted without listing the comments again). */
  appended?: readonly RecordComment[];
  /** Said in the check's warnings: a command that could not be carried out, and how to retry. */
  notes?: readonly string[];
}

export async function judgeWithDecisions(evaluation: PullRequestEvaluation, options: JudgeOptions = {}): Promise<{ report: Report; recorded?: RecordedDecisions }> {
  const notes = [...(options.notes ?? [])];
  const plain = await evaluation.judge({ warnings: notes });
  // A PR just opened has no comments or reviews yet; a verdict with nothing to settle needs none.
  if (options.fresh || plain.findings.length === 0) return { report: plain };
  // Comments and reviews are independent reads: the reviews start with the comments and are awaited after them.
  if (countsReviews(evaluation, plain)) startEarly(evaluation.source.reviews());
  const recorded = await readRecordedDecisions(evaluation, plain.findings.map((finding) => finding.key), options.appended);
  const reviews = await reviewApprovals(evaluation, plain);
  const report = await evaluation.judge({ approvals: [...recorded.approvals, ...reviews], overrides: recorded.overrides, warnings: [...notes, ...recorded.warnings] });
  return { report, recorded };
}
