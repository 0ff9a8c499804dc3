import type { PolicyError } from "../errors.js";
import { formatPolicyError } from "../errors.js";
import type { AppliedRole, Conclusion, Finding, Report } from "./report.js";

/** The `file` of an error about inspecting the change rather than about a policy file. */
export const INSPECTION_FILE = "(pull request)";

/** SPEC §5's table: errors and violations fail, pending approvals block, no role is neutral. */
export function decideConclusion(hasRoles: boolean, findings: readonly Finding[], errors: readonly PolicyError[]): Conclusion {
  if (errors.length > 0) return "failure";
  if (!hasRoles) return "neutral";
  if (findings.some((finding) => finding.state === "violation")) return "failure";
  if (findings.some((finding) => finding.state === "pending")) return "action_required";
  return "success";
}

const WOULD: Record<Conclusion, string> = {
  success: "pass",
  neutral: "not check this PR",
  action_required: "need approval",
  failure: "fail",
};

/**
 * `mode: observe` (SPEC §4, §5): the verdict is reported in full but concludes
 * neutral, which passes a required check; the title says what enforcing would
 * conclude. A broken policy still fails: observing a policy nobody can read
 * would hide exactly what the rollout is meant to find.
 */
export function observed(
  verdict: { conclusion: Conclusion; title: string },
  errors: readonly PolicyError[],
): Pick<Report, "conclusion" | "title" | "mode" | "would_conclude"> {
  const policyBroken = errors.some((error) => error.file !== INSPECTION_FILE);
  if (policyBroken) return { ...verdict, mode: "observe" };
  return {
    conclusion: "neutral",
    title: clip(`Observe mode, enforcing would ${WOULD[verdict.conclusion]}: ${verdict.title}`),
    mode: "observe",
    would_conclude: verdict.conclusion,
  };
}

/** The check's one-line title: the verdict and what it hinges on. */
export function describeVerdict(
  conclusion: Conclusion,
  roles: readonly AppliedRole[],
  findings: readonly Finding[],
  errors: readonly PolicyError[],
  neutralReason: string | undefined,
): string {
  const pendingCategories = unique(findings.filter((finding) => finding.state === "pending").map((finding) => finding.category));
  const named = pendingCategories.map((category) => `${category}${approvalProgress(findings.filter((finding) => finding.state === "pending" && finding.category === category)) ?? ""}`);
  const approvalsPart = pendingCategories.length > 0 ? `${plural(pendingCategories.length, "approval")} needed: ${named.join(", ")}` : "";
  switch (conclusion) {
    case "failure": {
      if (errors.length > 0) {
        const first = errors[0] as PolicyError;
        const inspection = first.file === INSPECTION_FILE;
        const label = inspection ? first.message.replace(/^./, (c) => c.toUpperCase()) : `${plural(errors.length, "policy error")}: ${formatPolicyError(first)}`;
        return clip(inspection && errors.length > 1 ? `${label} (+${errors.length - 1} more)` : label);
      }
      const violations = findings.filter((finding) => finding.state === "violation");
      const paths = unique(violations.map((finding) => finding.path ?? finding.category));
      const head = `${plural(violations.length, "forbidden change")}: ${paths.slice(0, 3).join(", ")}${paths.length > 3 ? ", ..." : ""}`;
      return clip(approvalsPart ? `${head}; ${approvalsPart}` : head);
    }
    case "action_required":
      return clip(approvalsPart);
    case "neutral":
      return clip(`Not checked: ${neutralReason ?? "no role applies to this change"}`);
    case "success": {
      const names = roles.map((role) => role.id).join(", ");
      const settled = findings.length;
      return clip(settled === 0 ? `Within role ${names}: nothing needs approval` : `All ${plural(settled, "finding")} approved or overridden (role ${names})`);
    }
  }
}

/**
 * " (1 of 2 approvals)" for a category that needs several approvers: the
 * approvals every pending finding of it already has, of those required.
 * Undefined when one approval settles it.
 */
export function approvalProgress(pending: readonly Finding[]): string | undefined {
  const required = Math.max(0, ...pending.map((finding) => (finding.approved_by?.length ?? 0) + (finding.still_needed ?? 1)));
  if (required <= 1) return undefined;
  const have = Math.min(...pending.map((finding) => finding.approved_by?.length ?? 0));
  return ` (${have} of ${required} approvals)`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** GitHub caps a check run title; keep it to one readable line. */
function clip(title: string): string {
  return title.length <= 200 ? title : `${title.slice(0, 197)}...`;
}
