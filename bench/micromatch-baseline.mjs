// The path matcher roleguard had before issue 9 (src/policy/paths.ts at
// baea785: gitignore patterns compiled to micromatch globs, backtracking
// regular expressions), kept here only so that `node bench/run.mjs` measures
// the old and the new matcher side by side, in one run on one machine.
// It is wrong in the ways issue 9 lists; never import it from src/.
import micromatch from "micromatch";

function patternToGlobs(pattern) {
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

const GLOB_SYNTAX = /[*?[\]{}()!+@\\]/;

function requiredLiteral(glob) {
  if (/[()]/.test(glob)) return "";
  return glob
    .replace(/\[[^\]]*\]/g, "/")
    .split(/[*?[\]!+@\\/]+/)
    .filter((run) => !GLOB_SYNTAX.test(run))
    .reduce((longest, run) => (run.length > longest.length ? run : longest), "");
}

export class MicromatchPatternList {
  constructor(patterns, options = {}) {
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

  match(path) {
    const subject = this.caseInsensitive ? path.toLowerCase() : path;
    let decided;
    for (const pattern of this.compiled) {
      if (!matchesAny(pattern, path, subject)) continue;
      if (!this.hasNegations) return pattern.source;
      decided = pattern;
    }
    return decided && !decided.negated ? decided.source : undefined;
  }
}

function matchesAny(pattern, path, subject) {
  const { literals, regexes } = pattern;
  if (literals.length > 0) {
    let present = false;
    for (let index = 0; index < literals.length && !present; index++) present = subject.includes(literals[index]);
    if (!present) return false;
  }
  for (let index = 0; index < regexes.length; index++) if (regexes[index].test(path)) return true;
  return false;
}
