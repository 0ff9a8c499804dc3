import { describe, expect, it } from "vitest";
import { diffDependencies, npm } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const parse = (content: string) => npm.parse(content, "package.json");
const manifest = (sections: Record<string, unknown>) => JSON.stringify({ name: "app", version: "1.0.0", ...sections });

describe("npm package.json", () => {
  it("reads all four dependency maps, marking the non-default ones", () => {
    expect(parse(readFixture("npm/base/package.json"))).toEqual({
      express: "^4.18.2",
      "left-pad": "1.3.0",
      lodash: "^4.17.21",
      react: "^18.2.0, ^18.0.0 (peer)",
      "@types/node": "^20.11.0 (dev)",
      typescript: "^5.3.3 (dev)",
      vitest: "^1.2.0 (dev)",
      fsevents: "^2.3.3 (optional)",
    });
  });

  it("diffs a realistic change: an add, a removal, updates and a move to devDependencies", () => {
    const diff = diffDependencies(parse(readFixture("npm/base/package.json")), parse(readFixture("npm/head/package.json")));
    expect(diff).toEqual({
      added: [{ name: "zod", spec: "^3.22.4" }],
      removed: [{ name: "lodash", spec: "^4.17.21" }],
      updated: [
        { name: "express", from: "^4.18.2", to: "^4.19.2" },
        { name: "left-pad", from: "1.3.0", to: "1.3.0 (dev)" },
        { name: "typescript", from: "^5.3.3 (dev)", to: "^5.4.0 (dev)" },
      ],
    });
  });

  it.each([
    {
      case: "add a dependency",
      base: {},
      head: { dependencies: { chalk: "^5.3.0" } },
      expected: { added: [{ name: "chalk", spec: "^5.3.0" }], removed: [], updated: [] },
    },
    {
      case: "remove a dev dependency",
      base: { devDependencies: { eslint: "^8.56.0" } },
      head: {},
      expected: { added: [], removed: [{ name: "eslint", spec: "^8.56.0 (dev)" }], updated: [] },
    },
    {
      case: "bump a version",
      base: { dependencies: { react: "^18.2.0" } },
      head: { dependencies: { react: "^19.0.0" } },
      expected: { added: [], removed: [], updated: [{ name: "react", from: "^18.2.0", to: "^19.0.0" }] },
    },
    {
      case: "move from dependencies to peerDependencies",
      base: { dependencies: { react: "^18.0.0" } },
      head: { peerDependencies: { react: "^18.0.0" } },
      expected: { added: [], removed: [], updated: [{ name: "react", from: "^18.0.0", to: "^18.0.0 (peer)" }] },
    },
    {
      case: "move from devDependencies to optionalDependencies",
      base: { devDependencies: { fsevents: "^2.3.3" } },
      head: { optionalDependencies: { fsevents: "^2.3.3" } },
      expected: { added: [], removed: [], updated: [{ name: "fsevents", from: "^2.3.3 (dev)", to: "^2.3.3 (optional)" }] },
    },
    {
      case: "also list an existing dependency as a peer",
      base: { dependencies: { react: "^18.0.0" } },
      head: { dependencies: { react: "^18.0.0" }, peerDependencies: { react: "^18.0.0" } },
      expected: { added: [], removed: [], updated: [{ name: "react", from: "^18.0.0", to: "^18.0.0, ^18.0.0 (peer)" }] },
    },
    {
      case: "switch to a git dependency",
      base: { dependencies: { lib: "^1.0.0" } },
      head: { dependencies: { lib: "github:acme/lib#v1.1.0" } },
      expected: { added: [], removed: [], updated: [{ name: "lib", from: "^1.0.0", to: "github:acme/lib#v1.1.0" }] },
    },
    {
      case: "change only scripts and version",
      base: { scripts: { test: "jest" }, dependencies: { a: "1" } },
      head: { version: "2.0.0", scripts: { test: "vitest" }, dependencies: { a: "1" } },
      expected: { added: [], removed: [], updated: [] },
    },
  ])("$case", ({ base, head, expected }) => {
    expect(diffDependencies(parse(manifest(base)), parse(manifest(head)))).toEqual(expected);
  });

  it("joins the specs of a package in several maps in the fixed order dependencies, dev, peer, optional", () => {
    const content = manifest({
      optionalDependencies: { x: "^4.0.0" },
      peerDependencies: { x: "^3.0.0" },
      devDependencies: { x: "^2.0.0" },
      dependencies: { x: "^1.0.0" },
    });
    expect(parse(content)).toEqual({ x: "^1.0.0, ^2.0.0 (dev), ^3.0.0 (peer), ^4.0.0 (optional)" });
  });

  it("ignores other maps (bundleDependencies, overrides, engines)", () => {
    const content = manifest({
      bundleDependencies: ["a"],
      overrides: { b: "1.0.0" },
      engines: { node: ">=20" },
      dependencies: { c: "1.0.0" },
    });
    expect(parse(content)).toEqual({ c: "1.0.0" });
  });

  it("is empty for a package.json without dependencies", () => {
    expect(parse('{"name": "empty", "version": "0.0.0"}')).toEqual({});
  });

  it("keeps a package named like an Object.prototype member as an ordinary entry", () => {
    const map = parse('{"dependencies": {"__proto__": "1.0.0", "constructor": "2.0.0", "hasOwnProperty": "3.0.0"}}');
    expect(Object.keys(map)).toEqual(["__proto__", "constructor", "hasOwnProperty"]);
    expect(map["__proto__"]).toBe("1.0.0");
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
  });

  it("reads a file with a byte-order mark and CRLF line endings", () => {
    expect(parse('\uFEFF{\r\n  "dependencies": {\r\n    "a": "1.0.0"\r\n  }\r\n}\r\n')).toEqual({ a: "1.0.0" });
  });

  describe("malformed input", () => {
    it.each([
      ["a trailing comma", '{\n  "dependencies": {\n    "a": "1",\n  }\n}', "line 4: invalid JSON: Expected double-quoted property name", 4],
      ["an unterminated string", '{"dependencies": {"a": "1', "line 1: invalid JSON: Unterminated string", 1],
      ["a truncated file", '{"dependencies": {"a": "1"}', "invalid JSON: Expected ',' or '}' after property value", 1],
      ["text after the object", '{"dependencies": {}}\n<<<<<<< HEAD\n', "line 2: invalid JSON: Unexpected non-whitespace character after JSON", 2],
    ])("%s is an invalid-JSON error with its line", (_case, content, message, line) => {
      const error = parseError(npm, content, "package.json");
      expect(error.message).toContain(message);
      expect(error.line).toBe(line);
    });

    it("names the problem without echoing the file back", () => {
      const content = `{"dependencies": {"a": ${"x".repeat(10_000)}}}`;
      const error = parseError(npm, content, "package.json");
      expect(error.message).toBe("invalid JSON: Unexpected token 'x'");
      expect(error.line).toBeUndefined();
    });

    it.each([
      ["an empty file", "", "file is empty"],
      ["only whitespace", " \n\t\n", "file is empty"],
      ["a top-level array", '["a"]', "expected a JSON object at the top level, found an array"],
      ["a top-level string", '"package"', "expected a JSON object at the top level, found a string"],
      ["top-level null", "null", "expected a JSON object at the top level, found null"],
      ["dependencies as an array", '{"dependencies": ["a"]}', '"dependencies" must be an object of version strings, found an array'],
      ["devDependencies as null", '{"devDependencies": null}', '"devDependencies" must be an object of version strings, found null'],
      ["peerDependencies as a string", '{"peerDependencies": "a"}', '"peerDependencies" must be an object of version strings, found a string'],
      [
        "a numeric version",
        '{"optionalDependencies": {"a": 1}}',
        '"optionalDependencies" must be an object of version strings, but "a" is a number',
      ],
      [
        "a nested object as version",
        '{"dependencies": {"a": {"version": "1"}}}',
        '"dependencies" must be an object of version strings, but "a" is an object',
      ],
      ["binary content", "\u0000\u0001\u0002PK\u0003\u0004", "line 1: not a text file (contains a NUL byte)"],
    ])("%s", (_case, content, message) => {
      expect(parseError(npm, content, "package.json").message).toBe(message);
    });

    it("reports the line of a NUL byte", () => {
      const error = parseError(npm, '{\n"a": "\u0000"\n}', "package.json");
      expect(error.message).toBe("line 2: not a text file (contains a NUL byte)");
      expect(error.line).toBe(2);
    });
  });
});
