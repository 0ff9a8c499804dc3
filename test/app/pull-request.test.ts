import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type Files } from "../helpers/fake-github.js";
import { deliver, pullRequestEvent, testProbot } from "../helpers/app.js";

const REPO = "acme/shop";
const CONFIG = [
  "assign:",
  "  - role: software-engineer-typescript-backend",
  '    users: ["*-agent[bot]"]',
  "categories:",
  "  database_migrations:",
  '    approvers: { users: ["alice"], teams: ["acme/dba"] }',
  "",
].join("\n");
const BASE: Files = {
  ".github/roleguard.yml": CONFIG,
  "package.json": JSON.stringify({ dependencies: { express: "^4.19.2" } }),
  "src/server.ts": "export const port = 3000;\n",
  ".github/workflows/ci.yml": "on: push\n",
};

let fake: FakeGitHub;

beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo(REPO, { files: BASE });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
});

afterEach(() => stopFakeGitHub(fake));

describe("pull_request.opened", () => {
  it("posts one completed check run with the verdict, the summary, annotations and the JSON report", async () => {
    const { probot } = testProbot();
    const pull = fake.pull(REPO, {
      number: 7,
      author: "backend-agent[bot]",
      head: { ...BASE, "src/orders.ts": "export {}\n", "db/migrations/002_orders.sql": "create table o();\n", ".github/workflows/ci.yml": "on: [push]\n" },
    });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));

    const runs = fake.checkRuns(REPO);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({ name: "roleguard", head_sha: pull.head.sha, status: "completed", conclusion: "failure" });
    expect(run.output?.title).toBe("1 forbidden change: .github/workflows/ci.yml; 3 approvals needed: commit, database_migrations, security_changes");
    expect(run.output?.summary).toContain("`software-engineer-typescript-backend` (applied by `assign[0].users: backend-agent[bot]`)");
    expect(run.output?.summary).toContain("| `/roleguard approve database_migrations` |");
    const report = fake.report(run);
    expect(report.findings.map((f) => `${f.category} ${f.path ?? "-"} ${f.state}`)).toEqual([
      "forbidden_paths .github/workflows/ci.yml violation",
      "commit - pending",
      "database_migrations db/migrations/002_orders.sql pending",
      "security_changes .github/workflows/ci.yml pending",
    ]);
    expect(run.annotations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ".github/workflows/ci.yml", annotation_level: "failure" }),
        expect.objectContaining({ path: "db/migrations/002_orders.sql", annotation_level: "warning" }),
      ]),
    );
    expect(run.actions).toEqual([
      { label: "Approve all", description: "Approve every pending category", identifier: "approve_all" },
      { label: "Re-run", description: "Evaluate this commit again", identifier: "rerun" },
    ]);
  });

  it("asks the category's approvers for review, once, never the author", async () => {
    const { probot } = testProbot();
    const pull = fake.pull(REPO, { number: 8, author: "backend-agent[bot]", head: { ...BASE, "db/migrations/1.sql": "x" } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "labeled"));
    expect(fake.reviewRequests).toEqual([{ repo: REPO, pull: 8, reviewers: ["alice"], teams: ["dba"] }]);
  });

  it("is neutral, saying why, when no role applies", async () => {
    const { probot } = testProbot();
    const pull = fake.pull(REPO, { number: 9, author: "carol", head: { ...BASE, ".github/workflows/ci.yml": "changed" } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    const run = fake.checkRuns(REPO)[0]!;
    expect(run.conclusion).toBe("neutral");
    expect(run.output?.title).toBe("Not checked: @carol matches no assign entry and there is no default_role");
  });

  it("reads the config from the default branch, never from the PR head", async () => {
    const { probot } = testProbot();
    // The agent's PR deletes its own assign entry: it is still judged by main's config.
    const pull = fake.pull(REPO, { number: 10, author: "backend-agent[bot]", head: { ...BASE, ".github/roleguard.yml": "assign: []\n", "infrastructure/main.tf": "x" } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    const report = fake.report(fake.checkRuns(REPO)[0]);
    expect(report.conclusion).toBe("failure");
    expect(report.findings.map((f) => `${f.category} ${f.path ?? "-"}`)).toContain("governance .github/roleguard.yml");
    expect(report.findings.map((f) => `${f.category} ${f.path ?? "-"}`)).toContain("forbidden_paths infrastructure/main.tf");
  });
});
