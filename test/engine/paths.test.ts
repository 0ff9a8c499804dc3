import { describe, expect, it } from "vitest";
import { InvalidPatternError, PathPatternList, validatePattern } from "../../src/policy/paths.js";
import { loginMatches } from "../../src/policy/logins.js";

/** [pattern list, path, caught?] — every rule of SPEC §3 */
const TABLE: [string[], string, boolean][] = [
  // a trailing slash: everything below the folder, at any depth when no other slash
  [["node_modules/"], "node_modules/lodash/index.js", true],
  [["node_modules/"], "packages/app/node_modules/x.js", true],
  [["node_modules/"], "node_modules", false],
  [["node_modules/"], "my_node_modules/x.js", false],
  // a slash in the middle anchors at the root
  [["workspace/frontend/"], "workspace/frontend/src/App.tsx", true],
  [["workspace/frontend/"], "apps/workspace/frontend/src/App.tsx", false],
  [["workspace/frontend/"], "workspace/frontend-legacy/x.ts", false],
  [["docs/*.md"], "docs/a.md", true],
  [["docs/*.md"], "src/docs/a.md", false],
  // a leading slash anchors explicitly
  [["/data/"], "data/dump.csv", true],
  [["/data/"], "src/data/seed.ts", false],
  [["data/"], "src/data/seed.ts", true],
  [["/Makefile"], "Makefile", true],
  [["/Makefile"], "tools/Makefile", false],
  [["/*.md"], "README.md", true],
  [["/*.md"], "docs/README.md", false],
  // a plain file name matches that file at any depth
  [["package.json"], "package.json", true],
  [["package.json"], "packages/api/package.json", true],
  [["package.json"], "package.json.bak", false],
  [[".env"], "services/api/.env", true],
  [[".env"], ".envrc", false],
  // a folder named without its trailing slash covers everything beneath it
  [["infrastructure"], "infrastructure/main.tf", true],
  [["infrastructure"], "infrastructure", true],
  [["infrastructure"], "deploy/infrastructure/modules/vpc.tf", true],
  [["infrastructure"], "infrastructure-docs/readme.md", false],
  [["deploy/prod"], "deploy/prod/values.yaml", true],
  [["*.d"], "config.d/app.conf", true],
  // `*` never crosses `/`; `?` is one character of a name
  [["*.pem"], "certs/server.pem", true],
  [["src/*.ts"], "src/a/b.ts", false],
  [["src/*.ts"], "src/b.ts", true],
  [["db/?.sql"], "db/1.sql", true],
  [["db/?.sql"], "db/12.sql", false],
  [["a?b"], "a/b", false],
  // `**`: leading (any folders above), between slashes (zero or more folders), trailing (everything below)
  [["**/secrets"], "secrets/a", true],
  [["**/secrets"], "x/y/secrets", true],
  [["src/**/*.sql"], "src/db/a/b.sql", true],
  [["src/**/*.sql"], "src/b.sql", true],
  [["src/**/*.sql"], "lib/src/db.sql", false],
  [["a/**/b"], "a/b", true],
  [["a/**/b"], "a/x/y/b/c.txt", true],
  [["a/**/b"], "a/xb", false],
  [["a/**"], "a/x/y", true],
  [["a/**"], "a", false],
  [["/**"], "anything/at/all", true],
  [["**/"], "top-level-file", false],
  [["**/"], "any/file", true],
  // elsewhere a run of stars is one `*`, as git's documentation says
  [["a**b/c"], "axyb/c", true],
  [["a**b/c"], "ax/yb/c", false],
  [["x/ab**/c"], "x/abc", false],
  [["x/ab**/c"], "x/ab/y/c", false],
  [["x/ab**/c"], "x/abz/c", true],
  // bracket expressions are gitignore's
  [["[abc].txt"], "b.txt", true],
  [["[abc].txt"], "d.txt", false],
  [["[abcdef].txt"], "f.txt", true],
  [["file-[0-9][0-9].log"], "logs/file-42.log", true],
  [["[^a]x"], "bx", true],
  [["[^a]x"], "ax", false],
  [["[a-]x"], "-x", true],
  [["[z-a]x"], "zx", true], // git: the start of a reversed range counts, the range does not
  [["[z-a]x"], "mx", false],
  [["[[:digit:]][[:upper:]]"], "7Q", true],
  [["[[:digit:]][[:upper:]]"], "7q", false],
  [["[[:space:]]x"], " x", true],
  [["[![:alnum:]]x"], "_x", true],
  [["[![:alnum:]]x"], "7x", false],
  [["[[:a]x"], ":x", true], // no `:]`: the `[` and what follows are characters of their own
  [["[[:]x"], ":x", true],
  [["[[:]x"], "[x", true],
  [["[[:]x"], "]x", false],
  [["[\\]]x"], "]x", true],
  [["a[!b]c"], "a/c", false], // a bracket expression never matches `/`
  // `?` and a bracket expression match one code point, astral ones too
  [["icon-?.png"], "icon-😀.png", true],
  [["icon-[!a].png"], "icon-😀.png", true],
  [["icon-?.png"], "icon-é.png", true],
  // `\` escapes the next character
  [["\\*.txt"], "*.txt", true],
  [["\\*.txt"], "a.txt", false],
  [["\\!important"], "!important", true],
  [["\\#notes"], "#notes", true],
  [["#notes"], "#notes", true], // not a comment: a role's pattern list has no comments
  [["a\\ "], "a ", true],
  [["a  "], "a", true], // unescaped trailing spaces go, as in git
  [["a  "], "a  ", false],
  // braces (roleguard's addition): alternatives, each a pattern of its own
  [["*.{yml,yaml}"], "k8s/app.yaml", true],
  [["*.{yml,yaml}"], "k8s/app.json", false],
  [["{build,dist}/"], "packages/x/dist/a.js", true],
  [["{build,dist}/"], "dist", false],
  [["{docs,src/generated}"], "pkg/docs/a.md", true], // `docs` matches at any depth
  [["{docs,src/generated}"], "pkg/src/generated/a.ts", false], // `src/generated` is anchored
  [["{docs,src/generated}"], "src/generated/a.ts", true],
  [["a{,.min}.js"], "a.min.js", true],
  [["a{,.min}.js"], "a.js", true],
  [["\\{a,b\\}"], "{a,b}", true],
  // dotfiles and dot-folders match
  [[".github/"], ".github/workflows/ci.yml", true],
  [["*.yml"], ".github/workflows/ci.yml", true],
  [["*"], ".env", true],
  [["src/"], "src/.hidden/file.ts", true],
  // `!` re-allows what an earlier pattern of the same list caught; order matters; the last match wins
  [["docs/", "!docs/public/"], "docs/internal/plan.md", true],
  [["docs/", "!docs/public/"], "docs/public/index.md", false],
  [["!docs/public/", "docs/"], "docs/public/index.md", true],
  [["secrets/", "!secrets/README.md", "secrets/"], "secrets/README.md", true],
  [["*.env", "!*.env", "*.env"], "prod.env", true], // a repeated pattern is never dropped
  [["*.env", "!*.env"], "prod.env", false],
  // unlike git: `!` re-allows beneath an excluded folder, and `!dir/` re-allows the files inside
  [["dir/", "!dir/keep.txt"], "dir/keep.txt", false],
  [["dir/", "!dir/keep.txt"], "dir/other.txt", true],
  [["*.log", "!logs/"], "logs/a.log", false],
  // case-sensitive, like git
  [["Dockerfile"], "dockerfile", false],
  [["Dockerfile"], "Dockerfile", true],
];

