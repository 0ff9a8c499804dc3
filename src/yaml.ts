import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node as YamlNode } from "yaml";
import type { PolicyError } from "./errors.js";

/** The 1-based line, in the file, of the key (or list item) at a path; undefined when the file has no such place. */
export type LineLocator = (path: readonly PropertyKey[]) => number | undefined;

export interface ParsedYaml {
  value: unknown;
  /** Duplicate keys: real role files have them; the later key wins, as in most YAML readers. */
  duplicateKeys: { line?: number; message: string }[];
  lineOf: LineLocator;
}

/**
 * Parses YAML 1.2 and reports errors with the 1-based line in the *file*,
 * which for front matter starts `lineOffset` lines below the text parsed.
 */
export function parseYaml(
  text: string,
  file: string,
  options: { lineOffset?: number; allowDuplicateKeys?: boolean } = {},
): { ok: true; yaml: ParsedYaml } | { ok: false; errors: PolicyError[] } {
  const offset = options.lineOffset ?? 0;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, strict: true, lineCounter });
  const duplicateKeys: ParsedYaml["duplicateKeys"] = [];
  const errors: PolicyError[] = [];
  for (const error of doc.errors) {
    const line = error.linePos?.[0]?.line;
    const entry = {
      message: `invalid YAML: ${error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`,
      ...(line !== undefined ? { line: line + offset } : {}),
    };
    if (error.code === "DUPLICATE_KEY" && options.allowDuplicateKeys) duplicateKeys.push(entry);
    else errors.push({ file, ...entry });
  }
  if (errors.length > 0) return { ok: false, errors };
  const lineOf: LineLocator = (path) => {
    const offsetInText = locate(doc.contents, path);
    return offsetInText === undefined ? undefined : lineCounter.linePos(offsetInText).line + offset;
  };
  try {
    return { ok: true, yaml: { value: doc.toJS({ maxAliasCount: 100 }), duplicateKeys, lineOf } };
  } catch (error) {
    // Alias bombs and the like surface here, not as parse errors.
    return { ok: false, errors: [{ file, message: `invalid YAML: ${(error as Error).message}` }] };
  }
}

/**
 * Where `path` starts in the text: the key of a map entry, the item of a list.
 * A path that goes deeper than the document (a missing key) stops at the
 * deepest place that exists, so a "required" error still points near its cause.
 */
function locate(root: unknown, path: readonly PropertyKey[]): number | undefined {
  let node = root;
  let found: number | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      // The last of duplicate keys is the one whose value is used.
      const pair = [...node.items].reverse().find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment));
      if (!pair) break;
      found = rangeStart(pair.key) ?? found;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) break;
      found = rangeStart(item) ?? found;
      node = item;
    } else break;
  }
  return found;
}

function rangeStart(node: unknown): number | undefined {
  return (node as YamlNode | null)?.range?.[0];
}

/** A value as YAML text, each string on one line however long (`roles show`). */
export function yamlText(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}
