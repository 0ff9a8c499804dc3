import { approvalRefusal, overrideRefusal, type ActorFacts, type PullFacts } from "../approvals/authorize.js";
import { parseCommands, type Command, type ParsedLine } from "../approvals/commands.js";
import type { FoldedRecord, RecordComment } from "../approvals/fold.js";
import { bodyDigest, coverDigest, readLedger } from "../approvals/ledger.js";
import { packCovers, readRecord, writeRecord, type Decision } from "../approvals/record.js";
import type { Finding, Report } from "../policy/report.js";
import { describeGitHubError, type RepoRef } from "../sources/github/client.js";
import type { PullRequestInfo } from "../sources/github/pull-request.js";
import { appendRecord, judgeWithDecisions, newEntry, readRecordedDecisions } from "./decisions.js";
import { evaluateUnlocked, pullKey } from "./evaluate-pr.js";
import { PullRequestEvaluation, type EvaluationContext } from "./pull-evaluation.js";
import { visibleFindings, type Visible } from "./visible-findings.js";
import { code, prose } from "../report/escape.js";

/** Who asked, and where: a comment (reacted to and replied to) or a check-run button (id 0). */
export interface CommandOrigin {
  commentId: number;
  login: string;
  isBot: boolean;
  at: string;
  /** The comment's body as carried out; its digest is kept so a later edit voids the decision. */
  body?: string;
}

interface Outcome {
  accepted: string[];
  refused: string[];
  /** What each accepted approval or override covers, for the acknowledgement (SPEC §7: the approver sees it is what they meant). */
  covered: { what: string; findings: Finding[] }[];
  /** Approvals withdrawn, for the acknowledgement. */
  revoked: string[];
  /** What goes into the record entry. */
  decisions: Decision[];
}

/** Findings listed per decision in the acknowledgement; the rest are counted. */
const ACKNOWLEDGED_FINDINGS = 20;

/**
 * Carries out the commands of one comment (or one button click) against the
 * PR's current findings. The writes come in the order that makes the
 * decision durable first and costs the fewest write slots (issue 13; Octokit
 * spaces writes a second apart): (1) the app's reply, which is the record
 * entry and the acknowledgement in one, (2) the check, re-evaluated with it,
 * (3) the 👍. A reply that cannot be written leaves nothing decided and the
 * check says so and how to retry; a 👍 that fails changes nothing decided; a
 * read that fails gets a reply saying so, and the check fails closed.
 */
