/**
 * The ecosystems of issue 12 through the CLI, one scratch repository per
 * case (SPEC §2): added, removed, updated, unreadable, reformatted only, and
 * a new manifest compared with nothing. Only the dependency categories are
 * required, so path categories (workflows are security_changes) stay out.
 */
import { describe, expect, it } from "vitest";
import { checkJson, seen } from "../helpers/cli.js";
import { requiring, scenario } from "../helpers/scenario.js";
import type { FileTree } from "../helpers/scratch-repo.js";

const DEPENDENCIES = requiring("add_dependencies", "remove_dependencies", "update_dependencies");

export interface EcosystemCase {
  name: string;
  base?: FileTree;
  write: FileTree;
  /** [category, path, detail] sorted by category then path then detail; detail may be a RegExp */
  expected: [string, string, string | RegExp][];
}

export async function checkCase({ base, write, expected }: EcosystemCase): Promise<void> {
  const repo = scenario({ roles: { tester: DEPENDENCIES }, ...(base ? { base } : {}), change: { write } });
  const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);
  expect(report.errors).toEqual([]);
  const found = seen(report.findings).map((finding) => [finding.category, finding.path, finding.detail]);
  expect(found).toHaveLength(expected.length);
  expected.forEach(([category, path, detail], index) => {
    expect(found[index]?.slice(0, 2)).toEqual([category, path]);
    if (typeof detail === "string") expect(found[index]?.[2]).toBe(detail);
    else expect(found[index]?.[2]).toMatch(detail);
  });
  expect(code).toBe(expected.length > 0 ? 1 : 0);
}

const UNREADABLE = /could not read .*treat as changed/;
const ALL_THREE = (path: string): [string, string, RegExp][] =>
  ["add_dependencies", "remove_dependencies", "update_dependencies"].map((category) => [category, path, UNREADABLE]);

const WF = ".github/workflows/ci.yml";
const steps = (...uses: string[]) => `name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n${uses.map((each) => `      - uses: ${each}\n`).join("")}      - run: npm test\n`;
const SHA = "b4ffde65f46336ab88eb53be808477a3936bae11";

const GITHUB_ACTIONS: EcosystemCase[] = [
  {
    name: "GitHub Actions: a tag pinned to a SHA, an action added, one removed",
    base: { [WF]: steps("actions/checkout@v4", "actions/cache@v3") },
    write: { [WF]: steps(`actions/checkout@${SHA} # v4.1.1`, "actions/setup-node@v4") },
    expected: [
      ["add_dependencies", WF, "actions/setup-node v4 (tag)"],
      ["remove_dependencies", WF, "actions/cache v3 (tag)"],
      ["update_dependencies", WF, `actions/checkout v4 (tag) → ${SHA} (commit SHA)`],
    ],
  },
  { name: "GitHub Actions: reformatted only", base: { [WF]: steps("actions/checkout@v4") }, write: { [WF]: `# CI\nname: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n    - uses: "actions/checkout@v4"\n    - run: npm test\n` }, expected: [] },
  { name: "GitHub Actions: a new workflow is compared with nothing", base: { [WF]: steps("actions/checkout@v4") }, write: { ".github/workflows/release.yml": steps("actions/checkout@v4") }, expected: [["add_dependencies", ".github/workflows/release.yml", "actions/checkout v4 (tag)"]] },
  { name: "GitHub Actions: a composite action", write: { ".github/actions/setup/action.yml": "name: setup\nruns:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n" }, expected: [["add_dependencies", ".github/actions/setup/action.yml", "actions/setup-node v4 (tag)"]] },
  { name: "GitHub Actions: unreadable", base: { [WF]: steps("actions/checkout@v4") }, write: { [WF]: "jobs:\n  test:\n    steps: [\n" }, expected: ALL_THREE(WF) },
];

describe("check: GitHub Actions (SPEC §2)", () => {
  it.each(GITHUB_ACTIONS)("$name", checkCase);
});
