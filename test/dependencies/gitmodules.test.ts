import { describe, expect, it } from "vitest";
import { diffDependencies, ecosystemForManifest, gitmodules } from "../../src/policy/dependencies/index.js";
import { parseError } from "./fixtures.js";

const parse = (content: string) => gitmodules.parse(content, ".gitmodules");

const FILE = `# vendored code
[submodule "libs/ui"]
	path = libs/ui
	url = https://github.com/acme/ui.git
[submodule "proto"]
	path = "vendor/proto files"   ; quoted, with a comment
	URL = git@github.com:acme/proto.git
	branch = release-2
	shallow
[core]
	ignored = true
`;

describe(".gitmodules", () => {
  it("only the repository root's .gitmodules is a manifest", () => {
    expect([ecosystemForManifest(".gitmodules")?.id, ecosystemForManifest("vendor/.gitmodules")?.id, ecosystemForManifest(".gitmodules.bak")?.id]).toEqual(["gitmodules", undefined, undefined]);
  });

  it("reads each submodule by path with its URL and branch; keys are case-insensitive; other sections are ignored", () => {
    expect(parse(FILE)).toEqual({
      "submodule libs/ui": "https://github.com/acme/ui.git",
      "submodule vendor/proto files": "git@github.com:acme/proto.git (branch: release-2)",
    });
  });

  it("a URL moved is an update, a path moved is a removal and an addition", () => {
    const head = FILE.replace("acme/ui.git", "evil/ui.git").replace('"vendor/proto files"', "third_party/proto");
    expect(diffDependencies(parse(FILE), parse(head))).toEqual({
      added: [{ name: "submodule third_party/proto", spec: "git@github.com:acme/proto.git (branch: release-2)" }],
      removed: [{ name: "submodule vendor/proto files", spec: "git@github.com:acme/proto.git (branch: release-2)" }],
      updated: [{ name: "submodule libs/ui", from: "https://github.com/acme/ui.git", to: "https://github.com/evil/ui.git" }],
    });
  });

  it("reordering, indentation and comments change nothing; a continued value is joined", () => {
    const reordered = `[submodule "proto"]\nbranch=release-2\npath = vendor/proto files\nurl = git@github.com:acme/\\\nproto.git\n# ui\n[submodule "libs/ui"]\n    url = https://github.com/acme/ui.git\n    path = libs/ui\n`;
    expect(parse(reordered)).toEqual(parse(FILE));
  });

  it("a submodule with no path is placed at its name, as git does", () => {
    expect(parse('[submodule "x"]\n\turl = u\n')).toEqual({ "submodule x": "u" });
  });

  it.each([
    ["a broken header", '[submodule "a"\n\turl = u\n', 'line 1: not a section header: "[submodule \\"a\\""'],
    ["a stray word with a space", '[submodule "a"]\n\turl = u\n\tnot a setting\n', 'line 3: not a key = value line: "not a setting"'],
    ["a setting before any section", "url = u\n", "line 1: a setting before any [section]"],
    ["an unclosed quote", '[submodule "a"]\n\turl = "u\n', "line 2: a quoted value is never closed"],
    ["a submodule without a URL", '[submodule "a"]\n\tpath = a\n', 'line 1: submodule "a" has no url'],
    ["a submodule without a name", "[submodule]\n\turl = u\n", 'line 1: [submodule] needs a name: [submodule "name"]'],
  ])("could not read: %s", (_case, content, message) => {
    expect(parseError(gitmodules, content, ".gitmodules").message).toBe(message);
  });
});
