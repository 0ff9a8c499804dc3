import { z } from "zod";

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
  const where = [error.field, error.line !== undefined ? `(line ${error.line})` : undefined]
    .filter(Boolean)
    .join(" ");
  return `${error.file}: ${where ? `${where}: ` : ""}${error.message}${error.hint ? ` (${error.hint})` : ""}`;
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

/** One PolicyError per zod issue, with the field path spelled the way a person writes it. */
export function zodErrors(file: string, error: z.ZodError, prefix: readonly PropertyKey[] = []): PolicyError[] {
  return error.issues.flatMap((issue): PolicyError[] => {
    if (issue.code === "unrecognized_keys") {
      // Name the unknown key itself: a typo such as `assing:` must not pass silently.
      return issue.keys.map((key) => ({ file, field: fieldPath([...prefix, ...issue.path, key]), message: "unknown key" }));
    }
    const field = fieldPath([...prefix, ...issue.path]);
    // A bad map key (a category id with a space) carries the real reason one level down.
    const message = issue.code === "invalid_key" ? `invalid key: ${issue.issues[0]?.message ?? issue.message}` : issue.message;
    return [field ? { file, field, message } : { file, message }];
  });
}
