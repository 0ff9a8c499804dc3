import type { Config } from "../config/schema.js";
import type { ResolvedRole } from "../roles/schema.js";
import type { Change, RoleAssignment } from "./change.js";
import type { Inspected, Permissions } from "./report.js";
import type { RoleSet } from "../roles/resolve.js";
import { collectRequirements } from "./requirements.js";

/**
 * What an evaluation looked at (files, categories, path rules) and who may act
 * without being named: facts about the inputs, not about the findings, so a
 * passing check can say what it checked and every next step can name who acts.
 */
export function describeInspection(
  change: Change,
  assignments: readonly RoleAssignment[],
  roleSet: RoleSet,
  config: Config,
): { inspected: Inspected; permissions: Permissions } {
  const roles = assignments.map((assignment) => roleSet.roles.get(assignment.id)).filter((role): role is ResolvedRole => role !== undefined);
  const categories = roles.length > 0 ? [...collectRequirements(roles, config).categories.keys()].sort() : [];
  const pathRules = new Set(roles.flatMap((role) => [...role.forbiddenPaths, ...(role.allowedPaths ?? [])].map((pattern) => pattern.value))).size;
  return {
    inspected: {
      files: change.files.length,
      complete: change.incomplete === undefined,
      ...(change.incomplete !== undefined ? { reason: change.incomplete } : {}),
      categories,
      path_rules: pathRules,
    },
    permissions: { approve: config.approvals.min_permission, override: config.overrides.min_permission, reviews: config.approvals.reviews },
  };
}
