/** The Python manifests of issue 12: which files, Pipfile, pyproject [build-system], setup.cfg. */
import { describe, expect, it } from "vitest";
import { diffDependencies, ecosystemForLockfile, ecosystemForManifest, pipfile, pyproject, setupCfg } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

describe("which Python files are manifests", () => {
  it.each([
    ["requirements.txt", "pip"],
    ["requirements.dev.txt", "pip"],
    ["requirements-test.in", "pip"],
    ["requirementsdev.in", "pip"],
    ["dev-requirements.in", "pip"],
    ["requirements/base.in", "pip"],
    ["requirements-dev/lint.in", "pip"],
    ["requirements.d/test.txt", "pip"],
    ["services/api/requirements/prod.in", "pip"],
    ["Pipfile", "pipfile"],
    ["backend/Pipfile", "pipfile"],
    ["setup.cfg", "setup-cfg"],
    ["pyproject.toml", "pyproject"],
  ])("%s → %s", (path, id) => {
    expect(ecosystemForManifest(path)?.id).toBe(id);
  });

  it.each(["MANIFEST.in", "requirements/MANIFEST.in", "requirements/Makefile.in", "Makefile.in", "config.h.in", "docs/conf.py.in", "tox.ini", "Pipfile.lock", "setup.py"])("%s is not", (path) => {
    expect(ecosystemForManifest(path)).toBeUndefined();
  });

  it("Pipfile.lock belongs to Pipfile, poetry.lock to pyproject", () => {
    expect([ecosystemForLockfile("Pipfile.lock")?.id, ecosystemForLockfile("poetry.lock")?.id]).toEqual(["pipfile", "pyproject"]);
  });
});

describe("pyproject [build-system].requires", () => {
  const toml = (requires: string) => `[build-system]\nrequires = [${requires}]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "x"\ndependencies = ["httpx>=0.25"]\n`;
  it("is read as build dependencies, so a backend bump is an update", () => {
    const base = pyproject.parse(toml('"setuptools>=61", "setuptools_scm[toml]>=6.2"'), "pyproject.toml");
    const head = pyproject.parse(toml('"setuptools>=69", "wheel"'), "pyproject.toml");
    expect(base).toEqual({ setuptools: ">=61 (build)", "setuptools-scm": "[toml]>=6.2 (build)", httpx: ">=0.25" });
    expect(diffDependencies(base, head)).toEqual({
      added: [{ name: "wheel", spec: "* (build)" }],
      removed: [{ name: "setuptools-scm", spec: "[toml]>=6.2 (build)" }],
      updated: [{ name: "setuptools", from: ">=61 (build)", to: ">=69 (build)" }],
    });
  });
  it("requires that is not a list is unreadable", () => {
    expect(parseError(pyproject, '[build-system]\nrequires = "setuptools"\n', "pyproject.toml").message).toBe("build-system.requires must be an array of strings, found a string");
  });
});

describe("Pipfile", () => {
  it("reads packages, dev-packages and other categories; settings are not packages", () => {
    expect(pipfile.parse(readFixture("python/Pipfile"), "Pipfile")).toEqual({
      requests: "*",
      django: ">=4.2,<5",
      celery: "==5.3.6 extras=[redis]",
      "acme-sdk": "git=https://github.com/acme/sdk.git ref=v1.4.0",
      pytest: "~=7.4 (dev)",
      sphinx: "* (category: docs)",
    });
  });
  it("reordered tables and keys change nothing", () => {
    const a = '[packages]\nrequests = "*"\nflask = "==3.0"\n\n[dev-packages]\npytest = "*"\n';
    const b = '[dev-packages]\npytest = "*"\n\n[packages]\nflask = "==3.0"\nrequests = "*"\n';
    expect(diffDependencies(pipfile.parse(a, "Pipfile"), pipfile.parse(b, "Pipfile"))).toEqual({ added: [], removed: [], updated: [] });
  });
  it.each([
    ["invalid TOML", "[packages\nrequests = '*'\n", /^line 1: invalid TOML/],
    ["a package that is a number", "[packages]\nrequests = 2\n", /packages\.requests must be a version string or a table, found a number/],
    ["packages that is not a table", 'packages = "requests"\n', /packages must be a table of packages, found a string/],
  ])("could not read: %s", (_case, content, message) => {
    expect(parseError(pipfile, content, "Pipfile").message).toMatch(message);
  });
});

describe("setup.cfg", () => {
  it("reads install_requires, setup_requires, tests_require and extras, keeping markers and specifier commas", () => {
    expect(setupCfg.parse(readFixture("python/setup.cfg"), "setup.cfg")).toEqual({
      requests: ">=2.31,<3",
      click: '==8.1.7; python_version < "3.12"',
      attrs: "*",
      "setuptools-scm": "[toml]>=6.2 (build)",
      pytest: ">=7 (test)",
      black: "==24.1.1 (extra: dev)",
      ruff: "* (extra: dev)",
      pyyaml: ">=6 (extra: yaml)",
    });
  });
  it("a one-line value is split at ';' as setuptools does", () => {
    expect(setupCfg.parse("[options]\ninstall_requires = requests>=2; attrs\n", "setup.cfg")).toEqual({ requests: ">=2", attrs: "*" });
  });
  it("indentation, comments and key case change nothing", () => {
    const a = "[options]\ninstall_requires =\n    requests\n    attrs\n";
    const b = "# top\n[options]\nINSTALL_REQUIRES =\n  requests\n\n  attrs\n";
    expect(setupCfg.parse(b, "setup.cfg")).toEqual(setupCfg.parse(a, "setup.cfg"));
  });
  it("a setup.cfg with only tool settings has no dependencies", () => {
    expect(setupCfg.parse("[flake8]\nmax-line-length = 100\n[tool:pytest]\naddopts = -q\n", "setup.cfg")).toEqual({});
  });
  it.each([
    ["a setting before any section", "install_requires = x\n", "line 1: a setting before any [section]"],
    ["a line that is not key = value", "[options]\njust some words\n", 'line 2: not a key = value line: "just some words"'],
    ["a requirement that is not PEP 508", "[options]\ninstall_requires =\n    requests\n    ??? nope\n", 'line 4: options.install_requires is not a list of PEP 508 requirements: "??? nope"'],
  ])("could not read: %s", (_case, content, message) => {
    expect(parseError(setupCfg, content, "setup.cfg").message).toBe(message);
  });
});
