import type { PolicyError } from "../errors.js";
import { parseRoleFile } from "./parse.js";
import { buildRoleSet, type RoleSource } from "./resolve.js";
import type { ResolvedRole } from "./schema.js";

/** One file's result for `roles lint`: it loads (with its role) or not, and what to look at either way. */
export interface LintedFile {
  file: string;
  /** The resolved role, when the file loads. */
  role?: ResolvedRole;
  errors: PolicyError[];
  /** What loads but may not do what its author means: an unknown category, a duplicate key, a constraint nothing enforces. */
  warnings: PolicyError[];
}

/**
 * Lints `files` (one of the sources) resolved together with every source, so
 * a parent defined in another file or a built-in counts. Each error and
 * warning belongs to exactly one linted file.
 */
export function lintRoleFiles(sources: readonly RoleSource[], files: readonly { path: string; text: string }[]): LintedFile[] {
  const set = buildRoleSet(sources);
  const byFile = new Map([...set.roles.values()].map((role) => [role.file, role]));
  return files.map(({ path, text }) => {
    const errors = set.errors.filter((error) => error.file === path);
    const role = errors.length === 0 ? byFile.get(path) : undefined;
    const parsed = parseRoleFile(text, path);
    const warnings: PolicyError[] = parsed.ok
      ? [
          ...parsed.role.unknownCategories.map(({ id, field, line, hint }) => ({
            file: path,
            field,
            ...(line !== undefined ? { line } : {}),
            message: `not enforced: unknown category ${id}`,
            hint: hint ?? `enforced only where the config gives it paths under categories.${id}`,
          })),
          ...parsed.role.warnings.map((message) => ({ file: path, message })),
        ]
      : [];
    return { file: path, ...(role ? { role } : {}), errors, warnings };
  });
}
