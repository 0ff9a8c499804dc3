import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentEvent, deliver, examplePayload, pullRequestEvent, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakePull, type Files } from "../helpers/fake-github.js";
import { newAppState } from "../../src/app/state.js";

const REPO = "acme/shop";
const CONFIG = [
  "assign:",
  "  - role: gated",
  '    users: ["*-agent[bot]", "ops"]',
  "approvals:",
  "  min_permission: write",
  "overrides:",
  "  min_permission: maintain",
  "categories:",
  "  database_migrations:",
  '    approvers: { users: ["alice"] }',
  "",
].join("\n");
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [database_migrations, add_dependencies, deployment]\n---\nGated.\n";
const BASE: Files = {
  ".github/roleguard.yml": CONFIG,
  ".github/roles/gated.md": ROLE,
  "package.json": JSON.stringify({ dependencies: { express: "^4.19.2" } }),
  "src/app.ts": "x\n",
};

let fake: FakeGitHub;
let app: ReturnType<typeof testProbot>;
let pull: FakePull;

beforeEach(async () => {
  fake = startFakeGitHub();
  fake.repo(REPO, { files: BASE });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  for (const [login, role] of [["alice", "write"], ["erin", "write"], ["mia", "maintain"], ["ted", "triage"], ["carol", "write"], ["ops", "admin"]] as const) fake.permission(REPO, login, role);
  app = testProbot(newAppState({ botLogin: "roleguard[bot]", secret: "test-secret" }));
  pull = fake.pull(REPO, {
    number: 1,
    author: "backend-agent[bot]",
    head: { ...BASE, "Dockerfile": "FROM node\n", "package.json": JSON.stringify({ dependencies: { express: "^4.19.2", lodash: "^4.17.21" } }) },
    commits: [{ sha: "c1", author: "backend-agent[bot]", committer: "backend-agent[bot]", message: "x" }, { sha: "c2", author: "carol", committer: "carol", message: "help" }],
  });
  await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
});

afterEach(() => stopFakeGitHub(fake));

const latestRun = () => fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha).at(-1);
const states = () => Object.fromEntries(fake.report(latestRun()).findings.map((f) => [f.category, f.state]));
const say = async (login: string, body: string, type = login.endsWith("[bot]") ? "Bot" : "User") => {
  const comment = fake.comment(REPO, 1, login, body, type);
  await deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, comment));
  return comment;
};
const replies = () => fake.commentsOf(REPO, 1).filter((c) => c.user.login === "roleguard[bot]");
const thumbs = (id: number) => fake.reactions.filter((r) => r.commentId === id && r.content === "+1").length;

describe("approve", () => {
  it("a write collaborator approves a category: 👍, recorded, the check follows", async () => {
    expect(states()).toEqual({ add_dependencies: "pending", deployment: "pending" });
    const comment = await say("erin", "/roleguard approve deployment");
    expect(thumbs(comment.id)).toBe(1);
    expect(states()).toEqual({ add_dependencies: "pending", deployment: "approved" });
    const report = fake.report(latestRun());
    expect(report.findings.find((f) => f.category === "deployment")).toMatchObject({ by: "erin", state: "approved" });
    expect(report.decisions).toEqual([expect.objectContaining({ kind: "approval", by: "erin", categories: ["deployment"], settles: 1, via: "comment" })]);
    expect(latestRun()?.output?.summary).toContain("@erin approved `deployment`");
    expect(fake.checkRuns(REPO)).toHaveLength(1);
  });

  it("approve all settles everything pending and the check passes", async () => {
    await say("erin", "/roleguard approve all");
    expect(latestRun()?.conclusion).toBe("success");
  });

  it.each([
    ["the PR author", "backend-agent[bot]", "the author of a pull request cannot approve"],
    ["a co-committer", "carol", "authored or committed a commit in this pull request"],
    ["a bot", "helper[bot]", "bot accounts cannot approve"],
    ["a role-bound account", "ops", "itself held to a role"],
    ["a triage collaborator", "ted", "needs write permission or more; @ted has triage"],
  ])("%s is refused with a reply saying why", async (_who, login, reason) => {
    const comment = await say(login, "/roleguard approve all");
    expect(thumbs(comment.id)).toBe(0);
    expect(replies().at(-1)?.body).toContain(reason);
    expect(states()).toEqual({ add_dependencies: "pending", deployment: "pending" });
  });

  it("an unknown category gets a reply listing what is pending", async () => {
    await say("erin", "/roleguard approve databse_migrations");
    expect(replies().at(-1)?.body).toContain("unknown category `databse_migrations`. Pending: `add_dependencies`, `deployment`");
  });

  it("a command in a code block or a quote is not a command: no answer at all", async () => {
    await say("erin", "Try:\n```\n/roleguard approve all\n```\n> /roleguard approve all");
    expect(replies()).toEqual([]);
    expect(fake.reactions).toEqual([]);
    expect(states()).toEqual({ add_dependencies: "pending", deployment: "pending" });
  });

  it("a push that adds a dependency needs a new approval; a push that leaves them alone keeps it", async () => {
    await say("erin", "/roleguard approve all");
    expect(states()).toEqual({ add_dependencies: "approved", deployment: "approved" });
    // Unrelated change: the approved findings are untouched.
    fake.push(REPO, 1, { ...fake.filesAt(REPO, pull.head.sha), "src/app.ts": "y\n" });
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
    expect(states()).toEqual({ add_dependencies: "approved", deployment: "approved" });
    // A new dependency: a new finding in an approved category.
    const files = fake.filesAt(REPO, pull.head.sha);
    fake.push(REPO, 1, { ...files, "package.json": JSON.stringify({ dependencies: { express: "^4.19.2", lodash: "^4.17.21", leftpad: "1.0.0" } }) });
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
    const findings = fake.report(latestRun()).findings.filter((f) => f.category === "add_dependencies" && f.path === "package.json");
    expect(findings.map((f) => `${f.detail} ${f.state}`)).toEqual(["leftpad 1.0.0 pending", "lodash ^4.17.21 approved"]);
    expect(latestRun()?.conclusion).toBe("action_required");
  });

  it("a changed file in an approved path category needs a new approval", async () => {
    await say("erin", "/roleguard approve deployment");
    fake.push(REPO, 1, { ...fake.filesAt(REPO, pull.head.sha), Dockerfile: "FROM node:22\n" });
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
    expect(states().deployment).toBe("pending");
  });

  it("only the configured approvers may approve their category", async () => {
    pull = fake.push(REPO, 1, { ...fake.filesAt(REPO, pull.head.sha), "db/migrations/1.sql": "create table t();\n" });
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
    await say("mia", "/roleguard approve database_migrations");
    expect(replies().at(-1)?.body).toContain("only @alice may approve `database_migrations`");
    await say("alice", "/roleguard approve database_migrations");
    expect(states().database_migrations).toBe("approved");
  });
});

