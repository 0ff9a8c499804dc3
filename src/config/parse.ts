import type { PolicyError } from "../errors.js";
import { zodErrors } from "../zod-errors.js";
import { DEPENDENCY_CATEGORIES, SPECIAL_CATEGORIES } from "../policy/categories/builtin.js";
import { parseYaml, type LineLocator } from "../yaml.js";
import { CategoryConfigSchema, ConfigSchema, type Config } from "./schema.js";

export const CONFIG_PATH = ".github/roleguard.yml";

export type ConfigParseResult = { ok: true; config: Config } | { ok: false; errors: PolicyError[] };

/** A config file that parsed, with where each of its keys is, for errors found later (an unknown category). */
export interface ParsedConfigFile {
  file: string;
  config: Config;
  lineOf: LineLocator;
  /**
   * Whose file it is. An organisation's (or an `_extends`ed) file serves many
   * repositories, so it may name categories that only some repositories' roles use.
   */
  shared?: boolean;
}

/** Parses and validates a `.github/roleguard.yml`. An empty file is the defaults. */
export function parseConfig(text: string, file: string = CONFIG_PATH): ConfigParseResult {
  const parsed = parseConfigFile(text, file);
  return parsed.ok ? { ok: true, config: parsed.file.config } : parsed;
}

/**
 * {@link parseConfig}, keeping the file's lines. A file that fails validation
 * still yields `names`: its category keys and assigned roles, so the checks
 * that need the role set (an unknown category, an undefined role) report
 * their mistakes in the same run as the rest, not one fix later.
 */
export function parseConfigFile(
  text: string,
  file: string = CONFIG_PATH,
): { ok: true; file: ParsedConfigFile } | { ok: false; errors: PolicyError[]; names?: ParsedConfigFile } {
  if (text.includes("\u0000")) return { ok: false, errors: [{ file, message: "not a text file" }] };
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return parsed;
  const { lineOf } = parsed.yaml;
  const raw = parsed.yaml.value ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, errors: [{ file, line: 1, message: "must be a YAML map of settings (roles, assign, categories, ...)" }] };
  }
  const result = ConfigSchema.safeParse(raw);
  const errors = [...(result.success ? [] : zodErrors(file, result.error, { lineOf, schema: ConfigSchema })), ...pathlessCategoryErrors(raw, file, lineOf)];
  if (errors.length > 0 || !result.success) return { ok: false, errors, names: { file, config: namesOf(raw), lineOf } };
  return { ok: true, file: { file, config: result.data, lineOf } };
}

/** The defaults, with the raw file's `categories` keys and `assign[].role` / `default_role` names where they are strings. */
function namesOf(raw: object): Config {
  const { categories, assign, default_role: defaultRole } = raw as { categories?: unknown; assign?: unknown; default_role?: unknown };
  const config = ConfigSchema.parse({});
  if (categories && typeof categories === "object" && !Array.isArray(categories)) {
    for (const id of Object.keys(categories)) config.categories[id] = CategoryConfigSchema.parse({});
  }
  if (Array.isArray(assign)) {
    config.assign = assign.flatMap((entry: unknown) => {
      const role = (entry as { role?: unknown } | null)?.role;
      return typeof role === "string" ? [{ role, users: ["*"], teams: [], labels: [], agents: [] }] : [];
    });
  }
  if (typeof defaultRole === "string") config.default_role = [defaultRole];
  else if (Array.isArray(defaultRole)) config.default_role = defaultRole.filter((id): id is string => typeof id === "string");
  return config;
}

/** What triggers each category that no path pattern does, for the error that says `paths` cannot. */
const TRIGGERS: Record<string, string> = {
  forbidden_paths: "each role's forbidden_paths and allowed_paths",
  delete_files: "any deleted file",
  commit: "every pull request of the role",
  low_confidence: "the confidence stated in the PR description",
  ...Object.fromEntries(DEPENDENCY_CATEGORIES.map((id) => [id, "the dependencies read from the manifests"])),
};

/**
 * `paths`, `ignore` and `defaults` on a category that no path triggers
 * (`delete_files`, `commit`, the dependency categories...) would do nothing;
 * someone who writes `delete_files: { ignore: [docs/] }` expects deletions in
 * docs/ to pass, so it is an error rather than a silent no-op.
 */
function pathlessCategoryErrors(raw: object, file: string, lineOf: LineLocator): PolicyError[] {
  const categories = (raw as { categories?: unknown }).categories;
  if (categories === null || typeof categories !== "object" || Array.isArray(categories)) return [];
  const errors: PolicyError[] = [];
  for (const id of SPECIAL_CATEGORIES) {
    const settings = (categories as Record<string, unknown>)[id];
    if (settings === null || typeof settings !== "object") continue;
    for (const key of ["paths", "ignore", "defaults"]) {
      if (!Object.hasOwn(settings, key)) continue;
      const path = ["categories", id, key];
      const line = lineOf(path);
      errors.push({
        file,
        field: path.join("."),
        ...(line !== undefined ? { line } : {}),
        message: `${id} has no path patterns (it is triggered by ${TRIGGERS[id] ?? "something other than paths"}), so \`${key}\` would do nothing`,
        hint: `remove \`${key}\`; only \`approvers\` can be set for ${id}`,
      });
    }
  }
  return errors;
}
