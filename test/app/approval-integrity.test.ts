import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentEvent, deliver, pullRequestEvent, testProbot } from "../helpers/app.js";
import { blobSha, FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeComment, type FakePull, type Files } from "../helpers/fake-github.js";
import { newAppState } from "../../src/app/state.js";

/** Each rule of SPEC §7 on approvals, written as the attack it stops. */
const REPO = "acme/shop";
const CONFIG = [
  "assign:",
  "  - role: gated",
  '    users: ["*-agent[bot]"]',
  "categories:",
  "  database_migrations:",
  '    approvers: { users: ["alice", "bob"] }',
  "",
].join("\n");
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [database_migrations, deployment, add_dependencies]\n---\nGated.\n";
const BASE: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/gated.md": ROLE, "src/app.ts": "x\n" };
const MIGRATION = "db/migrations/1.sql";

let fake: FakeGitHub;
let app: ReturnType<typeof testProbot>;
let pull: FakePull;

beforeEach(async () => {
  fake = startFakeGitHub();
  fake.repo(REPO, { files: BASE });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  for (const login of ["alice", "bob", "erin"]) fake.permission(REPO, login, "write");
  fake.permission(REPO, "mia", "maintain");
  app = testProbot(newAppState({ botLogin: "roleguard[bot]", secret: "test-secret" }));
  pull = fake.pull(REPO, { number: 1, author: "backend-agent[bot]", head: { ...BASE, [MIGRATION]: "create table t();\n", Dockerfile: "FROM node\n" } });
  await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
});

afterEach(() => stopFakeGitHub(fake));

const latestRun = () => fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha).at(-1);
const report = () => fake.report(latestRun());
const stateOf = (category: string) => report().findings.find((finding) => finding.category === category)?.state;
const replies = () => fake.commentsOf(REPO, 1).filter((c) => c.user.login === "roleguard[bot]");
const post = (login: string, body: string) => fake.comment(REPO, 1, login, body);
const handle = (comment: FakeComment) => deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, comment));
const say = async (login: string, body: string) => {
  const comment = post(login, body);
  await handle(comment);
  return comment;
};
const push = async (changes: Files, options: { deliver?: boolean } = {}) => {
  pull = fake.push(REPO, 1, { ...fake.filesAt(REPO, pull.head.sha), ...changes });
  if (options.deliver !== false) await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
};

describe("an approval covers only what its approver could have seen", () => {
  it("the late-delivery push race: DROP TABLE pushed before the approval's webhook is handled is not approved", async () => {
    const comment = post("alice", "/roleguard approve database_migrations");
    // The agent pushes over the migration before roleguard handles alice's comment.
    await push({ [MIGRATION]: "DROP TABLE users;\n" }, { deliver: false });
    await handle(comment);
    expect(stateOf("database_migrations")).toBe("pending");
    expect(replies().at(-1)?.body).toMatch(/written before the latest push; 1 finding changed since the head it was written against \([0-9a-f]{7}\), so it covers nothing/);
    // The push's own webhook, arriving last, changes nothing.
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
    expect(stateOf("database_migrations")).toBe("pending");
    expect(latestRun()?.conclusion).toBe("action_required");
  });

  it("the same race after the push was seen: the new head's check run started after the comment, so the comment saw the old head", async () => {
    const comment = post("alice", "/roleguard approve database_migrations");
    await push({ [MIGRATION]: "DROP TABLE users;\n" });
    await handle(comment);
    expect(stateOf("database_migrations")).toBe("pending");
  });

  it("a push that leaves the migration alone, racing the comment, keeps what the approver saw approved", async () => {
    const comment = post("alice", "/roleguard approve database_migrations");
    await push({ "src/app.ts": "y\n" }, { deliver: false });
    await handle(comment);
    expect(stateOf("database_migrations")).toBe("approved");
    expect(replies().filter((reply) => reply.body.includes("did not carry out"))).toEqual([]);
  });

  it("a comment written after the push was seen approves the new content", async () => {
    await push({ [MIGRATION]: "alter table t add c int;\n" });
    await say("alice", "/roleguard approve database_migrations");
    expect(stateOf("database_migrations")).toBe("approved");
  });

  it("an override written before a new violation was pushed does not cover it", async () => {
    await push({ "secrets/a.txt": "a\n" });
    const comment = post("mia", "/roleguard override the key is a fixture");
    await push({ "secrets/b.txt": "b\n" }, { deliver: false });
    await handle(comment);
    const violations = report().findings.filter((finding) => finding.category === "forbidden_paths").map((finding) => `${finding.path} ${finding.state}`);
    expect(violations).toEqual(["secrets/b.txt violation", "secrets/a.txt overridden"]);
  });

  it("unchanged: an unrelated push keeps the approval, a related one voids it", async () => {
    await say("alice", "/roleguard approve database_migrations");
    await push({ "src/app.ts": "y\n" });
    expect(stateOf("database_migrations")).toBe("approved");
    await push({ [MIGRATION]: "DROP TABLE users;\n" });
    expect(stateOf("database_migrations")).toBe("pending");
  });
});