/**
 * Issue 9: each way the old matcher (micromatch globs) could be used to land
 * a forbidden change, or blocked an innocent one, written as the attack.
 */
const ATTACKS: { attack: string; patterns: string[]; forbidden: string[]; allowed: string[] }[] = [
  {
    attack: "`[!R]` negates (it was read as `!` or `R`): secrets/key.pem got through, README.md was blocked",
    patterns: ["secrets/[!R]*"],
    forbidden: ["secrets/key.pem", "secrets/.env"],
    allowed: ["secrets/README.md", "secrets/Rakefile"],
  },
  {
    attack: "a pattern repeated later in the list is not dropped: parent `*.env`, child `!*.env`, grandchild `*.env`",
    patterns: ["*.env", "!*.env", "*.env"],
    forbidden: ["prod.env", "deploy/prod.env"],
    allowed: ["prod.envrc"],
  },
  {
    attack: "`[[:alpha:]]` right after a dot keeps its meaning (config.d/x was missed)",
    patterns: ["config.d/[[:alpha:]]*"],
    forbidden: ["config.d/x", "config.d/app.conf"],
    allowed: ["config.d/1.conf", "configxd/x"],
  },
  {
    attack: "`(`, `)` and `|` are literal: file(1).txt is forbidden, file1.txt is not",
    patterns: ["file(1).txt", "a|b"],
    forbidden: ["file(1).txt", "docs/file(1).txt", "a|b"],
    allowed: ["file1.txt", "a", "b"],
  },
  {
    attack: "`\\d` is the letter d, not a digit",
    patterns: ["v\\d.key"],
    forbidden: ["vd.key"],
    allowed: ["v1.key"],
  },
  {
    attack: "extglob characters `+`, `@`, `!` inside a name are literal",
    patterns: ["+(a).txt", "@(prod).env", "x!(y)"],
    forbidden: ["+(a).txt", "@(prod).env", "x!(y)"],
    allowed: ["a.txt", "aa.txt", "prod.env", "xz"],
  },
  {
    attack: "`]` first in brackets is literal, and no pre-filter reads `[]a]` as the text `a]`",
    patterns: ["key[]0-9].pem"],
    forbidden: ["key5.pem", "key].pem", "certs/key0.pem"],
    allowed: ["keya.pem", "key.pem"],
  },
  {
    attack: "`.`, `$`, `^` are literal characters",
    patterns: ["^prod$.cfg"],
    forbidden: ["^prod$.cfg"],
    allowed: ["prod.cfg", "^prod$xcfg"],
  },
];

