import type { z } from "zod";
import type { PolicyErrorSchema } from "./zod-errors.js";

/**
 * A config or role problem, as a value: which file, where in it, and why.
 * Rendered once (report, CLI, check run) instead of being thrown around as text.
 * The type comes from its zod schema, which lives with the zod-facing code in
 * `zod-errors.ts`: the engine and the CLI's fast path format errors without
 * loading zod (about 40 ms of a `roleguard check` on a warm policy cache).
 */
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