describe("override and revoke", () => {
  beforeEach(async () => {
    pull = fake.push(REPO, 1, { ...fake.filesAt(REPO, pull.head.sha), "secrets/key.txt": "k\n" });
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
  });

  it("an override needs a reason", async () => {
    await say("mia", "/roleguard override");
    expect(replies().at(-1)?.body).toContain("an override needs a reason");
    expect(states().forbidden_paths).toBe("violation");
  });

  it("a write user cannot override where maintain is required", async () => {
    await say("erin", "/roleguard override the key is a test fixture");
    expect(replies().at(-1)?.body).toContain("overriding needs maintain permission or more; @erin has write");
    expect(latestRun()?.conclusion).toBe("failure");
  });

  it("a maintainer overrides with a reason; the summary says who and why", async () => {
    await say("mia", "/roleguard override the key is a test fixture");
    const report = fake.report(latestRun());
    expect(report.findings.find((f) => f.category === "forbidden_paths")).toMatchObject({ state: "overridden", by: "mia", reason: "the key is a test fixture" });
    expect(latestRun()?.conclusion).toBe("action_required");
  });

  it("revoke withdraws the commenter's own approvals only", async () => {
    await say("erin", "/roleguard approve deployment");
    await say("alice", "/roleguard approve add_dependencies");
    await say("erin", "/roleguard revoke");
    expect(states()).toMatchObject({ deployment: "pending", add_dependencies: "approved" });
    const comment = await say("erin", "/roleguard revoke");
    expect(thumbs(comment.id)).toBe(0);
    expect(replies().at(-1)?.body).toContain("@erin has no approval to revoke");
  });
});

