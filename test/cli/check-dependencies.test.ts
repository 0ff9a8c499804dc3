/**
 * `roleguard check` dependency categories (SPEC §2): manifests of every
 * ecosystem parsed at the base and head commits, lockfile-only changes,
 * unreadable manifests; and the rule that a role only gets findings for the
 * categories it requires (directly or through an escalation phrase).
 */
import { describe, expect, it } from "vitest";
import { checkJson, seen, type SeenFinding } from "../helpers/cli.js";
import { requiring, scenario } from "../helpers/scenario.js";
import type { ChangeSteps, FileTree } from "../helpers/scratch-repo.js";

const ALL_DEPENDENCY_CATEGORIES = requiring("add_dependencies", "remove_dependencies", "update_dependencies");

const pkg = (sections: Record<string, Record<string, string>>): string => `${JSON.stringify({ name: "app", version: "1.0.0", ...sections }, null, 2)}\n`;

interface DependencyCase {
  name: string;
  base?: FileTree;
  change: ChangeSteps;
  /** Every finding: category, path, and the detail, exactly or as a pattern. */
  expected: { category: string; path: string; detail: string | RegExp }[];
}

const CASES: DependencyCase[] = [
  {
    name: "npm: a dependency added",
    base: { "package.json": pkg({ dependencies: { express: "^4.19.0" } }) },
    change: { write: { "package.json": pkg({ dependencies: { express: "^4.19.0", lodash: "^4.17.21" } }) } },
    expected: [{ category: "add_dependencies", path: "package.json", detail: "lodash ^4.17.21" }],
  },
  {
    name: "npm: a dependency removed",
    base: { "package.json": pkg({ dependencies: { express: "^4.19.0", lodash: "^4.17.21" } }) },
    change: { write: { "package.json": pkg({ dependencies: { express: "^4.19.0" } }) } },
    expected: [{ category: "remove_dependencies", path: "package.json", detail: "lodash ^4.17.21" }],
  },
  {
    name: "npm: a version spec changed",
    base: { "package.json": pkg({ dependencies: { express: "^4.19.0" } }) },
    change: { write: { "package.json": pkg({ dependencies: { express: "^5.0.0" } }) } },
    expected: [{ category: "update_dependencies", path: "package.json", detail: "express ^4.19.0 → ^5.0.0" }],
  },
  {
    name: "npm: a dev dependency added",
    base: { "package.json": pkg({ dependencies: { express: "^4.19.0" } }) },
    change: { write: { "package.json": pkg({ dependencies: { express: "^4.19.0" }, devDependencies: { vitest: "^4.1.0" } }) } },
    expected: [{ category: "add_dependencies", path: "package.json", detail: /^vitest \^4\.1\.0\b/ }],
  },
  {
    name: "npm: peer and optional dependencies are read too",
    base: { "package.json": pkg({ dependencies: {} }) },
    change: { write: { "package.json": pkg({ peerDependencies: { react: "^18.0.0" }, optionalDependencies: { fsevents: "^2.3.0" } }) } },
    expected: [
      { category: "add_dependencies", path: "package.json", detail: /^fsevents \^2\.3\.0\b/ },
      { category: "add_dependencies", path: "package.json", detail: /^react \^18\.0\.0\b/ },
    ],
  },
  {
    name: "npm: a manifest in a sub-folder of a monorepo",
    base: { "packages/api/package.json": pkg({ dependencies: { zod: "^3.0.0" } }) },
    change: { write: { "packages/api/package.json": pkg({ dependencies: { zod: "^4.0.0" } }) } },
    expected: [{ category: "update_dependencies", path: "packages/api/package.json", detail: "zod ^3.0.0 → ^4.0.0" }],
  },
  {
    name: "npm: a new manifest adds every dependency in it",
    change: { write: { "tools/package.json": pkg({ dependencies: { chalk: "^5.0.0" } }) } },
    expected: [{ category: "add_dependencies", path: "tools/package.json", detail: "chalk ^5.0.0" }],
  },
  {
    name: "npm: a field other than the dependency maps changed is no finding",
    base: { "package.json": pkg({ dependencies: { express: "^4.19.0" } }) },
    change: { write: { "package.json": pkg({ dependencies: { express: "^4.19.0" }, scripts: { test: "vitest" } }) } },
    expected: [],
  },
  {
    name: "pip: requirements.txt update, add and remove",
    base: { "requirements.txt": "requests==2.31.0\nflask>=2.0\n" },
    change: { write: { "requirements.txt": "requests==2.32.0\nhttpx>=0.27\n" } },
    expected: [
      { category: "add_dependencies", path: "requirements.txt", detail: /^httpx >=0\.27$/ },
      { category: "remove_dependencies", path: "requirements.txt", detail: /^flask >=2\.0$/ },
      { category: "update_dependencies", path: "requirements.txt", detail: /^requests (==)?2\.31\.0 → (==)?2\.32\.0$/ },
    ],
  },
  {
    name: "pyproject.toml: [project] dependencies",
    base: { "pyproject.toml": '[project]\nname = "svc"\ndependencies = ["requests>=2.31"]\n' },
    change: { write: { "pyproject.toml": '[project]\nname = "svc"\ndependencies = ["requests>=2.31", "httpx>=0.27"]\n' } },
    expected: [{ category: "add_dependencies", path: "pyproject.toml", detail: /^httpx >=0\.27$/ }],
  },
  {
    name: "go.mod: a required module's version bumped",
    base: { "go.mod": "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/pkg/errors v0.9.1\n)\n" },
    change: { write: { "go.mod": "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/pkg/errors v0.9.2\n)\n" } },
    expected: [{ category: "update_dependencies", path: "go.mod", detail: "github.com/pkg/errors v0.9.1 → v0.9.2" }],
  },
  {
    name: "go.mod: a module required with a single-line require",
    base: { "go.mod": "module example.com/svc\n\ngo 1.22\n" },
    change: { write: { "go.mod": "module example.com/svc\n\ngo 1.22\n\nrequire golang.org/x/sync v0.7.0\n" } },
    expected: [{ category: "add_dependencies", path: "go.mod", detail: "golang.org/x/sync v0.7.0" }],
  },
  {
    name: "Cargo.toml: a crate added",
    base: { "Cargo.toml": '[package]\nname = "svc"\nversion = "0.1.0"\n\n[dependencies]\nserde = "1.0"\n' },
    change: { write: { "Cargo.toml": '[package]\nname = "svc"\nversion = "0.1.0"\n\n[dependencies]\nserde = "1.0"\nanyhow = "1.0.86"\n' } },
    expected: [{ category: "add_dependencies", path: "Cargo.toml", detail: "anyhow 1.0.86" }],
  },
  {
    name: "Gemfile: a gem removed, another updated",
    base: { Gemfile: 'source "https://rubygems.org"\n\ngem "rails", "~> 7.0"\ngem "puma", "~> 6.0"\n' },
    change: { write: { Gemfile: 'source "https://rubygems.org"\n\ngem "rails", "~> 7.1"\n' } },
    expected: [
      { category: "remove_dependencies", path: "Gemfile", detail: "puma ~> 6.0" },
      { category: "update_dependencies", path: "Gemfile", detail: "rails ~> 7.0 → ~> 7.1" },
    ],
  },
  {
    name: "composer.json: a package added",
    base: { "composer.json": '{\n  "require": { "monolog/monolog": "^2.0" }\n}\n' },
    change: { write: { "composer.json": '{\n  "require": { "monolog/monolog": "^2.0", "symfony/console": "^6.0" }\n}\n' } },
    expected: [{ category: "add_dependencies", path: "composer.json", detail: "symfony/console ^6.0" }],
  },
  {
    name: "a lockfile-only change (package-lock.json, package.json untouched) is update_dependencies",
    base: { "package.json": pkg({ dependencies: { express: "^4.19.0" } }), "package-lock.json": '{"lockfileVersion": 3, "v": 1}\n' },
    change: { write: { "package-lock.json": '{"lockfileVersion": 3, "v": 2}\n' } },
    expected: [{ category: "update_dependencies", path: "package-lock.json", detail: /package-lock\.json/ }],
  },
  {
    name: "a lockfile changed together with its manifest is not reported separately",
    base: { "package.json": pkg({ dependencies: { express: "^4.19.0" } }), "package-lock.json": '{"lockfileVersion": 3, "v": 1}\n' },
    change: { write: { "package.json": pkg({ dependencies: { express: "^4.21.0" } }), "package-lock.json": '{"lockfileVersion": 3, "v": 2}\n' } },
    expected: [{ category: "update_dependencies", path: "package.json", detail: "express ^4.19.0 → ^4.21.0" }],
  },
  {
    name: "other lockfiles alone: Cargo.lock, go.sum, Gemfile.lock, composer.lock, poetry.lock",
    base: { "Cargo.lock": "a\n", "go.sum": "a\n", "Gemfile.lock": "a\n", "composer.lock": "{}\n", "poetry.lock": "a\n" },
    change: { write: { "Cargo.lock": "b\n", "go.sum": "b\n", "Gemfile.lock": "b\n", "composer.lock": '{"b":1}\n', "poetry.lock": "b\n" } },
    expected: ["Cargo.lock", "Gemfile.lock", "composer.lock", "go.sum", "poetry.lock"].map((path) => ({
      category: "update_dependencies",
      path,
      detail: new RegExp(path.replace(".", "\\.")),
    })),
  },
];

