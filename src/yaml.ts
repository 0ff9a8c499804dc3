import { parseDocument } from "yaml";
import type { PolicyError } from "./errors.js";

export interface ParsedYaml {
  value: unknown;
  /** Duplicate keys: real role files have them; the later key wins, as in most YAML readers. */
  duplicateKeys: { line?: number; message: string }[];
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
  const doc = parseDocument(text, { prettyErrors: true, strict: true });
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
  try {
    return { ok: true, yaml: { value: doc.toJS({ maxAliasCount: 100 }), duplicateKeys } };
  } catch (error) {
    // Alias bombs and the like surface here, not as parse errors.
    return { ok: false, errors: [{ file, message: `invalid YAML: ${(error as Error).message}` }] };
  }
}
