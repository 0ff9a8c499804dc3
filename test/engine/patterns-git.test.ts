/**
 * roleguard's path patterns against git's own matcher (SPEC §3, issue 9):
 * `git check-ignore --no-index` on generated pattern lists and paths, seeded
 * so that every run asks git the same questions.
 *
 * Every pair must agree, except for the differences SPEC §3 chooses (each is
 * shown with an example, and checked against git, in "deliberate differences"
 * below):
 *
 * 1. `!` re-allows beneath an excluded folder, and `!dir/` re-allows the
 *    files inside `dir` (git: once a folder is excluded, nothing inside it can
 *    be re-included). A pair may differ this way only when git ignores the
 *    path, roleguard's deciding pattern is a `!` one, and git matched some
 *    folder above the path.
 * 2. Braces expand (`*.{yml,yaml}`); to git they are literal. The generator
 *    writes no raw brace (escaped ones, `\{`, are generated and must agree).
 * 3. `?` and a bracket expression match one character (a code point); git
 *    matches one byte, so `?` never matches `é` there. A pair may differ this
 *    way only when the path has a non-ASCII character and a pattern has `?`
 *    or `[`.
 * 4. `**` right after the literal start of an anchored pattern (`x/ab**` then
 *    `/c`) is one `*`, as git's documentation says; git's code matches it
 *    like a real `**` (`x/abc` and `x/ab/y/c` match). The generator leaves
 *    such patterns out.
 * 5. `#` first is a character, not a comment (a role's list has no comments);
 *    the generator writes no pattern starting with `#`.
 * 6. Patterns git silently never matches (an unclosed `[`, a trailing `\`, an
 *    unknown `[:class:]`, `//`, `/` inside brackets), that git ignores (empty,
 *    a lone `!`), or that git reads oddly (`\/`) are refused when a policy
 *    loads; the generator keeps only patterns `validatePattern` accepts.
 * 7. Ignoring case, RE2 folds Unicode (`É` is `é`, the Kelvin sign is `k`);
 *    git folds ASCII only. The generated text has no letter whose folding
 *    leaves ASCII.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PathPatternList, validatePattern } from "../../src/policy/paths.js";

const SEED = 20_261_124;

// ——— git ———

let repo: string;
const GIT_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("GIT_")));
Object.assign(GIT_ENV, { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" });

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "roleguard-patterns-git-"));
  GIT_ENV.HOME = repo; // no ~/.config/git/ignore
  spawnSync("git", ["init", "-q", repo], { env: GIT_ENV });
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

/**
 * git's verdict for each query: the 1-based line of the pattern that decided
 * (a `!` one included), or 0. The patterns are the repository's `.gitignore`;
 * every folder above a path exists, so git treats it as a folder, and the
 * path itself does not, so git treats it as a file.
 */
function gitLines(patterns: readonly string[], files: readonly string[], queries: readonly string[], ignoreCase = false): number[] {
  for (const entry of readdirSync(repo)) if (entry !== ".git") rmSync(join(repo, entry), { recursive: true, force: true });
  writeFileSync(join(repo, ".gitignore"), `${patterns.join("\n")}\n`);
  for (const file of files) {
    const folder = file.split("/").slice(0, -1).join("/");
    if (folder) mkdirSync(join(repo, folder), { recursive: true });
  }
  // `./` first: a query starting with `:` would be read as pathspec magic.
  const input = queries.map((query) => `./${query}\0`).join("");
  const result = spawnSync("git", ["-c", `core.ignoreCase=${ignoreCase}`, "-c", "core.excludesFile=/dev/null", "check-ignore", "--no-index", "-v", "-n", "-z", "--stdin"], {
    cwd: repo,
    env: GIT_ENV,
    input,
    encoding: "utf8",
  });
  if (result.status !== 0 && result.status !== 1) throw new Error(`git check-ignore failed (${result.status}): ${result.stderr}`);
  const fields = result.stdout.split("\0");
  return queries.map((_, index) => Number(fields[index * 4 + 1] || 0));
}

