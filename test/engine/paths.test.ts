import { describe, expect, it } from "vitest";
import { PathPatternList, patternToGlobs } from "../../src/policy/paths.js";
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
  // a leading slash anchors explicitly
  [["/data/"], "data/dump.csv", true],
  [["/data/"], "src/data/seed.ts", false],
  [["data/"], "src/data/seed.ts", true],
  [["/Makefile"], "Makefile", true],
  [["/Makefile"], "tools/Makefile", false],
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
  // globs as in micromatch
  [["*.pem"], "certs/server.pem", true],
  [["src/**/*.sql"], "src/db/a/b.sql", true],
  [["src/**/*.sql"], "lib/src/db.sql", false],
  [["db/?.sql"], "db/1.sql", true],
  [["db/?.sql"], "db/12.sql", false],
  [["[abc].txt"], "b.txt", true],
  [["[abc].txt"], "d.txt", false],
  [["[abcdef].txt"], "f.txt", true],
  [["file-[0-9][0-9].log"], "logs/file-42.log", true],
  [["*.{yml,yaml}"], "k8s/app.yaml", true],
  [["*.{yml,yaml}"], "k8s/app.json", false],
  // dotfiles and dot-folders match
  [[".github/"], ".github/workflows/ci.yml", true],
  [["*.yml"], ".github/workflows/ci.yml", true],
  [["src/"], "src/.hidden/file.ts", true],
  // `!` re-allows what an earlier pattern of the same list caught; order matters
  [["docs/", "!docs/public/"], "docs/internal/plan.md", true],
  [["docs/", "!docs/public/"], "docs/public/index.md", false],
  [["!docs/public/", "docs/"], "docs/public/index.md", true],
  [["secrets/", "!secrets/README.md", "secrets/"], "secrets/README.md", true],
  // case-sensitive, like git
  [["Dockerfile"], "dockerfile", false],
  [["Dockerfile"], "Dockerfile", true],
];

describe("path patterns (SPEC §3)", () => {
  it.each(TABLE)("%j on %s → %s", (patterns, path, caught) => {
    expect(new PathPatternList(patterns).test(path)).toBe(caught);
  });

  it("case_insensitive turns case-sensitivity off", () => {
    const list = new PathPatternList(["Dockerfile", "Infra/"], { caseInsensitive: true });
    expect(list.test("dockerfile")).toBe(true);
    expect(list.test("infra/main.tf")).toBe(true);
    expect(list.test("src/main.ts")).toBe(false);
  });

  it("names the pattern that decided, the first positive one when several match", () => {
    const list = new PathPatternList([".github/", "*.yml"]);
    expect(list.match(".github/workflows/ci.yml")).toBe(".github/");
    expect(list.match("app.yml")).toBe("*.yml");
    expect(list.match("app.json")).toBeUndefined();
  });

  it("ignores empty and slash-only patterns instead of matching everything", () => {
    const list = new PathPatternList(["", "/", "!"]);
    expect(list.isEmpty).toBe(true);
    expect(list.test("anything.ts")).toBe(false);
  });

  it("translates patterns to micromatch globs", () => {
    expect(patternToGlobs("node_modules/")).toEqual({ globs: ["**/node_modules/**/*"], negated: false });
    expect(patternToGlobs("/build")).toEqual({ globs: ["build", "build/**/*"], negated: false });
    expect(patternToGlobs("!a/b")).toEqual({ globs: ["a/b", "a/b/**/*"], negated: true });
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
