/**
 * Dart and Flutter `pubspec.yaml`: `dependencies`, `dev_dependencies`
 * (` (dev)`) and `dependency_overrides` (` (override)`). A value is a version
 * constraint (`^1.2.0`), nothing (any version), or a source mapping (`sdk:`,
 * `path:`, `git:` with `url`/`ref`, `hosted:`), shown as its version then the
 * other keys sorted.
 */
import { DependencyMapBuilder } from "./dependency-map.js";
import { baseName } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";
import { renderYamlSpec } from "./yaml-specs.js";
import { optionalMapping, yamlMapping } from "./yaml.js";

const SECTIONS = [
  { field: "dependencies", suffix: "" },
  { field: "dev_dependencies", suffix: " (dev)" },
  { field: "dependency_overrides", suffix: " (override)" },
] as const;

function parse(content: string): DependencyMap {
  const document = yamlMapping(content);
  const dependencies = new DependencyMapBuilder();
  for (const { field, suffix } of SECTIONS) {
    for (const [name, value] of Object.entries(optionalMapping(document, field))) {
      dependencies.add(name, renderYamlSpec(value, `${field}.${name}`) + suffix);
    }
  }
  return dependencies.build();
}

export const dart: Ecosystem = {
  id: "dart",
  isManifest: (path) => baseName(path) === "pubspec.yaml",
  lockfiles: ["pubspec.lock"],
  parse,
};