describe("check: dependency manifests of every ecosystem (SPEC §2)", () => {
  it.each(CASES)("$name", async ({ base, change, expected }) => {
    const repo = scenario({ roles: { tester: ALL_DEPENDENCY_CATEGORIES }, ...(base ? { base } : {}), change });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.errors).toEqual([]);
    expect(seen(report.findings, { detail: false })).toEqual(
      expected.map(({ category, path }): SeenFinding => ({ category, path, state: "pending" })),
    );
    const details = seen(report.findings).map((finding) => finding.detail);
    expected.forEach((want, index) => {
      if (typeof want.detail === "string") expect(details[index]).toBe(want.detail);
      else expect(details[index]).toMatch(want.detail);
    });
    expect(code).toBe(expected.length > 0 ? 1 : 0);
    expect(report.conclusion).toBe(expected.length > 0 ? "action_required" : "success");
  });
});

describe("check: a manifest that cannot be read is a finding, never a silent pass (SPEC §2)", () => {
  it.each([
    { name: "package.json", base: pkg({ dependencies: { express: "^4.19.0" } }), head: '{ "dependencies": { "express": "^4.19.0", }\n' },
    { name: "Cargo.toml", base: '[dependencies]\nserde = "1.0"\n', head: '[dependencies\nserde = "1.0"\n' },
    { name: "composer.json", base: '{"require": {}}\n', head: '{"require": {\n' },
  ])("an unparseable $name at head: 'could not read … treat as changed' in every required category", async ({ name, base, head }) => {
    const repo = scenario({ roles: { tester: ALL_DEPENDENCY_CATEGORIES }, base: { [name]: base }, change: { write: { [name]: head } } });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual(
      ["add_dependencies", "remove_dependencies", "update_dependencies"].map((category): SeenFinding => ({ category, path: name, state: "pending" })),
    );
    for (const finding of report.findings) {
      expect(finding.detail).toContain("could not read");
      expect(finding.detail).toContain("treat as changed");
      expect(finding.detail).toContain(name);
    }
    expect(report.conclusion).toBe("action_required");
    expect(code).toBe(1);
  });

  it("an unparseable manifest with only add_dependencies required gives one finding", async () => {
    const repo = scenario({
      roles: { tester: requiring("add_dependencies") },
      base: { "package.json": pkg({}) },
      change: { write: { "package.json": "not json at all\n" } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([{ category: "add_dependencies", path: "package.json", state: "pending" }]);
    expect(report.findings[0]?.detail).toMatch(/could not read.*treat as changed/);
  });
});

describe("check: dependency findings only for the categories a role requires (SPEC §1, §2)", () => {
  const base = { "package.json": pkg({ dependencies: { express: "^4.19.0", lodash: "^4.17.21" } }) };
  const change = { write: { "package.json": pkg({ dependencies: { express: "^5.0.0", zod: "^4.0.0" } }) } };

  it("a role requiring only add_dependencies sees the addition, not the update or removal", async () => {
    const repo = scenario({ roles: { tester: requiring("add_dependencies") }, base, change });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings)).toEqual([{ category: "add_dependencies", path: "package.json", state: "pending", detail: "zod ^4.0.0" }]);
  });

  it("a role with no dependency category and no dependency phrase sees nothing", async () => {
    const repo = scenario({ roles: { tester: requiring("deployment") }, base, change });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });

  it.each([
    { line: "Adding new dependencies", category: "add_dependencies", detail: "zod ^4.0.0" },
    { line: "Removing dependencies", category: "remove_dependencies", detail: "lodash ^4.17.21" },
    { line: "Updating dependencies", category: "update_dependencies", detail: "express ^4.19.0 → ^5.0.0" },
    { line: "Upgrading packages", category: "update_dependencies", detail: "express ^4.19.0 → ^5.0.0" },
  ])("the escalation phrase '$line' maps to $category", async ({ line, category, detail }) => {
    const repo = scenario({ roles: { tester: `decision_making:\n  escalation_criteria:\n    - ${line}` }, base, change });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings)).toEqual([{ category, path: "package.json", state: "pending", detail }]);
    expect(report.checklist).toEqual([]);
  });

  it("'Dependency management: adding, removing, or updating package dependencies' maps to all three", async () => {
    const repo = scenario({
      roles: { tester: "decision_making:\n  escalation_criteria:\n    - \"Dependency management: adding, removing, or updating package dependencies\"" },
      base,
      change,
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings).map((finding) => finding.category)).toEqual(["add_dependencies", "remove_dependencies", "update_dependencies"]);
  });

  it("the built-in contractor role ('Adding new dependencies', add + update required) does not ask about removals", async () => {
    const repo = scenario({ base, change });
    const { report } = await checkJson(repo.dir, ["--role", "contractor"]);

    expect(seen(report.findings)).toEqual([
      { category: "add_dependencies", path: "package.json", state: "pending", detail: "zod ^4.0.0" },
      { category: "update_dependencies", path: "package.json", state: "pending", detail: "express ^4.19.0 → ^5.0.0" },
    ]);
    expect(report.title).toMatch(/^2 approvals needed: /);
  });
});
