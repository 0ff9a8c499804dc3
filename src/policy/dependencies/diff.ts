import { compareCodeUnits } from "./dependency-map.js";
import type { DependencyMap } from "./types.js";

export interface DependencyDiff {
  added: { name: string; spec: string }[];
  removed: { name: string; spec: string }[];
  updated: { name: string; from: string; to: string }[];
}

/**
 * Compares two parsed manifests. `null` means the file did not exist at that
 * commit, so a new manifest adds everything and a deleted one removes
 * everything. Each list is sorted by name.
 */
export function diffDependencies(base: DependencyMap | null, head: DependencyMap | null): DependencyDiff {
  const before = base ?? {};
  const after = head ?? {};
  const diff: DependencyDiff = { added: [], removed: [], updated: [] };

  // Object.hasOwn, not `in`: a package named "constructor" or "toString" must
  // not be mistaken for something inherited from Object.prototype.
  for (const [name, spec] of Object.entries(after)) {
    if (!Object.hasOwn(before, name)) {
      diff.added.push({ name, spec });
      continue;
    }
    const from = before[name];
    if (from !== undefined && from !== spec) diff.updated.push({ name, from, to: spec });
  }
  for (const [name, spec] of Object.entries(before)) {
    if (!Object.hasOwn(after, name)) diff.removed.push({ name, spec });
  }

  diff.added.sort(byName);
  diff.removed.sort(byName);
  diff.updated.sort(byName);
  return diff;
}

function byName(left: { name: string }, right: { name: string }): number {
  return compareCodeUnits(left.name, right.name);
}
