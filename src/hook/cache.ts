import { GitDirCache } from "../sources/git-dir-cache.js";

/** What the hook needs of a policy: per role its path patterns; the load errors; who `assign` names. */
export interface HookPolicy {
  roles: Record<string, { forbidden: string[]; allowed?: string[] }>;
  errors: string[];
  caseInsensitive: boolean;
  assign: { role: string; users: string[] }[];
  defaultRole: string[];
}

/** The hook's resolved policy under `.git/roleguard/`, per base tree SHA and roleguard version. */
const hookPolicies = new GitDirCache<HookPolicy>("hook-policy.json", 2, isHookPolicy);

export function readCachedPolicy(gitDir: string, key: string): HookPolicy | undefined {
  return hookPolicies.read(gitDir, key);
}

export function writeCachedPolicy(gitDir: string, key: string, policy: HookPolicy): void {
  hookPolicies.write(gitDir, key, policy);
}

export function cacheFile(gitDir: string): string {
  return hookPolicies.file(gitDir);
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((each) => typeof each === "string");

function isHookPolicy(value: unknown): value is HookPolicy {
  if (value === null || typeof value !== "object") return false;
  const policy = value as Record<string, unknown>;
  if (!isStrings(policy.errors) || typeof policy.caseInsensitive !== "boolean" || !isStrings(policy.defaultRole)) return false;
  if (!Array.isArray(policy.assign) || !policy.assign.every((entry) => entry && typeof entry.role === "string" && isStrings(entry.users))) return false;
  if (policy.roles === null || typeof policy.roles !== "object") return false;
  return Object.values(policy.roles as Record<string, unknown>).every((role) => {
    const { forbidden, allowed } = (role ?? {}) as Record<string, unknown>;
    return isStrings(forbidden) && (allowed === undefined || isStrings(allowed));
  });
}
