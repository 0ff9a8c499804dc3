import * as z from "zod";
import { PatternSchema } from "../config/schema.js";

export const ROLE_ID = /^[a-z0-9][a-z0-9._-]*$/;

/** YAML `key:` with nothing after it is null; a role author means "none". */
const stringList = z
  .array(z.string().trim().min(1, "must not be empty"))
  .nullish()
  .transform((list) => list ?? []);

/** Path patterns (SPEC §3), each checked when the role is loaded. */
const patternList = z.array(PatternSchema).nullish();

/** The constraint keys roleguard enforces; any other key is kept and reported as not enforced. */
export const ConstraintsSchema = z
  .object({
    forbidden_paths: patternList.transform((list) => list ?? []),
    requires_approval_for: stringList,
    allowed_paths: patternList.transform((list) => list ?? undefined),
  })
  .catchall(z.unknown());
export type Constraints = z.infer<typeof ConstraintsSchema>;

/**
 * `constraints` comes in two shapes in the wild: a list of single-key maps
 * (`- forbidden_paths: [...]`) and a plain map. Both normalise to one map; a key
 * that appears in several list items has its lists concatenated.
 */
const RawConstraintsSchema = z
  .union([
    z.array(z.record(z.string(), z.unknown()), { error: "must be a map or a list of single-key maps" }),
    z.record(z.string(), z.unknown()),
  ], { error: "must be a map or a list of single-key maps" })
  .nullish()
  .transform((raw): Record<string, unknown> => {
    if (!raw) return {};
    if (!Array.isArray(raw)) return raw;
    const merged: Record<string, unknown> = {};
    for (const item of raw) {
      for (const [key, value] of Object.entries(item)) {
        const before = merged[key];
        merged[key] = Array.isArray(before) && Array.isArray(value) ? [...before, ...value] : value;
      }
    }
    return merged;
  })
  .pipe(ConstraintsSchema);

export const AUTONOMY_LEVELS = ["low", "medium", "high"] as const;

export const DecisionMakingSchema = z
  .object({
    autonomy_level: z.enum(AUTONOMY_LEVELS).nullish().transform((level) => level ?? undefined),
    escalation_criteria: z
      .array(z.union([z.string(), z.number()]).transform(String))
      .nullish()
      .transform((list) => list ?? []),
  })
  .catchall(z.unknown());

export const RoleFrontMatterSchema = z
  .object({
    role: z.string({ error: "is required (the role's id)" }).regex(ROLE_ID, "must match ^[a-z0-9][a-z0-9._-]*$"),
    inherits: z
      .union([z.string().regex(ROLE_ID, "must be a role id"), z.array(z.string().regex(ROLE_ID, "must be a role id"))])
      .nullish()
      .transform((parents) => (parents == null ? [] : typeof parents === "string" ? [parents] : parents)),
    description: z.union([z.string(), z.number()]).transform(String).nullish(),
    constraints: RawConstraintsSchema,
    decision_making: DecisionMakingSchema.nullish().transform(
      (decision) => decision ?? { escalation_criteria: [] as string[], autonomy_level: undefined },
    ),
  })
  // Role files carry much more (version, expertise, capabilities...): kept and shown, never enforced.
  .catchall(z.unknown());
export type RoleFrontMatter = z.infer<typeof RoleFrontMatterSchema>;
export type AutonomyLevel = (typeof AUTONOMY_LEVELS)[number];

/** One role file, parsed and validated but not yet resolved against its parents. */
export interface RoleFile {
  id: string;
  file: string;
  parents: string[];
  forbiddenPaths: string[];
  allowedPaths?: string[];
  requiresApprovalFor: string[];
  autonomyLevel?: AutonomyLevel;
  escalationCriteria: string[];
  description?: string;
  body: string;
  /** The whole front matter, for `roles show`. */
  frontMatter: Record<string, unknown>;
  warnings: string[];
  /**
   * `requires_approval_for` entries that are not built-in categories, with
   * where they are: enforced only if the config gives them paths (SPEC §2), so
   * `roles lint` reports each, with the built-in it may be a typo of.
   */
  unknownCategories: { id: string; field: string; line?: number; hint?: string }[];
}

/** Where a constraint came from after inheritance, so a finding can say "inherited from X". */
export interface Sourced<T> {
  value: T;
  from: string;
}

export interface ResolvedRole {
  id: string;
  file: string;
  /** Ancestors, nearest first, then theirs. */
  ancestors: string[];
  forbiddenPaths: Sourced<string>[];
  allowedPaths?: Sourced<string>[];
  requiresApprovalFor: Sourced<string>[];
  autonomyLevel?: AutonomyLevel;
  escalationCriteria: Sourced<string>[];
  description?: string;
  body: string;
  frontMatter: Record<string, unknown>;
  warnings: string[];
}