describe("path patterns (SPEC §3)", () => {
  it.each(TABLE)("%j on %s → %s", (patterns, path, caught) => {
    expect(new PathPatternList(patterns).test(path)).toBe(caught);
  });

  describe.each(ATTACKS)("$attack", ({ patterns, forbidden, allowed }) => {
    it.each(forbidden)("forbids %s", (path) => expect(new PathPatternList(patterns).test(path)).toBe(true));
    it.each(allowed)("allows %s", (path) => expect(new PathPatternList(patterns).test(path)).toBe(false));
  });

  it("case_insensitive turns case-sensitivity off, for literal and wildcard patterns alike", () => {
    const list = new PathPatternList(["Dockerfile", "Infra/", "*.PEM", "[A-C]x"], { caseInsensitive: true });
    expect(list.test("dockerfile")).toBe(true);
    expect(list.test("infra/main.tf")).toBe(true);
    expect(list.test("certs/key.pem")).toBe(true);
    expect(list.test("bX")).toBe(true);
    expect(list.test("src/main.ts")).toBe(false);
  });

  it("a list compiled before (lists are cached by patterns and case option) means the same", () => {
    const patterns = ["Dockerfile", "*.PEM"];
    expect(new PathPatternList(patterns, { caseInsensitive: true }).test("certs/key.pem")).toBe(true);
    expect(new PathPatternList(patterns).test("certs/key.pem")).toBe(false);
    expect(new PathPatternList(patterns, { caseInsensitive: true }).test("dockerfile")).toBe(true);
    expect(new PathPatternList(patterns).test("dockerfile")).toBe(false);
    expect(new PathPatternList(["a", "!a"]).test("a")).toBe(false);
    expect(new PathPatternList(["!a", "a"]).test("a")).toBe(true);
  });

  it("names the pattern that decided: the last one that matches", () => {
    const list = new PathPatternList([".github/", "*.yml"]);
    expect(list.match(".github/workflows/ci.yml")).toBe("*.yml");
    expect(list.match(".github/CODEOWNERS")).toBe(".github/");
    expect(list.match("app.yml")).toBe("*.yml");
    expect(list.match("app.json")).toBeUndefined();
  });

  it("is empty when no pattern can catch anything", () => {
    expect(new PathPatternList([]).isEmpty).toBe(true);
    expect(new PathPatternList(["!a"]).isEmpty).toBe(true);
    expect(new PathPatternList(["a"]).isEmpty).toBe(false);
    expect(new PathPatternList([]).test("anything.ts")).toBe(false);
  });

  it("refuses a malformed pattern, naming it, rather than ignoring it", () => {
    expect(() => new PathPatternList(["secrets/", "deploy/[abc"])).toThrow(InvalidPatternError);
    expect(() => new PathPatternList(["deploy/[abc"])).toThrow('invalid path pattern "deploy/[abc": `[` at character 8 is never closed');
    expect(() => new PathPatternList([""])).toThrow("it is empty");
  });
});

