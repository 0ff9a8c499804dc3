import type { PolicyError } from "../errors.js";
import type { Conclusion, Decision, Finding, Report } from "../policy/report.js";
import { code, html, mention, prose, text } from "./escape.js";
import { approversOf, permissionsOf, SEPARATION_OF_DUTIES, type Approvers } from "./who.js";
import { approvalProgress } from "../policy/verdict.js";

const VERDICT_MARK: Record<Conclusion, string> = { success: "✅", neutral: "⚪", action_required: "⏳", failure: "❌" };
const STATE_MARK: Record<Finding["state"], string> = { violation: "❌", pending: "⏳", approved: "✅", overridden: "⚠️" };
const STATE_WORD: Record<Finding["state"], [string, string]> = {
  violation: ["violation", "violations"],
  pending: ["pending", "pending"],
  approved: ["approved", "approved"],
  overridden: ["overridden", "overridden"],
};

/** A category with at most this many findings is listed open; a longer list folds into `<details>`. */
export const OPEN_LIST_MAX = 10;
/** Files named in a next-steps row before "and N more". */
export const FILES_PER_STEP = 2;
/**
 * Findings listed in the summary, at most, and the characters they may take:
 * GitHub keeps 65,535 of the summary, and the JSON report in the check's
 * details lists every finding anyway.
 */
export const MAX_LISTED = 250;
const LISTING_BUDGET = 40_000;
/** Decisions, checklist items and warnings shown, each, before "and N more". */
const MAX_ITEMS = 50;

export interface MarkdownOptions {
  /** Notes from the app (reviewers GitHub refused, annotations left out), shown under the next steps. */
  notes?: readonly string[];
}

/**
 * The summary a maintainer reads in thirty seconds (SPEC §5): one opening line
 * (verdict, roles and why, files inspected), policy errors, the next steps
 * with who acts and the command to type, what is settled, what was checked,
 * the findings by category (long lists folded), the checklist and warnings.
 * Every string from a PR or config is escaped (./escape.ts).
 */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const sections = [
    [opening(report)],
    errorsSection(report),
    nextSteps(report),
    (options.notes ?? []).map((note) => `> ${note}`),
    settledSection(report),
    findingsSection(report),
    checkedSection(report),
    listSection("#### Reviewer checklist (not detected automatically)", report.checklist.map((item) => `- [ ] ${prose(item)}`)),
    listSection("#### Warnings", report.warnings.map((warning) => `- ${prose(warning)}`)),
  ];
  return `${sections
    .filter((section) => section.length > 0)
    .map((section) => section.join("\n"))
    .join("\n\n")}\n`;
}

/** "✅ **title** · role `x` (from `assign[0].users: bot`) · 14 changed files inspected in full" */
function opening(report: Report): string {
  // Observe mode concludes neutral but shows the mark enforcement would have, beside its title saying so.
  const mark = report.mode === "observe" && report.would_conclude ? `👁️ ${VERDICT_MARK[report.would_conclude]}` : VERDICT_MARK[report.conclusion];
  const parts = [`${mark} **${text(report.title, 400)}**`];
  if (report.roles.length === 0) parts.push(report.errors.length > 0 ? "no role applied" : "no role applies");
  else {
    const roles = report.roles.map((role) => `${code(role.id)} (applied by ${code(role.source)})`);
    parts.push(`${report.roles.length === 1 ? "role" : "roles"} ${roles.join(", ")}`);
  }
  const inspected = report.inspected;
  if (inspected?.complete) parts.push(`${plural(inspected.files, "changed file")} inspected in full`);
  else if (inspected) parts.push(`**not inspected in full**: ${prose(inspected.reason ?? "the change could not be listed")}`);
  return parts.join(" · ");
}