export async function runCommands(ctx: EvaluationContext, repo: RepoRef & { defaultBranch: string }, pr: PullRequestInfo, origin: CommandOrigin, lines: ParsedLine[]): Promise<void> {
  const log = ctx.log.child({ repo: `${repo.owner}/${repo.repo}`, pr: pr.number, comment: origin.commentId });
  await ctx.state.serializer.run(pullKey(repo, pr.number), async () => {
    let decided = false;
    try {
      const evaluation = await new PullRequestEvaluation(ctx, repo, pr).prepare();
      const judged = await judgeWithDecisions(evaluation);
      const report = judged.report;
      const recorded = judged.recorded ?? (await readRecordedDecisions(evaluation));
      // A redelivered or replayed webhook of a comment already carried out changes nothing, whatever happened since.
      if (origin.commentId !== 0 && recorded.folded.seen.has(origin.commentId)) {
        log.info("command comment already handled; ignored");
        return;
      }
      const actor = await evaluation.actorFacts(origin.login, origin.isBot);
      const pull = await evaluation.pullFacts();

      const outcome: Outcome = { accepted: [], refused: [], covered: [], revoked: [], decisions: [] };
      // A button is pressed on the current head's check run; a comment may predate the head (SPEC §7).
      let visible: Promise<Visible> | undefined;
      const seen = () => (visible ??= origin.commentId === 0 ? Promise.resolve({ all: true }) : visibleFindings(evaluation, origin.at));
      for (const line of lines) {
        if (!line.ok) outcome.refused.push(`\`${line.line}\`: ${line.error}. ${pendingHint(report)}`);
        else await apply(line.command, { evaluation, report, folded: recorded.folded, actor, pull, origin, outcome, seen });
      }

      // Every comment that asked to decide something gets an entry, accepted or not: replayed later, it must not
      // succeed where it failed (a category that became pending since).
      const asked = lines.some((line) => !line.ok || line.command.verb !== "check");
      const notes: string[] = [];
      let appended: RecordComment[] = [];
      if (asked) {
        const stamp = { ...(origin.commentId !== 0 ? { cmd: origin.commentId } : {}), by: origin.login, at: origin.at, ...(origin.body !== undefined ? { body: bodyDigest(origin.body) } : {}) };
        try {
          appended = await appendRecord(evaluation, newEntry(evaluation, stamp, outcome.decisions), acknowledgement(origin, outcome));
        } catch (error) {
          const reason = describeGitHubError(error);
          log.error({ err: error }, `could not record a command: ${reason}`);
          notes.push(`@${origin.login}'s command${origin.commentId !== 0 ? ` (comment ${origin.commentId})` : ""} could not be recorded (${reason}), so nothing it asked was decided: comment it again to retry`);
        }
      }
      decided = true;
      // Re-evaluated with what was just decided; the loaded policy and change are reused, the new entry counted as written.
      await evaluateUnlocked(ctx, repo, pr, { prepared: evaluation, appended, notes });
      if (outcome.accepted.length > 0 && notes.length === 0 && origin.commentId !== 0) {
        await ctx.gh.rest.reactions.createForIssueComment({ owner: repo.owner, repo: repo.repo, comment_id: origin.commentId, content: "+1" }).catch((error: unknown) => {
          log.warn({ err: error }, `could not react to a command (it was carried out): ${describeGitHubError(error)}`);
        });
      }
    } catch (error) {
      if (decided) throw error;
      // A read failed before anything was decided: say so where the commenter looks, and let the check say it too.
      const reason = describeGitHubError(error);
      log.error({ err: error }, `could not carry out a command: ${reason}`);
      if (origin.commentId !== 0) {
        const body = `@${origin.login} roleguard could not carry out your command: ${reason}. Nothing was decided; comment it again to retry.`;
        await ctx.gh.rest.issues.createComment({ owner: repo.owner, repo: repo.repo, issue_number: pr.number, body }).catch((replyError: unknown) => {
          log.error({ err: replyError }, `could not reply about it either: ${describeGitHubError(replyError)}`);
        });
      }
      await evaluateUnlocked(ctx, repo, pr, { notes: [`@${origin.login}'s command could not be carried out (${reason}): comment it again to retry`] });
    }
  });
}

interface ApplyContext {
  evaluation: PullRequestEvaluation;
  report: Report;
  folded: FoldedRecord;
  actor: ActorFacts;
  pull: PullFacts;
  origin: CommandOrigin;
  outcome: Outcome;
  /** What the commenter could have seen when writing the comment. */
  seen: () => Promise<Visible>;
}

