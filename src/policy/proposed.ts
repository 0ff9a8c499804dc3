import { parseConfigFile, type ParsedConfigFile } from "../config/parse.js";
import type { Config } from "../config/schema.js";
import { fieldPath, type PolicyError } from "../errors.js";
import { hintFor } from "../suggest.js";
import { BUILTIN_CATEGORIES } from "./categories/builtin.js";
import { buildRoleSet, type RoleSet, type RoleSource } from "../roles/resolve.js";
import type { Change, FileReader } from "./change.js";
import { CONFIG_FILES, isRoleFilePath, touchesPolicy } from "./policy-files.js";

/** The config and role files an evaluation runs under, as the loaders hand them over. */
export interface PolicyInForce {
  config: Config;
  /** Each config file that parsed (organisation, extended, repository). */
  configFiles: readonly ParsedConfigFile[];
  roleSources: readonly RoleSource[];
}

/**
 * Names in the config files that only the role set can confirm (SPEC §4):
 * assigned roles that no role file defines, and `categories:` keys that are
 * neither built-in nor named by any loaded role (a typo there silently drops
 * the real category's approvers). Each error names the file and line of the key.
 */
export function configNameErrors(files: readonly ParsedConfigFile[], roleSet: RoleSet): PolicyError[] {
  return files.flatMap((file) => [...undefinedRoleErrors(file, roleSet), ...unknownCategoryErrors(file, roleSet)]);
}

function undefinedRoleErrors({ file, config, lineOf }: ParsedConfigFile, roleSet: RoleSet): PolicyError[] {
  const errors: PolicyError[] = [];
  const known = [...roleSet.roles.keys()];
  const report = (id: string, path: (string | number)[]) => {
    const line = lineOf(path);
    const hint = hintFor(id, known);
    errors.push({ file, field: fieldPath(path), ...(line !== undefined ? { line } : {}), message: undefinedRole(id, roleSet), ...(hint ? { hint } : {}) });
  };
  config.assign.forEach((entry, index) => {
    if (!roleSet.roles.has(entry.role)) report(entry.role, ["assign", index, "role"]);
  });
  for (const id of config.default_role) {
    if (!roleSet.roles.has(id)) report(id, config.default_role.length > 1 ? ["default_role", config.default_role.indexOf(id)] : ["default_role"]);
  }
  return errors;
}

function unknownCategoryErrors({ file, config, lineOf, shared }: ParsedConfigFile, roleSet: RoleSet): PolicyError[] {
  const named = new Set([...BUILTIN_CATEGORIES, ...[...roleSet.roles.values()].flatMap((role) => role.requiresApprovalFor.map((entry) => entry.value))]);
  const errors: PolicyError[] = [];
  for (const id of Object.keys(config.categories)) {
    if (named.has(id)) continue;
    const typo = hintFor(id, BUILTIN_CATEGORIES);
    // An organisation's file also serves roles of other repositories: there, only a near-miss of a built-in is surely wrong.
    if (shared && !typo) continue;
    const line = lineOf(["categories", id]);
    const why = roleSet.errors.length > 0 ? "neither a built-in category nor named by any role that loaded (see the role errors listed here)" : "neither a built-in category nor named in any role's requires_approval_for";
    errors.push({
      file,
      field: `categories.${id}`,
      ...(line !== undefined ? { line } : {}),
      message: `unknown category ${id}: ${why}, so these settings apply to nothing`,
      hint: typo ?? hintFor(id, named) ?? `built-in categories: ${BUILTIN_CATEGORIES.join(", ")}`,
    });
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
export async function validateProposedPolicy(change: Change, reader: FileReader, policy: PolicyInForce): Promise<PolicyError[]> {
  const { config, roleSources: currentRoles } = policy;
  if (!touchesPolicy(change, config)) return [];
  const errors: PolicyError[] = [];
  const configFile = change.files.find((file) => CONFIG_FILES.includes(file.path) || (file.previousPath && CONFIG_FILES.includes(file.previousPath)));
  let proposedConfigFile: ParsedConfigFile | undefined;
  if (configFile && configFile.status !== "removed" && CONFIG_FILES.includes(configFile.path)) {
    const text = await reader.read("head", configFile.path);
    if (text !== null) {
      const parsed = parseConfigFile(text, configFile.path);
      if (parsed.ok) proposedConfigFile = parsed.file;
      else errors.push(...parsed.errors);
    }
  }
  const proposedConfig = proposedConfigFile?.config ?? config;

  const isRoleFile = (path: string | undefined) => path !== undefined && (isRoleFilePath(path, config) || isRoleFilePath(path, proposedConfig));
  const touchedRoles = change.files.filter((file) => isRoleFile(file.path) || isRoleFile(file.previousPath));
  if (touchedRoles.length > 0 || proposedConfigFile) {
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
    const current = buildRoleSet(currentRoles);
    const before = new Set(current.errors.map(errorKey));
    errors.push(...proposed.errors.filter((error) => repository.has(error.file) && !before.has(errorKey(error))));
    if (proposedConfigFile) errors.push(...configNameErrors([proposedConfigFile], proposed));
    else {
      // The config stays, the roles change: a role it assigns, or a category only that role named, may be gone.
      const namesBefore = new Set(configNameErrors(policy.configFiles, current).map(errorKey));
      errors.push(...configNameErrors(policy.configFiles, proposed).filter((error) => !namesBefore.has(errorKey(error))));
    }
  }
  return errors.map((error) => ({ ...error, origin: "proposed" as const, message: `proposed change: ${error.message}` }));
}

function errorKey(error: PolicyError): string {
  return `${error.file}\u0000${error.field ?? ""}\u0000${error.message}`;
}
