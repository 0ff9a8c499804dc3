/**
 * A reader for the block structure of HCL native syntax (Terraform's `*.tf`),
 * enough to find `terraform { required_providers { … } }` and `module` blocks:
 * blocks with their labels, attributes with their values, and for values only
 * what a dependency needs (a string, an object of them); any other expression
 * is kept as its text.
 *
 * Why not the HCL parser itself: the one maintained on npm is HashiCorp's Go
 * parser compiled to WebAssembly (`@cdktf/hcl2json`, now `@cdktn/hcl2json`).
 * Measured here, it took 58 s and 1 GB on a 128 KB file holding one unclosed
 * heredoc, and a 1 MB run of nested `${` aborted the whole Node process (the
 * Go runtime ran out of memory); a pull request must not be able to do that
 * to the app. The older npm builds are the same Go code (GopherJS) unkept
 * since. This reader is one linear pass with explicit stacks: no recursion to
 * overflow, no backtracking, at most one token per character.
 *
 * What it checks: the lexical grammar (strings and their escapes, `${ }` and
 * `%{ }` templates nested to any depth, heredocs `<<EOT` / `<<-EOT`, the three
 * comment forms) and the structure (balanced brackets, every body item an
 * attribute `name = value` or a block `type "label" { … }`, nothing after a
 * value on its line). It does not check expressions, types or references:
 * Terraform does that, and a file this reader accepts but Terraform rejects
 * still has its declared dependencies read correctly.
 */
import { ManifestParseError } from "./errors.js";
import { manifestText, quoteForMessage } from "./text.js";

export type HclValue =
  /** A quoted string or heredoc; `literal` is false when it interpolates (`"${var.x}"`), then `value` is its text as written. */
  | { kind: "string"; value: string; literal: boolean; line: number }
  /** An object constructor `{ key = value, … }` whose keys are names or literal strings. */
  | { kind: "object"; entries: HclAttribute[]; line: number }
  /** Anything else (a reference, a call, a list, a number), as written with runs of blanks made one space. */
  | { kind: "expression"; text: string; line: number };

export interface HclAttribute {
  name: string;
  value: HclValue;
  line: number;
}

export interface HclBlock {
  type: string;
  labels: string[];
  body: HclBody;
  line: number;
}

export interface HclBody {
  attributes: HclAttribute[];
  blocks: HclBlock[];
}

type TokenKind = "ident" | "string" | "number" | "open" | "close" | "equals" | "colon" | "comma" | "newline" | "symbol" | "eof";

interface Token {
  kind: TokenKind;
  /** The source text (for a string: its decoded value when literal, else its text between the quotes). */
  text: string;
  start: number;
  end: number;
  line: number;
  /** For strings: no interpolation or directive in it. */
  literal?: boolean;
}

const OPENERS: Record<string, string> = { "{": "}", "[": "]", "(": ")" };
const IDENT_START = /[\p{ID_Start}_]/u;
const IDENT_PART = /[\p{ID_Continue}_-]/u;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/** Splits HCL text into tokens; comments are dropped, line ends kept (they end attributes). */
export class HclLexer {
  private position = 0;
  private line = 1;
  private lookahead: Token | undefined;

  constructor(private readonly text: string) {}

  /** Tokens are made as the parser asks for them: a 5 MB file is never held as millions of token objects. */
  peek(): Token {
    this.lookahead ??= this.next();
    return this.lookahead;
  }

  shift(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.lookahead = undefined;
    return token;
  }

  private fail(problem: string, line = this.line): never {
    throw ManifestParseError.at(problem, line);
  }

  private token(kind: TokenKind, start: number, line: number, extra: Partial<Token> = {}): Token {
    return { kind, text: this.text.slice(start, this.position), start, end: this.position, line, ...extra };
  }

  private next(): Token {
    this.skipBlanksAndComments();
    const { text } = this;
    const start = this.position;
    const line = this.line;
    if (start >= text.length) return { kind: "eof", text: "", start, end: start, line };
    const char = text[start] as string;
    if (char === "\n") {
      this.position++;
      this.line++;
      return this.token("newline", start, line);
    }
    if (char === '"') return this.quoted(start, line);
    if (char === "<" && text[start + 1] === "<" && /^<<-?[\p{ID_Start}_][\p{ID_Continue}_-]*\r?\n/u.test(text.slice(start, start + 300))) return this.heredoc(start, line);
    if (IDENT_START.test(char)) {
      this.position++;
      while (this.position < text.length && IDENT_PART.test(text[this.position] as string)) this.position++;
      return this.token("ident", start, line);
    }
    if (/[0-9]/.test(char)) {
      while (this.position < text.length && /[0-9.eE]/.test(text[this.position] as string)) this.position++;
      return this.token("number", start, line);
    }
    this.position++;
    if (char in OPENERS) return this.token("open", start, line);
    if (char === "}" || char === "]" || char === ")") return this.token("close", start, line);
    if (char === "=" && text[start + 1] !== "=" && text[start + 1] !== ">") return this.token("equals", start, line);
    if (char === ":") return this.token("colon", start, line);
    if (char === ",") return this.token("comma", start, line);
    if ("!<>=&|+-*/%.?~".includes(char)) {
      // Two-character operators (`==`, `=>`, `&&`, `...`) are one token: `=` of `==` must not read as an attribute's `=`.
      while (this.position < text.length && "=&|>.".includes(text[this.position] as string) && this.position - start < 3) this.position++;
      return this.token("symbol", start, line);
    }
    this.fail(`unexpected character ${quoteForMessage(char)}`, line);
  }