describe("each command comment takes effect at most once", () => {
  const thumbs = (id: number) => fake.reactions.filter((r) => r.commentId === id && r.content === "+1").length;

  it("a replayed delivery of an approval after its revoke brings nothing back", async () => {
    const approval = await say("alice", "/roleguard approve database_migrations");
    expect(stateOf("database_migrations")).toBe("approved");
    await say("alice", "/roleguard revoke");
    expect(stateOf("database_migrations")).toBe("pending");
    // GitHub's signature carries no timestamp: the old payload, signed, can be sent again at any time.
    await handle(approval);
    await deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, approval), "redelivery-of-the-original");
    expect(stateOf("database_migrations")).toBe("pending");
    expect(thumbs(approval.id)).toBe(1);
  });

  it("a redelivered approval is recorded once and answered once", async () => {
    const approval = await say("alice", "/roleguard approve database_migrations");
    await handle(approval);
    expect(report().decisions).toHaveLength(1);
    expect(thumbs(approval.id)).toBe(1);
    expect(replies()).toHaveLength(1);
    expect(replies()[0]?.body).not.toContain("did not carry out");
  });

  it("a refused command, replayed after a push made its category pending, is neither carried out nor answered again", async () => {
    const { [MIGRATION]: _dropped, ...withoutMigration } = fake.filesAt(REPO, pull.head.sha);
    pull = fake.push(REPO, 1, withoutMigration);
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
    const early = await say("alice", "/roleguard approve database_migrations");
    expect(replies().at(-1)?.body).toContain("unknown category `database_migrations`");
    const answered = replies().length;
    await push({ [MIGRATION]: "DROP TABLE users;\n" });
    await handle(early);
    expect(replies()).toHaveLength(answered);
    expect(stateOf("database_migrations")).toBe("pending");
  });
});

describe("an edited approve or override comment no longer counts", () => {
  const edit = async (comment: FakeComment, body: string, editor?: string) => {
    const before = comment.body;
    comment.body = body;
    const sender = editor ? { sender: { login: editor, type: "User" } } : {};
    await deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, comment, "edited", { ...sender, previousBody: before }));
  };

  it("the approver edits `approve database_migrations` into `approve all`: nothing more is approved, and the approval itself stops counting", async () => {
    const comment = await say("alice", "/roleguard approve database_migrations");
    expect(stateOf("database_migrations")).toBe("approved");
    await edit(comment, "/roleguard approve all");
    expect(stateOf("database_migrations")).toBe("pending");
    expect(stateOf("deployment")).toBe("pending");
    expect(replies().at(-1)?.body).toContain("@alice your comment was edited after roleguard carried it out, so its approval of `database_migrations` no longer counts");
    expect((report().warnings as string[]).filter((warning) => warning.includes("tamper"))).toEqual([]);
  });

  it("someone else edits it: the approval stops counting and the edit is recorded as tampering", async () => {
    const comment = await say("alice", "/roleguard approve database_migrations");
    await edit(comment, "/roleguard approve all", "mallory");
    expect(stateOf("database_migrations")).toBe("pending");
    expect(report().warnings).toContainEqual(expect.stringMatching(/^tamper: @mallory edited a command comment by @alice/));
  });

  it("an edit whose webhook never arrived still voids the approval at the next evaluation", async () => {
    const comment = await say("alice", "/roleguard approve database_migrations");
    comment.body = "/roleguard approve all";
    await deliver(app.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "labeled"));
    expect(stateOf("database_migrations")).toBe("pending");
    expect(report().warnings).toContainEqual(expect.stringContaining("the comment of @alice's approval was edited after it was carried out"));
  });

  it("an edited override stops counting too", async () => {
    await push({ "secrets/a.txt": "a\n" });
    const comment = await say("mia", "/roleguard override the key is a fixture");
    expect(stateOf("forbidden_paths")).toBe("overridden");
    await edit(comment, "/roleguard override the key is a fixture, and so is everything else");
    expect(stateOf("forbidden_paths")).toBe("violation");
    expect(replies().at(-1)?.body).toContain("its override no longer counts");
  });

  it("the approver can approve again with a new comment", async () => {
    const comment = await say("alice", "/roleguard approve database_migrations");
    await edit(comment, "/roleguard approve database_migrations please");
    await say("alice", "/roleguard approve database_migrations");
    expect(stateOf("database_migrations")).toBe("approved");
  });
});

