import type { TomlTable, TomlValue } from "smol-toml";
import { compareCodeUnits } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { loadedOnFirstUse } from "../../lazy-require.js";
import { manifestText } from "./text.js";

const toml = loadedOnFirstUse<typeof import("smol-toml")>("smol-toml");

export type { TomlTable, TomlValue };

export function isTomlTable(value: TomlValue | undefined): value is TomlTable {
  // TomlDate is an object too; dates are values, not tables.
  return typeof value === "object" && !Array.isArray(value) && !(value instanceof Date);
}

/** smol-toml with its errors turned into a one-line message plus the line number. */
export function parseToml(content: string): TomlTable {
  const text = manifestText(content);
  try {
    return toml().parse(text);
  } catch (error) {
    // smol-toml's message is "Invalid TOML document: <reason>" followed by a
    // code excerpt; the excerpt would repeat the file back to the reviewer.
    // Anything else it might throw (a RangeError on absurd nesting) is still
    // an unreadable manifest, not a crash.
    const message = error instanceof Error ? error.message : String(error);
    const reason = (message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "");
    throw ManifestParseError.at(`invalid TOML: ${reason}`, error instanceof toml().TomlError ? error.line : undefined, error);
  }
}

/**
 * Reads a table that may be absent. Present but not a table is an error that
 * names the dotted field, because skipping it would hide dependencies.
 */
export function optionalTable(parent: TomlTable, key: string, field: string): TomlTable | undefined {
  if (!Object.hasOwn(parent, key)) return undefined;
  const value = parent[key];
  if (!isTomlTable(value)) throw ManifestParseError.at(`${field} must be a table, found ${describeToml(value)}`);
  return value;
}

export function describeToml(value: TomlValue | undefined): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  return typeof value === "object" ? "a table" : `a ${typeof value}`;
}

/**
 * Renders a TOML value compactly and deterministically: table keys sorted,
 * `key=value` pairs separated by spaces, arrays as `[a,b]`.
 */
export function renderTomlValue(value: TomlValue): string {
  if (Array.isArray(value)) return `[${value.map(renderTomlValue).join(",")}]`;
  if (value instanceof Date) return value.toISOString();
  if (isTomlTable(value)) return `{${renderTomlPairs(value)}}`;
  return String(value);
}

export function renderTomlPairs(table: TomlTable, skipKeys: readonly string[] = []): string {
  return Object.entries(table)
    .filter(([key]) => !skipKeys.includes(key))
    .sort(([left], [right]) => compareCodeUnits(left, right))
    .map(([key, value]) => `${key}=${renderTomlValue(value)}`)
    .join(" ");
}

/**
 * A dependency written as a version string or as a table (Cargo, Pipenv):
 * the version, then the table's other keys as sorted `key=value` pairs, so a
 * feature or source change shows as an update; `*` for an empty table.
 */
export function renderVersionOrTable(value: TomlValue, field: string): string {
  if (typeof value === "string") return value;
  if (!isTomlTable(value)) throw ManifestParseError.at(`${field} must be a version string or a table, found ${describeToml(value)}`);
  const version = value["version"];
  const rest = renderTomlPairs(value, typeof version === "string" ? ["version"] : []);
  return [typeof version === "string" ? version : "", rest].filter((part) => part !== "").join(" ") || "*";
}