  private skipBlanksAndComments(): void {
    const { text } = this;
    for (;;) {
      const char = text[this.position];
      if (char === " " || char === "\t" || (char === "\r" && text[this.position + 1] === "\n")) {
        this.position++;
      } else if (char === "#" || (char === "/" && text[this.position + 1] === "/")) {
        const end = text.indexOf("\n", this.position);
        this.position = end === -1 ? text.length : end;
      } else if (char === "/" && text[this.position + 1] === "*") {
        const end = text.indexOf("*/", this.position + 2);
        if (end === -1) this.fail("unterminated /* comment");
        this.countLines(this.position, end + 2);
        this.position = end + 2;
      } else {
        return;
      }
    }
  }

  private countLines(from: number, to: number): void {
    for (let index = this.text.indexOf("\n", from); index !== -1 && index < to; index = this.text.indexOf("\n", index + 1)) this.line++;
  }

  /**
   * A quoted template. Inside `${ … }` and `%{ … }` come expressions, which may
   * hold strings with templates of their own: a stack of what is open (a
   * string, or an interpolation with its bracket depth) is walked in one pass.
   */
  private quoted(start: number, line: number): Token {
    const { text } = this;
    let value = "";
    let literal = true;
    /** Each open interpolation's count of brackets opened inside it; a string inside one pushes -1. */
    const stack: number[] = [];
    let inString = true;
    this.position = start + 1;
    while (this.position < text.length) {
      const char = text[this.position] as string;
      if (inString) {
        if (char === "\n") this.fail("unterminated string (a quoted string cannot span lines)", line);
        if (char === "\\") {
          const escaped = text[this.position + 1] ?? "";
          if (escaped in ESCAPES) value += ESCAPES[escaped];
          else if (escaped === "u" || escaped === "U") {
            const digits = text.slice(this.position + 2, this.position + (escaped === "u" ? 6 : 10));
            if (!/^[0-9A-Fa-f]+$/.test(digits) || digits.length !== (escaped === "u" ? 4 : 8)) this.fail(`invalid escape \\${escaped}${digits}`);
            const code = Number.parseInt(digits, 16);
            if (code > 0x10ffff) this.fail(`invalid escape \\${escaped}${digits}`);
            value += String.fromCodePoint(code);
            this.position += digits.length;
          } else this.fail(`invalid escape ${quoteForMessage(`\\${escaped}`)} in a string`);
          this.position += 2;
          continue;
        }
        if ((char === "$" || char === "%") && text[this.position + 1] === char && text[this.position + 2] === "{") {
          value += `${char}{`; // `$${` is a literal `${`
          this.position += 3;
          continue;
        }
        if ((char === "$" || char === "%") && text[this.position + 1] === "{") {
          literal = false;
          stack.push(0);
          inString = false;
          this.position += 2;
          continue;
        }
        if (char === '"') {
          this.position++;
          if (stack.length === 0) {
            const token = this.token("string", start, line, { literal });
            return { ...token, text: literal ? value : text.slice(start + 1, this.position - 1) };
          }
          stack.pop(); // the end of a string nested in an interpolation
          inString = false;
          continue;
        }
        value += char;
        this.position++;
        continue;
      }
      // Inside an interpolation: an expression.
      if (char === "\n") this.line++;
      if (char === '"') {
        stack.push(-1);
        inString = true;
      } else if (char === "{" || char === "[" || char === "(") {
        stack[stack.length - 1] = (stack.at(-1) as number) + 1;
      } else if (char === "}" || char === "]" || char === ")") {
        const depth = stack.at(-1) as number;
        if (depth > 0) stack[stack.length - 1] = depth - 1;
        else if (char === "}") {
          stack.pop();
          // Back in the string that held this interpolation: the top string marker, or the outermost string.
          inString = true;
          if (stack.length > 0 && stack.at(-1) !== -1) this.fail("internal: interpolation not inside a string");
        } else this.fail(`unbalanced ${quoteForMessage(char)} in a string's interpolation`);
      }
      this.position++;
    }
    this.fail("unterminated string", line);
  }

