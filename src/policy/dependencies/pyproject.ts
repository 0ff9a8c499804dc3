/**
 * Python `pyproject.toml`: the standard tables and Poetry's.
 *
 * Quirks handled:
 * - PEP 518 `[build-system] requires` (` (build)`);
 * - PEP 621 `[project] dependencies` and `[project.optional-dependencies]`
 *   (` (extra: NAME)`), PEP 735 `[dependency-groups]` (` (group: NAME)`),
 *   whose `{include-group = "..."}` entries name no package and are skipped;
 * - Poetry `[tool.poetry.dependencies]`, the legacy
 *   `[tool.poetry.dev-dependencies]` (reported as group `dev`, which is what
 *   Poetry turned it into, so migrating to `[tool.poetry.group.dev]` is not
 *   noise) and `[tool.poetry.group.X.dependencies]`; Poetry's `python` entry
 *   is the interpreter, not a package;
 * - a Poetry value is a string, a table (shown as its `version`, or as sorted
 *   `key=value` pairs when it has none, e.g. a git dependency) or an array of
 *   such tables for per-platform constraints (joined with " | ");
 * - names are PEP 503-normalised so the same package under Poetry and PEP 621
 *   is one entry; extras and groups are visited in sorted order so reordering
 *   them in the file changes nothing;
 * - none of these tables (a pyproject used only for tool config) is an empty
 *   map, not an error.
 */
import { DependencyMapBuilder, compareCodeUnits } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { baseName, quoteForMessage } from "./text.js";
import { normalizePythonName, parseRequirement } from "./pep508.js";
import { describeToml, isTomlTable, optionalTable, parseToml, renderTomlPairs } from "./toml.js";
import type { TomlTable, TomlValue } from "./toml.js";
import type { DependencyMap, Ecosystem } from "./types.js";

function sortedEntries(table: TomlTable | undefined): [string, TomlValue][] {
  return Object.entries(table ?? {}).sort(([left], [right]) => compareCodeUnits(left, right));
}

/** Adds an array of PEP 508 strings; `{include-group = ...}` tables are skipped when allowed. */
function addRequirementList(
  dependencies: DependencyMapBuilder,
  value: TomlValue | undefined,
  field: string,
  suffix: string,
  allowIncludeGroup = false,
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw ManifestParseError.at(`${field} must be an array of strings, found ${describeToml(value)}`);
  value.forEach((item, index) => {
    if (allowIncludeGroup && isTomlTable(item) && Object.hasOwn(item, "include-group")) return;
    if (typeof item !== "string") {
      throw ManifestParseError.at(`${field}[${index}] must be a requirement string, found ${describeToml(item)}`);
    }
    const requirement = parseRequirement(item);
    if (requirement === undefined) {
      throw ManifestParseError.at(`${field}[${index}] is not a PEP 508 requirement: ${quoteForMessage(item)}`);
    }
    dependencies.add(requirement.name, requirement.spec + suffix);
  });
}

function renderPoetryConstraint(value: TomlValue, field: string): string {
  if (typeof value === "string") return value;
  if (isTomlTable(value)) {
    const version = value["version"];
    if (typeof version === "string") return version;
    return renderTomlPairs(value) || "*";
  }
  if (Array.isArray(value) && value.length > 0) {
    return value.map((item, index) => renderPoetryConstraint(item, `${field}[${index}]`)).join(" | ");
  }
  throw ManifestParseError.at(`${field} must be a version string, a table or an array of tables, found ${describeToml(value)}`);
}

function addPoetryTable(dependencies: DependencyMapBuilder, table: TomlTable | undefined, field: string, suffix: string): void {
  for (const [name, value] of Object.entries(table ?? {})) {
    if (name === "python") continue;
    dependencies.add(normalizePythonName(name), renderPoetryConstraint(value, `${field}.${name}`) + suffix);
  }
}

function parse(content: string): DependencyMap {
  const document = parseToml(content);
  const dependencies = new DependencyMapBuilder();

  const project = optionalTable(document, "project", "project");
  if (project !== undefined) {
    addRequirementList(dependencies, project["dependencies"], "project.dependencies", "");
    const extras = optionalTable(project, "optional-dependencies", "project.optional-dependencies");
    for (const [extra, list] of sortedEntries(extras)) {
      addRequirementList(dependencies, list, `project.optional-dependencies.${extra}`, ` (extra: ${extra})`);
    }
  }

  // PEP 518: what the build backend needs (setuptools_scm, hatchling...), changed as often as runtime dependencies.
  const buildSystem = optionalTable(document, "build-system", "build-system");
  if (buildSystem !== undefined) addRequirementList(dependencies, buildSystem["requires"], "build-system.requires", " (build)");

  const groups = optionalTable(document, "dependency-groups", "dependency-groups");
  for (const [group, list] of sortedEntries(groups)) {
    addRequirementList(dependencies, list, `dependency-groups.${group}`, ` (group: ${group})`, true);
  }

  const tool = optionalTable(document, "tool", "tool");
  const poetry = tool === undefined ? undefined : optionalTable(tool, "poetry", "tool.poetry");
  if (poetry !== undefined) {
    addPoetryTable(dependencies, optionalTable(poetry, "dependencies", "tool.poetry.dependencies"), "tool.poetry.dependencies", "");
    addPoetryTable(
      dependencies,
      optionalTable(poetry, "dev-dependencies", "tool.poetry.dev-dependencies"),
      "tool.poetry.dev-dependencies",
      " (group: dev)",
    );
    const poetryGroups = optionalTable(poetry, "group", "tool.poetry.group");
    for (const [group, groupTable] of sortedEntries(poetryGroups)) {
      const field = `tool.poetry.group.${group}`;
      if (!isTomlTable(groupTable)) throw ManifestParseError.at(`${field} must be a table, found ${describeToml(groupTable)}`);
      const groupDependencies = optionalTable(groupTable, "dependencies", `${field}.dependencies`);
      addPoetryTable(dependencies, groupDependencies, `${field}.dependencies`, ` (group: ${group})`);
    }
  }

  return dependencies.build();
}

export const pyproject: Ecosystem = {
  id: "pyproject",
  isManifest: (path) => baseName(path) === "pyproject.toml",
  lockfiles: ["poetry.lock", "uv.lock", "pdm.lock"],
  parse,
};
