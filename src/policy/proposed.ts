import micromatch from "micromatch";
import { parseConfig } from "../config/parse.js";
import type { Config } from "../config/schema.js";
import type { PolicyError } from "../errors.js";
import { isRoleFileName } from "../roles/files.js";
import { buildRoleSet, type RoleSet, type RoleSource } from "../roles/resolve.js";
import type { Change, FileReader } from "./change.js";

export const CONFIG_FILES = [".github/roleguard.yml", ".github/roleguard.yaml"];

/** Is this path one of the config's role files? `roles.paths` are plain globs, dotfiles included. */
export function isRoleFilePath(path: string, config: Config): boolean {
  return isRoleFileName(path) && micromatch.isMatch(path, config.roles.paths, { dot: true });
}

/** Roles the config assigns (or names as default) that no loaded role file defines. */
export function undefinedRoleErrors(config: Config, roleSet: RoleSet, file: string): PolicyError[] {
  const errors: PolicyError[] = [];
  config.assign.forEach((entry, index) => {
    if (!roleSet.roles.has(entry.role)) errors.push({ file, field: `assign[${index}].role`, message: undefinedRole(entry.role, roleSet) });
  });
  for (const id of config.default_role) {
    if (!roleSet.roles.has(id)) errors.push({ file, field: "default_role", message: undefinedRole(id, roleSet) });
  }
  return errors;
}

function undefinedRole(id: string, roleSet: RoleSet): string {
  return roleSet.errors.length > 0
    ? `role ${id} is not defined, or its role file has the errors listed here`
    : `role ${id} is not defined in any role file or built-in role`;
}

/**
 * A change that edits the policy gets the *proposed* policy validated (SPEC §5):
 * the config and role files as they would be after merging, resolved together,
 * so that a broken file, a child left without its parent by a rename or a
 * deletion, or a config assigning a role that would not exist all fail the
 * check before anyone merges them. The verdict itself still comes from the base.
 */
export async function validateProposedPolicy(change: Change, reader: FileReader, config: Config, currentRoles: readonly RoleSource[]): Promise<PolicyError[]> {
  const errors: PolicyError[] = [];
  const configFile = change.files.find((file) => CONFIG_FILES.includes(file.path) || (file.previousPath && CONFIG_FILES.includes(file.previousPath)));
  let proposedConfig = config;
  let proposedConfigPath: string | undefined;
  if (configFile && configFile.status !== "removed" && CONFIG_FILES.includes(configFile.path)) {
    const text = await reader.read("head", configFile.path);
    if (text !== null) {
      const parsed = parseConfig(text, configFile.path);
      if (parsed.ok) {
        proposedConfig = parsed.config;
        proposedConfigPath = configFile.path;
      } else errors.push(...parsed.errors);
    }
  }

  const isRoleFile = (path: string | undefined) => path !== undefined && (isRoleFilePath(path, config) || isRoleFilePath(path, proposedConfig));
  const touchedRoles = change.files.filter((file) => isRoleFile(file.path) || isRoleFile(file.previousPath));
  if (touchedRoles.length > 0 || proposedConfigPath) {
    // The repository's role files after the change: removals and renames away dropped, edits and additions read at the head.
    const repository = new Map(currentRoles.filter((source) => source.layer === "repository").flatMap((source) => source.files.map((file) => [file.path, file.text] as const)));
    for (const file of touchedRoles) {
      if (file.previousPath) repository.delete(file.previousPath);
      if (file.status === "removed") repository.delete(file.path);
      else if (isRoleFile(file.path)) {
        const text = await reader.read("head", file.path);
        if (text === null) repository.delete(file.path);
        else repository.set(file.path, text);
      }
    }
    const others = currentRoles.filter((source) => source.layer !== "repository");
    const proposed = buildRoleSet([...others, { layer: "repository", files: [...repository].map(([path, text]) => ({ path, text })) }]);
    // Problems the base already has are reported as such; here only what the change would add.
    const before = new Set(buildRoleSet(currentRoles).errors.map(errorKey));
    errors.push(...proposed.errors.filter((error) => repository.has(error.file) && !before.has(errorKey(error))));
    if (proposedConfigPath) errors.push(...undefinedRoleErrors(proposedConfig, proposed, proposedConfigPath));
  }
  return errors.map((error) => ({ ...error, origin: "proposed" as const, message: `proposed change: ${error.message}` }));
}

function errorKey(error: PolicyError): string {
  return `${error.file}\u0000${error.field ?? ""}\u0000${error.message}`;
}