async function apply(command: Command, c: ApplyContext): Promise<void> {
  const { report, folded, actor, pull, outcome, evaluation, seen } = c;
  const config = evaluation.config;
  switch (command.verb) {
    case "check": {
      // Re-evaluation is harmless, but only collaborators with write may trigger it.
      if (actor.permission === "none" || actor.permission === "read" || actor.permission === "triage") {
        outcome.refused.push(`\`${command.line}\`: re-running needs write permission; @${actor.login} has ${actor.permission}`);
      } else outcome.accepted.push(command.line);
      return;
    }
    case "approve": {
      const pending = pendingCategories(report);
      const named = command.categories === "all" ? pending : command.categories;
      if (pending.length === 0) {
        outcome.refused.push(`\`${command.line}\`: nothing is pending approval`);
        return;
      }
      const known = new Set(report.findings.map((finding) => finding.category));
      const approved: string[] = [];
      for (const category of named) {
        if (!pending.includes(category)) {
          outcome.refused.push(`\`${command.line}\`: ${known.has(category) ? `nothing is pending in \`${category}\`` : `unknown category \`${category}\``}. ${pendingHint(report)}`);
          continue;
        }
        const refusal = (await approvalRefusal(category, config, actor, pull)) ?? alreadyCounted(report, category, actor.login);
        if (refusal) outcome.refused.push(`\`${command.line}\`: ${refusal}`);
        else approved.push(category);
      }
      if (approved.length === 0) return;
      // The approval covers these findings as the commenter saw them: their keys carry paths, blob SHAs and specs.
      const { covered, findings } = coverable(report.findings.filter((finding) => finding.state === "pending" && approved.includes(finding.category)), await seen(), command.line, outcome);
      if (covered.length === 0) return;
      const given = approved.filter((category) => findings.some((finding) => finding.category === category));
      outcome.decisions.push({ kind: "approve", categories: given, covers: packCovers(covered) });
      outcome.covered.push({ what: `the approval of ${given.map((category) => code(category)).join(", ")}`, findings });
      outcome.accepted.push(command.line);
      return;
    }
    case "override": {
      const violations = report.findings.filter((finding) => finding.state === "violation");
      if (violations.length === 0) {
        outcome.refused.push(`\`${command.line}\`: there is no violation to override`);
        return;
      }
      const refusal = overrideRefusal(config, actor, pull);
      if (refusal) {
        outcome.refused.push(`\`${command.line}\`: ${refusal}`);
        return;
      }
      const { covered, findings } = coverable(violations, await seen(), command.line, outcome);
      if (covered.length === 0) return;
      outcome.decisions.push({ kind: "override", reason: command.reason, covers: packCovers(covered) });
      outcome.covered.push({ what: "the override", findings });
      outcome.accepted.push(command.line);
      return;
    }
    case "revoke": {
      // What this person has approved so far, as the record says (the entry withdraws it; nothing is rewritten).
      const login = actor.login.toLowerCase();
      const theirs = new Set(folded.decisions.flatMap((decision) => (decision.kind === "approve" && decision.by.toLowerCase() === login ? decision.categories : [])));
      const revoked = command.categories === "all" ? [...theirs] : command.categories.filter((category) => theirs.has(category));
      if (revoked.length === 0) {
        outcome.refused.push(`\`${command.line}\`: @${actor.login} has no approval${command.categories === "all" ? "" : ` of ${command.categories.join(", ")}`} to revoke`);
        return;
      }
      outcome.decisions.push({ kind: "revoke", categories: command.categories === "all" ? "all" : revoked });
      outcome.revoked.push(`your approval of ${revoked.map((category) => code(category)).join(", ")}`);
      outcome.accepted.push(command.line);
      return;
    }
  }
}

/**
 * The findings a decision may cover: all of them for a comment written at the
 * current head; for one written before it, only those unchanged since the head
 * it saw. What changed is refused with a reply, so the approver looks again.
 */
function coverable(findings: readonly Finding[], visible: Visible, line: string, outcome: Outcome): { covered: string[]; findings: Finding[] } {
  const covered = visible.all ? [...findings] : findings.filter((finding) => visible.keys.has(finding.key));
  const changed = findings.length - covered.length;
  if (changed > 0) {
    const saw = !visible.all && visible.head ? `the head it was written against (${visible.head.slice(0, 7)})` : "what the app had seen when it was written";
    const what = covered.length === 0 ? "it covers nothing" : `it covers only the ${plural(covered.length, "finding")} unchanged since`;
    outcome.refused.push(`\`${line}\`: this comment was written before the latest push; ${plural(changed, "finding")} changed since ${saw}, so ${what}. Look at the new content and comment again`);
  }
  // The record keeps digests of the keys, so one approval of thousands of files stays small.
  return { covered: covered.map((finding) => coverDigest(finding.key)), findings: covered };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** With `required: N`, the same person approving twice counts once: say so rather than 👍 a no-op. */
function alreadyCounted(report: Report, category: string, login: string): string | undefined {
  const pending = report.findings.filter((finding) => finding.state === "pending" && finding.category === category);
  const counted = (finding: Finding) => (finding.approved_by ?? []).some((each) => each.toLowerCase() === login.toLowerCase());
  if (pending.length === 0 || !pending.every(counted)) return undefined;
  const needed = Math.max(...pending.map((finding) => finding.still_needed ?? 1));
  return `@${login} already approved \`${category}\`; it needs ${plural(needed, "more approval")} from someone else`;
}

function pendingCategories(report: Report): string[] {
  return [...new Set(report.findings.filter((finding) => finding.state === "pending").map((finding) => finding.category))];
}

function pendingHint(report: Report): string {
  const pending = pendingCategories(report);
  return pending.length > 0 ? `Pending: ${pending.map((category) => `\`${category}\``).join(", ")} — e.g. \`/roleguard approve ${pending[0]}\`.` : "Nothing is pending approval.";
}

