import type { ResolvedRole } from "../roles/schema.js";
import type { Config } from "../config/schema.js";
import { BUILTIN_CATEGORIES, isPathCategory } from "./categories/builtin.js";
import { interpretEscalation } from "./escalation.js";

/** What the applied roles, together, hold the PR to. */
export interface Requirements {
  /** category → the roles that require approval for it */
  categories: Map<string, Set<string>>;
  /** The strictest stated-confidence threshold, and the roles that set it. */
  confidence?: { threshold: number; roles: Set<string> };
  checklist: string[];
  warnings: string[];
}

/**
 * Folds every applied role's `requires_approval_for`, escalation criteria and
 * autonomy level into one set of categories. `governance` is always on for a
 * role-bound author; `low` autonomy means every PR needs approval (`commit`).
 */
export function collectRequirements(roles: readonly ResolvedRole[], config: Config): Requirements {
  const categories = new Map<string, Set<string>>();
  const require = (category: string, role: string) => {
    const holders = categories.get(category) ?? new Set<string>();
    holders.add(role);
    categories.set(category, holders);
  };
  const checklist: string[] = [];
  const warnings: string[] = [];
  let confidence: Requirements["confidence"];

  for (const role of roles) {
    require("governance", role.id);
    if (role.autonomyLevel === "low") require("commit", role.id);
    for (const { value } of role.requiresApprovalFor) require(value, role.id);
    for (const { value: line } of role.escalationCriteria) {
      const meaning = interpretEscalation(line);
      if (meaning.kind === "categories") meaning.categories.forEach((category) => require(category, role.id));
      else if (meaning.kind === "checklist") checklist.push(line);
      else if (!confidence || meaning.threshold > confidence.threshold) {
        confidence = { threshold: meaning.threshold, roles: new Set([role.id]) };
      } else if (meaning.threshold === confidence.threshold) confidence.roles.add(role.id);
    }
  }

  // A category no detector knows is enforced only when the config gives it paths.
  for (const [category, holders] of categories) {
    if (BUILTIN_CATEGORIES.includes(category) || isPathCategory(category)) continue;
    if ((config.categories[category]?.paths.length ?? 0) > 0) continue;
    categories.delete(category);
    warnings.push(`not enforced: unknown category ${category} (role ${[...holders].join(", ")}); give it paths under categories.${category} in the config`);
    checklist.push(`${category}: not detected automatically, check by hand`);
  }
  return { categories, ...(confidence ? { confidence } : {}), checklist: [...new Set(checklist)], warnings };
}
