import { distance } from "fastest-levenshtein";
import type { z } from "zod";

/**
 * "Did you mean" for a mistyped name: the nearest candidate, when it is near
 * enough to be the likely intent (a third of the word's length, at least two
 * edits: `assing` → `assign`, `database_migration` → `database_migrations`).
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const target = normalise(word);
  let best: { candidate: string; cost: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === word) return undefined;
    const cost = distance(target, normalise(candidate));
    if (!best || cost < best.cost) best = { candidate, cost };
  }
  if (!best) return undefined;
  return best.cost <= Math.max(2, Math.floor(target.length / 3)) ? best.candidate : undefined;
}

/** "did you mean `assign`?", or undefined when nothing is close. */
export function hintFor(word: string, candidates: Iterable<string>): string | undefined {
  const suggestion = didYouMean(word, candidates);
  return suggestion === undefined ? undefined : `did you mean \`${suggestion}\`?`;
}

/**
 * The known field `key` is almost surely a typo of, or undefined. Stricter than
 * {@link didYouMean}, because role files may carry any other field: one edit for
 * short names (two for long ones: `escalation_criterion`), a different spelling
 * of the same words (`forbiddenPaths`, `Forbidden-Paths`), or the first words of
 * the field (`requires_approval`, `autonomy`).
 */
export function nearMiss(key: string, known: readonly string[]): string | undefined {
  if (known.includes(key)) return undefined;
  const plain = normalise(key).replace(/_/g, "");
  for (const field of known) {
    if (plain === field.replace(/_/g, "")) return field;
  }
  const target = normalise(key);
  for (const field of known) {
    const allowed = field.length > 12 ? 2 : 1;
    if (distance(target, field) <= allowed) return field;
    if (target.length >= 5 && field.startsWith(`${target}_`)) return field;
  }
  return undefined;
}

/** Case, dashes, spaces and camelCase humps all read as `snake_case`. */
function normalise(word: string): string {
  return word
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

/**
 * The keys a zod object accepts at `path` inside `schema` (through defaults,
 * optionals, pipes, arrays, records and unions), or [] when there is no object
 * there. Read from the schema itself, so a key added to it is known at once.
 */
export function schemaKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  const visit = (node: z.ZodType, rest: readonly PropertyKey[]): void => {
    const def = node.def as unknown as Record<string, unknown> & { type: string };
    switch (def.type) {
      case "object": {
        const shape = (node as unknown as { shape: Record<string, z.ZodType> }).shape;
        if (rest.length === 0) {
          for (const key of Object.keys(shape)) keys.add(key);
          return;
        }
        const child = shape[String(rest[0])];
        if (child) visit(child, rest.slice(1));
        return;
      }
      case "array":
        if (rest.length > 0) visit(def.element as z.ZodType, rest.slice(1));
        return;
      case "record":
        if (rest.length > 0) visit(def.valueType as z.ZodType, rest.slice(1));
        return;
      case "union":
        for (const option of def.options as z.ZodType[]) visit(option, rest);
        return;
      case "pipe":
        visit(def.in as z.ZodType, rest);
        visit(def.out as z.ZodType, rest);
        return;
      case "default":
      case "prefault":
      case "optional":
      case "nullable":
      case "catch":
      case "readonly":
        visit(def.innerType as z.ZodType, rest);
        return;
      default:
        return;
    }
  };
  visit(schema, path);
  return [...keys];
}
