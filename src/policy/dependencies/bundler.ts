/**
 * Ruby `Gemfile` / `gems.rb`. A Gemfile is a Ruby program and no JavaScript
 * library reads one, so this recognises the statements Bundler's DSL is used
 * for in practice, line by line, and skips everything else: an unusual line
 * is never an error (only a binary file, containing NUL, is).
 *
 * Quirks handled:
 * - `gem "name", "~> 1.0", ">= 1.0.1", require: false`, single or double
 *   quotes, optional parentheses, a call continued on the next line after a
 *   trailing comma, trailing `if`/`unless` modifiers, `# comments`,
 *   `=begin`/`=end` blocks;
 * - both option syntaxes, `key: value` and `:key => value`;
 * - options are ignored except those that change where the gem comes from
 *   (`git`, `github`, `gitlab`, `bitbucket`, `path`, `source`, and the git
 *   `branch`/`tag`/`ref`), which are appended as ` (git: url, branch: main)`,
 *   and `group:`/`groups:`, which count like a group block;
 * - `group :development, :test do ... end` gives ` (group: development,test)`
 *   (sorted, nested groups merged); `git "url" do`, `github`, `path` and
 *   `source` blocks give their gems that source. `end` is matched against
 *   every block opener (`do`, `if`, `unless`, `case`, `begin`, ...) so the end
 *   of an `if` does not close a group;
 * - `gemspec`, `source "..."`, `ruby "..."`, `plugin` are not dependencies.
 */
import { DependencyMapBuilder, compareCodeUnits } from "./dependency-map.js";
import { baseName, manifestText } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";

/** Options that say where a gem comes from, in the order they are shown. */
const SOURCE_OPTIONS: readonly string[] = ["git", "github", "gitlab", "bitbucket", "path", "source", "branch", "tag", "ref"];
const GROUP_OPTIONS: readonly string[] = ["group", "groups"];
/** Block methods whose first argument is a source for the gems inside. */
const SOURCE_BLOCKS: readonly string[] = ["git", "github", "path", "source"];

interface Block {
  groups: readonly string[];
  sources: ReadonlyMap<string, string>;
}

/** A Ruby literal as far as the Gemfile DSL needs: a string/symbol/raw word, or a list of them. */
type Literal = string | string[];

/** Removes a `#` comment; a `#` inside a string (`"#{x}"`, a URL fragment) is not one. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote !== undefined) {
      if (char === "\\") index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "#") return line.slice(0, index);
  }
  return line;
}

/** Splits on commas outside strings and brackets. */
function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote !== undefined) {
      if (char === "\\") index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "(" || char === "[" || char === "{") depth++;
    else if (char === ")" || char === "]" || char === "}") depth--;
    else if (char === "," && depth === 0) {
      parts.push(text.slice(start, index).trim());
      start = index + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((part) => part !== "");
}

/** Reads the literal at the start of `text`; whatever follows it (`if cond`) is ignored. */
function readLiteral(text: string): Literal {
  // One pattern per quote kind keeps the alternatives disjoint, so an
  // unterminated string full of backslashes cannot make the regex backtrack.
  const quoted = /^"((?:[^"\\]|\\.)*)"/s.exec(text) ?? /^'((?:[^'\\]|\\.)*)'/s.exec(text);
  if (quoted !== null) return (quoted[1] ?? "").replace(/\\(.)/gs, "$1");
  const symbol = /^:(\w+[?!]?)/.exec(text);
  if (symbol !== null) return symbol[1] ?? "";
  const words = /^%[wi][[(](.*?)[\])]/s.exec(text);
  if (words !== null) return (words[1] ?? "").split(/\s+/).filter((word) => word !== "");
  if (text.startsWith("[")) {
    const inner = text.slice(1, text.lastIndexOf("]") === -1 ? undefined : text.lastIndexOf("]"));
    return splitArguments(inner).flatMap(readLiteral);
  }
  return text.split(/\s+/)[0] ?? "";
}

function isQuoted(text: string): boolean {
  return text.startsWith('"') || text.startsWith("'");
}

