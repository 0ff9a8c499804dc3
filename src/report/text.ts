import { formatPolicyError } from "../errors.js";
import type { Finding, Report } from "../policy/report.js";
import { approversOf, describeApprovers, describeOverriders } from "./who.js";
import { approvalProgress } from "../policy/verdict.js";

const VERDICT: Record<Report["conclusion"], string> = {
  success: "PASS",
  neutral: "NOT CHECKED",
  action_required: "APPROVAL NEEDED",
  failure: "FAIL",
};

const MARK: Record<Finding["state"], string> = { violation: "✗", pending: "!", overridden: "~", approved: "✓" };

/** The CLI's plain-text report: the verdict first, then the findings, then what to do about them and who may. */
export function renderText(report: Report): string {
  // In observe mode the conclusion is neutral by design: say so rather than "not checked".
  const verdict = report.mode === "observe" && report.would_conclude ? `OBSERVE (would ${VERDICT[report.would_conclude]})` : VERDICT[report.conclusion];
  const lines: string[] = [`roleguard: ${verdict} — ${report.title}`];
  const section = (title: string, body: string[]) => {
    if (body.length > 0) lines.push("", title, ...body);
  };

  section("Errors", report.errors.map((error) => `  ✗ ${formatPolicyError(error)}${error.origin === "proposed" ? "" : isPolicyFile(error.file) ? "  (policy in force: not caused by this change)" : ""}`));
  section("Roles", report.roles.map((role) => `  ${role.id}  (${role.source})`));
  if (report.inspected) {
    const { files, complete, reason } = report.inspected;
    lines.push("", `Inspected: ${files} changed file${files === 1 ? "" : "s"}${complete ? " in full" : `, not in full: ${reason ?? "unknown reason"}`}`);
  }

  const groups: [string, Finding["state"][]][] = [
    ["Violations", ["violation"]],
    ["Needs approval", ["pending"]],
    ["Settled", ["approved", "overridden"]],
  ];
  for (const [title, states] of groups) {
    const findings = report.findings.filter((finding) => states.includes(finding.state));
    section(title, findings.flatMap(renderFinding));
  }
  section("Next steps", nextSteps(report));
  section("Reviewer checklist", report.checklist.map((item) => `  [ ] ${item}`));
  section("Warnings", report.warnings.map((warning) => `  ! ${warning}`));
  return `${lines.join("\n")}\n`;
}

function renderFinding(finding: Finding): string[] {
  const where = finding.path ? `${finding.previous_path ? `${finding.previous_path} → ` : ""}${finding.path}${finding.line !== undefined ? `:${finding.line}` : ""}` : "(whole change)";
  const head = `  ${MARK[finding.state]} ${finding.category.padEnd(22)} ${where}`;
  const lines = [finding.detail ? `${head}  ${finding.detail}` : head];
  if (finding.state === "approved") lines.push(`      approved by ${finding.by}${finding.at ? ` at ${finding.at}` : ""}`);
  if (finding.state === "overridden") lines.push(`      overridden by ${finding.by}${finding.reason ? `: ${finding.reason}` : ""}`);
  return lines;
}

/** One line per thing to do: the command, and who may type it. */
function nextSteps(report: Report): string[] {
  const steps: [string, string][] = [];
  if (report.findings.some((finding) => finding.state === "violation")) {
    steps.push(["undo the forbidden changes, or /roleguard override <reason>", describeOverriders(report)]);
  }
  const pending = new Map<string, Finding[]>();
  for (const finding of report.findings.filter((each) => each.state === "pending")) {
    const group = pending.get(finding.category);
    if (group) group.push(finding);
    else pending.set(finding.category, [finding]);
  }
  for (const [category, findings] of pending) steps.push([`/roleguard approve ${category}`, `${describeApprovers(approversOf(findings, report))}${approvalProgress(findings) ?? ""}`]);
  if (pending.size > 1) steps.push(["/roleguard approve all", "each approver, for their categories"]);
  const width = Math.max(0, ...steps.map(([command]) => command.length));
  return steps.map(([command, who]) => `  ${command.padEnd(width)}   ${who}`);
}

/** A policy file of this repository or another, not the PR's own inspection ("(pull request)"). */
function isPolicyFile(file: string): boolean {
  return !file.startsWith("(");
}
