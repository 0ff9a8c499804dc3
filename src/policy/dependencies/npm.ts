/**
 * npm `package.json`.
 *
 * Quirks handled:
 * - four dependency maps; a package in a non-default map carries its section
 *   in the spec (`^1.2.0 (dev)`) so moving it between maps reads as an update;
 * - a package in several maps keeps every spec, joined in the fixed order
 *   dependencies, dev, peer, optional (`^1.0.0, ^1.0.0 (peer)`);
 * - a map that is not an object of strings is an error naming the field, not
 *   something to skip: a reviewer must not miss a dependency because of it.
 */
import { DependencyMapBuilder } from "./dependency-map.js";
import { baseName } from "./text.js";
import { parseJsonObject, stringMapField } from "./json.js";
import type { DependencyMap, Ecosystem } from "./types.js";

const SECTIONS = [
  { field: "dependencies", suffix: "" },
  { field: "devDependencies", suffix: " (dev)" },
  { field: "peerDependencies", suffix: " (peer)" },
  { field: "optionalDependencies", suffix: " (optional)" },
] as const;

function parse(content: string): DependencyMap {
  const manifest = parseJsonObject(content);
  const dependencies = new DependencyMapBuilder();
  for (const { field, suffix } of SECTIONS) {
    for (const [name, spec] of stringMapField(manifest, field)) dependencies.add(name, spec + suffix);
  }
  return dependencies.build();
}

export const npm: Ecosystem = {
  id: "npm",
  isManifest: (path) => baseName(path) === "package.json",
  lockfiles: ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock"],
  parse,
};
