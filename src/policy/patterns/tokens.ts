import { normalize, POSIX_CLASSES, type CodePointRange } from "./charset.js";

/** A pattern the parser refuses, with the reason a person can act on. */
export class PatternSyntaxError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "PatternSyntaxError";
  }
}

/**
 * One piece of a pattern's text. `text` is one code point (an escaped one too);
 * `star` is a run of `*`; `one` is `?`; `set` a bracket expression; `slash`
 * separates folders; `open`, `comma` and `close` are brace syntax (a comma
 * outside braces is `text`).
 */
export type Token =
  | { kind: "text"; codePoint: number }
  | { kind: "star"; count: number }
  | { kind: "one" }
  | { kind: "set"; ranges: readonly CodePointRange[]; negated: boolean }
  | { kind: "slash" }
  | { kind: "open"; at: number }
  | { kind: "comma" }
  | { kind: "close" };

const BACKSLASH = 0x5c;
const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const SLASH = 0x2f;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const BANG = 0x21;
const CARET = 0x5e;
const DASH = 0x2d;
const COLON = 0x3a;

/**
 * Splits a pattern (already without its `!` and trailing spaces) into tokens.
 * `codePoints` are the pattern's characters; `offset` is where they start in
 * the text the person wrote, so errors can say "at character N".
 */
export function tokenize(codePoints: readonly number[], offset: number): Token[] {
  const tokens: Token[] = [];
  const openBraces: number[] = [];
  let index = 0;
  const at = (position: number): string => `at character ${position + offset + 1}`;
  while (index < codePoints.length) {
    const current = codePoints[index] as number;
    if (current === BACKSLASH) {
      const escaped = codePoints[index + 1];
      if (escaped === undefined) throw new PatternSyntaxError("it ends with a lone `\\` (write `\\\\` for a backslash)");
      if (escaped === SLASH) throw new PatternSyntaxError(`\`\\/\` ${at(index)}: a slash separates folders and cannot be escaped; write \`/\``);
      tokens.push({ kind: "text", codePoint: escaped });
      index += 2;
    } else if (current === STAR) {
      let end = index;
      while (codePoints[end] === STAR) end++;
      tokens.push({ kind: "star", count: end - index });
      index = end;
    } else if (current === QUESTION) {
      tokens.push({ kind: "one" });
      index++;
    } else if (current === OPEN_BRACKET) {
      const bracket = readBracket(codePoints, index, at);
      tokens.push({ kind: "set", ranges: bracket.ranges, negated: bracket.negated });
      index = bracket.end;
    } else if (current === SLASH) {
      tokens.push({ kind: "slash" });
      index++;
    } else if (current === OPEN_BRACE) {
      openBraces.push(index);
      tokens.push({ kind: "open", at: index + offset + 1 });
      index++;
    } else if (current === CLOSE_BRACE) {
      if (openBraces.pop() === undefined) throw new PatternSyntaxError(`\`}\` ${at(index)} closes no \`{\` (write \`\\}\` for a literal brace)`);
      tokens.push({ kind: "close" });
      index++;
    } else if (current === COMMA && openBraces.length > 0) {
      tokens.push({ kind: "comma" });
      index++;
    } else {
      tokens.push({ kind: "text", codePoint: current });
      index++;
    }
  }
  const unclosed = openBraces.pop();
  if (unclosed !== undefined) throw new PatternSyntaxError(`\`{\` ${at(unclosed)} is never closed (write \`\\{\` for a literal brace)`);
  return tokens;
}

/**
 * A bracket expression, read exactly as git's wildmatch reads it: `!` or `^`
 * first negates; the first character (after that) is literal even when it is
 * `]`; `-` between two characters is a range, and literal first, last, or
 * right after a range or class; `\` escapes; `[:name:]` is a POSIX class, and
 * a `[:` without its `:]` is a literal `[`. Git matches `[z-a]` as `z` alone
 * (the start of a reversed range counts, the range does not); so does this.
 */
function readBracket(codePoints: readonly number[], start: number, at: (position: number) => string): { ranges: CodePointRange[]; negated: boolean; end: number } {
  const unclosed = (): PatternSyntaxError => new PatternSyntaxError(`\`[\` ${at(start)} is never closed (write \`\\[\` for a literal bracket)`);
  const ranges: CodePointRange[] = [];
  /** Every character written inside the brackets goes through here; a range that merely spans `/` is fine (the slash is dropped when compiled). */
  const written = (codePoint: number): number => {
    if (codePoint === SLASH) throw new PatternSyntaxError(`\`/\` inside the bracket expression ${at(start)}: a bracket expression matches one character of a name, never a slash`);
    return codePoint;
  };
  const add = (low: number, high: number = low): void => void ranges.push([low, high]);
  let index = start + 1;
  const negated = codePoints[index] === BANG || codePoints[index] === CARET;
  if (negated) index++;
  /** The previous character, when it can start a range (git's `prev_ch`). */
  let previous: number | undefined;
  let first = true;
  /** The first `]` at or after some position, remembered: `[[:[:[:…` must not rescan the pattern for every `[:`. */
  let nextClose = -1;
  for (;;) {
    let current = codePoints[index];
    if (current === undefined) throw unclosed();
    if (current === CLOSE_BRACKET && !first) break;
    first = false;
    if (current === BACKSLASH) {
      current = codePoints[++index];
      if (current === undefined) throw unclosed();
      add(written(current));
      previous = current;
      index++;
    } else if (current === DASH && previous !== undefined && codePoints[index + 1] !== undefined && codePoints[index + 1] !== CLOSE_BRACKET) {
      let high = codePoints[++index] as number;
      if (high === BACKSLASH) {
        const escaped = codePoints[++index];
        if (escaped === undefined) throw unclosed();
        high = escaped;
      }
      // `previous` itself was already added as a character of its own.
      if (written(high) >= previous) add(previous, high);
      previous = undefined;
      index++;
    } else if (current === OPEN_BRACKET && codePoints[index + 1] === COLON) {
      if (nextClose !== -1 && nextClose < index + 2) nextClose = -1;
      nextClose = nextClose === -1 ? codePoints.indexOf(CLOSE_BRACKET, index + 2) : nextClose;
      const close = nextClose;
      if (close === -1) throw unclosed();
      if (close - (index + 2) >= 1 && codePoints[close - 1] === COLON) {
        const name = String.fromCodePoint(...codePoints.slice(index + 2, close - 1));
        const members = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
        if (!members) throw new PatternSyntaxError(`unknown character class \`[:${name}:]\` ${at(index)} (known: ${Object.keys(POSIX_CLASSES).join(", ")})`);
        ranges.push(...members);
        previous = undefined;
        index = close + 1;
      } else {
        // No `:]` before the next `]`: git reads this `[` as a character of its own.
        add(OPEN_BRACKET);
        previous = OPEN_BRACKET;
        index++;
      }
    } else {
      add(written(current));
      previous = current;
      index++;
    }
  }
  return { ranges: normalize(ranges), negated, end: index + 1 };
}
