import { z } from "zod";
import { hintFor, schemaKeysAt } from "./suggest.js";
import type { LineLocator } from "./yaml.js";

/**
 * A config or role problem, as a value: which file, where in it, and why.
 * Rendered once (report, CLI, check run) instead of being thrown around as text.
 */
export const PolicyErrorSchema = z.object({
  file: z.string(),
  message: z.string(),
  field: z.string().optional(),
  line: z.number().int().positive().optional(),
  /** A fix to try, e.g. "did you mean `database_migrations`?". */
  hint: z.string().optional(),
  /**
   * Where the broken file stands: "proposed" when this change introduces the
   * problem (a role or config file as the PR would leave it); absent when it is
   * the policy in force (default branch, base ref), which the change did not cause.
   */
  origin: z.enum(["proposed"]).optional(),
});
export type PolicyError = z.infer<typeof PolicyErrorSchema>;

/** "a.md: constraints.forbidden_paths[2] (line 14): expected a string" */
export function formatPolicyError(error: PolicyError): string {
  return `${error.file}: ${formatPolicyErrorDetail(error)}`;
}

/** The error without its file, for a list headed by the file: "assing (line 3): unknown key (did you mean `assign`?)". */
export function formatPolicyErrorDetail(error: PolicyError): string {
  const where = [error.field, error.line !== undefined ? `(line ${error.line})` : undefined].filter(Boolean).join(" ");
  return `${where ? `${where}: ` : ""}${error.message}${error.hint ? ` (${error.hint})` : ""}`;
}

/**
 * Errors by the file they came from, each once (the same problem found by two
 * loaders is one problem), files in the order they first appear, lines in order.
 */
export function groupErrorsByFile(errors: readonly PolicyError[]): Map<string, PolicyError[]> {
  const groups = new Map<string, PolicyError[]>();
  const seen = new Set<string>();
  for (const error of errors) {
    const key = JSON.stringify([error.file, error.field, error.line, error.message, error.hint]);
    if (seen.has(key)) continue;
    seen.add(key);
    groups.set(error.file, [...(groups.get(error.file) ?? []), error]);
  }
  for (const list of groups.values()) list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return groups;
}

/** "file\n  detail\n  detail\n" per file: how the CLI prints policy errors. */
export function formatErrorsByFile(errors: readonly PolicyError[], indent = ""): string {
  let out = "";
  for (const [file, list] of groupErrorsByFile(errors)) {
    out += `${indent}${file}\n${list.map((error) => `${indent}  ${formatPolicyErrorDetail(error)}\n`).join("")}`;
  }
  return out;
}

/** Thrown where a caller cannot go on (the CLI turns it into exit code 2). */
export class PolicyLoadError extends Error {
  constructor(readonly errors: PolicyError[]) {
    super(errors.map(formatPolicyError).join("\n"));
    this.name = "PolicyLoadError";
  }
}

/** zod issue path → "assign[0].users" */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

export interface ZodErrorContext {
  /** Lines of the parsed YAML, so each error says where it is. */
  lineOf?: LineLocator;
  /** The schema parsed with: an unknown key is offered the nearest key it accepts there. */
  schema?: z.ZodType;
  /** Maps a path in the validated value back to the file's (a normalised shape has other indices). */
  sourcePath?: (path: readonly PropertyKey[]) => readonly PropertyKey[];
}

/** One PolicyError per zod issue, with the field path spelled the way a person writes it, its line and a fix where one is known. */
export function zodErrors(file: string, error: z.ZodError, context: ZodErrorContext = {}): PolicyError[] {
  const lineAt = (path: readonly PropertyKey[]) => {
    const line = context.lineOf?.(context.sourcePath ? context.sourcePath(path) : path);
    return line === undefined ? {} : { line };
  };
  return error.issues.flatMap((issue): PolicyError[] => {
    if (issue.code === "unrecognized_keys") {
      // Name the unknown key itself: a typo such as `assing:` must not pass silently.
      const known = context.schema ? schemaKeysAt(context.schema, issue.path) : [];
      return issue.keys.map((key): PolicyError => {
        const hint = hintFor(key, known) ?? (known.length > 0 ? `known keys here: ${known.join(", ")}` : undefined);
        return { file, field: fieldPath([...issue.path, key]), ...lineAt([...issue.path, key]), message: "unknown key", ...(hint ? { hint } : {}) };
      });
    }
    const field = fieldPath(issue.path);
    // A bad map key (a category id with a space) carries the real reason one level down.
    const message = issue.code === "invalid_key" ? `invalid key: ${issue.issues[0]?.message ?? issue.message}` : issue.message;
    // Checks that know a fix (an unknown agent, a malformed pattern) pass it as `params.hint`.
    const hint = issue.code === "custom" && typeof issue.params?.hint === "string" ? issue.params.hint : undefined;
    return [{ file, ...(field ? { field } : {}), ...lineAt(issue.path), message, ...(hint ? { hint } : {}) }];
  });
}
