import { formatPolicyError } from "../errors.js";
import { buildRoleSet } from "../roles/resolve.js";
import { GitRepository } from "../sources/git.js";
import { loadPolicyAtRef } from "../sources/local-policy.js";
import type { HookPolicy } from "./cache.js";

/**
 * The policy the hook enforces, resolved as `check` resolves it: the config
 * and role files at the base commit, never the working tree, so an agent that
 * edits its own role file first gains nothing. Loaded only on a cache miss:
 * this is the slow path (YAML, zod, role inheritance).
 */
export async function resolveHookPolicy(root: string, baseCommit: string, baseLabel: string): Promise<HookPolicy> {
  const repo = new GitRepository(root);
  const policy = await loadPolicyAtRef(repo, baseCommit, { label: baseLabel });
  const roleSet = buildRoleSet(policy.roleSources);
  const errors = [...policy.errors, ...roleSet.errors].map((error) => formatPolicyError(error));
  const roles: HookPolicy["roles"] = {};
  for (const [id, role] of roleSet.roles) {
    roles[id] = {
      forbidden: role.forbiddenPaths.map((entry) => entry.value),
      ...(role.allowedPaths ? { allowed: role.allowedPaths.map((entry) => entry.value) } : {}),
    };
  }
  return {
    roles,
    errors,
    caseInsensitive: policy.config.case_insensitive,
    assign: policy.config.assign.map((entry) => ({ role: entry.role, users: entry.users })),
    defaultRole: policy.config.default_role,
  };
}

