import { formatPolicyError } from "../errors.js";
import type { Finding, Report } from "../policy/report.js";

const VERDICT: Record<Report["conclusion"], string> = {
  success: "PASS",
  neutral: "NOT CHECKED",
  action_required: "APPROVAL NEEDED",
  failure: "FAIL",
};

const MARK: Record<Finding["state"], string> = { violation: "✗", pending: "!", overridden: "~", approved: "✓" };

/** The CLI's plain-text report: the verdict first, then what to do about it. */
export function renderText(report: Report): string {
  const lines: string[] = [`roleguard: ${VERDICT[report.conclusion]} — ${report.title}`];
  const section = (title: string, body: string[]) => {
    if (body.length > 0) lines.push("", title, ...body);
  };

  section("Errors", report.errors.map((error) => `  ✗ ${formatPolicyError(error)}`));
  section("Roles", report.roles.map((role) => `  ${role.id}  (${role.source})`));

  const groups: [string, Finding["state"][]][] = [
    ["Violations", ["violation"]],
    ["Needs approval", ["pending"]],
    ["Settled", ["approved", "overridden"]],
  ];
  for (const [title, states] of groups) {
    const findings = report.findings.filter((finding) => states.includes(finding.state));
    section(title, findings.flatMap(renderFinding));
  }
  section("Reviewer checklist", report.checklist.map((item) => `  [ ] ${item}`));
  section("Warnings", report.warnings.map((warning) => `  ! ${warning}`));
  return `${lines.join("\n")}\n`;
}

function renderFinding(finding: Finding): string[] {
  const where = finding.path ? (finding.previous_path ? `${finding.previous_path} → ${finding.path}` : finding.path) : "(whole change)";
  const head = `  ${MARK[finding.state]} ${finding.category.padEnd(22)} ${where}`;
  const lines = [finding.detail ? `${head}  ${finding.detail}` : head];
  if (finding.state === "approved") lines.push(`      approved by ${finding.by}${finding.at ? ` at ${finding.at}` : ""}`);
  if (finding.state === "overridden") lines.push(`      overridden by ${finding.by}${finding.reason ? `: ${finding.reason}` : ""}`);
  if (finding.approvers) lines.push(`      approvers: ${finding.approvers.join(", ")}`);
  if (finding.resolve) lines.push(`      → ${finding.resolve}`);
  return lines;
}
