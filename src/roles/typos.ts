import type { PolicyError } from "../errors.js";
import { nearMiss } from "../suggest.js";
import type { LineLocator } from "../yaml.js";
import { ConstraintsSchema, DecisionMakingSchema, RoleFrontMatterSchema } from "./schema.js";

/** The fields whose misspelling silently switches a constraint off, read from the schemas (SPEC §1). */
const CONSTRAINT_FIELDS = Object.keys(ConstraintsSchema.shape);
const DECISION_FIELDS = Object.keys(DecisionMakingSchema.shape);
// `role` is required and `description` enforces nothing: a typo there is caught, or harmless.
const TOP_FIELDS = Object.keys(RoleFrontMatterSchema.shape).filter((key) => key !== "role" && key !== "description");

interface Scope {
  /** Where the keys are, in the file: ["constraints", 1] for an item of the list shape. */
  path: (string | number)[];
  /** How a person names the place: "constraints". */
  label: string;
  own: readonly string[];
  /** Fields of other places, and where they belong: `forbidden_paths` at the top level forbids nothing. */
  elsewhere: readonly [fields: readonly string[], home: string][];
}

const TOP: Omit<Scope, "path"> = { label: "", own: TOP_FIELDS, elsewhere: [[CONSTRAINT_FIELDS, "constraints"], [DECISION_FIELDS, "decision_making"]] };
const CONSTRAINTS: Omit<Scope, "path"> = { label: "constraints", own: CONSTRAINT_FIELDS, elsewhere: [[DECISION_FIELDS, "decision_making"]] };
const DECISIONS: Omit<Scope, "path"> = { label: "decision_making", own: DECISION_FIELDS, elsewhere: [[CONSTRAINT_FIELDS, "constraints"]] };

/**
 * Front-matter keys that are almost surely a typo of a field roleguard
 * enforces (`forbidden_path`, `requires_approval`, `inherit`), or an enforced
 * field in the wrong place: as written they are ignored and the role forbids
 * less than its author thinks, so each is an error with the fix. Every other
 * unknown key is allowed (role files carry much more: version, expertise...).
 */
export function roleKeyTypos(front: Record<string, unknown>, file: string, lineOf: LineLocator): PolicyError[] {
  const errors: PolicyError[] = [];
  const check = (value: unknown, scope: Scope) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      if (scope.own.includes(key)) continue;
      const path = [...scope.path, key];
      const field = scope.label ? `${scope.label}.${key}` : key;
      const line = lineOf(path);
      const at = line !== undefined ? { line } : {};
      const intended = nearMiss(key, scope.own);
      if (intended) {
        errors.push({ file, field, ...at, message: `unknown field ${key}: as written it is ignored`, hint: `did you mean \`${intended}\`?` });
        continue;
      }
      for (const [fields, home] of scope.elsewhere) {
        const meant = fields.includes(key) ? key : nearMiss(key, fields);
        if (!meant) continue;
        errors.push({ file, field, ...at, message: `${key} belongs under ${home}: here it is ignored`, hint: `move it under \`${home}:\`${meant === key ? "" : ` as \`${meant}\``}` });
        break;
      }
    }
  };
  check(front, { ...TOP, path: [] });
  const constraints = front.constraints;
  if (Array.isArray(constraints)) constraints.forEach((item, index) => check(item, { ...CONSTRAINTS, path: ["constraints", index] }));
  else check(constraints, { ...CONSTRAINTS, path: ["constraints"] });
  check(front.decision_making, { ...DECISIONS, path: ["decision_making"] });
  return errors;
}

/**
 * A path in the normalised front matter (`constraints.forbidden_paths[3]`)
 * back to the file's, where `constraints` may be a list of single-key maps
 * whose lists were concatenated: `constraints[1].forbidden_paths[0]`.
 */
export function roleSourcePath(front: Record<string, unknown>): (path: readonly PropertyKey[]) => readonly PropertyKey[] {
  return (path) => {
    const items = front.constraints;
    if (path[0] !== "constraints" || path.length < 2 || !Array.isArray(items)) return path;
    const [, key, index, ...rest] = path;
    const holders = items.map((item, position) => ({ item: item as Record<string, unknown> | null, position })).filter(({ item }) => item !== null && typeof item === "object" && Object.hasOwn(item, String(key)));
    if (holders.length === 0) return path;
    if (typeof index === "number") {
      let remaining = index;
      for (const { item, position } of holders) {
        const list = item?.[String(key)];
        const length = Array.isArray(list) ? list.length : 0;
        if (remaining < length) return ["constraints", position, key as PropertyKey, remaining, ...rest];
        remaining -= length;
      }
    }
    // A scalar: the later key wins when merging, so point at the last one.
    const last = holders[holders.length - 1] as { position: number };
    return ["constraints", last.position, ...path.slice(1)];
  };
}