function errorsSection(report: Report): string[] {
  const policy = report.errors.filter((error) => !isInspectionError(error));
  const inspection = report.errors.filter(isInspectionError);
  const out: string[] = [];
  if (inspection.length > 0) {
    out.push(
      "#### ❌ The change could not be inspected in full",
      "",
      "The check fails closed until it can be:",
      "",
      ...inspection.map((error) => `- ${prose(error.message)}`),
      "",
      `Anyone with write permission can comment ${code("/roleguard check")} to try again.`,
    );
  }
  if (policy.length > 0) {
    if (out.length > 0) out.push("");
    out.push(`#### ❌ ${policy.length === 1 ? "Policy error: the check fails until it is fixed" : `${policy.length} policy errors: the check fails until they are fixed`}`, "");
    out.push(...capped(policy.map(policyErrorItem)));
  }
  return out;
}

/** The PR's own inspection failed (GitHub truncated the tree): not a policy problem. */
function isInspectionError(error: PolicyError): boolean {
  return error.file === "(pull request)";
}

/**
 * "- **`file`** line 4, field `x`: message<br>**Fix:** hint<br>_Not caused by this PR_: ..."
 * An error in the policy in force is not the PR's doing: its author cannot fix
 * it in the PR (the config is read from the default branch), so the item says where.
 */
function policyErrorItem(error: PolicyError): string {
  const where = [`**${code(error.file)}**`, error.line !== undefined ? `line ${error.line}` : undefined, error.field ? `field ${code(error.field)}` : undefined].filter(Boolean).join(", ");
  const lines = [`- ${where}: ${prose(error.message)}`];
  if (error.hint) lines.push(`**Fix:** ${prose(error.hint)}`);
  lines.push(
    error.origin === "proposed"
      ? "_Introduced by this PR_: fix the file in this PR."
      : "_Not caused by this PR_: this file is the policy in force (default branch); fix it there, then re-run the check.",
  );
  return lines.join("<br>");
}

/** One row per thing to do: what, who, the command. Violations first; `approve all` when several categories wait. */
function nextSteps(report: Report): string[] {
  const rows: string[] = [];
  for (const [category, findings] of byCategory(report.findings.filter((finding) => finding.state === "violation"))) {
    const who = `anyone with **${permissionsOf(report).override}** permission or higher`;
    rows.push(row(what(STATE_MARK.violation, category, findings), who, `undo ${findings.length === 1 ? "the change" : "the changes"}, or comment ${code("/roleguard override <reason>", { cell: true })}`));
  }
  const pending = byCategory(report.findings.filter((finding) => finding.state === "pending"));
  for (const [category, findings] of pending) {
    const progress = approvalProgress(findings);
    const so = progress ? `<br>${progress.trim().slice(1, -1)} so far${soFar(findings)}` : "";
    rows.push(row(`${what(STATE_MARK.pending, category, findings)}${so}`, whoApproves(approversOf(findings, report)), code(`/roleguard approve ${category}`, { cell: true })));
  }
  if (pending.size > 1) {
    rows.push(row(`${STATE_MARK.pending} ${pending.size === 2 ? "both" : `all ${pending.size}`} pending categories at once`, "each approver, for their categories", code("/roleguard approve all", { cell: true })));
  }
  if (rows.length === 0) return [];
  const reviews = pending.size > 0 && permissionsOf(report).reviews ? " An approving review of the head commit also approves what its reviewer may approve." : "";
  return ["#### Next steps", "", "| What | Who may act | Command |", "|---|---|---|", ...rows, "", `${SEPARATION_OF_DUTIES}${reviews}`];
}

