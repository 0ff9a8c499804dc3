/** The app reads `Roleguard-Role:` from commit messages and the PR body (issue 14): it adds a role, never removes one. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeCheckRun } from "../helpers/fake-github.js";

const BASE = { ".github/roles/guarded.md": roleMd('role: guarded\nconstraints:\n  forbidden_paths: ["secrets/"]') };
let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  fake.repo("acme/shop", { files: BASE });
});
afterEach(() => stopFakeGitHub(fake));

async function verdict(pull: Parameters<FakeGitHub["pull"]>[1]) {
  const created = fake.pull("acme/shop", pull);
  await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, "acme/shop", created, "opened"));
  return fake.report(fake.checkRuns("acme/shop")[0] as FakeCheckRun);
}

describe("a role declared by the agent", () => {
  it("a commit trailer brings the role to a PR no assign entry names", async () => {
    const report = await verdict({
      number: 1,
      author: "carol",
      head: { ...BASE, "secrets/a": "a\n" },
      commits: [{ sha: `a${"1".repeat(39)}`, author: "carol", committer: "carol", message: "Tidy\n\nRoleguard-Role: guarded\n" }],
    });
    expect(report.conclusion).toBe("failure");
    expect(report.roles).toEqual([{ id: "guarded", source: "declared: Roleguard-Role: guarded in commit a111111" }]);
  });

  it("the PR body's line does the same; an unknown id is a warning", async () => {
    const report = await verdict({ number: 2, author: "carol", body: "Roleguard-Role: guarded\nRoleguard-Role: nobody", head: { ...BASE, "secrets/a": "a\n" } });
    expect(report.roles).toEqual([{ id: "guarded", source: "declared: Roleguard-Role: guarded in the PR description" }]);
    expect(report.warnings).toContain("Roleguard-Role: nobody in the PR description names no role file; no role was added for it");
  });
});
