import type { Config } from "../../config/schema.js";
import { PathPatternList } from "../paths.js";
import { isPathCategory, PATH_CATEGORY_DEFAULTS } from "./builtin.js";

/** A path-triggered category compiled once per evaluation: its patterns minus its `ignore` list. */
export class CategoryMatcher {
  private readonly patterns: PathPatternList;
  private readonly ignore: PathPatternList;

  constructor(
    readonly id: string,
    patterns: readonly string[],
    ignore: readonly string[],
    caseInsensitive: boolean,
  ) {
    this.patterns = new PathPatternList(patterns, { caseInsensitive });
    this.ignore = new PathPatternList(ignore, { caseInsensitive });
  }

  /** The pattern that triggered the category for this path, if any. */
  match(path: string): string | undefined {
    const pattern = this.patterns.match(path);
    return pattern !== undefined && !this.ignore.test(path) ? pattern : undefined;
  }
}

/**
 * The category's built-in patterns (unless `defaults: false`), the config's
 * `paths`, and for `governance` the config's own role file locations: a role
 * file is policy, and a role-bound author must not edit it unseen.
 */
export function compileCategory(id: string, config: Config): CategoryMatcher {
  const settings = config.categories[id];
  const defaults = isPathCategory(id) && settings?.defaults !== false ? PATH_CATEGORY_DEFAULTS[id] : [];
  const extra = id === "governance" ? config.roles.paths : [];
  return new CategoryMatcher(id, [...defaults, ...extra, ...(settings?.paths ?? [])], settings?.ignore ?? [], config.case_insensitive);
}
