import micromatch from "micromatch";

export interface PatternOptions {
  /** Git is case-sensitive; `case_insensitive: true` in the config turns that off. */
  caseInsensitive?: boolean;
}

interface CompiledPattern {
  source: string;
  negated: boolean;
  regex: RegExp;
}

/**
 * Turns one gitignore-style pattern into micromatch globs (SPEC §3):
 * - a leading `/`, or a slash anywhere but at the end, anchors it at the root;
 *   otherwise it matches at any depth (`**` + `/`);
 * - a trailing `/` means "everything below this folder";
 * - without one, the pattern matches the path itself *and* everything below it,
 *   so `infrastructure` covers `infrastructure/main.tf` and `package.json` the file.
 */
export function patternToGlobs(pattern: string): { globs: string[]; negated: boolean } {
  let body = pattern.trim();
  const negated = body.startsWith("!");
  if (negated) body = body.slice(1);
  let anchored = body.startsWith("/");
  body = body.replace(/^\/+/, "");
  const folderOnly = body.endsWith("/");
  body = body.replace(/\/+$/, "");
  if (body === "") return { globs: [], negated };
  if (body.includes("/")) anchored = true;
  const base = anchored ? body : `**/${body}`;
  return { globs: folderOnly ? [`${base}/**/*`] : [base, `${base}/**/*`], negated };
}

/**
 * An ordered pattern list, compiled once. The last pattern that matches decides,
 * so `!pattern` re-allows what an earlier pattern of the same list caught.
 */
export class PathPatternList {
  private readonly compiled: CompiledPattern[];
  /** One alternation of every positive pattern: most paths match nothing and stop here. */
  private readonly anyPositive: RegExp | undefined;
  private readonly hasNegations: boolean;

  constructor(
    readonly patterns: readonly string[],
    options: PatternOptions = {},
  ) {
    const matchOptions = { dot: true, nocase: options.caseInsensitive ?? false };
    this.compiled = patterns.flatMap((source) => {
      const { globs, negated } = patternToGlobs(source);
      if (globs.length === 0) return [];
      const parts = globs.map((glob) => micromatch.makeRe(glob, matchOptions).source);
      return [{ source, negated, regex: new RegExp(parts.map((part) => `(?:${part})`).join("|"), matchOptions.nocase ? "i" : "") }];
    });
    const positives = this.compiled.filter((pattern) => !pattern.negated);
    this.anyPositive =
      positives.length > 0
        ? new RegExp(positives.map((pattern) => `(?:${pattern.regex.source})`).join("|"), matchOptions.nocase ? "i" : "")
        : undefined;
    this.hasNegations = positives.length !== this.compiled.length;
  }

  get isEmpty(): boolean {
    return this.anyPositive === undefined;
  }

  /** The pattern that caught `path`, or undefined when none did (or a later `!` re-allowed it). */
  match(path: string): string | undefined {
    if (!this.anyPositive || !this.anyPositive.test(path)) return undefined;
    if (!this.hasNegations) return this.compiled.find((pattern) => pattern.regex.test(path))?.source;
    let decided: CompiledPattern | undefined;
    for (const pattern of this.compiled) if (pattern.regex.test(path)) decided = pattern;
    return decided && !decided.negated ? decided.source : undefined;
  }

  test(path: string): boolean {
    return this.match(path) !== undefined;
  }
}
