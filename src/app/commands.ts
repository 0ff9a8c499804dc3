import { approvalRefusal, overrideRefusal, type ActorFacts, type PullFacts } from "../approvals/authorize.js";
import { parseCommands, type Command, type ParsedLine } from "../approvals/commands.js";
import { alreadyHandled, bodyDigest, coverDigest, markHandled, readLedger, type Ledger, type LedgerEntry } from "../approvals/ledger.js";
import type { Finding, Report } from "../policy/report.js";
import type { RepoRef } from "../sources/github/client.js";
import type { PullRequestInfo } from "../sources/github/pull-request.js";
import { judgeWithDecisions, readRecordedDecisions, saveLedger, type RecordedDecisions } from "./decisions.js";
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
  ledgerChanged: boolean;
}

/** Findings listed per decision in the acknowledgement; the rest are counted. */
const ACKNOWLEDGED_FINDINGS = 20;

/**
 * Carries out the commands of one comment (or one button click) against the
 * PR's current findings, records what was decided in the signed ledger,
 * answers every command (👍, or a reply saying why not), and re-evaluates.
 */
export async function runCommands(ctx: EvaluationContext, repo: RepoRef & { defaultBranch: string }, pr: PullRequestInfo, origin: CommandOrigin, lines: ParsedLine[]): Promise<void> {
  await ctx.state.serializer.run(pullKey(repo, pr.number), async () => {
    const evaluation = await new PullRequestEvaluation(ctx, repo, pr).prepare();
    const judged = await judgeWithDecisions(evaluation);
    const report = judged.report;
    const recorded = judged.recorded ?? (await readRecordedDecisions(evaluation));
    // A record that failed its signature was already replaced by an empty one: nothing forged carries over.
    const ledger: Ledger = structuredClone(recorded.ledger);
    // A redelivered or replayed webhook of a comment already carried out changes nothing, whatever happened since.
    if (alreadyHandled(ledger, origin.commentId)) {
      ctx.log.info({ comment: origin.commentId }, "command comment already handled; ignored");
      return;
    }
    const actor = await evaluation.actorFacts(origin.login, origin.isBot);
    const pull = await evaluation.pullFacts();

    const outcome: Outcome = { accepted: [], refused: [], covered: [], ledgerChanged: false };
    // A button is pressed on the current head's check run; a comment may predate the head (SPEC §7).
    let visible: Promise<Visible> | undefined;
    const seen = () => (visible ??= origin.commentId === 0 ? Promise.resolve({ all: true }) : visibleFindings(evaluation, origin.at));
    for (const line of lines) {
      if (!line.ok) outcome.refused.push(`\`${line.line}\`: ${line.error}. ${pendingHint(report)}`);
      else await apply(line.command, { evaluation, report, ledger, actor, pull, origin, outcome, seen });
    }

    // Every comment that asked to decide something is remembered, accepted or not: replayed later, it must not
    // succeed where it failed (a category that became pending since).
    if (origin.commentId !== 0 && lines.some((line) => !line.ok || line.command.verb !== "check")) {
      markHandled(ledger, origin.commentId);
      outcome.ledgerChanged = true;
    }
    if (outcome.ledgerChanged) {
      await saveLedger(evaluation, ledger, recorded.ledgerCommentId, new Set(report.findings.map((finding) => finding.key)));
      evaluation.source.forget("comments");
    }
    await answer(ctx, repo, pr.number, origin, outcome);
    // Re-evaluate with what was just decided; the loaded policy and change are reused.
    await evaluateUnlocked(ctx, repo, pr, { prepared: evaluation });
  });
}

interface ApplyContext {
  evaluation: PullRequestEvaluation;
  report: Report;
  ledger: Ledger;
  actor: ActorFacts;
  pull: PullFacts;
  origin: CommandOrigin;
  outcome: Outcome;
  /** What the commenter could have seen when writing the comment. */
  seen: () => Promise<Visible>;
}

