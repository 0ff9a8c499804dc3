import type { PolicyError } from "../errors.js";
import { hintFor } from "../suggest.js";
import { ParseCache } from "./files.js";
import { parseRoleFile, type RoleParseResult } from "./parse.js";

/** Role files parsed once per content (git's blob SHA) per process: every evaluation reads the same few. */
const parsedRoles = new ParseCache<RoleParseResult>(5_000);
import type { ResolvedRole, RoleFile, Sourced } from "./schema.js";

/** Where a batch of role files came from, lowest precedence first. */
export type RoleLayer = "built-in" | "organisation" | "repository" | "command line";

export interface RoleSource {
  layer: RoleLayer;
  files: { path: string; text: string }[];
}

export interface RoleSet {
  roles: Map<string, ResolvedRole>;
  /** Which layer each id finally came from, for `roles show` and the summary. */
  layerOf: Map<string, RoleLayer>;
  errors: PolicyError[];
  warnings: string[];
}

/**
 * Parses every layer's files, lets a higher layer replace a lower one's role of
 * the same id, rejects duplicate ids within a layer, and resolves `inherits`.
 * A role that cannot be resolved is left out and named in `errors`.
 */
export function buildRoleSet(sources: readonly RoleSource[]): RoleSet {
  const errors: PolicyError[] = [];
  const warnings: string[] = [];
  const files = new Map<string, RoleFile>();
  const layerOf = new Map<string, RoleLayer>();

  for (const source of sources) {
    const seenInLayer = new Map<string, string>();
    for (const { path, text } of source.files) {
      const parsed = parsedRoles.get(path, text, parseRoleFile);
      if (!parsed.ok) {
        errors.push(...parsed.errors);
        continue;
      }
      const role = parsed.role;
      const twin = seenInLayer.get(role.id);
      if (twin) {
        errors.push({ file: path, field: "role", message: `duplicate role id ${role.id}: also defined in ${twin}` });
        continue;
      }
      seenInLayer.set(role.id, path);
      warnings.push(...role.warnings.map((warning) => `${path}: ${warning}`));
      const floor = files.get(role.id);
      if (floor && layerOf.get(role.id) === "organisation" && source.layer === "repository") {
        // An org role is a floor (SPEC §1): a repository file of the same id adds to it, never replaces it.
        const merged = mergeOntoFloor(floor, role);
        files.set(role.id, merged.role);
        warnings.push(`${path} redefines the organisation's role ${role.id} (${floor.file}): the two are merged, and the organisation's constraints still apply${merged.dropped.length > 0 ? `; its re-allowing patterns ${merged.dropped.join(", ")} are not applied` : ""}`);
        continue;
      }
      files.set(role.id, role);
      layerOf.set(role.id, source.layer);
    }
  }

  const resolved = new Map<string, ResolvedRole>();
  const failed = new Set<string>();
  for (const id of [...files.keys()].sort()) resolveOne(id, [], files, resolved, failed, errors);
  return { roles: resolved, layerOf, errors, warnings };
}