function row(...cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

/**
 * "⏳ **`database_migrations`** · 300 files<br>`a`<br>`b`<br>and 298 more": one
 * path per line keeps the column narrow, so the commands beside it do not wrap.
 */
function what(mark: string, category: string, findings: readonly Finding[]): string {
  const head = `${mark} **${code(category, { cell: true })}**`;
  const paths = [...new Set(findings.flatMap((finding) => (finding.path ? [finding.path] : [])))];
  if (paths.length === 0) return `${head}<br>${prose(findings[0]?.detail ?? "the whole change", { cell: true, max: 200 })}`;
  const shown = paths.slice(0, FILES_PER_STEP).map((path) => code(path, { cell: true, max: 120 }));
  const more = paths.length > FILES_PER_STEP ? [`and ${count(paths.length - FILES_PER_STEP)} more`] : [];
  return [`${head} · ${plural(paths.length, "file")}`, ...shown, ...more].join("<br>");
}

/** ": @alice" — the people whose approvals every pending finding of the category already has. */
function soFar(findings: readonly Finding[]): string {
  const everyone = findings.map((finding) => new Set((finding.approved_by ?? []).map((login) => login.toLowerCase())));
  const shared = (findings[0]?.approved_by ?? []).filter((login) => everyone.every((set) => set.has(login.toLowerCase())));
  return shared.length > 0 ? `: ${shared.map(mention).join(", ")}` : "";
}

function whoApproves(approvers: Approvers): string {
  return approvers.kind === "named" ? approvers.names.map(mention).join(", ") : `anyone with **${approvers.permission}** permission or higher`;
}

/** Approvals and overrides: by whom, when, how, the reason, and what each settles now. */
function settledSection(report: Report): string[] {
  const decisions = report.decisions ?? [];
  const items = decisions.length > 0 ? decisions.map(decisionItem) : settledFromFindings(report.findings);
  return items.length === 0 ? [] : ["#### Settled", "", ...capped(items)];
}

/** "- ✅ @alice approved `database_migrations` (1 finding) · 2025-05-14 09:12 UTC · comment" */
function decisionItem(decision: Decision): string {
  const stale = decision.settles === 0 ? " (covers nothing now: what it covered has changed since)" : "";
  const head =
    decision.kind === "approval"
      ? `${STATE_MARK.approved} ${mention(decision.by)} approved ${(decision.categories ?? []).map((category) => code(category)).join(", ")}${stale || ` (${plural(decision.settles, "finding")})`}`
      : `${STATE_MARK.overridden} ${mention(decision.by)} overrode ${stale ? "the violations" : plural(decision.settles, "violation")}${stale}`;
  const line = [head, when(decision.at), decision.via ? text(decision.via) : ""].filter(Boolean).join(" · ");
  return decision.kind === "override" ? `- ${line}<br>Reason: “${prose(decision.reason ?? "")}”` : `- ${line}`;
}

/** For reports without decisions: who settled which category. */
function settledFromFindings(findings: readonly Finding[]): string[] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings.filter((each) => each.state === "approved" || each.state === "overridden")) {
    const key = [finding.state, finding.category, finding.by, finding.at, finding.reason].join("\u0000");
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as Finding;
    const by = first.by ? ` by ${mention(first.by)}` : "";
    const line = [`${STATE_MARK[first.state]} ${code(first.category)} (${plural(group.length, "finding")}) ${first.state}${by}`, when(first.at)].filter(Boolean).join(" · ");
    return first.state === "overridden" ? `- ${line}<br>Reason: “${prose(first.reason ?? "")}”` : `- ${line}`;
  });
}

