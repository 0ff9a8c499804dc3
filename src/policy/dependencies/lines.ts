/**
 * The line a dependency is declared on in a manifest's text, so a finding's
 * annotation sits on it. Parsers return name → spec maps without positions
 * (JSON.parse and smol-toml keep none), so the name is looked up again in the
 * text: the same way for every ecosystem, with its own name comparison.
 *
 * A declaration line starts with the name, after the words that introduce one
 * (`gem "rails"`, `require example.com/m v1`, `-e ./pkg`) and any quote, so
 * `"lint": "eslint ."` in npm's scripts is not mistaken for eslint's line.
 * Failing that, a line where it is a key (`{ "eslint": "^9" }` inline, TOML
 * `serde = "1"` after another key); then a TOML table header
 * (`[dependencies.serde]`); then the first line that names it at all; else
 * none (the annotation then goes on line 1).
 */
import { manifestText } from "./text.js";
import { normalizePythonName } from "./pep508.js";

const NAME_TOKEN = /[A-Za-z0-9@._/~+-]+/g;
const INTRODUCERS = new Set(["gem", "require", "replace", "-e", "--editable"]);

/** How each ecosystem compares names: PEP 503 for Python, case-insensitive for Composer. */
const NORMALIZE: Record<string, (name: string) => string> = {
  pip: normalizePythonName,
  pyproject: normalizePythonName,
  pipfile: normalizePythonName,
  "setup-cfg": normalizePythonName,
  composer: (name) => name.toLowerCase(),
};

/** Lines longer than this are not scanned (minified JSON, a generated blob): no line is better than a slow one. */
const MAX_LINE = 4_000;

export function dependencyLine(content: string, name: string, ecosystem: string): number | undefined {
  const normalize = NORMALIZE[ecosystem] ?? ((each: string) => each);
  const wanted = normalize(name);
  let lines: string[];
  try {
    lines = manifestText(content).split(/\r?\n/);
  } catch {
    return undefined;
  }
  const same = (token: string) => normalize(token) === wanted;
  let key: number | undefined;
  let header: number | undefined;
  let mention: number | undefined;
  for (const [index, line] of lines.entries()) {
    if (line.length > MAX_LINE) continue;
    const tokens = line.match(NAME_TOKEN) ?? [];
    const first = tokens.find((token) => !INTRODUCERS.has(token));
    if (first !== undefined && same(first) && declares(line, first)) return index + 1;
    key ??= keys(line).some(same) ? index + 1 : undefined;
    if (header === undefined && /^\s*\[/.test(line) && first !== undefined && first.split(".").some(same)) header = index + 1;
    if (mention === undefined && (tokens.some(same) || (wanted.length > 2 && line.includes(name)))) mention = index + 1;
  }
  return key ?? header ?? mention;
}

/** Keys on a line: quoted ones followed by `:` or `=` (JSON, TOML), and bare TOML keys followed by `=`. */
function keys(line: string): string[] {
  const quoted = [...line.matchAll(/(["'])([^"'\n]+)\1\s*[:=]/g)].map((match) => match[2] as string);
  const bare = [...line.matchAll(/(?:^|[\s{,])([A-Za-z0-9._-]+)\s*=(?!=)/g)].map((match) => match[1] as string);
  return [...quoted, ...bare];
}

/** The name stands where a declaration's name stands: nothing but an introducer word, quotes or brackets before it. */
function declares(line: string, token: string): boolean {
  const before = line.slice(0, line.indexOf(token));
  return /^[\s"'`[{(]*(?:(?:gem|require|replace|-e|--editable)[\s=]+["'`]?)?$/.test(before);
}