function resolveOne(
  id: string,
  chain: string[],
  files: Map<string, RoleFile>,
  resolved: Map<string, ResolvedRole>,
  failed: Set<string>,
  errors: PolicyError[],
): ResolvedRole | undefined {
  const done = resolved.get(id);
  if (done || failed.has(id)) return done;
  const role = files.get(id);
  if (!role) return undefined;

  const parents: ResolvedRole[] = [];
  for (const parentId of role.parents) {
    const describe = (ids: string[]) => ids.map((each) => `${each} (${files.get(each)?.file ?? "?"})`).join(" → ");
    if (parentId === id || chain.includes(parentId)) {
      const start = chain.indexOf(parentId);
      const members = [...(start >= 0 ? chain.slice(start) : []), id];
      const cycle = [...members, parentId];
      // Every member of the cycle gets the error, so each file's own lint line says why it fails.
      for (const member of new Set(members)) {
        errors.push({ file: files.get(member)?.file ?? role.file, field: "inherits", message: `inheritance cycle: ${describe(cycle)}` });
      }
      // Only the cycle's members fail here; a role that merely inherits one of them fails on its own line.
      markFailed(members, failed);
      return undefined;
    }
    if (!files.has(parentId)) {
      const via = chain.length > 0 ? ` (needed by ${[...chain].reverse().join(" ← ")})` : "";
      const hint = hintFor(parentId, [...files.keys()]);
      errors.push({
        file: role.file,
        field: "inherits",
        message: `role ${id} inherits ${parentId}, which is not defined in any loaded role file or built-in role${via}`,
        ...(hint ? { hint } : {}),
      });
      failed.add(id);
      return undefined;
    }
    const parent = resolveOne(parentId, [...chain, id], files, resolved, failed, errors);
    if (!parent) {
      if (!failed.has(id)) {
        errors.push({ file: role.file, field: "inherits", message: `role ${id} cannot be resolved: its parent ${parentId} has errors` });
        failed.add(id);
      }
      return undefined;
    }
    parents.push(parent);
  }

  const own = <T>(values: readonly T[]): Sourced<T>[] => values.map((value) => ({ value, from: id }));
  const inherited = <K extends "forbiddenPaths" | "requiresApprovalFor" | "escalationCriteria">(key: K) =>
    parents.flatMap((parent) => parent[key]);
  const inheritedAllowed = parents.flatMap((parent) => parent.allowedPaths ?? []);
  const allowed = [...inheritedAllowed, ...own(role.allowedPaths ?? [])];
  const autonomyLevel = role.autonomyLevel ?? parents.find((parent) => parent.autonomyLevel)?.autonomyLevel;
  const description = role.description ?? parents.find((parent) => parent.description)?.description;

  const result: ResolvedRole = {
    id,
    file: role.file,
    ancestors: unique(parents.flatMap((parent) => [parent.id, ...parent.ancestors])),
    forbiddenPaths: lastOccurrences([...inherited("forbiddenPaths"), ...own(role.forbiddenPaths)]),
    ...(role.allowedPaths || inheritedAllowed.length > 0 ? { allowedPaths: lastOccurrences(allowed) } : {}),
    requiresApprovalFor: uniqueBy([...inherited("requiresApprovalFor"), ...own(role.requiresApprovalFor)], id),
    ...(autonomyLevel ? { autonomyLevel } : {}),
    escalationCriteria: uniqueBy([...inherited("escalationCriteria"), ...own(role.escalationCriteria)], id),
    ...(description ? { description } : {}),
    body: role.body,
    frontMatter: role.frontMatter,
    warnings: role.warnings,
  };
  resolved.set(id, result);
  return result;
}

const AUTONOMY_ORDER = ["low", "medium", "high"] as const;

/**
 * A repository role merged onto the org role of the same id: every list is
 * unioned, `autonomy_level` takes the stricter value. Forbidden patterns keep
 * the org's first and add the repository's after them, without its `!`
 * re-allowing patterns, which could only lower the floor. An org allow-list
 * stands; a repository's applies only where the org has none.
 */
function mergeOntoFloor(floor: RoleFile, local: RoleFile): { role: RoleFile; dropped: string[] } {
  const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];
  const dropped = local.forbiddenPaths.filter((pattern) => pattern.startsWith("!"));
  const levels = [floor.autonomyLevel, local.autonomyLevel].filter((level): level is NonNullable<typeof level> => level !== undefined);
  const autonomyLevel = levels.sort((a, b) => AUTONOMY_ORDER.indexOf(a) - AUTONOMY_ORDER.indexOf(b))[0];
  const allowedPaths = floor.allowedPaths ?? local.allowedPaths;
  return {
    role: {
      ...floor,
      parents: union(floor.parents, local.parents),
      forbiddenPaths: [...floor.forbiddenPaths, ...local.forbiddenPaths.filter((pattern) => !pattern.startsWith("!"))],
      ...(allowedPaths ? { allowedPaths } : {}),
      requiresApprovalFor: union(floor.requiresApprovalFor, local.requiresApprovalFor),
      ...(autonomyLevel ? { autonomyLevel } : {}),
      escalationCriteria: union(floor.escalationCriteria, local.escalationCriteria),
      warnings: [...floor.warnings, ...local.warnings],
      unknownCategories: [...floor.unknownCategories, ...local.unknownCategories],
    },
    dropped,
  };
}

function markFailed(ids: string[], failed: Set<string>): void {
  for (const each of ids) failed.add(each);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/**
 * Path patterns in order, each kept at its *last* position (SPEC §3): the last
 * matching pattern decides, so an earlier copy of a pattern repeated later can
 * never decide anything, while dropping the later copy would let a `!` between
 * them re-allow what the later one forbids (parent `*.env`, then `!*.env`,
 * then the child's `*.env`).
 */
function lastOccurrences(values: readonly Sourced<string>[]): Sourced<string>[] {
  const last = new Map(values.map((entry, index) => [entry.value, index]));
  return values.filter((entry, index) => last.get(entry.value) === index);
}

/**
 * One entry per value, at its first position;
 * a value the role restates itself is credited to the role, not an ancestor.
 */
function uniqueBy<T>(values: Sourced<T>[], self: string): Sourced<T>[] {
  const restated = new Set(values.filter((entry) => entry.from === self).map((entry) => entry.value));
  const seen = new Set<T>();
  return values
    .filter(({ value }) => (seen.has(value) ? false : (seen.add(value), true)))
    .map((entry) => (restated.has(entry.value) ? { value: entry.value, from: self } : entry));
}