/** "2025-03-01 14:02 UTC"; a timestamp that does not parse is shown as given. */
function when(at: string | undefined): string {
  if (!at) return "";
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? text(at) : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** What was looked at: a pass says what it checked, a neutral check what it did not. */
function checkedSection(report: Report): string[] {
  const inspected = report.inspected;
  if (!inspected) return [];
  if (report.roles.length === 0) {
    const why = report.errors.length > 0 ? "the policy could not be loaded (above)" : "no role applies to this pull request";
    return [`No rule was applied to the ${plural(inspected.files, "changed file")}: ${why}.`];
  }
  const roles = `${report.roles.length === 1 ? "role" : "roles"} ${report.roles.map((role) => code(role.id)).join(", ")}`;
  const categories = inspected.categories.length > 0 ? ` (${inspected.categories.map((category) => code(category)).join(", ")})` : "";
  const clean = report.findings.length === 0 && report.errors.length === 0 ? " Nothing matched." : "";
  return [
    `**Checked:** ${plural(inspected.files, "changed file")} against ${roles}: ${plural(inspected.path_rules, "forbidden or allowed path pattern")} and ${plural(inspected.categories.length, "category", "categories")} that need approval${categories}.${clean}`,
  ];
}

/** Findings grouped by category, each group folded when long; listing stops within a budget. */
function findingsSection(report: Report): string[] {
  if (report.findings.length === 0) return [];
  const out = ["#### Findings by category"];
  let listed = 0;
  let chars = 0;
  for (const [category, findings] of byCategory(report.findings)) {
    const counts = countStates(findings);
    const held = [...new Set(findings.flatMap((finding) => finding.roles))];
    // With one role the opening line has named it; with several, each group says whose it is.
    const roles = report.roles.length <= 1 || held.length === 0 ? "" : `${held.length === 1 ? "role" : "roles"} ${held.map((role) => code(role)).join(", ")}`;
    out.push("", `**${code(category)}** · ${counts}${roles ? ` · ${roles}` : ""}`);
    const items: string[] = [];
    for (const finding of findings) {
      if (listed >= MAX_LISTED || chars >= LISTING_BUDGET) break;
      const item = findingItem(finding);
      items.push(item);
      listed += 1;
      chars += item.length + 1;
    }
    if (items.length < findings.length) items.push(`- … and ${count(findings.length - items.length)} more, listed in the JSON report`);
    if (findings.length > OPEN_LIST_MAX) {
      out.push(`<details><summary>${html(`Show the ${plural(findings.length, "finding")} of ${category}`)}</summary>`, "", ...items, "", "</details>");
    } else out.push("", ...items);
  }
  return out;
}

/** "- ⏳ `package.json` line 5 — lodash ^4.17.21" */
function findingItem(finding: Finding): string {
  const where = finding.path
    ? `${finding.previous_path ? `${code(finding.previous_path)} → ` : ""}${code(finding.path)}${finding.line !== undefined ? ` line ${finding.line}` : ""}`
    : "the whole change";
  const detail = finding.detail ? ` — ${prose(finding.detail)}` : "";
  const by =
    finding.state === "approved" && finding.by
      ? ` (approved by ${mention(finding.by)})`
      : finding.state === "overridden" && finding.by
        ? ` (overridden by ${mention(finding.by)})`
        : "";
  return `- ${STATE_MARK[finding.state]} ${where}${detail}${by}`;
}

function countStates(findings: readonly Finding[]): string {
  const counts = new Map<Finding["state"], number>();
  for (const finding of findings) counts.set(finding.state, (counts.get(finding.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${count(n)} ${STATE_WORD[state][n === 1 ? 0 : 1]}`).join(", ");
}

/** Findings by category, in the report's order (violations first). */
function byCategory(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const group = groups.get(finding.category);
    if (group) group.push(finding);
    else groups.set(finding.category, [finding]);
  }
  return groups;
}

function listSection(title: string, items: string[]): string[] {
  return items.length === 0 ? [] : [title, "", ...capped(items)];
}

function capped(items: readonly string[]): string[] {
  return items.length <= MAX_ITEMS ? [...items] : [...items.slice(0, MAX_ITEMS), `- … and ${count(items.length - MAX_ITEMS)} more, listed in the JSON report`];
}

/** "3,000": fixed to en-US so the output does not depend on the machine's locale. Made at first use: ICU's set-up costs a CLI run about 25 ms. */
let numbers: Intl.NumberFormat | undefined;

function count(n: number): string {
  return (numbers ??= new Intl.NumberFormat("en-US")).format(n);
}

function plural(n: number, noun: string, nouns: string = `${noun}s`): string {
  return `${count(n)} ${n === 1 ? noun : nouns}`;
}