describe("tampering and edits", () => {
  it("an edited comment is never a new command", async () => {
    const comment = await say("erin", "LGTM");
    comment.body = "/roleguard approve all";
    await deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, comment, "edited", { previousBody: "LGTM" }));
    expect(states()).toEqual({ add_dependencies: "pending", deployment: "pending" });
  });

  it("a deleted approval comment no longer counts", async () => {
    const comment = await say("erin", "/roleguard approve all");
    expect(latestRun()?.conclusion).toBe("success");
    fake.deleteComment(REPO, comment.id);
    await deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, comment, "deleted"));
    expect(latestRun()?.conclusion).toBe("action_required");
  });

  it("an edit of a command comment by someone else is recorded as tampering", async () => {
    const comment = await say("erin", "/roleguard approve deployment");
    const before = comment.body;
    comment.body = "/roleguard approve all";
    await deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, comment, "edited", { sender: { login: "mallory", type: "User" }, previousBody: before }));
    const report = fake.report(latestRun());
    expect(report.warnings).toContainEqual(expect.stringMatching(/^tamper: @mallory edited a command comment by @erin/));
    expect(latestRun()?.output?.summary).toContain("tamper");
  });

  it("the app's own edit of its record is not news: no tamper entry, no loop, even when the app does not know its login", async () => {
    const anonymous = testProbot(newAppState({ secret: "test-secret" }));
    await say("erin", "/roleguard approve deployment");
    const record = fake.commentsOf(REPO, 1).find((c) => c.body.includes("roleguard-record"))!;
    const before = fake.requests.length;
    await deliver(anonymous.probot, "issue_comment", commentEvent(fake, REPO, pull, record, "edited", { sender: record.user, previousBody: record.body }));
    expect(fake.requests.length).toBe(before);
    expect(record.body).not.toContain("tamper");
  });

  it("a forged approvals record posted by a person is ignored and reported", async () => {
    await say("erin", "/roleguard approve deployment");
    const genuine = fake.commentsOf(REPO, 1).find((c) => c.body.includes("roleguard-record"))!;
    // Someone copies roleguard's record into a comment of their own, adding an approval of everything.
    fake.comment(REPO, 1, "mallory", genuine.body);
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "labeled"));
    expect(fake.report(latestRun()).warnings).toContainEqual(expect.stringMatching(/^tamper: @mallory posted a comment imitating roleguard's approvals record/));
  });

  it("an edit of the app's record invalidates it (fail closed), and the webhook's copy restores it", async () => {
    await say("erin", "/roleguard approve all");
    const record = fake.commentsOf(REPO, 1).find((c) => c.body.includes("roleguard-record"))!;
    const genuine = record.body;
    record.body = genuine.replace("erin", "mallory");
    // Without the event (a missed webhook), the next evaluation sees a record that fails its signature.
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "labeled"));
    expect(latestRun()?.conclusion).toBe("action_required");
    expect(fake.report(latestRun()).warnings).toContainEqual(expect.stringContaining("edited by someone other than roleguard"));
    // With the edit event, roleguard puts its signed record back and notes who tampered.
    await deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, record, "edited", { sender: { login: "mallory", type: "User" }, previousBody: genuine }));
    expect(latestRun()?.conclusion).toBe("success");
    expect(fake.report(latestRun()).warnings).toContainEqual(expect.stringMatching(/^tamper: @mallory edited a command comment by @roleguard\[bot\]/));
  });
});

describe("reviews and buttons", () => {
  const review = (user: string, state: string, commit = pull.head.sha) => {
    pull.reviews.push({ user, state, commit_id: commit });
    const payload = examplePayload("pull_request_review", state === "DISMISSED" ? "dismissed" : "submitted");
    return { ...payload, repository: { ...(payload.repository as object), ...fake.repositoryPayload(REPO) }, pull_request: { ...(payload.pull_request as object), ...fake.pullPayload(REPO, pull) } };
  };

  it("an approving review on the head commit approves what its author may approve", async () => {
    await deliver(app.probot, "pull_request_review", review("erin", "APPROVED"));
    expect(states()).toEqual({ add_dependencies: "approved", deployment: "approved" });
    expect(fake.report(latestRun()).decisions).toEqual([expect.objectContaining({ by: "erin", via: "review" })]);
  });

  it("a review on an older commit, by the author's co-committer, or later dismissed does not count", async () => {
    await deliver(app.probot, "pull_request_review", review("erin", "APPROVED", "0".repeat(40)));
    await deliver(app.probot, "pull_request_review", review("carol", "APPROVED"));
    expect(states()).toEqual({ add_dependencies: "pending", deployment: "pending" });
    await deliver(app.probot, "pull_request_review", review("mia", "APPROVED"));
    expect(states().deployment).toBe("approved");
    pull.reviews = pull.reviews.map((r) => (r.user === "mia" ? { ...r, state: "DISMISSED" } : r));
    await deliver(app.probot, "pull_request_review", review("mia", "DISMISSED"));
    expect(states().deployment).toBe("pending");
  });

  it("the Approve all button follows the same rules for whoever clicks it", async () => {
    const click = (login: string) => {
      const payload = examplePayload("check_run", "requested_action");
      const run = latestRun()!;
      return { ...payload, repository: { ...(payload.repository as object), ...fake.repositoryPayload(REPO) }, sender: { login, type: "User" }, requested_action: { identifier: "approve_all" }, check_run: { ...(payload.check_run as object), id: run.id, head_sha: pull.head.sha, pull_requests: [{ number: 1 }] } };
    };
    await deliver(app.probot, "check_run", click("ted"));
    expect(replies().at(-1)?.body).toContain("@ted has triage");
    await deliver(app.probot, "check_run", click("erin"));
    expect(latestRun()?.conclusion).toBe("success");
    expect(fake.report(latestRun()).decisions).toEqual([expect.objectContaining({ by: "erin", via: "button" })]);
  });
});
