/**
 * Pipenv `Pipfile` (TOML).
 *
 * Quirks handled:
 * - `[packages]`, `[dev-packages]` (` (dev)`) and Pipenv's other package
 *   categories (any other table of specs, ` (category: NAME)`, visited in
 *   sorted order); `[source]`, `[requires]`, `[scripts]` and `[pipenv]` are
 *   settings, not packages;
 * - a value is a version string (`"*"`, `">=2.31"`) or a table (`version`,
 *   `extras`, `git`, `ref`, `markers`, `index`...), shown as its version
 *   followed by the other keys as sorted `key=value` pairs;
 * - names are PEP 503-normalised, as pip resolves them.
 */
import { DependencyMapBuilder, compareCodeUnits } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { normalizePythonName } from "./pep508.js";
import { baseName } from "./text.js";
import { describeToml, isTomlTable, parseToml, renderVersionOrTable } from "./toml.js";
import type { DependencyMap, Ecosystem } from "./types.js";

const SETTINGS = new Set(["source", "requires", "scripts", "pipenv"]);

function parse(content: string): DependencyMap {
  const document = parseToml(content);
  const dependencies = new DependencyMapBuilder();
  const categories = Object.keys(document)
    .filter((key) => !SETTINGS.has(key))
    .sort((left, right) => (left === "packages" ? -1 : right === "packages" ? 1 : compareCodeUnits(left, right)));
  for (const category of categories) {
    const table = document[category];
    if (!isTomlTable(table)) throw ManifestParseError.at(`${category} must be a table of packages, found ${describeToml(table)}`);
    const suffix = category === "packages" ? "" : category === "dev-packages" ? " (dev)" : ` (category: ${category})`;
    for (const [name, value] of Object.entries(table)) {
      dependencies.add(normalizePythonName(name), renderVersionOrTable(value, `${category}.${name}`) + suffix);
    }
  }
  return dependencies.build();
}

export const pipfile: Ecosystem = {
  id: "pipfile",
  isManifest: (path) => baseName(path) === "Pipfile",
  lockfiles: ["Pipfile.lock"],
  parse,
};
