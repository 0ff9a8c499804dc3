import micromatch from "micromatch";

export interface PatternOptions {
  /** Git is case-sensitive; `case_insensitive: true` in the config turns that off. */
  caseInsensitive?: boolean;
}

interface CompiledPattern {
  source: string;
  negated: boolean;
  /** One per brace-expanded glob of the pattern: the path itself, everything below it. */
  regexes: RegExp[];
  /**
   * Text a matching path must contain, one per brace alternative (lower-cased
   * when matching ignores case); empty when some alternative has none. A cheap
   * `includes` before any regex runs: most paths match no pattern.
   */
  literals: string[];
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

/** Glob syntax: a run of other characters is literal text the path must contain. */
const GLOB_SYNTAX = /[*?[\]{}()!+@\\]/;

/** The longest literal run of a brace-free glob: text every matching path contains ("" when none). */
function requiredLiteral(glob: string): string {
  if (/[()]/.test(glob)) return ""; // extglobs make any run optional
  return glob
    .replace(/\[[^\]]*\]/g, "/") // a [class] stands for one character, none of its letters is required
    .split(/[*?[\]!+@\\/]+/)
    .filter((run) => !GLOB_SYNTAX.test(run))
    .reduce((longest, run) => (run.length > longest.length ? run : longest), "");
}

/**
 * An ordered pattern list, compiled once. The last pattern that matches decides,
 * so `!pattern` re-allows what an earlier pattern of the same list caught.
 */
export class PathPatternList {
  private readonly compiled: CompiledPattern[];
  private readonly hasNegations: boolean;
  private readonly caseInsensitive: boolean;

  constructor(
    readonly patterns: readonly string[],
    options: PatternOptions = {},
  ) {
    this.caseInsensitive = options.caseInsensitive ?? false;
    const matchOptions = { dot: true, nocase: this.caseInsensitive };
    this.compiled = patterns.flatMap((source) => {
      const { globs, negated } = patternToGlobs(source);
      if (globs.length === 0) return [];
      const expanded = globs.flatMap((glob) => micromatch.braces(glob, { expand: true }));
      const literals = [...new Set(expanded.map((glob) => requiredLiteral(glob)))].map((literal) => (this.caseInsensitive ? literal.toLowerCase() : literal));
      return [{ source, negated, regexes: expanded.map((glob) => micromatch.makeRe(glob, matchOptions)), literals: literals.includes("") ? [] : literals }];
    });
    this.hasNegations = this.compiled.some((pattern) => pattern.negated);
  }

  get isEmpty(): boolean {
    return !this.compiled.some((pattern) => !pattern.negated);
  }

  /** The pattern that caught `path`, or undefined when none did (or a later `!` re-allowed it). */
  match(path: string): string | undefined {
    const subject = this.caseInsensitive ? path.toLowerCase() : path;
    let decided: CompiledPattern | undefined;
    for (const pattern of this.compiled) {
      if (!matchesAny(pattern, path, subject)) continue;
      // Without negations the first match decides; with them, the last one does.
      if (!this.hasNegations) return pattern.source;
      decided = pattern;
    }
    return decided && !decided.negated ? decided.source : undefined;
  }

  test(path: string): boolean {
    return this.match(path) !== undefined;
  }
}

/** Plain loops: this runs for every path × pattern, where a closure per call shows up in the profile. */
function matchesAny(pattern: CompiledPattern, path: string, subject: string): boolean {
  const { literals, regexes } = pattern;
  if (literals.length > 0) {
    let present = false;
    for (let index = 0; index < literals.length && !present; index++) present = subject.includes(literals[index] as string);
    if (!present) return false;
  }
  for (let index = 0; index < regexes.length; index++) if ((regexes[index] as RegExp).test(path)) return true;
  return false;
}

/** Brace alternatives one pattern may expand to: beyond this a pattern is a mistake or an attack, never a policy. */
const MAX_ALTERNATIVES = 256;
const POSIX_CLASSES = new Set(["alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit"]);

/**
 * Why a pattern (SPEC §3) is malformed, or undefined when it is fine. Checked
 * when a role or config is loaded, so `deploy/[abc` is an error naming it
 * rather than a pattern that silently matches nothing. Kept apart from the
 * matcher: whatever compiles patterns, this is what a person may write.
 */
export function validatePattern(pattern: string): string | undefined {
  const text = pattern.trim();
  if (text === "") return "is empty";
  const unanchored = text.replace(/^!/, "").replace(/^\/+/, "");
  const lead = text.length - unanchored.length; // character positions are the pattern's, not the body's
  const body = unanchored.replace(/\/+$/, "");
  if (body === "") return text.startsWith("!") ? "`!` alone re-allows nothing: write `!` followed by a pattern" : "names no path";
  let depth = 0;
  let alternatives = 1;
  const groups: number[] = [];
  for (let index = 0; index < body.length; index++) {
    const char = body[index];
    if (char === "\\") {
      if (index === body.length - 1) return "ends with a lone `\\` (it escapes the next character; write `\\\\` for a backslash)";
      index++;
    } else if (char === "[") {
      const end = bracketEnd(body, index, lead);
      if (typeof end === "string") return end;
      index = end;
    } else if (char === "{") {
      depth++;
      groups.push(1);
    } else if (char === "," && depth > 0) {
      groups[groups.length - 1] = (groups[groups.length - 1] ?? 1) + 1;
    } else if (char === "}") {
      if (depth === 0) return `unmatched \`}\` at character ${lead + index + 1} (write \`\\}\` for a literal brace)`;
      depth--;
      alternatives *= groups.pop() ?? 1;
      if (alternatives > MAX_ALTERNATIVES) return `expands to more than ${MAX_ALTERNATIVES} alternatives`;
    }
  }
  if (depth > 0) return "unclosed `{` (write `\\{` for a literal brace)";
  try {
    // Ranges such as {1..9} are counted by expanding them, within the same bound.
    if (micromatch.braces(body, { expand: true, rangeLimit: MAX_ALTERNATIVES }).length > MAX_ALTERNATIVES) return `expands to more than ${MAX_ALTERNATIVES} alternatives`;
  } catch {
    return `expands to more than ${MAX_ALTERNATIVES} alternatives`;
  }
  return undefined;
}

/** The index of the `]` closing the bracket expression that opens at `start`, or why it does not close. */
function bracketEnd(text: string, start: number, lead: number): number | string {
  let index = start + 1;
  if (text[index] === "!" || text[index] === "^") index++;
  if (text[index] === "]") index++; // `]` first is literal
  for (; index < text.length; index++) {
    const char = text[index];
    if (char === "]") return index;
    if (char === "\\") index++;
    else if (char === "[" && text[index + 1] === ":") {
      const close = text.indexOf(":]", index + 2);
      if (close < 0) break;
      const name = text.slice(index + 2, close);
      if (!POSIX_CLASSES.has(name)) return `unknown character class [:${name}:] (known: ${[...POSIX_CLASSES].join(", ")})`;
      index = close + 1;
    }
  }
  return `unclosed \`[\` at character ${lead + start + 1} (a bracket expression needs its \`]\`; write \`\\[\` for a literal bracket)`;
}
