import micromatch from "micromatch";
import { parseConfig } from "../config/parse.js";
import type { Config } from "../config/schema.js";
import type { PolicyError } from "../errors.js";
import { buildRoleSet, type RoleSource } from "../roles/resolve.js";
import type { Change, FileReader } from "./change.js";

export const CONFIG_FILES = [".github/roleguard.yml", ".github/roleguard.yaml"];

/** Is this path one of the config's role files? `roles.paths` are plain globs, dotfiles included. */
export function isRoleFilePath(path: string, config: Config): boolean {
  return micromatch.isMatch(path, config.roles.paths, { dot: true });
}

/**
 * A PR that edits the policy gets the *proposed* files validated (SPEC §5), so
 * nobody merges a config or role file that would break every later check. The
 * verdict itself still comes from the base; these errors only fail the check.
 */
export async function validateProposedPolicy(
  change: Change,
  reader: FileReader,
  config: Config,
  currentRoles: readonly RoleSource[],
): Promise<PolicyError[]> {
  const errors: PolicyError[] = [];
  const proposedRoles: RoleSource = { layer: "repository", files: [] };
  for (const file of change.files) {
    if (file.status === "removed") continue;
    const isConfig = CONFIG_FILES.includes(file.path);
    const isRole = isRoleFilePath(file.path, config);
    if (!isConfig && !isRole) continue;
    const text = await reader.read("head", file.path);
    if (text === null) continue;
    if (isConfig) {
      const parsed = parseConfig(text, file.path);
      if (!parsed.ok) errors.push(...parsed.errors);
    } else proposedRoles.files.push({ path: file.path, text });
  }
  if (proposedRoles.files.length > 0) {
    // Resolve the proposals against the roles that exist now, replacing their own current versions.
    const proposedPaths = new Set(proposedRoles.files.map((file) => file.path));
    const current = currentRoles.map((source) => ({ ...source, files: source.files.filter((file) => !proposedPaths.has(file.path)) }));
    const { errors: roleErrors } = buildRoleSet([...current, proposedRoles]);
    errors.push(...roleErrors.filter((error) => proposedPaths.has(error.file)));
  }
  return errors.map((error) => ({ ...error, message: `proposed change: ${error.message}` }));
}
