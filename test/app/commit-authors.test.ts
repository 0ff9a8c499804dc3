/**
 * Fail closed when the commit authors cannot all be read (SPEC §4, issue 9).
 * The attack: a person's PR with 259 commits of their own and an agent's
 * forbidden commit as the 260th. GitHub's pulls API lists 250 commits, so the
 * agent's commit was never seen and the check said `neutral`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeCheckRun } from "../helpers/fake-github.js";

const BASE = {
  ".github/roleguard.yml": 'assign:\n  - role: guarded\n    users: ["ops-agent[bot]"]\n',
  ".github/roles/guarded.md": roleMd('role: guarded\nconstraints:\n  forbidden_paths: ["secrets/"]'),
};

let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  fake.repo("acme/shop", { files: BASE });
});
afterEach(() => stopFakeGitHub(fake));

async function longPull(): Promise<{ run: FakeCheckRun; report: ReturnType<FakeGitHub["report"]>; paths: string[] }> {
  const own = Array.from({ length: 259 }, (_, i) => ({ sha: `c${String(i).padStart(39, "0")}`, author: "carol", committer: "carol", message: `step ${i}` }));
  const agent = { sha: `a${"0".repeat(39)}`, author: "ops-agent[bot]", committer: "ops-agent[bot]", message: "tidy secrets" };
  const pull = fake.pull("acme/shop", { number: 12, author: "carol", head: { ...BASE, "secrets/key.pem": "k\n" }, commits: [...own, agent] });
  await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, "acme/shop", pull, "opened"));
  const run = fake.checkRuns("acme/shop")[0] as FakeCheckRun;
  return { run, report: fake.report(run), paths: fake.requests.map((request) => request.path) };
}

describe("commit authors beyond GitHub's 250-commit list", () => {
  it("reads every commit through the compare API and finds the agent's 260th commit", async () => {
    const { run, report, paths } = await longPull();
    expect(run.conclusion).toBe("failure");
    expect(report.roles).toEqual([{ id: "guarded", source: "assign[0].users: commit author ops-agent[bot]" }]);
    expect(report.findings).toMatchObject([{ category: "forbidden_paths", path: "secrets/key.pem", state: "violation" }]);
    // 260 commits at 100 a page: three compare pages after the capped pulls list.
    expect(paths.filter((path) => path.includes("/compare/")).length).toBe(3);
  });

  it("when even that cannot list them all, the check fails closed and says why", async () => {
    fake.compareCommitsCap = 250;
    const { run, report } = await longPull();
    expect(run.conclusion).toBe("failure");
    expect(run.output?.title).toMatch(/^Could not read every commit of this pull request \(250 of 260\)/);
    expect(report.errors).toMatchObject([{ file: "(pull request)" }]);
  });

  it("a PR under the cap costs no compare request", async () => {
    const pull = fake.pull("acme/shop", { number: 13, author: "carol", head: { ...BASE, "docs/a.md": "a\n" } });
    await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, "acme/shop", pull, "opened"));
    expect(fake.requests.filter((request) => request.path.includes("/compare/"))).toEqual([]);
    expect(fake.checkRuns("acme/shop")[0]?.conclusion).toBe("neutral");
  });
});
