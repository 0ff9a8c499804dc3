import { describe, expect, it } from "vitest";
import {
  ECOSYSTEMS,
  ManifestParseError,
  ecosystemForLockfile,
  ecosystemForManifest,
} from "../../src/policy/dependencies/index.js";

describe("ECOSYSTEMS", () => {
  it("registers every ecosystem once", () => {
    expect(ECOSYSTEMS.map((ecosystem) => ecosystem.id)).toEqual(["npm", "pip", "pyproject", "gomod", "cargo", "bundler", "composer", "github-actions", "docker", "pipfile", "setup-cfg", "maven", "nuget", "helm", "dart", "gradle-catalog", "terraform", "gitmodules"]);
  });

  it("lists the lockfiles of each ecosystem, no lockfile claimed twice", () => {
    expect(Object.fromEntries(ECOSYSTEMS.map((ecosystem) => [ecosystem.id, ecosystem.lockfiles]))).toEqual({
      npm: ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock"],
      pip: [],
      pyproject: ["poetry.lock", "uv.lock", "pdm.lock"],
      gomod: ["go.sum"],
      cargo: ["Cargo.lock"],
      bundler: ["Gemfile.lock", "gems.locked"],
      composer: ["composer.lock"],
      "github-actions": [],
      docker: [],
      pipfile: ["Pipfile.lock"],
      "setup-cfg": [],
      maven: [],
      nuget: ["packages.lock.json"],
      helm: ["Chart.lock"],
      dart: ["pubspec.lock"],
      "gradle-catalog": [],
      terraform: [".terraform.lock.hcl"],
      gitmodules: [],
    });
    const all = ECOSYSTEMS.flatMap((ecosystem) => ecosystem.lockfiles);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe("ecosystemForManifest", () => {
  it.each([
    ["package.json", "npm"],
    ["packages/web/package.json", "npm"],
    ["requirements.txt", "pip"],
    ["requirements-dev.txt", "pip"],
    ["requirements_test.txt", "pip"],
    ["docs/docs-requirements.txt", "pip"],
    ["requirements/base.txt", "pip"],
    ["services/api/requirements/prod.txt", "pip"],
    ["requirements.in", "pip"],
    ["requirements-dev.in", "pip"],
    ["requirements/dev.in", "pip"],
    ["pyproject.toml", "pyproject"],
    ["tools/cli/pyproject.toml", "pyproject"],
    ["go.mod", "gomod"],
    ["cmd/tool/go.mod", "gomod"],
    ["Cargo.toml", "cargo"],
    ["crates/core/Cargo.toml", "cargo"],
    ["Gemfile", "bundler"],
    ["gems.rb", "bundler"],
    ["composer.json", "composer"],
  ])("%s → %s", (path, id) => {
    expect(ecosystemForManifest(path)?.id).toBe(id);
  });

  it.each([
    "package-lock.json",
    "package.json.bak",
    "mypackage.json",
    "requirements.md",
    "requirements-dev.txt.orig",
    "docs/requirements.rst",
    "requirements/README.md",
    "dev-requirements.in.txt.bak",
    "go.sum",
    "go.mod.tmpl",
    "cargo.toml",
    "Gemfile.lock",
    "gemfile",
    "composer.lock",
    "setup.py",
    "",
  ])("%s is not a manifest", (path) => {
    expect(ecosystemForManifest(path)).toBeUndefined();
  });

  it("decides on the base name, not on a folder that happens to look like a manifest", () => {
    expect(ecosystemForManifest("package.json/README.md")).toBeUndefined();
    expect(ecosystemForManifest("Gemfile/notes.txt")).toBeUndefined();
  });
});

describe("ecosystemForLockfile", () => {
  it.each([
    ["package-lock.json", "npm"],
    ["apps/web/yarn.lock", "npm"],
    ["pnpm-lock.yaml", "npm"],
    ["bun.lockb", "npm"],
    ["bun.lock", "npm"],
    ["npm-shrinkwrap.json", "npm"],
    ["poetry.lock", "pyproject"],
    ["uv.lock", "pyproject"],
    ["pdm.lock", "pyproject"],
    ["Pipfile.lock", "pipfile"],
    ["go.sum", "gomod"],
    ["Cargo.lock", "cargo"],
    ["Gemfile.lock", "bundler"],
    ["gems.locked", "bundler"],
    ["composer.lock", "composer"],
  ])("%s → %s", (path, id) => {
    expect(ecosystemForLockfile(path)?.id).toBe(id);
  });

  it.each(["package.json", "yarn.lock.bak", "Cargo.toml", "go.mod", "requirements.txt", "lock"])("%s is not a lockfile", (path) => {
    expect(ecosystemForLockfile(path)).toBeUndefined();
  });
});

describe("ManifestParseError", () => {
  it("is an Error with its own name, a message and an optional line", () => {
    const plain = new ManifestParseError("file is empty");
    expect(plain).toBeInstanceOf(Error);
    expect(plain.name).toBe("ManifestParseError");
    expect(plain.message).toBe("file is empty");
    expect(plain.line).toBeUndefined();
    expect(ManifestParseError.at("invalid value", 7)).toMatchObject({ message: "line 7: invalid value", line: 7 });
  });

  it("is what every parser throws, keeping the library's error as the cause", () => {
    const [npm] = ECOSYSTEMS;
    let caught: unknown;
    try {
      npm?.parse("{", "package.json");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ManifestParseError);
    expect(caught).toMatchObject({ cause: expect.any(SyntaxError) });
  });
});
