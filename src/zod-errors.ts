import * as z from "zod";
import { fieldPath, type PolicyError } from "./errors.js";
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
