/**
 * A role that a label brought stays when the label is removed by the PR's
 * author, a committer, a bot or a role-bound account (SPEC §4, issue 9). Only
 * someone with the override permission drops it, and the summary says who.
 * Written as the attack: the agent (or its owner) removes `role:agent`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeCheckRun, type FakePull } from "../helpers/fake-github.js";

const REPO = "acme/shop";
const BASE = {
  ".github/roleguard.yml": ["assign:", "  - role: agent", '    labels: ["role:agent"]', "  - role: agent", '    users: ["ops-agent[bot]"]', ""].join("\n"),
  ".github/roles/agent.md": roleMd('role: agent\nconstraints:\n  forbidden_paths: ["secrets/"]'),
};

let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  fake.repo(REPO, { files: BASE });
  fake.permission(REPO, "mia", "maintain");
  fake.permission(REPO, "wes", "write");
  fake.permission(REPO, "dave", "admin");
  fake.permission(REPO, "ops-agent[bot]", "admin");
});
afterEach(() => stopFakeGitHub(fake));

type Removal = { by: string; type?: string };

/** carol's PR labelled role:agent, with a forbidden change; then the label is removed by `removal.by`. */
function labelledPull(removal: Removal, commits?: FakePull["commits"]): FakePull {
  return fake.pull(REPO, {
    number: 5,
    author: "carol",
    head: { ...BASE, "secrets/key.pem": "k\n" },
    labels: [],
    labelEvents: [
      { event: "labeled", label: "role:agent", actor: "mia" },
      { event: "unlabeled", label: "role:agent", actor: removal.by, ...(removal.type ? { actorType: removal.type } : {}) },
    ],
    ...(commits ? { commits } : {}),
  });
}

async function verdict(pull: FakePull, action: "unlabeled" | "synchronize", removal: Removal): Promise<{ run: FakeCheckRun; report: ReturnType<FakeGitHub["report"]> }> {
  const extra = action === "unlabeled" ? { label: { name: "role:agent" }, sender: { login: removal.by, type: removal.type ?? "User" } } : {};
  await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, REPO, pull, action, extra));
  const run = fake.checkRuns(REPO).at(-1) as FakeCheckRun;
  return { run, report: fake.report(run) };
}

describe("a role brought by a label", () => {
  it.each([
    ["the PR's author", { by: "carol" }],
    ["a bot", { by: "helper[bot]", type: "Bot" }],
    ["a role-bound account, even an admin", { by: "ops-agent[bot]" }],
    ["someone with write but not the override permission", { by: "wes" }],
  ])("stays when %s removes the label, and the summary says who", async (_who, removal) => {
    const { run, report } = await verdict(labelledPull(removal), "unlabeled", removal);
    expect(run.conclusion).toBe("failure");
    expect(report.roles).toEqual([{ id: "agent", source: `assign[0].labels: role:agent (removed by @${removal.by}, who may not drop a role: it stays)` }]);
  });

  it("stays when a committer of the PR removes it, whatever their permission", async () => {
    const commits = [{ sha: `d${"0".repeat(39)}`, author: "dave", committer: "dave", message: "help" }];
    const { run } = await verdict(labelledPull({ by: "dave" }, commits), "unlabeled", { by: "dave" });
    expect(run.conclusion).toBe("failure");
  });

  it("is dropped when a maintainer with the override permission removes the label, and the summary says who", async () => {
    const { run, report } = await verdict(labelledPull({ by: "mia" }), "unlabeled", { by: "mia" });
    expect(run.conclusion).toBe("neutral");
    expect(report.roles).toEqual([]);
    expect(report.warnings).toContain("label role:agent was removed by @mia, who may override: the role it brought no longer applies");
  });

  it("stays for a PR evaluated later (a push after the removal): the issue events say who removed it", async () => {
    const { run, report } = await verdict(labelledPull({ by: "carol" }), "synchronize", { by: "carol" });
    expect(run.conclusion).toBe("failure");
    expect(JSON.stringify(report.roles)).toContain("removed by @carol");
  });

  it("stays when the events API has not caught up yet: the unlabeled delivery itself says who", async () => {
    const pull = fake.pull(REPO, { number: 6, author: "carol", head: { ...BASE, "secrets/key.pem": "k\n" }, labels: [], labelEvents: [{ event: "labeled", label: "role:agent", actor: "mia" }] });
    const { run } = await verdict(pull, "unlabeled", { by: "carol" });
    expect(run.conclusion).toBe("failure");
  });

  it("a label removed and put back applies as a plain label", async () => {
    const pull = fake.pull(REPO, {
      number: 7,
      author: "carol",
      head: { ...BASE, "secrets/key.pem": "k\n" },
      labels: [{ name: "role:agent" }],
      labelEvents: [
        { event: "labeled", label: "role:agent", actor: "mia" },
        { event: "unlabeled", label: "role:agent", actor: "carol" },
        { event: "labeled", label: "role:agent", actor: "mia" },
      ],
    });
    const { report } = await verdict(pull, "synchronize", { by: "carol" });
    expect(report.roles).toEqual([{ id: "agent", source: "assign[0].labels: role:agent" }]);
  });

  it("costs no label-history request when no assign entry names a label that is missing", async () => {
    const pull = fake.pull(REPO, { number: 8, author: "carol", head: { ...BASE, "docs/a.md": "a\n" }, labels: [{ name: "role:agent" }] });
    await verdict(pull, "synchronize", { by: "carol" });
    expect(fake.requests.filter((request) => request.path.endsWith("/events"))).toEqual([]);
  });
});
