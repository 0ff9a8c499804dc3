import { PERMISSIONS, type CategoryConfig, type Config, type Permission } from "./schema.js";

export interface MergedConfig {
  config: Config;
  /** Repository settings that tried to lower the organisation's floor and were not applied. */
  warnings: string[];
}

/**
 * The organisation's config is a floor the repository cannot lower (SPEC §4):
 * lists are unioned, permission thresholds take the stricter value, booleans
 * take the stricter side, and a repository can neither ignore patterns nor
 * switch off a category's defaults that the organisation keeps.
 */
export function mergeOrgFloor(org: Config | undefined, repo: Config | undefined): MergedConfig {
  if (!org && !repo) throw new Error("mergeOrgFloor needs at least one config");
  if (!org) return { config: repo as Config, warnings: [] };
  if (!repo) return { config: org, warnings: [] };
  const warnings: string[] = [];

  const categories: Record<string, CategoryConfig> = {};
  for (const id of unionList(Object.keys(org.categories), Object.keys(repo.categories))) {
    const floor = org.categories[id];
    const local = repo.categories[id];
    if (!floor || !local) {
      categories[id] = mergeNarrowing(id, floor, local, warnings);
      continue;
    }
    if (local.ignore.length > 0) warnings.push(`categories.${id}.ignore in the repository is not applied: the organisation's config is a floor`);
    if (!local.defaults && floor.defaults) {
      warnings.push(`categories.${id}.defaults: false in the repository is not applied: the organisation keeps the defaults`);
    }
    categories[id] = {
      paths: unionList(floor.paths, local.paths),
      ignore: floor.ignore,
      defaults: floor.defaults,
      approvers: {
        users: unionList(floor.approvers.users, local.approvers.users),
        teams: unionList(floor.approvers.teams, local.approvers.teams),
      },
      // More approvers is the stricter side.
      required: Math.max(floor.required, local.required),
    };
  }

  // Say what the repository asked for and did not get, so nobody wonders why a laxer setting has no effect.
  const lowered = (setting: string, value: unknown) => warnings.push(`${setting}: ${String(value)} in the repository is not applied: the organisation's config is a floor`);
  if (stricter(org.approvals.min_permission, repo.approvals.min_permission) !== repo.approvals.min_permission) lowered("approvals.min_permission", repo.approvals.min_permission);
  if (stricter(org.overrides.min_permission, repo.overrides.min_permission) !== repo.overrides.min_permission) lowered("overrides.min_permission", repo.overrides.min_permission);
  if (repo.approvals.reviews && !org.approvals.reviews) lowered("approvals.reviews", true);
  for (const [id, local] of Object.entries(repo.categories)) {
    const floor = org.categories[id]?.required ?? 1;
    if (local.required < floor) lowered(`categories.${id}.required`, local.required);
  }
  if (!repo.match_commit_authors && org.match_commit_authors) lowered("match_commit_authors", false);
  // Observing is the laxer mode: a repository may enforce what the org observes, never the reverse.
  if (repo.mode === "observe" && org.mode === "enforce") lowered("mode", "observe");

  return {
    config: {
      mode: org.mode === "enforce" || repo.mode === "enforce" ? "enforce" : "observe",
      roles: { paths: unionList(org.roles.paths, repo.roles.paths) },
      assign: [...org.assign, ...repo.assign],
      default_role: unionList(org.default_role, repo.default_role),
      match_commit_authors: org.match_commit_authors || repo.match_commit_authors,
      categories,
      approvals: {
        min_permission: stricter(org.approvals.min_permission, repo.approvals.min_permission),
        // Counting reviews as approvals is the laxer setting: both must allow it.
        reviews: org.approvals.reviews && repo.approvals.reviews,
      },
      overrides: { min_permission: stricter(org.overrides.min_permission, repo.overrides.min_permission) },
      request_reviews: org.request_reviews || repo.request_reviews,
      // Case-insensitive matching catches more paths, so either side may ask for it.
      case_insensitive: org.case_insensitive || repo.case_insensitive,
    },
    warnings,
  };
}

/** A category only one side configures: the org's stands as is; the repo's may not narrow the built-in defaults. */
function mergeNarrowing(
  id: string,
  floor: CategoryConfig | undefined,
  local: CategoryConfig | undefined,
  warnings: string[],
): CategoryConfig {
  if (floor) return floor;
  const repo = local as CategoryConfig;
  if (repo.ignore.length === 0 && repo.defaults) return repo;
  warnings.push(`categories.${id}: the repository's ignore / defaults: false are not applied under an organisation config`);
  return { ...repo, ignore: [], defaults: true };
}

function stricter(a: Permission, b: Permission): Permission {
  return PERMISSIONS.indexOf(a) >= PERMISSIONS.indexOf(b) ? a : b;
}

function unionList<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])];
}
