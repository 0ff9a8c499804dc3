/**
 * `mode: observe` through the app (SPEC §4, §5): the check run concludes
 * neutral on a forbidden change, so a required check passes while a team
 * rolls out; the org's enforce cannot be turned into observe by a repository.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeCheckRun, type Files } from "../helpers/fake-github.js";

const REPO = "acme/shop";
const ORG = "acme/.github";
const ROLE = roleMd('role: guarded\nconstraints:\n  forbidden_paths: ["secrets/"]');
const ASSIGN = ["assign:", "  - role: guarded", '    users: ["*-agent[bot]"]'];

let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
});
afterEach(() => stopFakeGitHub(fake));

async function forbiddenChange(repoConfig: string[], orgConfig?: string[]): Promise<FakeCheckRun> {
  fake.repo(ORG, { files: orgConfig ? { ".github/roleguard.yml": `${orgConfig.join("\n")}\n` } : { "README.md": "org\n" } });
  const base: Files = { ".github/roleguard.yml": `${repoConfig.join("\n")}\n`, ".github/roles/guarded.md": ROLE, "src/app.ts": "1\n" };
  fake.repo(REPO, { files: base });
  const pull = fake.pull(REPO, { number: 3, author: "ops-agent[bot]", head: { ...base, "secrets/key.pem": "k\n" } });
  await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
  const runs = fake.checkRuns(REPO);
  expect(runs).toHaveLength(1);
  return runs[0] as FakeCheckRun;
}

describe("mode: observe in the app", () => {
  it("a forbidden change concludes neutral, with the whole verdict and the would-be conclusion in the report", async () => {
    const run = await forbiddenChange(["mode: observe", ...ASSIGN]);
    expect(run.conclusion).toBe("neutral");
    expect(run.output?.title).toBe("Observe mode, enforcing would fail: 1 forbidden change: secrets/key.pem");
    const report = fake.report(run);
    expect(report).toMatchObject({ conclusion: "neutral", mode: "observe", would_conclude: "failure" });
    expect(report.findings).toMatchObject([{ category: "forbidden_paths", path: "secrets/key.pem", state: "violation" }]);
  });

  it("the same change under enforce fails", async () => {
    const run = await forbiddenChange(ASSIGN);
    expect(run.conclusion).toBe("failure");
  });

  it("a repository cannot observe what the organisation enforces: the check fails and the summary says why", async () => {
    const run = await forbiddenChange(["mode: observe"], ["mode: enforce", ...ASSIGN]);
    expect(run.conclusion).toBe("failure");
    expect(fake.report(run).warnings).toContain("mode: observe in the repository is not applied: the organisation's config is a floor");
  });

  it("an organisation that observes lets a repository enforce", async () => {
    const run = await forbiddenChange(["mode: enforce"], ["mode: observe", ...ASSIGN]);
    expect(run.conclusion).toBe("failure");
  });
});
