/**
 * Composer `composer.json`.
 *
 * Quirks handled:
 * - `require` and `require-dev` (spec suffixed ` (dev)`);
 * - platform requirements (`php`, `ext-*`, `lib-*`) are kept: a new PHP
 *   extension or a raised PHP floor is exactly what a reviewer wants to see;
 * - Composer treats package names case-insensitively, so names are lowercased
 *   and a change of case is not an add plus a remove.
 */
import { DependencyMapBuilder } from "./dependency-map.js";
import { baseName } from "./text.js";
import { parseJsonObject, stringMapField } from "./json.js";
import type { DependencyMap, Ecosystem } from "./types.js";

const SECTIONS = [
  { field: "require", suffix: "" },
  { field: "require-dev", suffix: " (dev)" },
] as const;

function parse(content: string): DependencyMap {
  const manifest = parseJsonObject(content);
  const dependencies = new DependencyMapBuilder();
  for (const { field, suffix } of SECTIONS) {
    for (const [name, spec] of stringMapField(manifest, field)) {
      dependencies.add(name.toLowerCase(), spec + suffix);
    }
  }
  return dependencies.build();
}

export const composer: Ecosystem = {
  id: "composer",
  isManifest: (path) => baseName(path) === "composer.json",
  lockfiles: ["composer.lock"],
  parse,
};
