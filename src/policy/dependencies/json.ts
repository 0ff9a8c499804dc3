import { ManifestParseError } from "./errors.js";
import { lineAt, manifestText } from "./text.js";

type JsonObject = { [key: string]: unknown };

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * JSON.parse with errors a reviewer can act on. V8 reports some errors
 * "at position N" (turned into a line here) and others by quoting the whole
 * input back, which for a large manifest is a wall of text, so the quote is
 * cut off.
 */
export function parseJsonObject(content: string): JsonObject {
  const text = manifestText(content);
  if (text.trim() === "") throw ManifestParseError.at("file is empty");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(raw);
    const line = position?.[1] === undefined ? undefined : lineAt(text, Number(position[1]));
    const reason = raw.replace(/, (?:\.\.\.)?".*is not valid JSON$/s, "").replace(/ in JSON at position \d+.*$/s, "");
    throw ManifestParseError.at(`invalid JSON: ${reason}`, line, error);
  }
  if (!isJsonObject(value)) {
    throw ManifestParseError.at(`expected a JSON object at the top level, found ${describeJson(value)}`);
  }
  return value;
}

/**
 * Reads `document[field]` as a name → version-string map. A missing field is
 * an empty map; anything else that is not an object of strings is an error
 * naming the field, because silently ignoring it would hide dependencies.
 */
export function stringMapField(document: JsonObject, field: string): [string, string][] {
  if (!Object.hasOwn(document, field)) return [];
  const map = document[field];
  if (!isJsonObject(map)) {
    throw ManifestParseError.at(`"${field}" must be an object of version strings, found ${describeJson(map)}`);
  }
  return Object.entries(map).map(([name, spec]) => {
    if (typeof spec !== "string") {
      throw ManifestParseError.at(
        `"${field}" must be an object of version strings, but "${name}" is ${describeJson(spec)}`,
      );
    }
    return [name, spec];
  });
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
