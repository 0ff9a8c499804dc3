import type { Conclusion } from "../policy/report.js";
import type { ReplayedStep } from "./replay.js";

/** How the figures of a replay are summed up: the JSON of `roleguard history --format json`. */
export interface HistorySummary {
  version: 1;
  head: string;
  /** The commit whose config and role files were applied to every change. */
  policy_at: string;
  roles: string[];
  changes: number;
  merges: number;
  /** Root commits: nothing to compare with, so not replayed. */
  skipped_roots: number;
  /** Per verdict; in observe mode what enforcing would have concluded. */
  conclusions: Record<Conclusion | "error", number>;
  exit_codes: Record<"0" | "1" | "2", number>;
  /** Per category: how many changes had a finding in it, and how many findings in all. */
  categories: Record<string, { changes: number; findings: number }>;
  /** The changes that would have failed or waited for an approval, and any that could not be evaluated, newest first. */
  flagged: FlaggedChange[];
  timing: {
    /** Reading and evaluating one change (as `check` does once the policy is loaded), in ms. */
    roleguard_ms: Spread;
    /** `git diff --name-status` of the same pairs, in ms. */
    git_diff_name_status_ms: Spread;
    /** roleguard's median over git's median: what the policy costs over merely listing the change. */
    median_ratio: number;
    total_ratio: number;
  };
}

export interface FlaggedChange {
  sha: string;
  date: string;
  subject: string;
  merge: boolean;
  conclusion: Conclusion | "error";
  title: string;
  categories: string[];
}

export interface Spread {
  median: number;
  p95: number;
  total: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return { median: round(percentile(sorted, 0.5)), p95: round(percentile(sorted, 0.95)), total: round(values.reduce((sum, value) => sum + value, 0)) };
}

export function summarize(replayed: readonly ReplayedStep[], facts: { head: string; policyAt: string; roles: string[]; roots: number }): HistorySummary {
  const conclusions: HistorySummary["conclusions"] = { success: 0, neutral: 0, action_required: 0, failure: 0, error: 0 };
  const exitCodes: HistorySummary["exit_codes"] = { "0": 0, "1": 0, "2": 0 };
  const categories: HistorySummary["categories"] = {};
  const flagged: FlaggedChange[] = [];
  for (const { step, report, error, exitCode } of replayed) {
    exitCodes[String(exitCode) as "0" | "1" | "2"]++;
    const conclusion = report ? (report.would_conclude ?? report.conclusion) : "error";
    conclusions[conclusion]++;
    const seen = new Set<string>();
    for (const finding of report?.findings ?? []) {
      const entry = (categories[finding.category] ??= { changes: 0, findings: 0 });
      entry.findings++;
      if (!seen.has(finding.category)) entry.changes++;
      seen.add(finding.category);
    }
    if (conclusion === "failure" || conclusion === "action_required" || conclusion === "error") {
      flagged.push({ sha: step.sha, date: step.date, subject: step.subject, merge: step.merge, conclusion, title: report?.title ?? `could not evaluate: ${error ?? "unknown error"}`, categories: [...seen].sort() });
    }
  }
  const engine = spread(replayed.map((each) => each.engineMs));
  const git = spread(replayed.map((each) => each.gitDiffMs));
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);
  return {
    version: 1,
    head: facts.head,
    policy_at: facts.policyAt,
    roles: facts.roles,
    changes: replayed.length,
    merges: replayed.filter((each) => each.step.merge).length,
    skipped_roots: facts.roots,
    conclusions,
    exit_codes: exitCodes,
    categories: Object.fromEntries(Object.entries(categories).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    flagged,
    timing: { roleguard_ms: engine, git_diff_name_status_ms: git, median_ratio: ratio(engine.median, git.median), total_ratio: ratio(engine.total, git.total) },
  };
}

/** How many flagged changes the text output lists in full; the JSON lists every one. */
const LISTED = 25;

export function renderSummary(summary: HistorySummary): string {
  const lines: string[] = [];
  const short = (sha: string) => sha.slice(0, 7);
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  lines.push(`roleguard history: ${plural(summary.changes, "change")} on the first-parent history of ${short(summary.head)} (${summary.merges} merge commits, ${summary.changes - summary.merges} direct or squashed), policy as at ${short(summary.policy_at)}`);
  lines.push(`roles: ${summary.roles.length > 0 ? summary.roles.join(", ") : "none given (default_role and roles declared in commits only)"}`);
  if (summary.skipped_roots > 0) lines.push(`skipped: ${plural(summary.skipped_roots, "root commit")} (nothing to compare with)`);
  const c = summary.conclusions;
  lines.push("");
  lines.push(`verdicts: ${c.success} pass, ${c.action_required} need approval, ${c.failure} fail, ${c.neutral} neutral (no role applied)${c.error > 0 ? `, ${c.error} could not be evaluated` : ""}`);
  lines.push(`exit codes check would give: 0 × ${summary.exit_codes["0"]}, 1 × ${summary.exit_codes["1"]}, 2 × ${summary.exit_codes["2"]}`);
  const categories = Object.entries(summary.categories);
  lines.push("");
  if (categories.length === 0) {
    lines.push("findings by category: none");
  } else {
    lines.push("findings by category (changes with one / findings):");
    const width = Math.max(...categories.map(([name]) => name.length));
    for (const [name, { changes, findings }] of categories) lines.push(`  ${name.padEnd(width)}  ${String(changes).padStart(5)} / ${findings}`);
  }
  for (const [label, conclusion] of [
    ["would have failed", "failure"],
    ["would have needed approval", "action_required"],
    ["could not be evaluated", "error"],
  ] as const) {
    const changes = summary.flagged.filter((each) => each.conclusion === conclusion);
    if (changes.length === 0) continue;
    lines.push("");
    lines.push(`${label} (${changes.length}):`);
    for (const each of changes.slice(0, LISTED)) lines.push(`  ${short(each.sha)} ${each.date.slice(0, 10)} ${truncate(each.subject, 60)}\n      ${each.title}`);
    if (changes.length > LISTED) lines.push(`  … and ${changes.length - LISTED} more (--format json lists every one)`);
  }
  const t = summary.timing;
  lines.push("");
  lines.push(`time per change (${summary.changes}): roleguard median ${t.roleguard_ms.median} ms, p95 ${t.roleguard_ms.p95} ms; git diff --name-status median ${t.git_diff_name_status_ms.median} ms, p95 ${t.git_diff_name_status_ms.p95} ms; ratio of medians ${t.median_ratio}×, of totals ${t.total_ratio}×`);
  return `${lines.join("\n")}\n`;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
