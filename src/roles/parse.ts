import type { PolicyError } from "../errors.js";
import { fieldPath } from "../errors.js";
import { zodErrors } from "../zod-errors.js";
import { BUILTIN_CATEGORIES } from "../policy/categories/builtin.js";
import { hintFor } from "../suggest.js";
import { parseYaml, type LineLocator } from "../yaml.js";
import { ConstraintsSchema, RoleFrontMatterSchema, type RoleFile } from "./schema.js";
import { roleKeyTypos, roleSourcePath } from "./typos.js";

const KNOWN_CONSTRAINTS = new Set(Object.keys(ConstraintsSchema.shape));

export type RoleParseResult = { ok: true; role: RoleFile } | { ok: false; errors: PolicyError[] };

/**
 * Reads one role file: {@link splitFrontMatter} takes the front matter off,
 * the `yaml` package parses it (YAML 1.2, with line numbers for errors), zod
 * validates it.
 */
export function parseRoleFile(text: string, file: string): RoleParseResult {
  if (text.includes("\u0000")) return fail(file, "not a text file");
  const source = text.replace(/^\uFEFF/, "");
  if (!/^---[ \t]*\r?\n/.test(source)) {
    return fail(file, "no YAML front matter: a role file starts with a line '---', then the front matter, then '---'");
  }
  let duplicateKeys: { line?: number; message: string }[] = [];
  let lineOf: LineLocator = () => undefined;
  const { frontMatter, body } = splitFrontMatter(source);
  let data: Record<string, unknown> = {};
  if (!isBlank(frontMatter)) {
    // The front matter starts right after the opening '---', with the rest of that line: count lines from the file's first.
    const lineOffset = frontMatter.startsWith("\n") || frontMatter.startsWith("\r\n") ? 0 : 1;
    const result = parseYaml(frontMatter, file, { lineOffset, allowDuplicateKeys: true });
    if (!result.ok) return { ok: false, errors: result.errors };
    duplicateKeys = result.yaml.duplicateKeys;
    lineOf = result.yaml.lineOf;
    const value = result.yaml.value;
    if (value === null || typeof value !== "object" || Array.isArray(value)) return fail(file, "front matter must be a YAML map (key: value lines)");
    data = value as Record<string, unknown>;
  }
  if (Object.keys(data).length === 0) return fail(file, "empty front matter: at least `role:` is required");

  const result = RoleFrontMatterSchema.safeParse(data);
  const errors = [...roleKeyTypos(data, file, lineOf), ...(result.success ? [] : zodErrors(file, result.error, { lineOf, sourcePath: roleSourcePath(data) }))];
  if (errors.length > 0 || !result.success) return { ok: false, errors };
  const front = result.data;

  const warnings = duplicateKeys.map(
    (duplicate) => `${duplicate.message.replace(/^invalid YAML: /, "")}${duplicate.line ? ` (line ${duplicate.line})` : ""}; the later value is used`,
  );
  for (const key of Object.keys(front.constraints)) {
    if (!KNOWN_CONSTRAINTS.has(key)) warnings.push(`not enforced: unknown constraint ${key}`);
  }
  const sourcePath = roleSourcePath(data);
  const unknownCategories = front.constraints.requires_approval_for.flatMap((id, index) => {
    if (BUILTIN_CATEGORIES.includes(id)) return [];
    const path = ["constraints", "requires_approval_for", index];
    const line = lineOf(sourcePath(path));
    const hint = hintFor(id, BUILTIN_CATEGORIES);
    return [{ id, field: fieldPath(path), ...(line !== undefined ? { line } : {}), ...(hint ? { hint } : {}) }];
  });

  return {
    ok: true,
    role: {
      id: front.role,
      file,
      parents: front.inherits,
      forbiddenPaths: front.constraints.forbidden_paths,
      ...(front.constraints.allowed_paths ? { allowedPaths: front.constraints.allowed_paths } : {}),
      requiresApprovalFor: front.constraints.requires_approval_for,
      ...(front.decision_making.autonomy_level ? { autonomyLevel: front.decision_making.autonomy_level } : {}),
      escalationCriteria: front.decision_making.escalation_criteria.map((line) => line.trim()).filter(Boolean),
      ...(front.description ? { description: front.description } : {}),
      body: body.trim(),
      frontMatter: data,
      warnings,
      unknownCategories,
    },
  };
}

function fail(file: string, message: string): RoleParseResult {
  return { ok: false, errors: [{ file, message }] };
}

/**
 * The text between the opening `---` line and the next line that starts with
 * `---`, and what follows that line's delimiter: the split gray-matter makes,
 * which is all roleguard used of it (its engines, js-yaml 3 and esprima, loaded
 * with it and cost every CLI run about 50 ms; the YAML is the `yaml` package's).
 * Without a closing delimiter, everything after the opening one is front matter.
 * The caller has checked that the text starts with `---` and a line break.
 */
export function splitFrontMatter(source: string): { frontMatter: string; body: string } {
  const rest = source.slice(3);
  const close = rest.indexOf("\n---");
  if (close === -1) return { frontMatter: rest, body: "" };
  return { frontMatter: rest.slice(0, close), body: rest.slice(close + 4).replace(/^\r?\n/, "") };
}

/** Front matter with nothing but blank lines and `#` comment lines: an empty map, never parsed. */
function isBlank(frontMatter: string): boolean {
  return frontMatter.replace(/^\s*#[^\n]+/gm, "").trim() === "";
}