/** A single question, for the examples: does git ignore this file? */
function gitIgnores(patterns: readonly string[], file: string, ignoreCase = false): boolean {
  const line = gitLines(patterns, [file], [file], ignoreCase)[0] as number;
  return line > 0 && !(patterns[line - 1] as string).startsWith("!");
}

// ——— generated patterns and paths ———

/** Characters of names, in patterns and paths alike: regular-expression and extglob syntax, spaces, `!`, `#`, and two non-ASCII characters with no other case. */
const NAME_CHARS = ["a", "b", "c", "A", ".", "-", "_", "(", ")", "|", "+", "@", "$", "^", ",", "=", "~", "!", "#", " ", "é", "😀"];
const CLASSES = ["alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit"];
const nameChar = fc.constantFrom(...NAME_CHARS);
const someText = (minLength: number, maxLength: number): fc.Arbitrary<string> => fc.string({ unit: nameChar, minLength, maxLength });

/** A piece of a pattern and text that may match it (a sample path is built from the fills). */
interface Piece {
  text: string;
  fill: string[];
}

const literalPiece = nameChar.map((char): Piece => ({ text: char, fill: [char] }));
const starPiece = someText(0, 2).map((fill): Piece => ({ text: "*", fill: [fill] }));
const questionPiece = nameChar.map((fill): Piece => ({ text: "?", fill: [fill] }));
const escapedPiece = fc.constantFrom("*", "?", "[", "]", "\\", "!", "#", "{", "}", ",", " ", "a", "d").map((char): Piece => ({ text: `\\${char}`, fill: [char] }));
const bracketItem = fc.oneof(
  fc.constantFrom("a", "b", "c", "A", "-", "!", "^", ".", "[", ":", "(", "é", "]"),
  fc.tuple(fc.constantFrom("a", "c", "A", "Z", "0", "-", "!", "_", "]"), fc.constantFrom("a", "c", "z", "Z", "9", "-", "_")).map(([low, high]) => `${low}-${high}`),
  fc.constantFrom(...CLASSES).map((name) => `[:${name}:]`),
  fc.constantFrom("\\]", "\\-", "\\\\", "\\!", "\\^", "\\a"),
  fc.constantFrom("[:a", "[:alpha"), // `[:` without `:]`: a literal `[`
);
const bracketPiece = fc
  .record({
    negation: fc.constantFrom("", "", "!", "^"),
    closingFirst: fc.boolean(),
    items: fc.array(bracketItem, { minLength: 1, maxLength: 3 }),
    fill: fc.constantFrom(...NAME_CHARS, "]", "[", ":", "0", "9", "z", "Z", "\\", "B"),
  })
  .map(({ negation, closingFirst, items, fill }): Piece => ({ text: `[${negation}${closingFirst ? "]" : ""}${items.join("")}]`, fill: [fill] }));
const nameSegment = fc
  .array(fc.oneof({ arbitrary: literalPiece, weight: 5 }, { arbitrary: starPiece, weight: 2 }, { arbitrary: questionPiece, weight: 1 }, { arbitrary: bracketPiece, weight: 2 }, { arbitrary: escapedPiece, weight: 1 }), {
    minLength: 1,
    maxLength: 3,
  })
  .map((pieces): Piece => ({ text: pieces.map((piece) => piece.text).join(""), fill: [pieces.map((piece) => piece.fill.join("")).join("")] }));
const globstarSegment = fc.array(someText(1, 2), { maxLength: 2 }).map((fill): Piece => ({ text: "**", fill }));

interface PatternSpec {
  pattern: string;
  /** A path built by filling the pattern's wildcards, often (not always) matched by it. */
  sample: string;
}

const patternSpec: fc.Arbitrary<PatternSpec> = fc
  .record({
    negated: fc.constantFrom(false, false, true),
    leadingSlash: fc.constantFrom(false, false, true),
    segments: fc.array(fc.oneof({ arbitrary: nameSegment, weight: 5 }, { arbitrary: globstarSegment, weight: 1 }), { minLength: 1, maxLength: 3 }),
    trailingSlash: fc.constantFrom(false, false, true),
    below: fc.array(someText(1, 2), { maxLength: 2 }),
  })
  .map(({ negated, leadingSlash, segments, trailingSlash, below }) => ({
    pattern: `${negated ? "!" : ""}${leadingSlash ? "/" : ""}${segments.map((segment) => segment.text).join("/")}${trailingSlash ? "/" : ""}`,
    sample: [...segments.flatMap((segment) => segment.fill), ...below].map(asName).join("/"),
  }))
  .filter(({ pattern }) => !pattern.startsWith("#") && !hasGitPrefixQuirk(pattern));

