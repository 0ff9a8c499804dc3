/**
 * Cache by content (issue 13 item 5): role and config files are parsed once
 * per content (git's blob SHA), in a bounded cache, and `roles.paths` globs
 * are compiled once per list, not once per file.
 */
import { describe, expect, it } from "vitest";
import { isRoleFilePath } from "../../src/policy/policy-files.js";
import { blobShaOf, isRoleFileIn, ParseCache, roleFolderMatcher } from "../../src/roles/files.js";
import { buildRoleSet } from "../../src/roles/resolve.js";
import { defaultConfig } from "../../src/config/schema.js";
import { blobSha } from "../helpers/fake-github.js";

const ROLE = "---\nrole: cached\nconstraints:\n  forbidden_paths: [secrets/]\n---\nA role.\n";

describe("parsed once per content (issue 13 item 5)", () => {
  it("keys a parse by file and git's blob SHA: the same text is parsed once, a changed text again", () => {
    const cache = new ParseCache<{ text: string }>(10);
    let parses = 0;
    const parse = (text: string) => ({ text: `${text}!${++parses}` });
    const first = cache.get("a.md", "one", parse);
    expect(cache.get("a.md", "one", parse)).toBe(first);
    expect(cache.get("a.md", "two", parse)).not.toBe(first);
    expect(cache.get("b.md", "one", parse)).not.toBe(first);
    expect(parses).toBe(3);
    expect(blobShaOf("one\n")).toBe(blobSha("one\n"));
  });

  it("stays bounded however many files it sees", () => {
    const cache = new ParseCache<number>(50);
    for (let i = 0; i < 1_000; i++) cache.get(`r${i}.md`, `text ${i}`, () => i);
    expect(cache.size).toBe(50);
  });

  it("a caller changing a cached parse fails loudly instead of changing every later evaluation's policy", () => {
    const cache = new ParseCache<{ forbidden: string[] }>(10);
    const parsed = cache.get("role.md", ROLE, () => ({ forbidden: ["secrets/"] }));
    expect(() => parsed.forbidden.push("anything")).toThrow(TypeError);
    expect(cache.get("role.md", ROLE, () => ({ forbidden: [] })).forbidden).toEqual(["secrets/"]);
  });

  it("role sets built from the same files resolve alike, evaluation after evaluation", () => {
    const sources = [{ layer: "repository" as const, files: [{ path: ".github/roles/cached.md", text: ROLE }] }];
    const first = buildRoleSet(sources);
    const second = buildRoleSet(sources);
    expect(second.roles.get("cached")?.forbiddenPaths).toEqual(first.roles.get("cached")?.forbiddenPaths);
    expect(second.errors).toEqual([]);
  });
});

describe("roles.paths compiled once per list (issue 13 item 5)", () => {
  it("one matcher per list, however many paths ask", () => {
    const globs = [".github/roles/**/*.md", "team/roles/*.md"];
    expect(roleFolderMatcher([...globs])).toBe(roleFolderMatcher(globs));
    expect(roleFolderMatcher(["other/**/*.md"])).not.toBe(roleFolderMatcher(globs));
  });

  it("matches as before: role files of the folders only, not templates, READMEs or _meta notes", () => {
    const config = defaultConfig();
    const paths = [".github/roles/a.md", ".github/roles/team/b.md", ".github/roles/_template.md", ".github/roles/README.md", ".github/roles/_meta/notes.md", "src/roles/c.md", ".github/roles/a.txt"];
    expect(paths.filter((path) => isRoleFilePath(path, config))).toEqual([".github/roles/a.md", ".github/roles/team/b.md"]);
    expect(isRoleFileIn("team/roles/x.md", ["team/roles/*.md"])).toBe(true);
    expect(isRoleFileIn("team/roles/deep/x.md", ["team/roles/*.md"])).toBe(false);
    expect(isRoleFileIn("x.md", [])).toBe(false);
  });
});
