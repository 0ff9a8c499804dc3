import { ManifestParseError } from "./errors.js";
import { loadedOnFirstUse } from "../../lazy-require.js";
import { manifestText } from "./text.js";

const yaml = loadedOnFirstUse<typeof import("yaml")>("yaml");

/**
 * The yaml package needs about 5 µs a character on error-dense input (a
 * megabyte of quotes); real workflows, compose files, charts and pubspecs are
 * a few kilobytes (the largest real workflows, about 100 KB). Above this size a file is unreadable (a finding), not a
 * multi-second stall of the check.
 */
const MAX_YAML_CHARS = 256 * 1024;

/**
 * A YAML manifest (workflow, action, compose file, Chart.yaml, pubspec) as
 * plain values, with the yaml package's first error turned into a one-line
 * message and its line. Alias expansion is capped by the package
 * (`maxAliasCount`), so a "billion laughs" file is an error, not a hang.
 */
export function parseYamlManifest(content: string): unknown {
  const text = manifestText(content);
  if (text.length > MAX_YAML_CHARS) {
    throw ManifestParseError.at(`file is ${Math.ceil(text.length / 1024)} KB, more than the ${MAX_YAML_CHARS / 1024} KB a YAML manifest is read up to`);
  }
  // prettyErrors is off: it quotes the line around every error, and a 5 MB
  // line of quotes has millions of errors (quadratic). The line of the first
  // error comes from a LineCounter instead.
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { prettyErrors: false, lineCounter });
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = lineCounter.linePos(error.pos[0]).line;
    throw ManifestParseError.at(`invalid YAML: ${(error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}`, line, error);
  }
  try {
    return doc.toJS({ maxAliasCount: 1_000 });
  } catch (cause) {
    throw ManifestParseError.at(`invalid YAML: ${cause instanceof Error ? cause.message : String(cause)}`, undefined, cause);
  }
}

export type YamlObject = { [key: string]: unknown };

export function isYamlObject(value: unknown): value is YamlObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** What a value is, for an error message. */
export function describeYaml(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}

/** The top level of a manifest that must be a mapping; an empty file is an empty mapping. */
export function yamlMapping(content: string): YamlObject {
  const value = parseYamlManifest(content);
  if (value === null || value === undefined) return {};
  if (!isYamlObject(value)) throw ManifestParseError.at(`expected a mapping at the top level, found ${describeYaml(value)}`);
  return value;
}

/** `document[field]` when it is a mapping, {} when absent; anything else is an error naming the field. */
export function optionalMapping(document: YamlObject, field: string, label = field): YamlObject {
  const value = document[field];
  if (value === undefined || value === null) return {};
  if (!isYamlObject(value)) throw ManifestParseError.at(`${label} must be a mapping, found ${describeYaml(value)}`);
  return value;
}

/** `document[field]` when it is a list, [] when absent; anything else is an error naming the field. */
export function optionalList(document: YamlObject, field: string, label = field): unknown[] {
  const value = document[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw ManifestParseError.at(`${label} must be a list, found ${describeYaml(value)}`);
  return value;
}