/**
 * What the generator can write that roleguard refuses (difference 6): a
 * pattern of spaces or a lone `!` (git ignores the line), an unknown class or
 * an unclosed `[` (git's wildmatch gives up), and a `/` inside brackets (an
 * item `^` first makes `[^]…` swallow what follows). Any other reason is a
 * bug, such as an expression RE2 cannot compile. Each refused pattern but the
 * last kind must match nothing in git either: the comparison asks git.
 */
const NEVER_MATCHED_BY_GIT = /^(it is only spaces$|a lone `!` negates nothing$|it names no file or folder|unknown character class|`\[` at character \d+ is never closed)/;
const REFUSED_BY_CHOICE = /^`\/` inside the bracket expression/;

/** Splits the generated patterns into those roleguard accepts and those it refuses (that git must never match); throws on an unexpected refusal. */
function sortOut(specs: readonly PatternSpec[]): { accepted: PatternSpec[]; neverMatched: string[] } {
  const accepted: PatternSpec[] = [];
  const neverMatched: string[] = [];
  for (const spec of specs) {
    const reason = validatePattern(spec.pattern);
    if (reason === undefined) accepted.push(spec);
    else if (NEVER_MATCHED_BY_GIT.test(reason)) neverMatched.push(spec.pattern);
    else if (!REFUSED_BY_CHOICE.test(reason)) throw new Error(`roleguard refuses the generated pattern ${JSON.stringify(spec.pattern)}: ${reason}`);
  }
  return { accepted, neverMatched };
}

