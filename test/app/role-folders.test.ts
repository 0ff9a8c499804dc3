/**
 * A role folder on the default branch holds more than roles (SPEC §1): a
 * template whose placeholder id is not a valid role, notes under `_meta/`, a
 * README. None of them is read as a role, in the repository or in the org's
 * `.github` repository.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeCheckRun } from "../helpers/fake-github.js";

const NOT_ROLES = {
  "_template.md": "---\nrole: <role-id>\ninherits: <parent>\n---\n",
  "_meta/notes.md": "---\nrole: Not A Role\n---\n",
  "README.md": "# Our roles\n",
};

let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
});
afterEach(() => stopFakeGitHub(fake));

describe("role folders", () => {
  it("templates, _meta/ and READMEs beside the roles are skipped, in the repository and the org", async () => {
    const prefixed = (prefix: string) => Object.fromEntries(Object.entries(NOT_ROLES).map(([path, text]) => [`${prefix}${path}`, text]));
    fake.repo("acme/.github", { files: { ...prefixed("roles/"), "roles/org-agent.md": roleMd("role: org-agent\nconstraints:\n  forbidden_paths: [billing/]") } });
    const base = {
      ".github/roleguard.yml": "assign:\n  - role: guarded\n    users: [ops-agent]\n  - role: org-agent\n    users: [ops-agent]\n",
      ".github/roles/guarded.md": roleMd("role: guarded\nconstraints:\n  forbidden_paths: [secrets/]"),
      ...prefixed(".github/roles/"),
    };
    fake.repo("acme/shop", { files: base });
    const pull = fake.pull("acme/shop", { number: 1, author: "ops-agent", head: { ...base, "secrets/a": "a\n", "billing/b": "b\n" } });
    await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, "acme/shop", pull, "opened"));

    const run = fake.checkRuns("acme/shop")[0] as FakeCheckRun;
    const report = fake.report(run);
    expect(report.errors).toEqual([]);
    expect(report.findings.map((finding) => `${finding.path} ${finding.state}`).sort()).toEqual(["billing/b violation", "secrets/a violation"]);
  });
});
