import type { CodePointRange } from "./charset.js";
import { expandBraces } from "./braces.js";
import { PatternSyntaxError, tokenize, type Token } from "./tokens.js";

/**
 * gitignore pattern text → its structure (SPEC §3). The steps are git's own,
 * in git's order (dir.c `add_pattern`): unescaped trailing spaces go, a
 * leading `!` negates, one trailing `/` means "a folder", a `/` anywhere else
 * anchors the pattern at the root, and a pattern without one matches a name
 * at any depth. Braces (roleguard's addition) expand first, so each
 * alternative is a pattern of its own: `{src,lib}/x` is `src/x` and `lib/x`.
 */

export const MAX_PATTERN_LENGTH = 1000;

/** One part of a file or folder name: literal text, `*`, `?`, or a bracket expression. */
export type NamePart = { kind: "text"; text: string } | { kind: "star" } | { kind: "one" } | { kind: "set"; ranges: readonly CodePointRange[]; negated: boolean };

/** A folder level: a name glob, or `**` standing alone (any number of folders). */
export type Segment = { kind: "name"; parts: NamePart[] } | { kind: "globstar" };

export interface Alternative {
  /** Matched from the root (a leading `/`, or a `/` inside); otherwise against the name at any depth. */
  anchored: boolean;
  /** A trailing `/`: only a folder matches (and so everything below it). */
  folderOnly: boolean;
  segments: Segment[];
}

export interface ParsedPattern {
  source: string;
  negated: boolean;
  alternatives: Alternative[];
}

export type ParseResult = { ok: true; pattern: ParsedPattern } | { ok: false; reason: string };

export function parsePattern(source: string): ParseResult {
  try {
    return { ok: true, pattern: parseOrThrow(source) };
  } catch (error) {
    if (error instanceof PatternSyntaxError) return { ok: false, reason: error.reason };
    throw error;
  }
}

function parseOrThrow(source: string): ParsedPattern {
  if (source.length > MAX_PATTERN_LENGTH) throw new PatternSyntaxError(`it is ${source.length.toLocaleString("en-US")} characters long; the limit is ${MAX_PATTERN_LENGTH.toLocaleString("en-US")}`);
  const codePoints = toCodePoints(source);
  const trimmed = trimTrailingSpaces(codePoints);
  if (trimmed.length === 0) throw new PatternSyntaxError(codePoints.length === 0 ? "it is empty" : "it is only spaces");
  const negated = trimmed[0] === BANG;
  const body = negated ? trimmed.slice(1) : trimmed;
  if (body.length === 0) throw new PatternSyntaxError("a lone `!` negates nothing");
  const alternatives = expandBraces(tokenize(body, negated ? 1 : 0)).map((tokens, index, all) => toAlternative(tokens, all.length > 1 ? index : undefined));
  return { source, negated, alternatives };
}

const BANG = 0x21;
const SPACE = 0x20;
const BACKSLASH = 0x5c;

/** The pattern's code points; a lone UTF-16 surrogate is not text, and could never be written in a role file anyway. */
function toCodePoints(source: string): number[] {
  const codePoints: number[] = [];
  for (const char of source) {
    const codePoint = char.codePointAt(0) as number;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
      throw new PatternSyntaxError(`it contains an unpaired UTF-16 surrogate (U+${codePoint.toString(16).toUpperCase()}) at character ${codePoints.length + 1}, which is not text`);
    }
    codePoints.push(codePoint);
  }
  return codePoints;
}

/** git's `trim_trailing_spaces`: trailing spaces go unless the first of them is escaped (`\ `). */
function trimTrailingSpaces(codePoints: readonly number[]): number[] {
  let firstTrailingSpace: number | undefined;
  for (let index = 0; index < codePoints.length; index++) {
    const codePoint = codePoints[index];
    if (codePoint === SPACE) firstTrailingSpace ??= index;
    else {
      if (codePoint === BACKSLASH) index++;
      firstTrailingSpace = undefined;
    }
  }
  return firstTrailingSpace === undefined ? [...codePoints] : codePoints.slice(0, firstTrailingSpace);
}

type PlainToken = Exclude<Token, { kind: "open" | "comma" | "close" }>;

function toAlternative(tokens: readonly PlainToken[], braceIndex: number | undefined): Alternative {
  const which = braceIndex === undefined ? "it" : `its brace alternative ${braceIndex + 1}`;
  let start = 0;
  let end = tokens.length;
  const anchoredByRoot = tokens[0]?.kind === "slash";
  if (anchoredByRoot) start++;
  const folderOnly = end > start && tokens[end - 1]?.kind === "slash";
  if (folderOnly) end--;
  if (end <= start) throw new PatternSyntaxError(`${which} names no file or folder${anchoredByRoot || folderOnly ? " (only `/`)" : ""}`);
  const segments: PlainToken[][] = [[]];
  for (let index = start; index < end; index++) {
    const token = tokens[index] as PlainToken;
    if (token.kind === "slash") segments.push([]);
    else (segments.at(-1) as PlainToken[]).push(token);
  }
  if (segments.some((segment) => segment.length === 0)) throw new PatternSyntaxError(`${which} has an empty folder name (\`//\`), which no path has`);
  const anchored = anchoredByRoot || segments.length > 1;
  return { anchored, folderOnly, segments: segments.map((segment) => toSegment(segment, anchored)) };
}

/**
 * `**` is special only as a whole folder level of an anchored pattern: first
 * (any folders above), between two slashes (zero or more folders), last
 * (everything below). Anywhere else, as in git, a run of stars is one `*`.
 * (git's code, after a literal start, reads `ab**` followed by `/c` as `ab`
 * then a real `**`, so that it matches `abc` and `ab/x/c`; git's documentation
 * says such stars are one `*`, and roleguard follows the documentation.)
 */
function toSegment(tokens: readonly PlainToken[], anchored: boolean): Segment {
  const stars = tokens.reduce((total, token) => (token.kind === "star" ? total + token.count : Number.NaN), 0);
  if (anchored && stars >= 2) return { kind: "globstar" };
  const parts: NamePart[] = [];
  for (const token of tokens) {
    const last = parts.at(-1);
    if (token.kind === "text") {
      const char = String.fromCodePoint(token.codePoint);
      if (last?.kind === "text") last.text += char;
      else parts.push({ kind: "text", text: char });
    } else if (token.kind === "star") {
      if (last?.kind !== "star") parts.push({ kind: "star" });
    } else if (token.kind === "one") parts.push({ kind: "one" });
    else if (token.kind === "set") parts.push({ kind: "set", ranges: token.ranges, negated: token.negated });
  }
  return { kind: "name", parts };
}
