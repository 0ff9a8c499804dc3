import type { Finding, Permissions, Report } from "../policy/report.js";

/** The config's defaults (SPEC §4), for reports made without thresholds (older reports, failures to evaluate). */
const DEFAULT_PERMISSIONS: Permissions = { approve: "write", override: "maintain", reviews: true };

export function permissionsOf(report: Report): Permissions {
  return report.permissions ?? DEFAULT_PERMISSIONS;
}

/**
 * Who may approve a category: its named approvers when the config names any
 * (only they may, SPEC §7), else everyone at `approvals.min_permission` or
 * above. Never empty, so a next step always says who acts.
 */
export type Approvers = { kind: "named"; names: string[] } | { kind: "permission"; permission: Permissions["approve"] };

export function approversOf(findings: readonly Finding[], report: Report): Approvers {
  const names = [...new Set(findings.flatMap((finding) => finding.approvers ?? []))];
  return names.length > 0 ? { kind: "named", names } : { kind: "permission", permission: permissionsOf(report).approve };
}

/** Plain words, for annotations and the CLI: "@alice or @acme/dba", "anyone with write permission or higher". */
export function describeApprovers(approvers: Approvers): string {
  return approvers.kind === "named" ? orList(approvers.names) : `anyone with ${approvers.permission} permission or higher`;
}

export function describeOverriders(report: Report): string {
  return `anyone with ${permissionsOf(report).override} permission or higher`;
}

/** The rule that holds for every approval and override (SPEC §7 separation of duties). */
export const SEPARATION_OF_DUTIES = "The PR's author, its committers, bots and accounts held to a role cannot approve or override.";

function orList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}