  /** `<<EOT` / `<<-EOT` up to a line holding only the marker; `-` strips the lines' common indentation. */
  private heredoc(start: number, line: number): Token {
    const { text } = this;
    const header = /^<<(-?)([\p{ID_Start}_][\p{ID_Continue}_-]*)\r?\n/u.exec(text.slice(start, start + 300)) as RegExpExecArray;
    const [whole, dash, marker] = header as unknown as [string, string, string];
    let lineStart = start + whole.length;
    this.line++;
    const lines: string[] = [];
    while (lineStart <= text.length) {
      const newline = text.indexOf("\n", lineStart);
      const lineEnd = newline === -1 ? text.length : newline;
      const content = text.slice(lineStart, lineEnd).replace(/\r$/, "");
      if (content.trim() === marker) {
        this.position = lineEnd;
        const body = dash ? stripIndent(lines) : lines;
        const joined = body.map((each) => `${each}\n`).join("");
        return { ...this.token("string", start, line), text: joined, literal: !/[$%]\{/.test(joined.replace(/([$%])\1\{/g, "")) };
      }
      if (newline === -1) break;
      lines.push(content);
      lineStart = newline + 1;
      this.line++;
    }
    this.fail(`unterminated heredoc: no line with only ${marker} closes it`, line);
  }
}

function stripIndent(lines: string[]): string[] {
  const indents = lines.filter((each) => each.trim() !== "").map((each) => (/^[ \t]*/.exec(each) as RegExpExecArray)[0].length);
  // A fold, not Math.min(...indents): a heredoc of 200k lines would overflow the call stack as arguments.
  const common = indents.reduce((least, each) => Math.min(least, each), Infinity);
  if (common === Infinity) return lines;
  return lines.map((each) => each.slice(common));
}

/** A value with more tokens than this is kept only as its text: no dependency field is that long. */
const MAX_VALUE_TOKENS = 10_000;
/** An expression's text is kept up to this many characters (it is shown, never parsed). */
const MAX_EXPRESSION_TEXT = 200;

/**
 * The structure over the tokens: a stack of open bodies instead of recursion,
 * so a file of ten thousand nested blocks is read like a flat one.
 */
export function parseHcl(content: string): HclBody {
  const text = manifestText(content);
  const lexer = new HclLexer(text);
  const root: HclBody = { attributes: [], blocks: [] };
  const open: { body: HclBody; line: number }[] = [{ body: root, line: 1 }];

  /** After an attribute or a closing brace: a line end, the end, or the `}` of a one-line block. */
  const endOfItem = (): void => {
    const after = lexer.peek();
    if (after.kind === "newline" || after.kind === "eof" || (after.kind === "close" && after.text === "}")) return;
    throw ManifestParseError.at(`expected a line end, found ${describeToken(after)}`, after.line);
  };

  for (;;) {
    const token = lexer.peek();
    const current = open.at(-1) as { body: HclBody; line: number };
    if (token.kind === "newline") {
      lexer.shift();
      continue;
    }
    if (token.kind === "eof") {
      if (open.length > 1) throw ManifestParseError.at(`block opened on line ${current.line} is never closed`, token.line);
      return root;
    }
    if (token.kind === "close" && token.text === "}") {
      if (open.length === 1) throw ManifestParseError.at('unexpected "}" with no block open', token.line);
      open.pop();
      lexer.shift();
      endOfItem();
      continue;
    }
    if (token.kind !== "ident") throw ManifestParseError.at(`expected an argument or a block, found ${describeToken(token)}`, token.line);
    lexer.shift();
    if (lexer.peek().kind === "equals") {
      lexer.shift();
      current.body.attributes.push({ name: token.text, value: readValue(text, lexer, token.line), line: token.line });
      endOfItem();
      continue;
    }
    const labels: string[] = [];
    while (lexer.peek().kind === "string" || lexer.peek().kind === "ident") {
      const label = lexer.shift();
      if (label.kind === "string" && !label.literal) throw ManifestParseError.at(`a block label cannot interpolate: ${quoteForMessage(label.text)}`, label.line);
      labels.push(label.text);
    }
    const brace = lexer.shift();
    if (brace.kind !== "open" || brace.text !== "{") throw ManifestParseError.at(`expected "=" or a block's "{" after ${quoteForMessage(token.text)}, found ${describeToken(brace)}`, brace.line);
    const body: HclBody = { attributes: [], blocks: [] };
    current.body.blocks.push({ type: token.text, labels, body, line: token.line });
    open.push({ body, line: token.line });
  }
}

function describeToken(token: Token): string {
  return token.kind === "eof" ? "the end of the file" : token.kind === "newline" ? "a line end" : quoteForMessage(token.text);
}

/**
 * An attribute's value: the tokens up to a line end outside any bracket (or
 * the `}` that closes a one-line block), brackets checked to match.
 */
function readValue(text: string, lexer: HclLexer, line: number): HclValue {
  const closers: string[] = [];
  const tokens: Token[] = [];
  let first: Token | undefined;
  let last: Token | undefined;
  for (;;) {
    const token = lexer.peek();
    if (token.kind === "eof") {
      if (closers.length > 0) throw ManifestParseError.at(`${quoteForMessage(closers.at(-1) as string)} expected before the end of the file`, token.line);
      break;
    }
    if (closers.length === 0 && (token.kind === "newline" || (token.kind === "close" && token.text === "}"))) break;
    // `=` outside brackets cannot be part of a value: a second argument on the same line (`a = 1 b = 2`).
    if (closers.length === 0 && token.kind === "equals") throw ManifestParseError.at('expected a line end, found "="', token.line);
    lexer.shift();
    if (token.kind === "open") closers.push(OPENERS[token.text] as string);
    if (token.kind === "close") {
      const expected = closers.pop();
      if (expected !== token.text) throw ManifestParseError.at(`${quoteForMessage(token.text)} does not match ${expected === undefined ? "any open bracket" : `the open bracket (expected ${quoteForMessage(expected)})`}`, token.line);
    }
    first ??= token;
    last = token;
    if (tokens.length <= MAX_VALUE_TOKENS) tokens.push(token);
  }
  if (first === undefined || last === undefined) throw ManifestParseError.at("an argument needs a value after =", line);
  if (tokens.length > MAX_VALUE_TOKENS) return expression(text, first, last);
  return interpret(text, tokens);
}

function expression(text: string, first: Token, last: Token): HclValue {
  const written = text.slice(first.start, Math.min(last.end, first.start + MAX_EXPRESSION_TEXT * 4)).replace(/\s+/g, " ");
  return { kind: "expression", text: written.length > MAX_EXPRESSION_TEXT ? `${written.slice(0, MAX_EXPRESSION_TEXT - 3)}...` : written, line: first.line };
}

/** Turns a value's tokens into a string, an object of simple entries, or its text. */
function interpret(text: string, tokens: readonly Token[]): HclValue {
  const first = tokens[0] as Token;
  const last = tokens.at(-1) as Token;
  if (tokens.length === 1 && first.kind === "string") return { kind: "string", value: first.text, literal: first.literal === true, line: first.line };
  if (first.kind === "open" && first.text === "{" && last.kind === "close" && matchingClose(tokens) === tokens.length - 1) {
    const entries = objectEntries(text, tokens.slice(1, -1));
    if (entries) return { kind: "object", entries, line: first.line };
  }
  return expression(text, first, last);
}

function matchingClose(tokens: readonly Token[]): number {
  let depth = 0;
  for (const [index, token] of tokens.entries()) {
    if (token.kind === "open") depth++;
    if (token.kind === "close" && --depth === 0) return index;
  }
  return -1;
}
/**
 * `key = value` items separated by commas or line ends; undefined when the
 * object is not that simple (a `for` expression, a computed key), which leaves
 * it an expression.
 */
function objectEntries(text: string, tokens: readonly Token[]): HclAttribute[] | undefined {
  const entries: HclAttribute[] = [];
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index] as Token;
    if (token.kind === "newline" || token.kind === "comma") {
      index++;
      continue;
    }
    const separator = tokens[index + 1];
    const isKey = token.kind === "ident" || (token.kind === "string" && token.literal === true);
    if (!isKey || !separator || (separator.kind !== "equals" && separator.kind !== "colon")) return undefined;
    if (token.kind === "ident" && token.text === "for") return undefined;
    let end = index + 2;
    let depth = 0;
    for (; end < tokens.length; end++) {
      const each = tokens[end] as Token;
      if (depth === 0 && (each.kind === "newline" || each.kind === "comma")) break;
      // A second `key =` before a comma or line end: two items run together (`{ a = 1 b = 2 }`).
      if (depth === 0 && each.kind === "equals") throw ManifestParseError.at('expected "," or a line end between two object items', each.line);
      if (each.kind === "open") depth++;
      if (each.kind === "close") depth--;
    }
    if (end === index + 2) return undefined;
    entries.push({ name: token.text, value: interpret(text, tokens.slice(index + 2, end)), line: token.line });
    index = end;
  }
  return entries;
}
