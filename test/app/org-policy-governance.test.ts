/**
 * The org's own policy is governed (SPEC §2, issue 9): an agent with write
 * access to the organisation's `.github` repository must not rewrite its own
 * org-wide role with a green check. Written as the attack: the PR that edits
 * `roles/<its role>.md` (or the org `roleguard.yml`) there.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeCheckRun, type Files } from "../helpers/fake-github.js";

const ORG = "acme/.github";
const ROLE = roleMd('role: org-agent\nconstraints:\n  forbidden_paths: ["billing/"]');
const ORG_FILES: Files = {
  ".github/roleguard.yml": "assign:\n  - role: org-agent\n    users: [\"*-agent[bot]\"]\n",
  "roles/org-agent.md": ROLE,
};

let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
});
afterEach(() => stopFakeGitHub(fake));

async function open(repo: string, base: Files, head: Files): Promise<{ run: FakeCheckRun; report: ReturnType<FakeGitHub["report"]> }> {
  const pull = fake.pull(repo, { number: 9, author: "ops-agent[bot]", head: { ...base, ...head } });
  await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, repo, pull, "opened"));
  const run = fake.checkRuns(repo)[0] as FakeCheckRun;
  return { run, report: fake.report(run) };
}

const governance = (report: ReturnType<FakeGitHub["report"]>) =>
  report.findings.filter((finding) => finding.category === "governance").map((finding) => `${finding.path} ${finding.state}`);

describe("the organisation's policy repository", () => {
  it("an agent's PR that loosens its own org-wide role needs a governance approval", async () => {
    fake.repo(ORG, { files: ORG_FILES });
    const { run, report } = await open(ORG, ORG_FILES, { "roles/org-agent.md": roleMd("role: org-agent\nconstraints: {}") });
    expect(run.conclusion).toBe("action_required");
    expect(governance(report)).toEqual(["roles/org-agent.md pending"]);
  });

  it("a proposed org role that would not load fails the check", async () => {
    fake.repo(ORG, { files: ORG_FILES });
    const { run, report } = await open(ORG, ORG_FILES, { "roles/org-agent.md": roleMd("role: org-agent\ninherits: nobody") });
    expect(run.conclusion).toBe("failure");
    // The role file's own error, and the config's assignment of a role that would then not exist.
    expect(report.errors).toEqual(expect.arrayContaining([expect.objectContaining({ file: "roles/org-agent.md", field: "inherits", origin: "proposed" })]));
  });

  it("an agent's PR that edits the org roleguard.yml needs a governance approval", async () => {
    fake.repo(ORG, { files: ORG_FILES });
    const { run, report } = await open(ORG, ORG_FILES, { ".github/roleguard.yml": "assign: []\n" });
    expect(run.conclusion).toBe("action_required");
    expect(governance(report)).toEqual([".github/roleguard.yml pending"]);
  });

  it("in any other repository, a top-level roles/ folder is ordinary content", async () => {
    fake.repo(ORG, { files: ORG_FILES });
    const shop: Files = { "roles/admin.md": "# who may do what in the shop app\n" };
    fake.repo("acme/shop", { files: shop });
    const { report } = await open("acme/shop", shop, { "roles/admin.md": "# changed\n" });
    expect(governance(report)).toEqual([]);
  });

  it("agent instruction files count as governance, CLAUDE.md and .valora/ included", async () => {
    fake.repo(ORG, { files: ORG_FILES });
    const shop: Files = { "src/app.ts": "1\n" };
    fake.repo("acme/shop", { files: shop });
    const { report } = await open("acme/shop", shop, { "CLAUDE.md": "be bold\n", ".valora/agents/lead.md": "x\n", "packages/api/AGENTS.md": "y\n" });
    expect(governance(report).sort()).toEqual([".valora/agents/lead.md pending", "CLAUDE.md pending", "packages/api/AGENTS.md pending"]);
  });
});
