import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentEvent, deliver, examplePayload, pullRequestEvent, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakePull, type Files } from "../helpers/fake-github.js";
import { newAppState } from "../../src/app/state.js";

/** `required: N` (SPEC §4, §7): N different eligible people approve the same findings. */
const REPO = "acme/ledger";
const CONFIG = [
  "assign:",
  "  - role: gated",
  '    users: ["*-agent[bot]"]',
  "categories:",
  "  database_migrations:",
  "    required: 2",
  "  deployment:",
  "    required: 3",
  "",
].join("\n");
const ROLE = "---\nrole: gated\nconstraints:\n  requires_approval_for: [database_migrations, deployment]\n---\nGated.\n";
const BASE: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/gated.md": ROLE, "src/app.ts": "x\n" };
const MIGRATION = "db/migrations/1.sql";

let fake: FakeGitHub;
let app: ReturnType<typeof testProbot>;
let pull: FakePull;

beforeEach(async () => {
  fake = startFakeGitHub();
  fake.repo(REPO, { files: BASE });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  for (const login of ["alice", "bob", "carol"]) fake.permission(REPO, login, "write");
  app = testProbot(newAppState({ botLogin: "roleguard[bot]", secret: "test-secret" }));
  pull = fake.pull(REPO, { number: 1, author: "backend-agent[bot]", head: { ...BASE, [MIGRATION]: "create table t();\n", Dockerfile: "FROM node\n" } });
  await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
});

afterEach(() => stopFakeGitHub(fake));

const latestRun = () => fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha).at(-1);
const finding = (category: string) => fake.report(latestRun()).findings.find((each) => each.category === category);
const replies = () => fake.commentsOf(REPO, 1).filter((c) => c.user.login === "roleguard[bot]");
const say = async (login: string, body: string) => {
  const comment = fake.comment(REPO, 1, login, body);
  await deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, comment));
  return comment;
};
const review = async (user: string) => {
  pull.reviews.push({ user, state: "APPROVED", commit_id: pull.head.sha });
  const payload = examplePayload("pull_request_review", "submitted");
  await deliver(app.probot, "pull_request_review", { ...payload, repository: { ...(payload.repository as object), ...fake.repositoryPayload(REPO) }, pull_request: { ...(payload.pull_request as object), ...fake.pullPayload(REPO, pull) } });
};

describe("required: 2", () => {
  it("one approval leaves the category pending, saying 1 of 2 in the title, the next steps and the report", async () => {
    expect(latestRun()?.output?.title).toBe("2 approvals needed: database_migrations (0 of 2 approvals), deployment (0 of 3 approvals)");
    await say("alice", "/roleguard approve database_migrations");
    expect(finding("database_migrations")).toMatchObject({ state: "pending", approved_by: ["alice"], still_needed: 1 });
    expect(latestRun()?.output?.title).toContain("database_migrations (1 of 2 approvals)");
    expect(latestRun()?.output?.summary).toContain("1 of 2 approvals so far: @alice");
    await say("bob", "/roleguard approve database_migrations");
    expect(finding("database_migrations")).toMatchObject({ state: "approved", approved_by: ["alice", "bob"], still_needed: 0 });
  });

  it("the same person approving twice counts once, and is told so", async () => {
    await say("alice", "/roleguard approve database_migrations");
    await say("alice", "/roleguard approve database_migrations");
    expect(finding("database_migrations")).toMatchObject({ state: "pending", approved_by: ["alice"], still_needed: 1 });
    expect(replies().at(-1)?.body).toContain("@alice already approved `database_migrations`; it needs 1 more approval from someone else");
  });

  it("an approving review counts as one approver; the same person's comment and review count once", async () => {
    await say("alice", "/roleguard approve database_migrations");
    await review("alice");
    expect(finding("database_migrations")).toMatchObject({ state: "pending", still_needed: 1 });
    await review("bob");
    expect(finding("database_migrations")?.state).toBe("approved");
  });

  it("a push that changes the migration needs both approvals again", async () => {
    await say("alice", "/roleguard approve database_migrations");
    await say("bob", "/roleguard approve database_migrations");
    pull = fake.push(REPO, 1, { ...fake.filesAt(REPO, pull.head.sha), [MIGRATION]: "DROP TABLE users;\n" });
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
    expect(finding("database_migrations")).toMatchObject({ state: "pending", approved_by: [], still_needed: 2 });
  });
});

describe("required: 3", () => {
  it("three distinct people, whatever one of them repeats", async () => {
    await say("alice", "/roleguard approve deployment");
    await say("alice", "/roleguard approve all");
    await say("bob", "/roleguard approve deployment");
    expect(finding("deployment")).toMatchObject({ state: "pending", approved_by: ["alice", "bob"], still_needed: 1 });
    expect(latestRun()?.output?.title).toContain("deployment (2 of 3 approvals)");
    await say("carol", "/roleguard approve deployment");
    expect(finding("deployment")).toMatchObject({ state: "approved", approved_by: ["alice", "bob", "carol"] });
  });
});
