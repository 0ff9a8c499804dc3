/**
 * A submodule's pinned commit through the app (SPEC §2): the pulls-files API
 * has no file modes, so a gitlink shows only by its `Subproject commit`
 * patch; moving the pin is an update, a new one an addition, and a text file
 * that merely changed is not mistaken for one.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { submoduleOf } from "../../src/sources/github/pull-request.js";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, gitlink, startFakeGitHub, stopFakeGitHub, type FakeCheckRun } from "../helpers/fake-github.js";

const OLD = "a".repeat(40);
const NEW = "b".repeat(40);

let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
});
afterEach(() => stopFakeGitHub(fake));

const policy = {
  ".github/roleguard.yml": "assign:\n  - role: deps\n    users: [ops-agent]\n",
  ".github/roles/deps.md": roleMd("role: deps\nconstraints:\n  requires_approval_for: [add_dependencies, remove_dependencies, update_dependencies]"),
  ".gitmodules": '[submodule "libs/core"]\n\tpath = libs/core\n\turl = https://github.com/acme/core.git\n',
};

async function findingsOf(base: Record<string, string>, head: Record<string, string>): Promise<string[]> {
  fake.repo("acme/shop", { files: base });
  const pull = fake.pull("acme/shop", { number: 7, author: "ops-agent", head });
  await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, "acme/shop", pull, "opened"));
  const report = fake.report(fake.checkRuns("acme/shop")[0] as FakeCheckRun);
  return report.findings.map((finding) => `${finding.category} ${finding.path} ${finding.detail}`);
}

describe("a submodule in a pull request", () => {
  it("the pinned commit moved is update_dependencies naming both commits", async () => {
    const base = { ...policy, "libs/core": gitlink(OLD) };
    expect(await findingsOf(base, { ...base, "libs/core": gitlink(NEW) })).toEqual(["update_dependencies libs/core submodule libs/core from aaaaaaa to bbbbbbb"]);
  });

  it("a submodule added with its .gitmodules entry is added in both", async () => {
    const base = { ...policy, ".gitmodules": "" };
    expect(await findingsOf(base, { ...policy, "libs/core": gitlink(NEW) })).toEqual([
      "add_dependencies .gitmodules submodule libs/core https://github.com/acme/core.git",
      "add_dependencies libs/core submodule libs/core at bbbbbbb",
    ]);
  });

  it("an ordinary file's change has no submodule finding", async () => {
    const base = { ...policy, "libs/core.txt": "one\n" };
    expect(await findingsOf(base, { ...base, "libs/core.txt": "two\n" })).toEqual([]);
  });
});

describe("submoduleOf (the patch of a pulls-files entry)", () => {
  it.each([
    [`@@ -1 +1 @@\n-Subproject commit ${OLD}\n+Subproject commit ${NEW}`, { submodule: { base: OLD, head: NEW } }],
    [`@@ -0,0 +1 @@\n+Subproject commit ${NEW}`, { submodule: { head: NEW } }],
    [`@@ -1 +0,0 @@\n-Subproject commit ${OLD}`, { submodule: { base: OLD } }],
    [`@@ -1 +1 @@\n-Subproject commit ${OLD}\n+Subproject commit ${NEW}\n+more text`, {}],
    ["@@ -1,2 +1,2 @@\n-a\n+b", {}],
    [undefined, {}],
  ])("%j", (patch, expected) => {
    expect(submoduleOf(patch)).toEqual(expected);
  });

  it("above the pulls-files cap (trees diffed), a moved pin is still an update naming both commits", async () => {
    const filler = Object.fromEntries(Array.from({ length: 3_001 }, (_, index) => [`pkg/d${Math.floor(index / 10)}/f${index % 10}.ts`, `v${index}\n`]));
    const base = { ...policy, "libs/core": gitlink(OLD), "libs/gone": gitlink(OLD) };
    const head = { ...policy, ...filler, "libs/core": gitlink(NEW), "libs/new": gitlink(NEW) };
    const findings = (await findingsOf(base, head)).filter((finding) => finding.includes("submodule"));
    expect(findings).toEqual(
      expect.arrayContaining([
        "update_dependencies libs/core submodule libs/core from aaaaaaa to bbbbbbb",
        expect.stringMatching(/^add_dependencies libs\/new submodule libs\/new at bbbbbbb/),
        expect.stringMatching(/^remove_dependencies libs\/gone submodule libs\/gone/),
      ]),
    );
  });
});
