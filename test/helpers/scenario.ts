/**
 * One pull request as a scratch repository: the policy (role files under
 * `.github/roles/`, `.github/roleguard.yml`) and the base files committed on
 * `main`, the change committed on the checked-out branch `feature`.
 */
import { roleFile } from "./cli.js";
import { repoWithChange, type ChangeSteps, type FileTree, type ScratchRepo } from "./scratch-repo.js";

export interface Scenario {
  /** role id → YAML front matter (without `role:`), committed as `.github/roles/<id>.md` on main. */
  roles?: Readonly<Record<string, string>>;
  /** `.github/roleguard.yml` on main. */
  config?: string;
  /** Other files on main. */
  base?: FileTree;
  /** What the branch does. */
  change: ChangeSteps;
}

export function policyFiles(roles: Readonly<Record<string, string>> = {}, config?: string): FileTree {
  const files: Record<string, string> = {};
  for (const [id, front] of Object.entries(roles)) files[`.github/roles/${id}.md`] = roleFile(`role: ${id}\n${front}`);
  if (config !== undefined) files[".github/roleguard.yml"] = config;
  return files;
}

export function scenario(s: Scenario): ScratchRepo {
  return repoWithChange({ ...policyFiles(s.roles, s.config), ...s.base }, s.change);
}

/** Front matter of a role that requires approval for exactly these categories. */
export function requiring(...categories: string[]): string {
  return categories.length === 0 ? "constraints: {}" : `constraints:\n  requires_approval_for:\n${categories.map((c) => `    - ${c}`).join("\n")}`;
}

/** Front matter of a role that forbids exactly these patterns (YAML-quoted). */
export function forbidding(...patterns: string[]): string {
  return `constraints:\n  forbidden_paths:\n${patterns.map((p) => `    - ${JSON.stringify(p)}`).join("\n")}`;
}