describe("validatePattern: a malformed pattern is an error with a reason (SPEC §3)", () => {
  it.each([
    ["deploy/[abc", "`[` at character 8 is never closed"],
    ["a[", "`[` at character 2 is never closed"],
    ["[!]", "`[` at character 1 is never closed"],
    ["[[:alpha:]", "`[` at character 1 is never closed"],
    ["secrets\\", "it ends with a lone `\\`"],
    ["{a,b", "`{` at character 1 is never closed"],
    ["a,b}", "`}` at character 4 closes no `{`"],
    ["{a}", "the braces at character 1 list no alternatives"],
    ["", "it is empty"],
    ["   ", "it is only spaces"],
    ["!", "a lone `!` negates nothing"],
    ["/", "names no file or folder"],
    ["{a,/}", "its brace alternative 2 names no file or folder"],
    ["a//b", "an empty folder name"],
    ["[[:word:]]", "unknown character class `[:word:]`"],
    ["[[::]]", "unknown character class `[::]`"],
    ["a\\/b", "a slash separates folders and cannot be escaped"],
    ["a[/]b", "`/` inside the bracket expression"],
    ["x".repeat(1001), "it is 1,001 characters long; the limit is 1,000"],
    ["{a,b}".repeat(9), "its braces expand to more than 256 alternatives"],
    ["bad\ud800name", "an unpaired UTF-16 surrogate (U+D800)"],
  ])("%j: %s", (pattern, reason) => {
    expect(validatePattern(pattern)).toContain(reason);
  });

  it.each(["secrets/", "*.{yml,yaml}", "[]a]", "[!]a]", "[[:alpha:]]", "\\[abc", "x".repeat(1000), "{a,b}".repeat(8), "😀/?", "!**/"])("accepts %j", (pattern) => {
    expect(validatePattern(pattern)).toBeUndefined();
  });
});

describe("login patterns (SPEC §4)", () => {
  it.each([
    ["*-agent[bot]", "ops-agent[bot]", true],
    ["*-agent[bot]", "ops-agentb", false],
    ["*-agent[bot]", "OPS-Agent[BOT]", true],
    ["backend-agent[bot]", "backend-agent[bot]", true],
    ["dev?", "dev1", true],
    ["dev?", "dev12", false],
    ["a.b", "axb", false],
    ["copilot", "Copilot", true],
  ])("%s matches %s: %s", (pattern, login, expected) => {
    expect(loginMatches(pattern, login)).toBe(expected);
  });
});