async function apply(command: Command, c: ApplyContext): Promise<void> {
  const { report, ledger, actor, pull, origin, outcome, evaluation, seen } = c;
  const config = evaluation.config;
  const stamp = { id: origin.commentId, by: origin.login, at: origin.at, ...(origin.body !== undefined ? { body: bodyDigest(origin.body) } : {}) };
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
      const { covered, categories, findings } = await coverable(report.findings.filter((finding) => finding.state === "pending" && approved.includes(finding.category)), await seen(), command.line, outcome);
      if (covered.length === 0) return;
      const given = approved.filter((category) => categories.has(category));
      ledger.entries.push({ kind: "approve", ...stamp, categories: given, covers: covered });
      outcome.covered.push({ what: `the approval of ${given.map((category) => code(category)).join(", ")}`, findings });
      outcome.ledgerChanged = true;
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
      const { covered, findings } = await coverable(violations, await seen(), command.line, outcome);
      if (covered.length === 0) return;
      ledger.entries.push({ kind: "override", ...stamp, reason: command.reason, covers: covered });
      outcome.covered.push({ what: "the override", findings });
      outcome.ledgerChanged = true;
      outcome.accepted.push(command.line);
      return;
    }
    case "revoke": {
      const mine = (entry: LedgerEntry) => entry.kind === "approve" && entry.by.toLowerCase() === actor.login.toLowerCase();
      let revoked = 0;
      const categoryOf = new Map(report.findings.map((finding) => [coverDigest(finding.key), finding.category]));
      ledger.entries = ledger.entries.flatMap((entry): LedgerEntry[] => {
        if (!mine(entry) || entry.kind !== "approve") return [entry];
        const keep = command.categories === "all" ? [] : entry.categories.filter((category) => !command.categories.includes(category));
        revoked += entry.categories.length - keep.length;
        if (keep.length === 0) return [];
        // A cover is kept when the finding it covers now belongs to a kept category (a full key from an older record says so itself).
        const covers = entry.covers.filter((cover) => keep.some((category) => cover.startsWith(`${category}|`) || categoryOf.get(cover) === category));
        return [{ ...entry, categories: keep, covers }];
      });
      if (revoked === 0) outcome.refused.push(`\`${command.line}\`: @${actor.login} has no approval${command.categories === "all" ? "" : ` of ${command.categories.join(", ")}`} to revoke`);
      else {
        outcome.ledgerChanged = true;
        outcome.accepted.push(command.line);
      }
      return;
    }
  }
}

/**
 * The findings a decision may cover: all of them for a comment written at the
 * current head; for one written before it, only those unchanged since the head
 * it saw. What changed is refused with a reply, so the approver looks again.
 */
