/**
 * The app's GitHub source holds the CLI's rule (SPEC §2): a manifest the
 * pulls-files API lists as `copied` is new, and is compared with nothing,
 * never with the file it was copied from.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeCheckRun } from "../helpers/fake-github.js";

let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
});
afterEach(() => stopFakeGitHub(fake));

describe("a copied manifest in a pull request", () => {
  it("lists the new manifest's dependencies as added, not the source's as removed", async () => {
    const a = JSON.stringify({ name: "a", dependencies: { express: "^4.19.2" } });
    const base = {
      ".github/roleguard.yml": "assign:\n  - role: deps\n    users: [ops-agent]\n",
      ".github/roles/deps.md": roleMd("role: deps\nconstraints:\n  requires_approval_for: [add_dependencies, remove_dependencies, update_dependencies]"),
      "a/package.json": a,
    };
    fake.repo("acme/shop", { files: base });
    const pull = fake.pull("acme/shop", {
      number: 4,
      author: "ops-agent",
      head: { ...base, "b/package.json": JSON.stringify({ name: "b", dependencies: { lodash: "^4.17.21" } }) },
      copies: { "b/package.json": "a/package.json" },
    });
    await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, "acme/shop", pull, "opened"));

    const report = fake.report(fake.checkRuns("acme/shop")[0] as FakeCheckRun);
    expect(report.findings.map((finding) => `${finding.category} ${finding.path} ${finding.detail}`)).toEqual(["add_dependencies b/package.json lodash ^4.17.21"]);
  });
});
