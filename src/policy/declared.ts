import type { RoleSet } from "../roles/resolve.js";
import type { RoleAssignment } from "./change.js";

/** `Roleguard-Role: <id>` as a commit trailer or a line of the PR body. */
const DECLARATION = /^[ \t]*roleguard-role:[ \t]*(\S+)[ \t]*$/gim;

export interface DeclarationSource {
  /** "commit 1a2b3c4", "the PR description" */
  where: string;
  text: string;
}

/**
 * Roles an agent declares for itself (issue 14, SPEC §4): a `Roleguard-Role:`
 * line in a commit message or the PR body. They can only add roles, like
 * labels and fingerprints; an id no role file defines is a warning (a typo
 * must not fail every PR of an agent, and it cannot make anything laxer).
 */
export function declaredRoles(sources: readonly DeclarationSource[], roleSet: RoleSet): { assignments: RoleAssignment[]; warnings: string[] } {
  const assignments: RoleAssignment[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const { where, text } of sources) {
    for (const match of text.slice(0, 1_000_000).matchAll(DECLARATION)) {
      const id = (match[1] as string).toLowerCase();
      if (seen.has(id)) continue;
      seen.add(id);
      if (roleSet.roles.has(id)) assignments.push({ id, source: `declared: Roleguard-Role: ${id} in ${where}` });
      else warnings.push(`Roleguard-Role: ${id} in ${where} names no role file; no role was added for it`);
    }
  }
  return { assignments, warnings };
}
