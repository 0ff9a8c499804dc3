import { describe, expect, it } from "vitest";
import { composer, diffDependencies } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const parse = (content: string) => composer.parse(content, "composer.json");

describe("composer composer.json", () => {
  it("reads require and require-dev, keeping platform requirements and lowercasing names", () => {
    expect(parse(readFixture("composer/base/composer.json"))).toEqual({
      php: "^8.1",
      "ext-json": "*",
      "guzzlehttp/guzzle": "^7.5",
      "monolog/monolog": "^3.0",
      "symfony/console": "^6.3",
      "phpunit/phpunit": "^10.0 (dev)",
      "phpstan/phpstan": "^1.10 (dev)",
    });
  });

  it("diffs a realistic change: new extension, raised PHP floor, a move out of require-dev", () => {
    const diff = diffDependencies(
      parse(readFixture("composer/base/composer.json")),
      parse(readFixture("composer/head/composer.json")),
    );
    expect(diff).toEqual({
      added: [{ name: "ext-intl", spec: "*" }],
      removed: [{ name: "symfony/console", spec: "^6.3" }],
      updated: [
        { name: "guzzlehttp/guzzle", from: "^7.5", to: "^7.8" },
        { name: "php", from: "^8.1", to: "^8.2" },
        { name: "phpstan/phpstan", from: "^1.10 (dev)", to: "^1.10" },
      ],
    });
  });

  it.each([
    {
      case: "add to require-dev",
      base: {},
      head: { "require-dev": { "mockery/mockery": "^1.6" } },
      expected: { added: [{ name: "mockery/mockery", spec: "^1.6 (dev)" }], removed: [], updated: [] },
    },
    {
      case: "remove from require",
      base: { require: { "acme/legacy": "dev-main" } },
      head: { require: {} },
      expected: { added: [], removed: [{ name: "acme/legacy", spec: "dev-main" }], updated: [] },
    },
    {
      case: "change only the case of a name",
      base: { require: { "Acme/Lib": "^1.0" } },
      head: { require: { "acme/lib": "^1.0" } },
      expected: { added: [], removed: [], updated: [] },
    },
    {
      case: "list a package in both require and require-dev",
      base: { require: { "a/b": "^1.0" } },
      head: { require: { "a/b": "^1.0" }, "require-dev": { "a/b": "^1.1" } },
      expected: { added: [], removed: [], updated: [{ name: "a/b", from: "^1.0", to: "^1.0, ^1.1 (dev)" }] },
    },
  ])("$case", ({ base, head, expected }) => {
    expect(diffDependencies(parse(JSON.stringify(base)), parse(JSON.stringify(head)))).toEqual(expected);
  });

  it("is empty when there is no require section", () => {
    expect(parse('{"name": "acme/empty", "autoload": {"psr-4": {"Acme\\\\": "src/"}}}')).toEqual({});
  });

  describe("malformed input", () => {
    it.each([
      ["an empty file", "", "file is empty"],
      ["a missing closing brace", '{\n  "require": {\n    "php": "^8.1"\n  }\n', "line 5: invalid JSON: Expected ',' or '}' after property value"],
      ["a trailing comma", '{"require": {"php": "^8.1",}}', "line 1: invalid JSON: Expected double-quoted property name"],
      ["require as a list", '{"require": ["php"]}', '"require" must be an object of version strings, found an array'],
      ["a boolean constraint", '{"require-dev": {"a/b": true}}', '"require-dev" must be an object of version strings, but "a/b" is a boolean'],
      ["a top-level number", "42", "expected a JSON object at the top level, found a number"],
    ])("%s", (_case, content, message) => {
      expect(parseError(composer, content, "composer.json").message).toBe(message);
    });
  });
});
