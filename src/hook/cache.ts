import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What the hook needs of a policy: per role its path patterns; the load errors; who `assign` names. */
export interface HookPolicy {
  roles: Record<string, { forbidden: string[]; allowed?: string[] }>;
  errors: string[];
  caseInsensitive: boolean;
  assign: { role: string; users: string[] }[];
  defaultRole: string[];
}

const VERSION = 1;

/**
 * The resolved policy, cached per base tree SHA under `.git/` so an allowed
 * call skips YAML, zod and inheritance. A cache that does not read back as
 * exactly this shape is ignored and rebuilt (never trusted half-way).
 */
export function readCachedPolicy(gitDir: string, key: string): HookPolicy | undefined {
  try {
    const value = JSON.parse(readFileSync(cacheFile(gitDir), "utf8")) as { version?: unknown; key?: unknown; policy?: unknown };
    if (value.version !== VERSION || value.key !== key || !isHookPolicy(value.policy)) return undefined;
    return value.policy;
  } catch {
    return undefined;
  }
}

export function writeCachedPolicy(gitDir: string, key: string, policy: HookPolicy): void {
  try {
    mkdirSync(join(gitDir, "roleguard"), { recursive: true });
    const temporary = `${cacheFile(gitDir)}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: VERSION, key, policy }));
    renameSync(temporary, cacheFile(gitDir)); // atomic: a concurrent hook reads the old file or the new one
  } catch {
    // A read-only .git only costs speed.
  }
}

export function cacheFile(gitDir: string): string {
  return join(gitDir, "roleguard", "hook-policy.json");
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
