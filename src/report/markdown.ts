import { formatPolicyError } from "../errors.js";
import type { Finding, Report } from "../policy/report.js";

const STATE_LABEL: Record<Finding["state"], string> = {
  violation: "❌ violation",
  pending: "⏳ needs approval",
  approved: "✅ approved",
  overridden: "⚠️ overridden",
};

/**
 * The summary a maintainer reads in thirty seconds, in the spirit of Prow's
 * approval notifier: who is held to what, what is missing, and the exact
 * command that settles each open item.
 */
export function renderMarkdown(report: Report): string {
  const out: string[] = [`### roleguard: ${escape(report.title)}`, ""];

  if (report.errors.length > 0) {
    out.push("**Errors** (the check fails until these are fixed):", "");
    for (const error of report.errors) out.push(`- ${escape(formatPolicyError(error))}`);
    out.push("");
  }

  if (report.roles.length > 0) {
    out.push("**Roles applied**", "");
    for (const role of report.roles) out.push(`- \`${role.id}\` — ${escape(role.source)}`);
    out.push("");
  }

  if (report.findings.length > 0) {
    out.push("| State | Category | File | Detail |", "|---|---|---|---|");
    for (const finding of report.findings) {
      const file = finding.path ? `\`${finding.previous_path ? `${finding.previous_path} → ` : ""}${finding.path}\`` : "—";
      const who =
        finding.state === "approved" ? ` by @${finding.by}` : finding.state === "overridden" ? ` by @${finding.by}: ${finding.reason ?? ""}` : "";
      out.push(`| ${STATE_LABEL[finding.state]}${escape(who)} | \`${finding.category}\` | ${file} | ${escape(finding.detail ?? "")} |`);
    }
    out.push("");
  }

  if (report.decisions && report.decisions.length > 0) {
    out.push("**Approvals and overrides**", "");
    for (const decision of report.decisions) {
      const what = decision.kind === "approval" ? `approved ${(decision.categories ?? []).map((c) => `\`${c}\``).join(", ")}` : `overrode violations: ${escape(decision.reason ?? "")}`;
      const when = decision.at ? ` at ${decision.at}` : "";
      const via = decision.via ? ` (${decision.via})` : "";
      out.push(`- @${decision.by} ${what}${when}${via} — settles ${decision.settles} current finding${decision.settles === 1 ? "" : "s"}`);
    }
    out.push("");
  }

  const todo = resolutionSteps(report);
  if (todo.length > 0) out.push("**To resolve**", "", ...todo, "");

  if (report.checklist.length > 0) {
    out.push("**Reviewer checklist** (not detected automatically)", "");
    for (const item of report.checklist) out.push(`- [ ] ${escape(item)}`);
    out.push("");
  }
  if (report.warnings.length > 0) {
    out.push("**Warnings**", "");
    for (const warning of report.warnings) out.push(`- ${escape(warning)}`);
    out.push("");
  }
  return out.join("\n");
}

/** One line per open category or violation, with the command to type. */
function resolutionSteps(report: Report): string[] {
  const steps: string[] = [];
  const violations = report.findings.filter((finding) => finding.state === "violation");
  if (violations.length > 0) {
    const paths = [...new Set(violations.map((finding) => `\`${finding.path}\``))].join(", ");
    steps.push(`- Undo the changes to ${paths}, or someone with override rights comments \`/roleguard override <reason>\``);
  }
  const pending = new Map<string, Finding[]>();
  for (const finding of report.findings.filter((each) => each.state === "pending")) {
    pending.set(finding.category, [...(pending.get(finding.category) ?? []), finding]);
  }
  for (const [category, findings] of pending) {
    const approvers = findings[0]?.approvers;
    const from = approvers ? ` from ${approvers.join(", ")}` : "";
    steps.push(`- \`${category}\` (${findings.length}) needs approval${from}: comment \`/roleguard approve ${category}\``);
  }
  if (pending.size > 1) steps.push(`- or approve everything at once: \`/roleguard approve all\``);
  return steps;
}

/** Keep table cells on one line and stop file names from turning into markup. */
function escape(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
