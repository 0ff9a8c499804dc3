/**
 * Gradle version catalogs (`gradle/libs.versions.toml`, any
 * `gradle/*.versions.toml`), read with smol-toml.
 *
 * Quirks handled:
 * - `[libraries]` as `"group:artifact:version"` strings or tables with
 *   `module` or `group` + `name`, and `version` as a string, a `version.ref`
 *   into `[versions]`, or a rich version table (`strictly`, `require`,
 *   `prefer`, `reject`) shown as sorted pairs;
 * - `[plugins]` as `"id:version"` or `{ id, version }` (` (plugin)`);
 * - entries are keyed by the module or plugin id, not by the catalog alias,
 *   so renaming an alias is no change, while bumping a shared `[versions]`
 *   entry is an update of every library that refers to it;
 * - `[bundles]` only group aliases and declare no version.
 */
import { DependencyMapBuilder } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { quoteForMessage } from "./text.js";
import { describeToml, isTomlTable, optionalTable, parseToml, renderTomlPairs } from "./toml.js";
import type { TomlTable, TomlValue } from "./toml.js";
import type { DependencyMap, Ecosystem } from "./types.js";

/** A `version`: a string, `{ ref = "x" }` (TOML reads `version.ref = "x"` so) into `[versions]`, or a rich version table. */
function renderVersion(value: TomlValue | undefined, versions: TomlTable, field: string): string {
  if (value === undefined) return "(no version)";
  if (typeof value === "string") return value;
  if (!isTomlTable(value)) throw ManifestParseError.at(`${field} must be a version string or table, found ${describeToml(value)}`);
  const ref = value["ref"];
  if (typeof ref !== "string") return renderTomlPairs(value) || "(no version)";
  const target = versions[ref];
  if (typeof target === "string") return target;
  if (isTomlTable(target) && target["ref"] === undefined) return renderTomlPairs(target) || "(no version)";
  throw ManifestParseError.at(`${field}.ref names "${ref}", which [versions] does not define as a version`);
}

function entryVersion(entry: TomlTable, versions: TomlTable, field: string): string {
  return renderVersion(entry["version"], versions, `${field}.version`);
}

function parse(content: string): DependencyMap {
  const document = parseToml(content);
  const versions = optionalTable(document, "versions", "versions") ?? {};
  const dependencies = new DependencyMapBuilder();
  for (const [alias, entry] of Object.entries(optionalTable(document, "libraries", "libraries") ?? {})) {
    const field = `libraries.${alias}`;
    if (typeof entry === "string") {
      const [group, artifact, version] = entry.split(":");
      if (!group || !artifact) throw ManifestParseError.at(`${field} must be "group:artifact:version", found ${quoteForMessage(entry)}`);
      dependencies.add(`${group}:${artifact}`, version ?? "(no version)");
      continue;
    }
    if (!isTomlTable(entry)) throw ManifestParseError.at(`${field} must be a string or a table, found ${describeToml(entry)}`);
    const module = typeof entry["module"] === "string" ? entry["module"] : typeof entry["group"] === "string" && typeof entry["name"] === "string" ? `${entry["group"]}:${entry["name"]}` : undefined;
    if (module === undefined) throw ManifestParseError.at(`${field} names no module (module = "group:artifact", or group and name)`);
    dependencies.add(module, entryVersion(entry, versions, field));
  }
  for (const [alias, entry] of Object.entries(optionalTable(document, "plugins", "plugins") ?? {})) {
    const field = `plugins.${alias}`;
    if (typeof entry === "string") {
      const colon = entry.lastIndexOf(":");
      dependencies.add(colon === -1 ? entry : entry.slice(0, colon), `${colon === -1 ? "(no version)" : entry.slice(colon + 1)} (plugin)`);
      continue;
    }
    if (!isTomlTable(entry) || typeof entry["id"] !== "string") throw ManifestParseError.at(`${field} must be "id:version" or a table with an id`);
    dependencies.add(entry["id"], `${entryVersion(entry, versions, field)} (plugin)`);
  }
  return dependencies.build();
}

export const gradleCatalog: Ecosystem = {
  id: "gradle-catalog",
  isManifest: (path) => /(?:^|\/)gradle\/[^/]+\.versions\.toml$/.test(path),
  lockfiles: [],
  parse,
};