async function coverable(findings: readonly Finding[], visible: Visible, line: string, outcome: Outcome): Promise<{ covered: string[]; categories: Set<string>; findings: Finding[] }> {
  const covered = visible.all ? [...findings] : findings.filter((finding) => visible.keys.has(finding.key));
  const changed = findings.length - covered.length;
  if (changed > 0) {
    const saw = !visible.all && visible.head ? `the head it was written against (${visible.head.slice(0, 7)})` : "what the app had seen when it was written";
    const what = covered.length === 0 ? "it covers nothing" : `it covers only the ${plural(covered.length, "finding")} unchanged since`;
    outcome.refused.push(`\`${line}\`: this comment was written before the latest push; ${plural(changed, "finding")} changed since ${saw}, so ${what}. Look at the new content and comment again`);
  }
  // The record keeps digests of the keys, so one approval of thousands of files stays small.
  return { covered: covered.map((finding) => coverDigest(finding.key)), categories: new Set(covered.map((finding) => finding.category)), findings: covered };
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

/** 👍 when anything was accepted; a reply listing each refusal and why. A button click has no comment to react to. */
async function answer(ctx: EvaluationContext, repo: RepoRef, number: number, origin: CommandOrigin, outcome: Outcome): Promise<void> {
  if (outcome.accepted.length > 0 && origin.commentId !== 0) {
    await ctx.gh.rest.reactions.createForIssueComment({ owner: repo.owner, repo: repo.repo, comment_id: origin.commentId, content: "+1" });
  }
  if (outcome.refused.length > 0 || outcome.covered.length > 0) {
    const refused = outcome.refused.length > 0 ? [`@${origin.login} roleguard did not carry out:`, "", ...outcome.refused.map((line) => `- ${line}`)] : [];
    const covered = outcome.covered.length > 0 ? [`@${origin.login} roleguard recorded what you approved, as it is now; a push that changes any of it needs a new approval:`, "", ...outcome.covered.flatMap(acknowledge)] : [];
    const body = [...covered, ...(covered.length > 0 && refused.length > 0 ? [""] : []), ...refused].join("\n");
    await ctx.gh.rest.issues.createComment({ owner: repo.owner, repo: repo.repo, issue_number: number, body });
  }
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
 * after it was carried out no longer counts, whoever edited it (SPEC §7): its
 * decisions leave the record and the approver is asked to comment again; the
 * edit itself is never a new command. An edit or deletion by someone other
 * than its author is also tampering, recorded so it shows in every later
 * summary. Any change re-evaluates the PR, so a deleted approval stops
 * counting at once. An edit or deletion of the app's own record by anyone
 * else is undone from the webhook's copy of the previous body (still signed),
 * and recorded as tampering too.
 */
export async function recordCommentChange(
  ctx: EvaluationContext,
  repo: RepoRef & { defaultBranch: string },
  pr: PullRequestInfo,
  change: { commentId: number; author: string; editor: string; action: "edited" | "deleted"; isCommand: boolean; isLedger: boolean; previousBody?: string },
): Promise<void> {
  await ctx.state.serializer.run(pullKey(repo, pr.number), async () => {
    const evaluation = await new PullRequestEvaluation(ctx, repo, pr).prepare();
    const tamperedCommand = change.isCommand && change.editor.toLowerCase() !== change.author.toLowerCase();
    const restorable = change.isLedger && change.previousBody !== undefined ? readLedger(change.previousBody, ctx.state.ledgerKey, `${repo.owner}/${repo.repo}`, pr.number) : undefined;
    const recorded: RecordedDecisions = await readRecordedDecisions(evaluation);
    const ledger = structuredClone(restorable?.ok ? restorable.ledger : recorded.ledger);
    const voided = change.isCommand && change.action === "edited" ? voidDecisionsOf(ledger, change.commentId) : [];
    if (tamperedCommand || restorable?.ok || voided.length > 0) {
      if (tamperedCommand || restorable?.ok) ledger.entries.push({ kind: "tamper", id: change.commentId, by: change.editor, author: change.author, at: new Date().toISOString(), action: change.action });
      // A deleted record is written anew; an edited one is put back in place.
      const target = change.isLedger && change.action === "deleted" ? undefined : recorded.ledgerCommentId;
      await saveLedger(evaluation, ledger, target);
      evaluation.source.forget("comments");
    }
    if (voided.length > 0) {
      const body = `@${change.author} your comment was edited after roleguard carried it out, so ${voided.join(" and ")} no longer count${voided.length === 1 ? "s" : ""}. An edit is never a new command: to decide again, post a new comment.`;
      await ctx.gh.rest.issues.createComment({ owner: repo.owner, repo: repo.repo, issue_number: pr.number, body });
    }
    await evaluateUnlocked(ctx, repo, pr, { prepared: evaluation });
  });
}

/** Takes the approvals and overrides a comment gave out of the record; says what they were. */
function voidDecisionsOf(ledger: Ledger, commentId: number): string[] {
  const voided: string[] = [];
  ledger.entries = ledger.entries.filter((entry) => {
    if (entry.id !== commentId || entry.kind === "tamper") return true;
    voided.push(entry.kind === "approve" ? `its approval of ${entry.categories.map((category) => `\`${category}\``).join(", ")}` : "its override");
    return false;
  });
  return voided;
}

export { parseCommands };
