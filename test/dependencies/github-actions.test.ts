import { describe, expect, it } from "vitest";
import { diffDependencies, ecosystemForManifest, githubActions } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const workflow = (content: string) => githubActions.parse(content, ".github/workflows/ci.yml");
const SHA = "b4ffde65f46336ab88eb53be808477a3936bae11";

describe("GitHub Actions: which files", () => {
  it.each([".github/workflows/ci.yml", ".github/workflows/publish.yaml", "action.yml", ".github/actions/setup/action.yaml"])("%s is read", (path) => {
    expect(ecosystemForManifest(path)?.id).toBe("github-actions");
  });
  it.each([".github/workflows/templates/ci.yml", "docs/.github/workflows/ci.yml", ".github/workflows/README.md", "myaction.yml", ".github/dependabot.yml"])("%s is not", (path) => {
    expect(ecosystemForManifest(path)?.id).not.toBe("github-actions");
  });
});

describe("GitHub Actions: uses:", () => {
  it("reads steps and reusable workflows, names each ref's kind, skips local actions", () => {
    expect(workflow(readFixture("github-actions/base/ci.yml"))).toEqual({
      "actions/checkout": "v4 (tag)",
      "actions/setup-node": "v4 (tag)",
      "github/codeql-action/init": "v3 (tag)",
      "docker://alpine": "3.19 (tag)",
      "acme/shared-workflows/.github/workflows/release.yml": "main (branch or tag)",
    });
  });

  it("diffs a realistic change: a tag pinned to a SHA, an action added, a docker step removed, a reusable workflow moved to a tag; jobs reordered is no change", () => {
    const diff = diffDependencies(workflow(readFixture("github-actions/base/ci.yml")), workflow(readFixture("github-actions/head/ci.yml")));
    expect(diff).toEqual({
      added: [{ name: "pnpm/action-setup", spec: "v4.0.0 (tag)" }],
      removed: [{ name: "docker://alpine", spec: "3.19 (tag)" }],
      updated: [
        { name: "acme/shared-workflows/.github/workflows/release.yml", from: "main (branch or tag)", to: "v2 (tag)" },
        { name: "actions/checkout", from: "v4 (tag)", to: `${SHA} (commit SHA)` },
      ],
    });
  });

  it("reads a composite action's runs.steps", () => {
    expect(githubActions.parse(readFixture("github-actions/action.yml"), ".github/actions/setup/action.yml")).toEqual({
      "actions/setup-node": "60edb5dd545a775178f52524783378180af0d1f8 (commit SHA)",
      "actions/cache": "v4 (tag)",
    });
  });

  it("an action at two refs in two jobs keeps both, once each, sorted", () => {
    const text = `jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/checkout@${SHA}\n  b:\n    steps:\n      - uses: actions/checkout@v4\n`;
    expect(workflow(text)).toEqual({ "actions/checkout": `${SHA} (commit SHA), v4 (tag)` });
  });

  it("whitespace, comments, quoting and order give the same map", () => {
    const a = "jobs:\n  t:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n";
    const b = "# CI\njobs:\n  t:\n    steps:\n    - uses: 'actions/cache@v4'   # cache\n\n    - {uses: \"actions/checkout@v4\"}\n";
    expect(workflow(b)).toEqual(workflow(a));
  });

  it.each([
    ["a docker digest", "docker://ghcr.io/acme/tool@sha256:abc", { "docker://ghcr.io/acme/tool": "sha256:abc (digest)" }],
    ["a docker image without tag", "docker://alpine", { "docker://alpine": "latest (no tag)" }],
    ["a registry port, no tag", "docker://localhost:5000/tool", { "docker://localhost:5000/tool": "latest (no tag)" }],
    ["a short SHA (GitHub refuses it; shown as a ref)", "actions/checkout@b4ffde6", { "actions/checkout": "b4ffde6 (branch or tag)" }],
    ["no ref", "actions/checkout", { "actions/checkout": "(no ref)" }],
  ])("%s", (_case, uses, expected) => {
    expect(workflow(`jobs:\n  t:\n    steps:\n      - uses: ${uses}\n`)).toEqual(expected);
  });

  it.each([
    ["invalid YAML at a line", "jobs:\n  t:\n    steps:\n      - uses: [a\n", /^line \d+: invalid YAML/],
    ["a list at the top", "- a\n- b\n", /expected a mapping at the top level, found a list/],
    ["jobs as a list", "jobs:\n  - a\n", /jobs must be a mapping, found a list/],
    ["steps as a string", "jobs:\n  t:\n    steps: checkout\n", /jobs\.t\.steps must be a list, found a string/],
    ["uses as a number", "jobs:\n  t:\n    steps:\n      - uses: 4\n", /jobs\.t\.steps\[0\]\.uses must be a string, found a number/],
    ["an alias bomb", `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\njobs: {}\n`, /invalid YAML/],
  ])("could not read: %s", (_case, content, message) => {
    expect(parseError(githubActions, content, ".github/workflows/ci.yml").message).toMatch(message);
  });

  it("an empty workflow has no dependencies", () => {
    expect(workflow("")).toEqual({});
  });
});
