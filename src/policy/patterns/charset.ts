/**
 * The characters a bracket expression (`[a-z]`, `[!0-9]`, `[[:alpha:]]`) lists,
 * as sorted, disjoint, inclusive code-point ranges. Kept as plain numbers (not
 * RE2 class syntax) so that "never a slash" is exact whatever the pattern
 * wrote, before one RE2 class is emitted with every code point escaped.
 */
export type CodePointRange = readonly [low: number, high: number];

const MAX_CODE_POINT = 0x10ffff;
const SLASH = 0x2f;

/**
 * POSIX classes as git's wildmatch knows them: ASCII only, with git's own
 * `ctype` (its `space` is tab, line feed, carriage return and space, not
 * vertical tab or form feed). Measured against `git check-ignore`, character
 * by character, for every ASCII code (test/engine/patterns-git.test.ts).
 */
export const POSIX_CLASSES: Readonly<Record<string, readonly CodePointRange[]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0a], [0x0d, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

/** Sorts and merges ranges (touching ranges merge too). */
export function normalize(ranges: readonly CodePointRange[]): CodePointRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [low, high] of sorted) {
    const last = merged.at(-1);
    if (last && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else merged.push([low, high]);
  }
  return merged;
}

/** The normalized ranges minus `/`: a bracket expression matches one character of a name, never a slash. */
function withoutSlash(ranges: readonly CodePointRange[]): CodePointRange[] {
  return ranges.flatMap(([low, high]): CodePointRange[] => {
    if (high < SLASH || low > SLASH) return [[low, high]];
    const parts: CodePointRange[] = [];
    if (low < SLASH) parts.push([low, SLASH - 1]);
    if (high > SLASH) parts.push([SLASH + 1, high]);
    return parts;
  });
}

/** One code point inside an RE2 class or outside one: `\x{…}` needs no thought about which characters are special. */
export function escapeCodePoint(codePoint: number): string {
  const isWordChar = (codePoint >= 0x30 && codePoint <= 0x39) || (codePoint >= 0x41 && codePoint <= 0x5a) || (codePoint >= 0x61 && codePoint <= 0x7a) || codePoint === 0x5f;
  return isWordChar ? String.fromCodePoint(codePoint) : `\\x{${codePoint.toString(16)}}`;
}

/**
 * The RE2 class for a bracket expression, never matching `/`. A negated one
 * stays `[^…]` (with `/` added) rather than being complemented here: ignoring
 * case, RE2 folds the listed characters first and negates after, so `[!a]`
 * excludes `A` too, as git's case folding does.
 */
export function toRegexClass(ranges: readonly CodePointRange[], negated: boolean): string {
  const members = negated ? normalize([...ranges, [SLASH, SLASH]]) : withoutSlash(normalize(ranges));
  if (members.length === 0) return `[^\\x{0}-\\x{${MAX_CODE_POINT.toString(16)}}]`; // `[/]` alone; the parser refuses it, but never emit `[]`
  const items = members.map(([low, high]) => (low === high ? escapeCodePoint(low) : `${escapeCodePoint(low)}-${escapeCodePoint(high)}`));
  return `[${negated ? "^" : ""}${items.join("")}]`;
}