/**
 * The app's reply to a command, which is also its record entry: what each
 * accepted approval or override covers (so the approver sees it is what they
 * meant), what was revoked, and each refusal with why.
 */
function acknowledgement(origin: CommandOrigin, outcome: Outcome): string {
  const covered = outcome.covered.length > 0 ? [`@${origin.login} roleguard recorded what you approved, as it is now; a push that changes any of it needs a new approval:`, "", ...outcome.covered.flatMap(acknowledge)] : [];
  const revoked = outcome.revoked.length > 0 ? [`@${origin.login} roleguard recorded that ${outcome.revoked.join(" and ")} ${outcome.revoked.length === 1 ? "is" : "are"} revoked.`] : [];
  const refused = outcome.refused.length > 0 ? [`@${origin.login} roleguard did not carry out:`, "", ...outcome.refused.map((line) => `- ${line}`)] : [];
  const parts = [covered, revoked, refused].filter((part) => part.length > 0);
  if (parts.length === 0) return `@${origin.login} roleguard recorded your command.`;
  return parts.map((part) => part.join("\n")).join("\n\n");
}

/** "- the approval of `database_migrations` covers 1 finding:" then each file at its short blob SHA, each dependency with its spec. */
function acknowledge(decision: Outcome["covered"][number]): string[] {
  const shown = decision.findings.slice(0, ACKNOWLEDGED_FINDINGS).map((finding) => `  - ${describeCovered(finding)}`);
  const more = decision.findings.length > ACKNOWLEDGED_FINDINGS ? [`  - and ${decision.findings.length - ACKNOWLEDGED_FINDINGS} more`] : [];
  return [`- ${decision.what} covers ${plural(decision.findings.length, "finding")}:`, ...shown, ...more];
}

function describeCovered(finding: Finding): string {
  const content = finding.key.slice(`${finding.category}|${finding.path ?? ""}|`.length);
  const category = code(finding.category);
  if (!finding.path) return `${category}: ${content && /^[0-9a-f]{40}$/.test(content) ? `commit ${code(content.slice(0, 7))}` : prose(finding.detail ?? "the whole change", { max: 200 })}`;
  if (/^[0-9a-f]{40}$/.test(content)) return `${category}: ${code(finding.path, { max: 200 })} at blob ${code(content.slice(0, 7))}`;
  // A dependency (its spec) or a removed file: the detail says what.
  return `${category}: ${code(finding.path, { max: 200 })} — ${prose(finding.detail ?? content, { max: 200 })}`;
}

/**
 * A command comment edited or deleted. An approve or override comment edited
 * after it was carried out no longer counts, whoever edited it (SPEC §7): the
 * record keeps a digest of the body it carried out, so its decisions stop
 * counting at once and the approver is asked to comment again; the edit
 * itself is never a new command. An edit or deletion by someone other than
 * its author is also tampering, recorded so it shows in every later summary.
 * An edit or deletion of one of the app's own record comments by anyone else
 * is undone from the webhook's copy of the previous body (still signed) and
 * recorded as tampering too. Any change re-evaluates the PR.
 */