/** `key: value`, `:key => value` or `"key" => value`; undefined for a positional argument. */
function readOption(argument: string): { key: string; value: Literal } | undefined {
  const match =
    /^([A-Za-z_]\w*):(?!:)\s*(.*)$/s.exec(argument) ??
    /^:([A-Za-z_]\w*)\s*=>\s*(.*)$/s.exec(argument) ??
    /^["']([A-Za-z_]\w*)["']\s*=>\s*(.*)$/s.exec(argument);
  if (match === null) return undefined;
  return { key: match[1] ?? "", value: readLiteral(match[2] ?? "") };
}

function asList(value: Literal): string[] {
  return Array.isArray(value) ? value : [value];
}

/** The arguments of a call, without the method name and optional parentheses. */
function callArguments(statement: string, method: string): string[] {
  let text = statement.slice(method.length).trim();
  if (text.startsWith("(")) {
    const close = text.lastIndexOf(")");
    text = text.slice(1, close === -1 ? undefined : close);
  }
  return splitArguments(text);
}

function readGem(statement: string, enclosing: readonly Block[]): { name: string; spec: string } | undefined {
  const [first, ...rest] = callArguments(statement, "gem");
  if (first === undefined || !isQuoted(first)) return undefined;
  const name = readLiteral(first);
  if (typeof name !== "string" || name === "") return undefined;

  const requirements: string[] = [];
  const groups = new Set(enclosing.flatMap((block) => block.groups));
  const sources = new Map(enclosing.flatMap((block) => [...block.sources]));
  for (const argument of rest) {
    const option = readOption(argument);
    // A positional argument is a version requirement, or a list of them.
    if (option === undefined) asList(readLiteral(argument)).forEach((requirement) => requirements.push(requirement));
    else if (GROUP_OPTIONS.includes(option.key)) asList(option.value).forEach((group) => groups.add(group));
    else if (SOURCE_OPTIONS.includes(option.key)) sources.set(option.key, asList(option.value).join(","));
  }

  let spec = requirements.length === 0 ? "*" : requirements.join(", ");
  const shownSources = SOURCE_OPTIONS.flatMap((key) => {
    const value = sources.get(key);
    return value === undefined ? [] : [`${key}: ${value}`];
  });
  if (shownSources.length > 0) spec += ` (${shownSources.join(", ")})`;
  if (groups.size > 0) spec += ` (group: ${[...groups].sort(compareCodeUnits).join(",")})`;
  return { name, spec };
}

/** `statement` ends with a `do` block opener. */
function readBlock(statement: string): Block {
  const method = /^(\w+)/.exec(statement)?.[1] ?? "";
  const header = statement.slice(0, DO_BLOCK.exec(statement)?.index).trimEnd();
  if (method === "group") {
    const groups = callArguments(header, method).flatMap((argument) =>
      readOption(argument) === undefined ? asList(readLiteral(argument)) : [],
    );
    return { groups, sources: new Map() };
  }
  if (SOURCE_BLOCKS.includes(method)) {
    const [first, ...rest] = callArguments(header, method);
    const sources = new Map<string, string>();
    if (first !== undefined) sources.set(method, asList(readLiteral(first)).join(","));
    for (const option of rest.map(readOption)) {
      if (option !== undefined && SOURCE_OPTIONS.includes(option.key)) {
        sources.set(option.key, asList(option.value).join(","));
      }
    }
    return { groups: [], sources };
  }
  return { groups: [], sources: new Map() };
}

const BLOCK_KEYWORD = /^(?:if|unless|case|begin|while|until|for|def|class|module)\b/;
const DO_BLOCK = /\bdo(?:\s*\|[^|]*\|)?$/;

function parse(content: string): DependencyMap {
  const lines = manifestText(content).split(/\r?\n/);
  const dependencies = new DependencyMapBuilder();
  const blocks: Block[] = [];
  let inBlockComment = false;

  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? "";
    if (inBlockComment) {
      if (/^=end\b/.test(raw)) inBlockComment = false;
      continue;
    }
    if (/^=begin\b/.test(raw)) {
      inBlockComment = true;
      continue;
    }
    // A call may continue after a trailing comma or backslash. Only the last
    // piece is tested, so a long run of continued lines stays linear.
    let piece = stripComment(raw).trim();
    const pieces = [piece];
    while (/[,\\]$/.test(piece) && index + 1 < lines.length) {
      index++;
      piece = stripComment(lines[index] ?? "").trim();
      pieces.push(piece);
    }
    const statement = pieces
      .map((part) => part.replace(/\\$/, ""))
      .join(" ")
      .trim();
    if (statement === "") continue;

    if (/^end\b/.test(statement)) {
      blocks.pop();
    } else if (/^gem[\s(]/.test(statement)) {
      const gem = readGem(statement, blocks);
      if (gem !== undefined) dependencies.add(gem.name, gem.spec);
    } else if (DO_BLOCK.test(statement)) {
      blocks.push(readBlock(statement));
    } else if (BLOCK_KEYWORD.test(statement) && !/\bend$/.test(statement)) {
      blocks.push({ groups: [], sources: new Map() });
    }
  }
  return dependencies.build();
}

export const bundler: Ecosystem = {
  id: "bundler",
  isManifest: (path) => ["Gemfile", "gems.rb"].includes(baseName(path)),
  lockfiles: ["Gemfile.lock", "gems.locked"],
  parse,
};
