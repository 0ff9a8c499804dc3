/**
 * Org roles are a floor (SPEC §1, issue 9). The attack: one file
 * `.github/roles/<id>.md` on a repository's default branch, with the id of an
 * org role, used to replace it and switch off every org-wide forbidden path
 * in that repository, with a green check.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeCheckRun } from "../helpers/fake-github.js";

let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/.github", {
    files: {
      ".github/roleguard.yml": 'assign:\n  - role: org-agent\n    users: ["*-agent[bot]"]\n',
      "roles/org-agent.md": roleMd('role: org-agent\nconstraints:\n  forbidden_paths: ["secrets/"]'),
    },
  });
});
afterEach(() => stopFakeGitHub(fake));

describe("a repository role with an org role's id", () => {
  it("cannot switch off the org's forbidden paths: the check fails and the summary warns", async () => {
    const base = { ".github/roles/org-agent.md": roleMd('role: org-agent\nconstraints:\n  forbidden_paths: ["!**"]\ndecision_making:\n  autonomy_level: high') };
    fake.repo("acme/shop", { files: base });
    const pull = fake.pull("acme/shop", { number: 3, author: "ops-agent[bot]", head: { ...base, "secrets/key.pem": "k\n" } });
    await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, "acme/shop", pull, "opened"));

    const run = fake.checkRuns("acme/shop")[0] as FakeCheckRun;
    expect(run.conclusion).toBe("failure");
    const report = fake.report(run);
    expect(report.findings).toMatchObject([{ category: "forbidden_paths", path: "secrets/key.pem", state: "violation" }]);
    expect((report.warnings as string[]).some((warning) => warning.includes("redefines the organisation's role org-agent"))).toBe(true);
  });
});