export async function recordCommentChange(
  ctx: EvaluationContext,
  repo: RepoRef & { defaultBranch: string },
  pr: PullRequestInfo,
  change: { commentId: number; author: string; editor: string; action: "edited" | "deleted"; isCommand: boolean; isLedger: boolean; previousBody?: string },
): Promise<void> {
  await ctx.state.serializer.run(pullKey(repo, pr.number), async () => {
    const evaluation = await new PullRequestEvaluation(ctx, repo, pr).prepare();
    const restored = change.isLedger && change.previousBody !== undefined ? await restoreRecord(evaluation, change.commentId, change.action, change.previousBody) : false;
    const tampered = restored || (change.isCommand && change.editor.toLowerCase() !== change.author.toLowerCase());
    // Read only when a command comment was edited: a restore changes the list, which the re-evaluation reads afresh.
    const voided = change.isCommand && change.action === "edited" ? decisionsOf((await readRecordedDecisions(evaluation)).folded, change.commentId) : [];
    const lines: string[] = [];
    if (voided.length > 0) {
      lines.push(`@${change.author} your comment was edited after roleguard carried it out, so ${voided.join(" and ")} no longer count${voided.length === 1 ? "s" : ""}. An edit is never a new command: to decide again, post a new comment.`);
    }
    let appended: RecordComment[] = [];
    const target = { owner: repo.owner, repo: repo.repo, issue_number: pr.number };
    if (tampered) {
      const what = change.isLedger ? "roleguard's approvals record" : `a command comment by @${change.author}`;
      lines.push(`🚩 roleguard recorded tampering: @${change.editor} ${change.action} ${what} (comment ${change.commentId})${restored ? "; roleguard put it back as it was" : ""}.`);
      const tamper: Decision = { kind: "tamper", id: change.commentId, by: change.editor, author: change.author, action: change.action };
      appended = await appendRecord(evaluation, newEntry(evaluation, { by: change.editor, at: new Date().toISOString() }, [tamper]), lines.join("\n\n"));
    } else if (lines.length > 0) {
      await ctx.gh.rest.issues.createComment({ ...target, body: lines.join("\n\n") });
    }
    // The list read above holds the record as it was tampered with; what was put back is read anew.
    if (restored) evaluation.source.forget("comments");
    await evaluateUnlocked(ctx, repo, pr, { prepared: evaluation, appended });
  });
}

/**
 * Puts one of the app's record comments back from the webhook's copy of its
 * previous body, when that copy is still a valid record of this PR: an edit
 * is undone in place; a deleted entry is posted anew, standing where the
 * original stood in the fold. The record of earlier versions is re-posted
 * verbatim (it is always folded first).
 */
async function restoreRecord(evaluation: PullRequestEvaluation, commentId: number, action: "edited" | "deleted", previousBody: string): Promise<boolean> {
  const { gh, state, log } = evaluation.ctx;
  const repoName = `${evaluation.repo.owner}/${evaluation.repo.repo}`;
  const target = { owner: evaluation.repo.owner, repo: evaluation.repo.repo };
  const entry = readRecord(previousBody, state.ledgerKey, repoName, evaluation.pr.number);
  const single = entry.ok ? undefined : readLedger(previousBody, state.ledgerKey, repoName, evaluation.pr.number);
  if (!entry.ok && !single?.ok) {
    log.warn({ comment: commentId }, "a record comment was changed, and its previous body is not a valid record either: not restored");
    return false;
  }
  if (action === "edited") await gh.rest.issues.updateComment({ ...target, comment_id: commentId, body: previousBody });
  else {
    const body = entry.ok ? writeRecord({ ...entry.entry, order: entry.entry.order ?? commentId }, entry.text, state.ledgerKey) : previousBody;
    await gh.rest.issues.createComment({ ...target, issue_number: evaluation.pr.number, body });
  }
  return true;
}

/** What a command comment decided that still stands, in words, for the reply when it is edited. */
function decisionsOf(folded: FoldedRecord, commentId: number): string[] {
  return folded.decisions
    .filter((decision) => decision.cmd === commentId)
    .map((decision) => (decision.kind === "approve" ? `its approval of ${decision.categories.map((category) => `\`${category}\``).join(", ")}` : "its override"));
}

export { parseCommands };
