/**
 * Rust `Cargo.toml`.
 *
 * Quirks handled:
 * - `[dependencies]`, `[dev-dependencies]` (` (dev)`), `[build-dependencies]`
 *   (` (build)`), and the old underscore spellings `dev_dependencies` /
 *   `build_dependencies` that Cargo still accepts;
 * - platform tables `[target.'cfg(unix)'.dependencies]` (` (target: cfg(unix))`,
 *   ` (dev, target: ...)` for a target's dev-dependencies), visited in sorted
 *   target order;
 * - `[workspace.dependencies]` (` (workspace)`);
 * - a value is a version string or a table (`version`, `git`, `path`,
 *   `features`, `workspace = true`, `package = "real-name"`...), rendered as
 *   the version followed by the other keys as sorted `key=value` pairs, so a
 *   feature or source change shows as an update;
 * - entries are keyed by the table key (the name the code uses), not by
 *   `package =`, which stays visible in the spec.
 */
import { DependencyMapBuilder, compareCodeUnits } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { baseName } from "./text.js";
import { describeToml, isTomlTable, optionalTable, parseToml, renderVersionOrTable } from "./toml.js";
import type { TomlTable } from "./toml.js";
import type { DependencyMap, Ecosystem } from "./types.js";

/** Dependency tables of a manifest or of one `[target.X]`, with the label each contributes. */
const KINDS = [
  { keys: ["dependencies"], label: undefined },
  { keys: ["dev-dependencies", "dev_dependencies"], label: "dev" },
  { keys: ["build-dependencies", "build_dependencies"], label: "build" },
] as const;

function addDependencyTable(
  dependencies: DependencyMapBuilder,
  table: TomlTable | undefined,
  field: string,
  labels: readonly string[],
): void {
  const suffix = labels.length === 0 ? "" : ` (${labels.join(", ")})`;
  for (const [name, value] of Object.entries(table ?? {})) {
    dependencies.add(name, renderVersionOrTable(value, `${field}.${name}`) + suffix);
  }
}

/** The dependency tables directly under `parent` (the manifest root or one target). */
function addKinds(dependencies: DependencyMapBuilder, parent: TomlTable, prefix: string, target: string | undefined): void {
  for (const { keys, label } of KINDS) {
    for (const key of keys) {
      const field = prefix + key;
      const labels = [label, target === undefined ? undefined : `target: ${target}`].filter((part) => part !== undefined);
      addDependencyTable(dependencies, optionalTable(parent, key, field), field, labels);
    }
  }
}

function parse(content: string): DependencyMap {
  const manifest = parseToml(content);
  const dependencies = new DependencyMapBuilder();

  addKinds(dependencies, manifest, "", undefined);

  const targets = optionalTable(manifest, "target", "target");
  const targetEntries = Object.entries(targets ?? {}).sort(([left], [right]) => compareCodeUnits(left, right));
  for (const [target, targetTable] of targetEntries) {
    const field = `target.${target}`;
    if (!isTomlTable(targetTable)) throw ManifestParseError.at(`${field} must be a table, found ${describeToml(targetTable)}`);
    addKinds(dependencies, targetTable, `${field}.`, target);
  }

  const workspace = optionalTable(manifest, "workspace", "workspace");
  if (workspace !== undefined) {
    const field = "workspace.dependencies";
    addDependencyTable(dependencies, optionalTable(workspace, "dependencies", field), field, ["workspace"]);
  }

  return dependencies.build();
}

export const cargo: Ecosystem = {
  id: "cargo",
  isManifest: (path) => baseName(path) === "Cargo.toml",
  lockfiles: ["Cargo.lock"],
  parse,
};