describe("a comment cannot amplify itself", () => {
  const record = () => fake.commentsOf(REPO, 1).filter((c) => c.body.includes("roleguard-record")).map((c) => c.body).join("\n");

  it("1,680 approve lines make one approval and a small record", async () => {
    await say("alice", Array(1680).fill("/roleguard approve database_migrations").join("\n"));
    expect(stateOf("database_migrations")).toBe("approved");
    expect(report().decisions).toHaveLength(1);
    console.info(`record after a 1,680-line approve comment: ${record().length} characters`);
    expect(record().length).toBeLessThan(2_000);
  });

  it("a one-line override as long as GitHub allows is recorded and echoed in a few hundred characters", async () => {
    await push({ "secrets/a.txt": "a\n" });
    await say("mia", `/roleguard override ${"x".repeat(65_000)}`);
    expect(stateOf("forbidden_paths")).toBe("overridden");
    expect(record().length).toBeLessThan(2_000);
    expect(latestRun()?.output?.summary?.length).toBeLessThan(10_000);
  });

  it("a 10 MB one-line override in a webhook payload gets a short answer", async () => {
    // GitHub stores at most 65,536 characters; a stand-in or a replayed payload can carry more.
    const comment = post("mia", "/roleguard override short");
    const started = Date.now();
    await deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, { ...comment, body: `/roleguard override ${"y".repeat(10 * 1024 * 1024)}` }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(replies().at(-1)?.body).toContain("there is no violation to override");
    expect(replies().at(-1)?.body.length).toBeLessThan(400);
  });
});

describe("every accepted approval is acknowledged with what it covers", () => {
  it("files with their short blob SHA, dependencies with their specs", async () => {
    await push({ "package.json": JSON.stringify({ dependencies: { lodash: "^4.17.21" } }) });
    await say("alice", "/roleguard approve database_migrations add_dependencies");
    const ack = replies().at(-1)?.body ?? "";
    expect(ack).toContain("@alice roleguard recorded what you approved");
    // Three: the migration, lodash, and the fixture's Dockerfile image (container images are a dependency ecosystem now).
    expect(ack).toContain("- the approval of `database_migrations`, `add_dependencies` covers 3 findings:");
    expect(ack).toContain(`\`database_migrations\`: \`${MIGRATION}\` at blob \`${blobSha("create table t();\n").slice(0, 7)}\``);
    expect(ack).toMatch(/`add_dependencies`: `package\.json` — lodash \^4\.17\.21/);
  });

  it("an override lists the violations it covers; a refusal alone is not an acknowledgement", async () => {
    await push({ "secrets/a.txt": "a\n" });
    await say("mia", "/roleguard override the key is a fixture");
    expect(replies().at(-1)?.body).toContain(`- the override covers 1 finding:\n  - \`forbidden_paths\`: \`secrets/a.txt\` at blob \`${blobSha("a\n").slice(0, 7)}\``);
    await say("erin", "/roleguard approve database_migrations");
    expect(replies().at(-1)?.body).not.toContain("recorded what you approved");
  });
});

describe("the cost of dating a push", () => {
  it("a command handled by a fresh process lists the head's check runs once, not once to date it and again to update it", async () => {
    const fresh = testProbot(newAppState({ botLogin: "roleguard[bot]", secret: "test-secret" }));
    fake.resetCounts();
    const comment = post("alice", "/roleguard approve database_migrations");
    await deliver(fresh.probot, "issue_comment", commentEvent(fake, REPO, pull, comment));
    expect(stateOf("database_migrations")).toBe("approved");
    expect(fake.requests.filter((request) => request.method === "GET" && request.path.endsWith(`/commits/${pull.head.sha}/check-runs`))).toHaveLength(1);
    expect(fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha)).toHaveLength(1);
  });
});