const randomPath = fc.array(fc.string({ unit: fc.constantFrom(...NAME_CHARS, "[", "]", "*", "?", "\\", "{", "}", ":"), minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }).map((names) => names.map(asName).join("/"));

/** A usable file or folder name: never empty, `.` or `..`. */
function asName(text: string): string {
  return text === "" ? "a" : text === "." || text === ".." ? `${text}a` : text;
}

/** Difference 4: git's code, not its documentation, for `**` right after an anchored pattern's literal start. */
function hasGitPrefixQuirk(pattern: string): boolean {
  let body = pattern.startsWith("!") ? pattern.slice(1) : pattern;
  if (body.endsWith("/")) body = body.slice(0, -1);
  if (!body.includes("/")) return false;
  if (body.startsWith("/")) body = body.slice(1);
  const firstWildcard = body.search(/[*?[\\]/);
  return firstWildcard > 0 && body.startsWith("**", firstWildcard) && body[firstWildcard - 1] !== "/";
}

const ancestors = (path: string): string[] => path.split("/").slice(0, -1).map((_, index, names) => names.slice(0, index + 1).join("/"));

// ——— the comparison ———

interface Tally {
  pairs: number;
  ignoredByGit: number;
  /** Pairs where no pattern matched a folder above the path, so the deciding pattern itself is compared. */
  decidingPatternCompared: number;
  beneathExcludedFolder: number;
  codePoint: number;
}

function compareWithGit(generated: readonly PatternSpec[], extraPaths: readonly string[], tally: Tally, ignoreCase: boolean): string | undefined {
  const { accepted: specs, neverMatched } = sortOut(generated);
  const candidates = [...new Set([...generated.map((spec) => spec.sample), ...extraPaths])];
  const folders = new Set(candidates.flatMap(ancestors));
  // A path that is also a folder of another path would be a folder to git; roleguard matches changed files.
  const files = candidates.filter((path) => path !== "" && !folders.has(path));
  const queries = [...files, ...folders];
  for (const pattern of neverMatched) {
    const matchedByGit = gitLines([pattern], files, queries, ignoreCase).findIndex((line) => line > 0);
    if (matchedByGit >= 0) return `roleguard refuses ${JSON.stringify(pattern)} (${validatePattern(pattern)}), but git matches ${JSON.stringify(queries[matchedByGit])} with it`;
  }
  if (specs.length === 0) return undefined;
  const patterns = specs.map((spec) => spec.pattern);
  const lines = gitLines(patterns, files, queries, ignoreCase);
  const lineOf = new Map(queries.map((query, index) => [query, lines[index] as number]));
  const list = new PathPatternList(patterns, { caseInsensitive: ignoreCase });
  const negated = (index: number): boolean => (patterns[index] as string).startsWith("!");
  const byteWildcards = patterns.some((pattern) => /[?[]/.test(pattern));

  for (const file of files) {
    tally.pairs++;
    const gitLine = lineOf.get(file) as number;
    const gitIgnored = gitLine > 0 && !negated(gitLine - 1);
    if (gitIgnored) tally.ignoredByGit++;
    const ours = list.decidingIndex(file);
    const oursIgnored = ours !== undefined && !negated(ours);
    const folderMatched = ancestors(file).some((folder) => (lineOf.get(folder) as number) > 0);
    const sameDecision = folderMatched ? oursIgnored === gitIgnored : (ours ?? -1) + 1 === gitLine;
    if (!folderMatched) tally.decidingPatternCompared++;
    if (sameDecision) continue;
    if (gitIgnored && !oursIgnored && ours !== undefined && folderMatched) {
      tally.beneathExcludedFolder++; // difference 1
      continue;
    }
    if (byteWildcards && /[^\x00-\x7f]/.test(file)) {
      tally.codePoint++; // difference 3
      continue;
    }
    return `patterns ${JSON.stringify(patterns)}, file ${JSON.stringify(file)}: git decided by line ${gitLine} (${gitIgnored ? "ignored" : "not ignored"}), roleguard by ${ours === undefined ? "no pattern" : `line ${ours + 1}`} (${oursIgnored ? "forbidden" : "allowed"})`;
  }
  return undefined;
}

const run = fc.record({ specs: fc.array(patternSpec, { minLength: 1, maxLength: 4 }), extraPaths: fc.array(randomPath, { maxLength: 4 }) });

describe("path patterns mean what git means (git check-ignore, seeded)", () => {
  it("agrees with git on generated lists and paths, case-sensitive", { timeout: 120_000 }, () => {
    const tally: Tally = { pairs: 0, ignoredByGit: 0, decidingPatternCompared: 0, beneathExcludedFolder: 0, codePoint: 0 };
    fc.assert(
      fc.property(run, ({ specs, extraPaths }) => {
        const disagreement = compareWithGit(specs, extraPaths, tally, false);
        if (disagreement) throw new Error(disagreement);
      }),
      { seed: SEED, numRuns: 600, endOnFailure: true },
    );
    // Not a vacuous comparison: git ignores a good share of the paths, and most pairs compare the deciding pattern itself.
    expect(tally.pairs).toBeGreaterThan(2000);
    expect(tally.ignoredByGit / tally.pairs).toBeGreaterThan(0.2);
    expect(tally.decidingPatternCompared / tally.pairs).toBeGreaterThan(0.5);
    // The deliberate differences are exceptions, not the rule.
    expect(tally.beneathExcludedFolder + tally.codePoint).toBeLessThan(tally.pairs / 10);
  });

  it("agrees with git ignoring case (core.ignoreCase) on generated lists and paths", { timeout: 120_000 }, () => {
    const tally: Tally = { pairs: 0, ignoredByGit: 0, decidingPatternCompared: 0, beneathExcludedFolder: 0, codePoint: 0 };
    fc.assert(
      fc.property(run, ({ specs, extraPaths }) => {
        const flip = (text: string): string => text.replace(/[a-c]/g, (char) => char.toUpperCase());
        const disagreement = compareWithGit(specs, [...extraPaths, ...specs.map((spec) => flip(spec.sample))], tally, true);
        if (disagreement) throw new Error(disagreement);
      }),
      { seed: SEED + 1, numRuns: 100, endOnFailure: true },
    );
    expect(tally.ignoredByGit / tally.pairs).toBeGreaterThan(0.2);
  });

  it("knows git's POSIX classes character by character (every ASCII code)", () => {
    const names = Array.from({ length: 127 }, (_, index) => String.fromCharCode(index + 1)).filter((char) => char !== "/" && char !== "\n");
    for (const name of CLASSES) {
      const pattern = `x[[:${name}:]]`;
      const files = names.map((char) => `x${char}`);
      const lines = gitLines([pattern], files, files);
      const list = new PathPatternList([pattern]);
      const differing = files.filter((file, index) => list.test(file) !== (lines[index] as number) > 0);
      expect(differing, `[:${name}:]`).toEqual([]);
    }
  });
});

describe("deliberate differences from git (SPEC §3), each checked against git", () => {
  it("1. `!` re-allows a file beneath an excluded folder; git cannot", () => {
    expect(gitIgnores(["dir/", "!dir/keep.txt"], "dir/keep.txt")).toBe(true);
    expect(new PathPatternList(["dir/", "!dir/keep.txt"]).test("dir/keep.txt")).toBe(false);
  });

  it("1. `!dir/` re-allows the files inside dir; to git it only un-excludes the folder", () => {
    expect(gitIgnores(["*.log", "!logs/"], "logs/a.log")).toBe(true);
    expect(new PathPatternList(["*.log", "!logs/"]).test("logs/a.log")).toBe(false);
  });

  it("2. braces expand; to git they are literal", () => {
    expect(gitIgnores(["*.{yml,yaml}"], "app.yaml")).toBe(false);
    expect(gitIgnores(["*.{yml,yaml}"], "app.{yml,yaml}")).toBe(true);
    expect(new PathPatternList(["*.{yml,yaml}"]).test("app.yaml")).toBe(true);
    expect(new PathPatternList(["\\{yml,yaml\\}"]).test("{yml,yaml}")).toBe(true); // escaped: literal, as in git
  });

  it("3. `?` matches one character, a non-ASCII one too; git matches one byte", () => {
    expect(gitIgnores(["icon-?.png"], "icon-é.png")).toBe(false);
    expect(gitIgnores(["icon-??.png"], "icon-é.png")).toBe(true);
    expect(new PathPatternList(["icon-?.png"]).test("icon-é.png")).toBe(true);
    expect(new PathPatternList(["icon-??.png"]).test("icon-é.png")).toBe(false);
  });

  it("4. `**` right after an anchored pattern's literal start is one `*`, as git's documentation says (git's code differs)", () => {
    expect(gitIgnores(["x/ab**/c"], "x/abc")).toBe(true);
    expect(gitIgnores(["x/ab**/c"], "x/ab/y/c")).toBe(true);
    const list = new PathPatternList(["x/ab**/c"]);
    expect(list.test("x/abc")).toBe(false);
    expect(list.test("x/ab/y/c")).toBe(false);
    expect(list.test("x/abz/c")).toBe(true);
  });

  it("5. `#` first is a character; to git the line is a comment", () => {
    expect(gitIgnores(["#notes"], "#notes")).toBe(false);
    expect(new PathPatternList(["#notes"]).test("#notes")).toBe(true);
  });

  it.each([
    ["deploy/[abc", "deploy/[abc"],
    ["secrets\\", "secrets\\"],
    ["[[:word:]]x", "ax"],
    ["a//b", "a/b"],
    ["a[/]b", "a/b"],
  ])("6. git never matches %j; roleguard refuses it when the policy loads", (pattern, file) => {
    expect(gitIgnores([pattern], file)).toBe(false);
    expect(validatePattern(pattern)).toBeDefined();
  });

  it("6. `\\/` is a slash to git; roleguard refuses it (write `/`)", () => {
    expect(gitIgnores(["a\\/b"], "a/b")).toBe(true);
    expect(validatePattern("a\\/b")).toContain("cannot be escaped");
  });

  it("7. ignoring case, RE2 folds non-ASCII letters too; git folds ASCII only", () => {
    expect(gitIgnores(["café"], "CAFÉ", true)).toBe(false);
    expect(gitIgnores(["cafe"], "CAFE", true)).toBe(true);
    expect(new PathPatternList(["café"], { caseInsensitive: true }).test("CAFÉ")).toBe(true);
  });
});
