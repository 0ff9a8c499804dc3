import { describe, expect, it } from "vitest";
import { diffDependencies, pyproject } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const parse = (content: string) => pyproject.parse(content, "pyproject.toml");

describe("pyproject.toml", () => {
  describe("PEP 621 and PEP 735", () => {
    it("reads build-system.requires, dependencies, optional-dependencies and dependency-groups, skipping include-group", () => {
      expect(parse(readFixture("pyproject/pep621/base/pyproject.toml"))).toEqual({
        hatchling: "* (build)",
        httpx: ">=0.25",
        pydantic: "[email]>=2.5,<3",
        sqlalchemy: "~=2.0",
        tomli: '>=2; python_version < "3.11"',
        mkdocs: ">=1.5 (extra: docs)",
        "mkdocs-material": "* (extra: docs)",
        psycopg: "[binary]>=3.1 (extra: postgres)",
        ipython: "* (group: dev)",
        ruff: "==0.1.6 (group: lint)",
        pytest: ">=7.4 (group: test)",
        "pytest-cov": "* (group: test)",
      });
    });

    it("diffs a realistic change; reordered extras and a respelled name are not changes", () => {
      const diff = diffDependencies(
        parse(readFixture("pyproject/pep621/base/pyproject.toml")),
        parse(readFixture("pyproject/pep621/head/pyproject.toml")),
      );
      expect(diff).toEqual({
        added: [{ name: "structlog", spec: ">=23.2" }],
        removed: [],
        updated: [
          { name: "httpx", from: ">=0.25", to: ">=0.26" },
          { name: "pytest", from: ">=7.4 (group: test)", to: ">=8.0 (group: test)" },
          { name: "tomli", from: '>=2; python_version < "3.11"', to: ">=2 (group: test)" },
        ],
      });
    });
  });

  describe("Poetry", () => {
    it("reads main, legacy dev and group tables; tables render as their version or as key=value pairs", () => {
      expect(parse(readFixture("pyproject/poetry/base/pyproject.toml"))).toEqual({
        "poetry-core": "* (build)",
        click: "^8.1",
        rich: "^13.7",
        "acme-core": "git=https://github.com/acme/core.git tag=v2.1.0",
        "shared-utils": "develop=true path=../common",
        numpy: "<1.25 | ^1.26",
        black: "^23.12 (group: dev)",
        pytest: "^7.4 (group: test)",
        "pytest-mock": "* (group: test)",
      });
    });

    it("diffs a realistic change; moving dev-dependencies to group.dev is not a change", () => {
      const diff = diffDependencies(
        parse(readFixture("pyproject/poetry/base/pyproject.toml")),
        parse(readFixture("pyproject/poetry/head/pyproject.toml")),
      );
      expect(diff).toEqual({
        added: [],
        removed: [],
        updated: [
          { name: "acme-core", from: "git=https://github.com/acme/core.git tag=v2.1.0", to: "git=https://github.com/acme/core.git tag=v2.2.0" },
          { name: "pytest", from: "^7.4 (group: test)", to: "^8.0 (group: test)" },
        ],
      });
    });

    it("skips the python entry and ignores a group's other settings", () => {
      const content = `
[tool.poetry.dependencies]
python = ">=3.10,<4"

[tool.poetry.group.docs]
optional = true

[tool.poetry.group.docs.dependencies]
sphinx = { version = "^7.2", optional = true }
`;
      expect(parse(content)).toEqual({ sphinx: "^7.2 (group: docs)" });
    });

    it("renders a source table without version deterministically, whatever the key order", () => {
      const one = parse('[tool.poetry.dependencies]\nlib = { git = "https://x/lib.git", branch = "main", subdirectory = "py" }');
      const other = parse('[tool.poetry.dependencies]\nlib = { subdirectory = "py", branch = "main", git = "https://x/lib.git" }');
      expect(one).toEqual({ lib: "branch=main git=https://x/lib.git subdirectory=py" });
      expect(other).toEqual(one);
    });
  });

  it.each([
    {
      case: "add to project.dependencies",
      base: '[project]\ndependencies = ["a>=1"]',
      head: '[project]\ndependencies = ["a>=1", "b==2"]',
      expected: { added: [{ name: "b", spec: "==2" }], removed: [], updated: [] },
    },
    {
      case: "move a package into an extra",
      base: '[project]\ndependencies = ["redis>=5"]',
      head: '[project]\ndependencies = []\n[project.optional-dependencies]\ncache = ["redis>=5"]',
      expected: { added: [], removed: [], updated: [{ name: "redis", from: ">=5", to: ">=5 (extra: cache)" }] },
    },
    {
      case: "migrate from Poetry to PEP 621",
      base: '[tool.poetry.dependencies]\npython = "^3.11"\nRequests = "^2.31"',
      head: '[project]\ndependencies = ["requests>=2.31,<3"]',
      expected: { added: [], removed: [], updated: [{ name: "requests", from: "^2.31", to: ">=2.31,<3" }] },
    },
    {
      case: "remove a dependency group",
      base: '[dependency-groups]\ntypes = ["types-requests"]',
      head: "",
      expected: { added: [], removed: [{ name: "types-requests", spec: "* (group: types)" }], updated: [] },
    },
  ])("$case", ({ base, head, expected }) => {
    expect(diffDependencies(parse(base), parse(head))).toEqual(expected);
  });

  it("lists a package in several sections once, sections in a fixed order and extras sorted", () => {
    const content = `
[project]
dependencies = ["attrs>=23"]
[project.optional-dependencies]
zeta = ["attrs>=23.2"]
alpha = ["attrs[tests]"]
[dependency-groups]
dev = ["attrs==23.2.0"]
`;
    expect(parse(content)).toEqual({ attrs: ">=23, [tests] (extra: alpha), >=23.2 (extra: zeta), ==23.2.0 (group: dev)" });
  });

  it.each([
    ["an empty file", ""],
    ["a tool-only pyproject", "[tool.black]\nline-length = 88\n[tool.mypy]\nstrict = true\n"],
    ["a project without dependencies", '[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]'],
    ["a Poetry project without dependencies", '[tool.poetry]\nname = "x"'],
  ])("%s is an empty map", (_case, content) => {
    expect(parse(content)).toEqual({});
  });

  describe("malformed input", () => {
    it.each([
      ["an unclosed table header", "[project\nname = 'x'", "line 1: invalid TOML: illegal character in key", 1],
      ["a missing value", '[project]\nname = "x"\ndependencies =\n', "line 3: invalid TOML: invalid value", 3],
      ["a duplicated key", '[project]\nname = "a"\nname = "b"', "line 3: invalid TOML: trying to redefine an already defined table or value", 3],
      ["binary content", "\u0000\u0001\u0002\u0003", "line 1: not a text file (contains a NUL byte)", 1],
    ])("%s", (_case, content, message, line) => {
      const error = parseError(pyproject, content, "pyproject.toml");
      expect(error.message).toBe(message);
      expect(error.line).toBe(line);
    });

    it.each([
      ["project as a string", 'project = "x"', "project must be a table, found a string"],
      ["dependencies as a string", '[project]\ndependencies = "requests"', "project.dependencies must be an array of strings, found a string"],
      ["a number in dependencies", "[project]\ndependencies = [1]", "project.dependencies[0] must be a requirement string, found a number"],
      ["a bad requirement", '[project]\ndependencies = ["ok", "not valid!"]', 'project.dependencies[1] is not a PEP 508 requirement: "not valid!"'],
      ["extras as an array", '[project]\noptional-dependencies = ["x"]', "project.optional-dependencies must be a table, found an array"],
      ["an extra as a string", '[project.optional-dependencies]\ndev = "pytest"', "project.optional-dependencies.dev must be an array of strings, found a string"],
      ["a group entry that is a table but not include-group", '[dependency-groups]\ndev = [{ name = "x" }]', "dependency-groups.dev[0] must be a requirement string, found a table"],
      ["Poetry dependencies as an array", '[tool.poetry]\ndependencies = ["x"]', "tool.poetry.dependencies must be a table, found an array"],
      ["a Poetry version that is a number", "[tool.poetry.dependencies]\nx = 1", "tool.poetry.dependencies.x must be a version string, a table or an array of tables, found a number"],
      ["an empty Poetry constraint list", "[tool.poetry.dependencies]\nx = []", "tool.poetry.dependencies.x must be a version string, a table or an array of tables, found an array"],
      ["a Poetry group that is not a table", '[tool.poetry]\ngroup = { dev = "x" }', "tool.poetry.group.dev must be a table, found a string"],
      ["tool as an array", "tool = [1]", "tool must be a table, found an array"],
    ])("%s", (_case, content, message) => {
      expect(parseError(pyproject, content, "pyproject.toml").message).toBe(message);
    });
  });
});
