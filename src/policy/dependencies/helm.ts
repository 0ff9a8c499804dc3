/**
 * Helm `Chart.yaml` `dependencies:` (subcharts). A subchart is named by its
 * `alias` when it has one (the same chart twice under two aliases is two
 * dependencies), else its `name`; the spec is its version followed by the
 * repository and any other keys (`condition`, `tags`...) sorted.
 */
import { DependencyMapBuilder } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { baseName } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";
import { renderYamlSpec } from "./yaml-specs.js";
import { describeYaml, isYamlObject, optionalList, yamlMapping } from "./yaml.js";

function parse(content: string): DependencyMap {
  const document = yamlMapping(content);
  const dependencies = new DependencyMapBuilder();
  optionalList(document, "dependencies").forEach((entry, index) => {
    const field = `dependencies[${index}]`;
    if (!isYamlObject(entry)) throw ManifestParseError.at(`${field} must be a mapping, found ${describeYaml(entry)}`);
    const name = entry["name"];
    if (typeof name !== "string" || name === "") throw ManifestParseError.at(`${field}.name must be a chart name, found ${describeYaml(name)}`);
    const alias = entry["alias"];
    const key = typeof alias === "string" && alias !== "" ? `${alias} (${name})` : name;
    dependencies.add(key, renderYamlSpec(entry, field, ["name", "alias"]));
  });
  return dependencies.build();
}

export const helm: Ecosystem = {
  id: "helm",
  isManifest: (path) => baseName(path) === "Chart.yaml",
  lockfiles: ["Chart.lock"],
  parse,
};
