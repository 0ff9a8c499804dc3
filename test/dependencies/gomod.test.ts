import { describe, expect, it } from "vitest";
import { diffDependencies, gomod } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const parse = (content: string) => gomod.parse(content, "go.mod");

describe("go.mod", () => {
  it("reads require lines and blocks, marks indirect ones, applies replace and skips other directives", () => {
    expect(parse(readFixture("gomod/base/go.mod"))).toEqual({
      "github.com/go-chi/chi/v5": "v5.0.10",
      "github.com/google/uuid": "v1.4.0",
      "github.com/stretchr/testify": "v1.8.4",
      "golang.org/x/sync": "v0.5.0",
      "github.com/davecgh/go-spew": "v1.1.1 (indirect)",
      "github.com/pmezard/go-difflib": "v1.0.0 (indirect)",
      "gopkg.in/yaml.v3": "v3.0.1 (indirect)",
      "github.com/acme/internal": "v0.3.0 => ../internal",
    });
  });

  it("diffs a realistic change: a bump, a new module, one turned indirect, a fork swapped in", () => {
    const diff = diffDependencies(parse(readFixture("gomod/base/go.mod")), parse(readFixture("gomod/head/go.mod")));
    expect(diff).toEqual({
      added: [{ name: "github.com/rs/zerolog", spec: "v1.31.0" }],
      removed: [{ name: "github.com/pmezard/go-difflib", spec: "v1.0.0 (indirect)" }],
      updated: [
        { name: "github.com/go-chi/chi/v5", from: "v5.0.10", to: "v5.0.12" },
        { name: "github.com/google/uuid", from: "v1.4.0", to: "v1.4.0 => github.com/acme/uuid v1.4.1-patched" },
        { name: "golang.org/x/sync", from: "v0.5.0", to: "v0.5.0 (indirect)" },
      ],
    });
  });

  it.each([
    ["a single-line require", "require github.com/a/b v1.0.0", { "github.com/a/b": "v1.0.0" }],
    ["a single-line indirect require", "require github.com/a/b v1.0.0 // indirect", { "github.com/a/b": "v1.0.0 (indirect)" }],
    ["indirect with a reason", "require (\n\tgithub.com/a/b v1.0.0 // indirect; pinned for CVE\n)", { "github.com/a/b": "v1.0.0 (indirect)" }],
    ["a comment that is not indirect", "require (\n\tgithub.com/a/b v1.0.0 // indirectly needed\n)", { "github.com/a/b": "v1.0.0" }],
    ["a comment glued to the version", "require github.com/a/b v1.0.0// indirect", { "github.com/a/b": "v1.0.0 (indirect)" }],
    ["quoted module paths", 'require (\n\t"github.com/a/b" v1.0.0\n\t`github.com/c/d` v2.0.0\n)', { "github.com/a/b": "v1.0.0", "github.com/c/d": "v2.0.0" }],
    ["a pseudo-version", "require golang.org/x/exp v0.0.0-20231206192017-f3f8817b8deb", { "golang.org/x/exp": "v0.0.0-20231206192017-f3f8817b8deb" }],
    ["an incompatible major version", "require github.com/docker/docker v24.0.7+incompatible", { "github.com/docker/docker": "v24.0.7+incompatible" }],
    ["an empty block on one line", "require ()\n", {}],
    ["a block opened without a space", "require(\n\tgithub.com/a/b v1.0.0\n)", { "github.com/a/b": "v1.0.0" }],
    ["comments and blank lines in a block", "require (\n\n\t// direct deps\n\tgithub.com/a/b v1.0.0\n\n)", { "github.com/a/b": "v1.0.0" }],
    ["CRLF line endings", "module x\r\n\r\nrequire (\r\n\tgithub.com/a/b v1.0.0 // indirect\r\n)\r\n", { "github.com/a/b": "v1.0.0 (indirect)" }],
    ["a replace of one version only, matching", "require github.com/a/b v1.0.0\nreplace github.com/a/b v1.0.0 => github.com/fork/b v1.0.1", { "github.com/a/b": "v1.0.0 => github.com/fork/b v1.0.1" }],
    ["a replace of another version, which does not apply", "require github.com/a/b v1.0.0\nreplace github.com/a/b v0.9.0 => ../b", { "github.com/a/b": "v1.0.0" }],
    [
      "a version-specific replace over a general one",
      "require github.com/a/b v1.0.0\nreplace github.com/a/b => ../b\nreplace github.com/a/b v1.0.0 => ../b-1",
      { "github.com/a/b": "v1.0.0 => ../b-1" },
    ],
    ["a replace of a module not required", "replace github.com/a/b => ../b", {}],
    ["indirect and replaced", "require github.com/a/b v1.0.0 // indirect\nreplace github.com/a/b => ../b", { "github.com/a/b": "v1.0.0 (indirect) => ../b" }],
    [
      "directives from newer Go versions, with blocks",
      "module x\ngo 1.24\ngodebug (\n\tdefault=go1.21\n\tpanicnil=1\n)\ntool golang.org/x/tools/cmd/stringer\nignore ./node_modules\nrequire github.com/a/b v1.0.0",
      { "github.com/a/b": "v1.0.0" },
    ],
    ["an exclude block", "exclude (\n\tgithub.com/a/b v1.0.0\n\tnot even a version\n)\n", {}],
    ["an empty file", "", {}],
    ["only a module line", "module example.com/m\n", {}],
  ])("%s", (_case, content, expected) => {
    expect(parse(content)).toEqual(expected);
  });

  it.each([
    {
      case: "add a requirement",
      base: "module x\n\nrequire github.com/a/b v1.0.0\n",
      head: "module x\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgithub.com/c/d v0.1.0\n)\n",
      expected: { added: [{ name: "github.com/c/d", spec: "v0.1.0" }], removed: [], updated: [] },
    },
    {
      case: "drop a replace",
      base: "require github.com/a/b v1.0.0\nreplace github.com/a/b => ../b\n",
      head: "require github.com/a/b v1.0.0\n",
      expected: { added: [], removed: [], updated: [{ name: "github.com/a/b", from: "v1.0.0 => ../b", to: "v1.0.0" }] },
    },
    {
      case: "bump only the go directive",
      base: "module x\ngo 1.21\nrequire github.com/a/b v1.0.0\n",
      head: "module x\ngo 1.22\ntoolchain go1.22.0\nrequire github.com/a/b v1.0.0\n",
      expected: { added: [], removed: [], updated: [] },
    },
  ])("$case", ({ base, head, expected }) => {
    expect(diffDependencies(parse(base), parse(head))).toEqual(expected);
  });

  describe("malformed input", () => {
    it.each([
      ["a require without a version", "module x\n\nrequire (\n\tgithub.com/a/b\n)", 'line 4: expected "module/path vX.Y.Z" in require, found "github.com/a/b"', 4],
      ["a version without the v", "require (\n\tgithub.com/a/b 1.0.0\n)", 'line 2: expected "module/path vX.Y.Z" in require, found "github.com/a/b 1.0.0"', 2],
      ["an extra token", "require (\n\tgithub.com/a/b v1.0.0 v1.0.1\n)", 'line 2: expected "module/path vX.Y.Z" in require, found "github.com/a/b v1.0.0 v1.0.1"', 2],
      ["a merge conflict inside a block", "require (\n<<<<<<< HEAD\n\tgithub.com/a/b v1.0.0\n)", 'line 2: expected "module/path vX.Y.Z" in require, found "<<<<<<< HEAD"', 2],
      ["a single-line require with no module", "require", 'line 1: expected "module/path vX.Y.Z" in require, found ""', 1],
      ["a block never closed", "module x\nrequire (\n\tgithub.com/a/b v1.0.0\n", 'line 2: "require (" block is never closed', 2],
      ["an exclude block never closed", "exclude (\n\tgithub.com/a/b v1.0.0\n", 'line 1: "exclude (" block is never closed', 1],
      ["text after an opening parenthesis", "require ( github.com/a/b v1.0.0", 'line 1: unexpected text after "require ("', 1],
      ["a replace without an arrow", "replace github.com/a/b ../b", 'line 1: expected "old [version] => new [version]" in replace, found "github.com/a/b ../b"', 1],
      [
        "a replace with a token too many",
        "replace github.com/a/b v1.0.0 => github.com/c/b v1.0.1 v1.0.2",
        'line 1: expected "old [version] => new [version]" in replace, found "github.com/a/b v1.0.0 => github.com/c/b v1.0.1 v1.0.2"',
        1,
      ],
      ["a replace with nothing after the arrow", "replace (\n\tgithub.com/a/b =>\n)", 'line 2: expected "old [version] => new [version]" in replace, found "github.com/a/b =>"', 2],
      ["a broken quoted path", 'require "github.com/a\\q" v1.0.0', 'line 1: cannot read quoted string "\\"github.com/a\\\\q\\""', 1],
      ["a merge conflict outside a block", "module x\n<<<<<<< HEAD\ngo 1.21", 'line 2: not a go.mod directive: "<<<<<<< HEAD"', 2],
      ["a directive in capitals", "Require github.com/a/b v1.0.0", 'line 1: not a go.mod directive: "Require github.com/a/b v1.0.0"', 1],
      ["a Cargo.toml by mistake", '[package]\nname = "x"', 'line 1: not a go.mod directive: "[package]"', 1],
      ["binary content", "module x\n\u0000", "line 2: not a text file (contains a NUL byte)", 2],
    ])("%s", (_case, content, message, line) => {
      const error = parseError(gomod, content, "go.mod");
      expect(error.message).toBe(message);
      expect(error.line).toBe(line);
    });
  });
});
