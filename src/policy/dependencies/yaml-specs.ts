import { compareCodeUnits } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { describeYaml, isYamlObject } from "./yaml.js";

/**
 * A YAML dependency value (Dart, Helm) as text: a version string as written,
 * nothing as `*`, a mapping as its `version` followed by the other keys as
 * sorted `key=value` pairs (nested mappings as JSON with sorted keys), so a
 * source change (`git`, `path`, `repository`) shows as an update.
 */
export function renderYamlSpec(value: unknown, field: string, skip: readonly string[] = []): string {
  if (value === null || value === undefined) return "*";
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (!isYamlObject(value)) throw ManifestParseError.at(`${field} must be a version or a mapping, found ${describeYaml(value)}`);
  const version = value["version"];
  const pairs = Object.keys(value)
    .filter((key) => key !== "version" && !skip.includes(key))
    .sort(compareCodeUnits)
    .map((key) => `${key}=${typeof value[key] === "string" ? value[key] : sortedJson(value[key])}`);
  const parts = [...(version === undefined || version === null ? [] : [String(version)]), ...pairs];
  return parts.length === 0 ? "*" : parts.join(" ");
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  if (isYamlObject(value)) {
    return `{${Object.keys(value)
      .sort(compareCodeUnits)
      .map((key) => `${key}:${sortedJson(value[key])}`)
      .join(",")}}`;
  }
  return String(value);
}
