/**
 * A commit shared by several PRs carries the strictest verdict (SPEC §5, issue
 * 9). The attack: one branch proposed to `main` (where the agent's change is
 * forbidden) and to `dev` (where no rule applies); opening the second PR used
 * to overwrite the shared check run with `neutral`/`success`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeCheckRun, type Files } from "../helpers/fake-github.js";

const REPO = "acme/shop";
const BASE: Files = {
  ".github/roleguard.yml": 'assign:\n  - role: guarded\n    users: ["ops-agent[bot]"]\n',
  ".github/roles/guarded.md": roleMd('role: guarded\nconstraints:\n  forbidden_paths: ["secrets/"]'),
};

let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  fake.repo(REPO, { files: BASE });
  // `dev` already holds the key: into dev the branch changes nothing, into main it adds a forbidden file.
  fake.commit(REPO, "dev", { ...BASE, "secrets/key.pem": "k\n" });
});
afterEach(() => stopFakeGitHub(fake));

describe("one head commit, two open pull requests", () => {
  it("opening the laxer PR second keeps the strictest verdict on the commit's one check run", async () => {
    const { probot } = testProbot(undefined, { retry: false });
    const head = { ...BASE, "secrets/key.pem": "k\n" };
    const intoMain = fake.pull(REPO, { number: 1, author: "ops-agent[bot]", head, headRef: "agent/work" });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, intoMain, "opened"));
    const intoDev = fake.pull(REPO, { number: 2, author: "ops-agent[bot]", head, base: "dev", sameHeadAs: intoMain });
    expect(intoDev.head.sha).toBe(intoMain.head.sha);
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, intoDev, "opened"));

    const runs = fake.checkRuns(REPO);
    expect(runs).toHaveLength(1);
    const run = runs[0] as FakeCheckRun;
    expect(run.conclusion).toBe("failure");
    expect(fake.report(run).findings).toMatchObject([{ category: "forbidden_paths", path: "secrets/key.pem", state: "violation" }]);
    expect(run.output?.summary).toContain("This commit is the head of 2 open pull requests; the check shows the strictest verdict, #1's. #1 into `main`: failure; #2 into `dev`: success.");
  });

  it("in either order", async () => {
    const { probot } = testProbot(undefined, { retry: false });
    const head = { ...BASE, "secrets/key.pem": "k\n" };
    const intoDev = fake.pull(REPO, { number: 2, author: "ops-agent[bot]", head, headRef: "agent/work", base: "dev" });
    const intoMain = fake.pull(REPO, { number: 1, author: "ops-agent[bot]", head, sameHeadAs: intoDev });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, intoDev, "opened"));
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, intoMain, "synchronize"));
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, intoDev, "synchronize"));
    expect(fake.checkRuns(REPO).map((run) => run.conclusion)).toEqual(["failure"]);
  });

  it("two deliveries for the two PRs at once still give one run, with the strictest verdict", async () => {
    const { probot } = testProbot(undefined, { retry: false });
    const head = { ...BASE, "secrets/key.pem": "k\n" };
    const intoMain = fake.pull(REPO, { number: 1, author: "ops-agent[bot]", head, headRef: "agent/work" });
    const intoDev = fake.pull(REPO, { number: 2, author: "ops-agent[bot]", head, base: "dev", sameHeadAs: intoMain });
    await Promise.all([
      deliver(probot, "pull_request", pullRequestEvent(fake, REPO, intoMain, "synchronize")),
      deliver(probot, "pull_request", pullRequestEvent(fake, REPO, intoDev, "synchronize")),
    ]);
    expect(fake.checkRuns(REPO).map((run) => run.conclusion)).toEqual(["failure"]);
  });
});
