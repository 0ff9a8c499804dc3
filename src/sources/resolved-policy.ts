import { isDeepStrictEqual } from "node:util";
import type { Config } from "../config/schema.js";
import type { PolicyError } from "../errors.js";
import type { Change, FileReader } from "../policy/change.js";
import type { RoleLayer, RoleSet } from "../roles/resolve.js";
import type { ResolvedRole } from "../roles/schema.js";
import { GitDirCache } from "./git-dir-cache.js";
import type { GitRepository } from "./git.js";
import type { PolicyOverrides } from "./local-policy.js";

/**
 * The policy `check` holds a local change to, loaded from the base ref,
 * parsed and resolved: everything the engine needs of it.
 */
export interface ResolvedPolicy {
  config: Config;
  /** The config files' own errors, and the names in them the role set does not confirm. */
  configErrors: PolicyError[];
  warnings: string[];
  roleSet: RoleSet;
}

/** What is stored: the role set's maps as lists. */
interface StoredPolicy {
  config: Config;
  configErrors: PolicyError[];
  warnings: string[];
  roles: ResolvedRole[];
  layers: [string, RoleLayer][];
  roleErrors: PolicyError[];
  roleWarnings: string[];
}

/**
 * Resolved policies under `.git/roleguard/`, per base tree SHA and roleguard
 * version: a repeated `check` on the same base skips YAML, zod
 * and role inheritance, and does not even load them (issue 13).
 */
const cache = new GitDirCache<StoredPolicy>("check-policy.json", 1, isStoredPolicy);

export function readCachedResolvedPolicy(gitDir: string, key: string): ResolvedPolicy | undefined {
  const stored = cache.read(gitDir, key);
  if (!stored) return undefined;
  return {
    config: stored.config,
    configErrors: stored.configErrors,
    warnings: stored.warnings,
    roleSet: { roles: new Map(stored.roles.map((role) => [role.id, role])), layerOf: new Map(stored.layers), errors: stored.roleErrors, warnings: stored.roleWarnings },
  };
}

/**
 * Stores a resolved policy, unless it would not read back as it is (a value
 * JSON cannot hold, such as `.inf` in a role's front matter): the cache then
 * costs speed, never correctness.
 */
export function cacheResolvedPolicy(gitDir: string, key: string, policy: ResolvedPolicy): void {
  const stored: StoredPolicy = {
    config: policy.config,
    configErrors: policy.configErrors,
    warnings: policy.warnings,
    roles: [...policy.roleSet.roles.values()],
    layers: [...policy.roleSet.layerOf],
    roleErrors: policy.roleSet.errors,
    roleWarnings: policy.roleSet.warnings,
  };
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(stored)), stored)) return;
  cache.write(gitDir, key, stored);
}

export function resolvedPolicyCacheFile(gitDir: string): string {
  return cache.file(gitDir);
}

/**
 * The policy at `ref`, read and resolved (the slow path: the parsers load
 * here), with the errors the change would add to it when it edits a config or
 * role file. `readsGitHub` says part of it came from GitHub (`_extends`), so
 * the base tree alone does not name it.
 */
export async function resolvePolicyAtRef(
  repo: GitRepository,
  ref: string,
  overrides: PolicyOverrides,
  change: Change,
  reader: FileReader,
): Promise<{ policy: ResolvedPolicy; proposedErrors: PolicyError[]; readsGitHub: boolean }> {
  const [{ loadPolicyAtRef }, { buildRoleSet }, { configNameErrors, validateProposedPolicy }] = await Promise.all([
    import("./local-policy.js"),
    import("../roles/resolve.js"),
    import("../policy/proposed.js"),
  ]);
  const loaded = await loadPolicyAtRef(repo, ref, overrides);
  const roleSet = buildRoleSet(loaded.roleSources);
  const configErrors = [...loaded.errors, ...configNameErrors(loaded.configFiles, roleSet)];
  const proposedErrors = await validateProposedPolicy(change, reader, loaded);
  return { policy: { config: loaded.config, configErrors, warnings: loaded.warnings, roleSet }, proposedErrors, readsGitHub: loaded.readsGitHub };
}

const isList = (value: unknown): value is unknown[] => Array.isArray(value);
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** The stored shape, field by field down to each role's pattern lists; anything else is rebuilt. */
function isStoredPolicy(value: unknown): value is StoredPolicy {
  if (!isObject(value) || !isObject(value.config) || !isObject(value.config.roles) || !isList(value.config.assign)) return false;
  if (!isList(value.configErrors) || !isList(value.warnings) || !isList(value.roleErrors) || !isList(value.roleWarnings) || !isList(value.layers)) return false;
  if (!value.layers.every((entry) => isList(entry) && entry.length === 2 && typeof entry[0] === "string" && typeof entry[1] === "string")) return false;
  return (
    isList(value.roles) &&
    value.roles.every(
      (role) => isObject(role) && typeof role.id === "string" && isList(role.forbiddenPaths) && isList(role.requiresApprovalFor) && isList(role.escalationCriteria) && isList(role.ancestors),
    )
  );
}
