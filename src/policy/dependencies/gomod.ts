/**
 * Go `go.mod`. No JavaScript library reads go.mod, and the grammar is small
 * (golang.org/x/mod/modfile), so it is read line by line here.
 *
 * Quirks handled:
 * - `require path version` lines and `require ( ... )` blocks, several of
 *   them (Go 1.17+ writes direct and indirect requirements in two blocks);
 * - a `// indirect` comment (also `// indirect; reason`) marks the spec
 *   ` (indirect)`;
 * - `replace old [version] => new [version]`, single or in a block: the
 *   replaced module's spec gets ` => new version` (or ` => ../local/path`)
 *   appended. As in Go, a replace naming a version only applies to that
 *   version, and takes precedence over one without;
 * - module paths may be quoted ("..." or `...`);
 * - `module`, `go`, `toolchain`, `exclude`, `retract`, and directives newer Go
 *   versions add (`godebug`, `tool`, `ignore`) are skipped, blocks included;
 *   a line that does not start with a lowercase word is an error, so a
 *   garbled file is not read as one without dependencies;
 * - a require or replace line that is not `path version` / `old => new` is an
 *   error with its line, as is a block that is never closed: go itself
 *   refuses such a file, and guessing could hide a dependency.
 */
import { DependencyMapBuilder } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { baseName, manifestText, quoteForMessage } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";

interface Requirement {
  module: string;
  version: string;
  indirect: boolean;
}

interface Replacement {
  module: string;
  /** only this version is replaced; undefined replaces every version */
  version: string | undefined;
  /** `new version` or a local path */
  target: string;
}

interface Statement {
  line: number;
  tokens: string[];
  /** text after `//`, trimmed */
  comment: string | undefined;
}

// Parentheses are tokens of their own, as in Go's lexer: `require()` and `require (` are alike.
const TOKEN = /[()]|"(?:[^"\\]|\\.)*"|`[^`]*`|[^\s()]+/g;
/**
 * The longest valid line, `replace old version => new version`, has six
 * tokens. Reading one more is enough to reject a line with too many; reading
 * further only costs time on junk (a 5 MB line of quotes).
 */
const MAX_TOKENS = 7;

/**
 * Splits a line into raw tokens and its `//` comment; `//` inside quotes is
 * not a comment. Tokens stay quoted until a require or replace reads them.
 */
function splitLine(raw: string, line: number): Statement {
  const tokens: string[] = [];
  let comment: string | undefined;
  for (const match of raw.matchAll(TOKEN)) {
    if (tokens.length === MAX_TOKENS) break;
    const token = match[0];
    if (token.startsWith("//")) {
      comment = raw.slice((match.index ?? 0) + 2).trim();
      break;
    }
    const commentStart = token.indexOf("//");
    if (commentStart > 0 && !token.startsWith('"') && !token.startsWith("`")) {
      // `v1.2.3// indirect`: the comment starts inside the token.
      tokens.push(token.slice(0, commentStart));
      comment = raw.slice((match.index ?? 0) + commentStart + 2).trim();
      break;
    }
    tokens.push(token);
  }
  return { line, tokens, comment };
}

function unquote(token: string, line: number): string {
  if (token.startsWith("`")) return token.slice(1, -1);
  if (!token.startsWith('"')) return token;
  try {
    const value: unknown = JSON.parse(token);
    if (typeof value === "string") return value;
  } catch {
    // reported below
  }
  throw ManifestParseError.at(`cannot read quoted string ${quoteForMessage(token)}`, line);
}

/** Go's rule: the comment is exactly `indirect`, or starts with `indirect;`. */
function isIndirect(comment: string | undefined): boolean {
  if (comment === undefined) return false;
  const words = comment.split(/\s+/);
  return (words.length === 1 && words[0] === "indirect") || (words.length > 1 && words[0] === "indirect;");
}

function readRequire({ tokens, comment, line }: Statement): Requirement {
  const [module, version] = tokens.map((token) => unquote(token, line));
  if (tokens.length !== 2 || module === undefined || version === undefined || !version.startsWith("v")) {
    throw ManifestParseError.at(`expected "module/path vX.Y.Z" in require, found ${quoteForMessage(tokens.join(" "))}`, line);
  }
  return { module, version, indirect: isIndirect(comment) };
}

function readReplace({ tokens, line }: Statement): Replacement {
  const arrow = tokens.indexOf("=>");
  const left = tokens.slice(0, arrow);
  const right = tokens.slice(arrow + 1);
  if (arrow === -1 || left.length < 1 || left.length > 2 || right.length < 1 || right.length > 2) {
    throw ManifestParseError.at(
      `expected "old [version] => new [version]" in replace, found ${quoteForMessage(tokens.join(" "))}`,
      line,
    );
  }
  const [module = "", version] = left.map((token) => unquote(token, line));
  return { module, version, target: right.map((token) => unquote(token, line)).join(" ") };
}

function replacementKey(module: string, version: string | undefined): string {
  return `${module}@${version ?? ""}`;
}

function parse(content: string): DependencyMap {
  const text = manifestText(content);
  const requirements: Requirement[] = [];
  const replacements: Replacement[] = [];
  let openBlock: { verb: string; line: number } | undefined;

  const handle = (verb: string, statement: Statement): void => {
    if (verb === "require") requirements.push(readRequire(statement));
    else if (verb === "replace") replacements.push(readReplace(statement));
  };

  text.split(/\r?\n/).forEach((raw, index) => {
    const statement = splitLine(raw, index + 1);
    const { tokens } = statement;
    if (tokens.length === 0) return;
    if (openBlock !== undefined) {
      if (tokens.length === 1 && tokens[0] === ")") openBlock = undefined;
      else handle(openBlock.verb, statement);
      return;
    }
    const [verb, ...rest] = tokens;
    if (verb === undefined) return;
    // Unknown directives are skipped (newer Go adds some), but every directive
    // is a lowercase word: anything else means this is not a go.mod we can read.
    if (!/^[a-z]+$/.test(verb)) throw ManifestParseError.at(`not a go.mod directive: ${quoteForMessage(raw.trim())}`, statement.line);
    if (rest[0] === "(") {
      if (rest.length === 1) openBlock = { verb, line: statement.line };
      else if (!(rest.length === 2 && rest[1] === ")")) {
        throw ManifestParseError.at(`unexpected text after "${verb} ("`, statement.line);
      }
      return;
    }
    handle(verb, { ...statement, tokens: rest });
  });

  if (openBlock !== undefined) {
    throw ManifestParseError.at(`"${openBlock.verb} (" block is never closed`, openBlock.line);
  }

  // Keyed by module and version ("" for every version). Go rejects a file that
  // replaces the same pair twice; should one get here, the last one wins.
  const targets = new Map<string, string>();
  for (const { module, version, target } of replacements) targets.set(replacementKey(module, version), target);

  const dependencies = new DependencyMapBuilder();
  for (const { module, version, indirect } of requirements) {
    const target = targets.get(replacementKey(module, version)) ?? targets.get(replacementKey(module, undefined));
    let spec = indirect ? `${version} (indirect)` : version;
    if (target !== undefined) spec += ` => ${target}`;
    dependencies.add(module, spec);
  }
  return dependencies.build();
}

export const gomod: Ecosystem = {
  id: "gomod",
  isManifest: (path) => baseName(path) === "go.mod",
  lockfiles: ["go.sum"],
  parse,
};
