import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentEvent, deliver, pullRequestEvent, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakePull, type Files } from "../helpers/fake-github.js";
import { coverDigest, emptyLedger, ledgerKey, writeLedger } from "../../src/approvals/ledger.js";
import { newAppState } from "../../src/app/state.js";

/**
 * The approvals record is append-only (issue 11): one signed reply per
 * command, folded in order. These tests are the races and faults that lost
 * decisions when the record was one comment read, changed and rewritten.
 * "Replicas" here are two app instances with nothing shared but GitHub.
 */
const REPO = "acme/shop";
const CONFIG = ["assign:", "  - role: gated", '    users: ["*-agent[bot]"]', "approvals:", "  min_permission: write", "overrides:", "  min_permission: maintain", ""].join("\n");
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [add_dependencies, deployment]\n---\nGated.\n";
const BASE: Files = {
  ".github/roleguard.yml": CONFIG,
  ".github/roles/gated.md": ROLE,
  "package.json": JSON.stringify({ dependencies: { express: "^4.19.2" } }),
};
const SECRET = "test-secret";

let fake: FakeGitHub;
let one: ReturnType<typeof testProbot>;
let two: ReturnType<typeof testProbot>;

beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo(REPO, { files: BASE });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  for (const [login, role] of [["alice", "write"], ["erin", "write"], ["mia", "maintain"]] as const) fake.permission(REPO, login, role);
  one = testProbot(newAppState({ botLogin: "roleguard[bot]", secret: SECRET }));
  two = testProbot(newAppState({ botLogin: "roleguard[bot]", secret: SECRET }));
});

afterEach(() => stopFakeGitHub(fake));

/** A PR needing `add_dependencies` and `deployment`, with a forbidden file when asked. */
async function openPull(number: number, options: { forbidden?: boolean } = {}): Promise<FakePull> {
  const head: Files = { ...BASE, Dockerfile: "FROM node\n", "package.json": JSON.stringify({ dependencies: { express: "^4.19.2", lodash: "^4.17.21" } }) };
  if (options.forbidden) head["secrets/key.pem"] = "k\n";
  const pull = fake.pull(REPO, { number, author: "backend-agent[bot]", head });
  await deliver(one.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
  return pull;
}

const runOf = (pull: FakePull) => fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha).at(-1);
const states = (pull: FakePull) => Object.fromEntries(fake.report(runOf(pull)).findings.map((f) => [`${f.category}${f.path ? `:${String(f.path)}` : ""}`, f.state]));
const categoryStates = (pull: FakePull) => Object.fromEntries(fake.report(runOf(pull)).findings.map((f) => [f.category, f.state]));
const comment = (pull: FakePull, login: string, body: string) => fake.comment(REPO, pull.number, login, body);
const send = (app: ReturnType<typeof testProbot>, pull: FakePull, c: ReturnType<typeof comment>) => deliver(app.probot, "issue_comment", commentEvent(fake, REPO, pull, c));
/** A fresh evaluation by either replica: what the record says now, whatever check each command wrote last. */
const reevaluate = (pull: FakePull) => deliver(one.probot, "pull_request", pullRequestEvent(fake, REPO, pull, "labeled"));
const records = (pull: FakePull) => fake.commentsOf(REPO, pull.number).filter((c) => c.body.includes("roleguard-record"));

describe("two replicas, two commands at the same moment: every decision is kept", () => {
  beforeEach(() => fake.delay(/./, 3)); // every answer takes a moment, so both commands read before either writes

  it("approve + approve of different categories (5 trials)", async () => {
    for (let trial = 0; trial < 5; trial++) {
      const pull = await openPull(10 + trial);
      await Promise.all([send(one, pull, comment(pull, "erin", "/roleguard approve deployment")), send(two, pull, comment(pull, "alice", "/roleguard approve add_dependencies"))]);
      expect(records(pull)).toHaveLength(2);
      await reevaluate(pull);
      expect(categoryStates(pull)).toEqual({ add_dependencies: "approved", deployment: "approved" });
      expect(runOf(pull)?.conclusion).toBe("success");
    }
  });

  it("approve + override (5 trials)", async () => {
    for (let trial = 0; trial < 5; trial++) {
      const pull = await openPull(20 + trial, { forbidden: true });
      await Promise.all([send(one, pull, comment(pull, "erin", "/roleguard approve all")), send(two, pull, comment(pull, "mia", "/roleguard override the key is a test fixture"))]);
      await reevaluate(pull);
      expect(states(pull)).toEqual({ "add_dependencies:Dockerfile": "approved", "add_dependencies:package.json": "approved", "deployment:Dockerfile": "approved", "forbidden_paths:secrets/key.pem": "overridden" });
    }
  });

  it("revoke + approve of another category: the revoked approval stops counting (5 trials)", async () => {
    for (let trial = 0; trial < 5; trial++) {
      const pull = await openPull(30 + trial);
      await send(one, pull, comment(pull, "erin", "/roleguard approve deployment"));
      await Promise.all([send(one, pull, comment(pull, "erin", "/roleguard revoke deployment")), send(two, pull, comment(pull, "alice", "/roleguard approve add_dependencies"))]);
      await reevaluate(pull);
      expect(categoryStates(pull)).toEqual({ add_dependencies: "approved", deployment: "pending" });
      expect(runOf(pull)?.conclusion).toBe("action_required");
    }
  });

  it("one command delivered to both replicas at once is recorded once", async () => {
    const pull = await openPull(40);
    const c = comment(pull, "erin", "/roleguard approve deployment");
    await Promise.all([send(one, pull, c), send(two, pull, c)]);
    await reevaluate(pull);
    expect(fake.report(runOf(pull)).decisions).toEqual([expect.objectContaining({ kind: "approval", by: "erin", categories: ["deployment"] })]);
  });
});

describe("the approve command's writes", () => {
  it("the record entry (the reply), then the check, then the 👍: three writes, the decision durable before the check counts it", async () => {
    const pull = await openPull(50);
    fake.resetCounts();
    await send(one, pull, comment(pull, "erin", "/roleguard approve deployment"));
    const writes = fake.requests.filter((request) => request.method !== "GET").map((request) => `${request.method} ${request.path.replace(/\d+/g, "N")}`);
    expect(writes).toEqual(["POST /repos/acme/shop/issues/N/comments", "PATCH /repos/acme/shop/check-runs/N", "POST /repos/acme/shop/issues/comments/N/reactions"]);
    expect(categoryStates(pull)).toMatchObject({ deployment: "approved" });
    // The reply a person reads is the record: it says what the approval covers.
    expect(records(pull).at(-1)?.body).toContain("@erin roleguard recorded what you approved");
  });

  it("a revoke is an entry too, and says what it withdrew", async () => {
    const pull = await openPull(51);
    await send(one, pull, comment(pull, "erin", "/roleguard approve deployment"));
    await send(one, pull, comment(pull, "erin", "/roleguard revoke"));
    expect(categoryStates(pull)).toMatchObject({ deployment: "pending" });
    expect(records(pull).at(-1)?.body).toContain("roleguard recorded that your approval of `deployment` is revoked");
  });
});

describe("faults never leave the commenter in silence (issue 11)", () => {
  it("the 👍 fails: the approval is applied all the same and the check follows", async () => {
    const pull = await openPull(60);
    fake.fail(/^POST .*\/reactions$/, 502, 10);
    const c = comment(pull, "erin", "/roleguard approve deployment");
    await send(one, pull, c);
    expect(categoryStates(pull)).toMatchObject({ deployment: "approved" });
    expect(fake.reactions.filter((reaction) => reaction.commentId === c.id)).toHaveLength(0);
  });

  it("the record cannot be written: nothing is decided, and the check says so and how to retry", async () => {
    const pull = await openPull(61);
    // Every attempt Octokit makes (the first and its retries) fails.
    fake.fail(/^POST .*\/issues\/61\/comments$/, 502, 4);
    const c = comment(pull, "erin", "/roleguard approve deployment");
    await send(one, pull, c);
    expect(categoryStates(pull)).toMatchObject({ deployment: "pending" });
    expect(fake.report(runOf(pull)).warnings).toContainEqual(expect.stringMatching(/@erin's command \(comment \d+\) could not be recorded .*502.*comment it again to retry/));
    expect(fake.reactions.filter((reaction) => reaction.commentId === c.id)).toHaveLength(0);
    // Once GitHub answers again, the same words in a new comment do it.
    await send(one, pull, comment(pull, "erin", "/roleguard approve deployment"));
    expect(categoryStates(pull)).toMatchObject({ deployment: "approved" });
  });

  it("a read keeps failing: a reply says the command was not carried out, and the check fails closed with how to retry", async () => {
    const pull = await openPull(62);
    fake.fail(/^GET .*\/issues\/62\/comments$/, 502, 50);
    await send(one, pull, comment(pull, "erin", "/roleguard approve deployment"));
    const reply = fake.commentsOf(REPO, 62).filter((c) => c.user.login === "roleguard[bot]").at(-1);
    expect(reply?.body).toMatch(/^@erin roleguard could not carry out your command: .*502.*comment it again to retry/);
    expect(runOf(pull)?.conclusion).toBe("failure");
    expect(runOf(pull)?.output?.title).toMatch(/^could not evaluate: .*comment \/roleguard check to retry/);
  });
});

describe("records of earlier versions and tampering", () => {
  it("a single-comment record written by an earlier version still counts, and new entries fold onto it", async () => {
    const pull = await openPull(70);
    const keys = fake.report(runOf(pull)).findings.filter((f) => f.category === "deployment").map((f) => String(f.key));
    const old = { ...emptyLedger(REPO, 70), entries: [{ kind: "approve" as const, id: 0, by: "erin", at: "2026-11-30T10:00:00Z", categories: ["deployment"], covers: keys.map(coverDigest) }] };
    fake.comment(REPO, 70, "roleguard[bot]", writeLedger(old, ledgerKey(SECRET)), "Bot");
    await reevaluate(pull);
    expect(categoryStates(pull)).toMatchObject({ deployment: "approved" });
    await send(one, pull, comment(pull, "erin", "/roleguard revoke deployment"));
    expect(categoryStates(pull)).toMatchObject({ deployment: "pending" });
  });

  it("someone deletes the revoke's entry: the delete webhook puts it back where it stood, and the approval stays revoked", async () => {
    const pull = await openPull(71);
    await send(one, pull, comment(pull, "erin", "/roleguard approve deployment"));
    await send(one, pull, comment(pull, "erin", "/roleguard revoke deployment"));
    const list = fake.commentsOf(REPO, 71);
    const revoke = records(pull).at(-1)!;
    list.splice(list.indexOf(revoke), 1);
    await deliver(two.probot, "issue_comment", commentEvent(fake, REPO, pull, revoke, "deleted", { sender: { login: "mallory", type: "User" } }));
    expect(categoryStates(pull)).toMatchObject({ deployment: "pending" });
    expect(fake.report(runOf(pull)).warnings).toContainEqual(expect.stringMatching(/^tamper: @mallory deleted/));
    // A later evaluation by the other replica reads the restored entry in its old place.
    await reevaluate(pull);
    expect(categoryStates(pull)).toMatchObject({ deployment: "pending" });
  });

  it("an edit of an entry voids the decisions before it until the webhook's copy restores it", async () => {
    const pull = await openPull(72);
    await send(one, pull, comment(pull, "erin", "/roleguard approve all"));
    const entry = records(pull).at(-1)!;
    const genuine = entry.body;
    entry.body = genuine.replace('"by":"erin"', '"by":"mallory"');
    await reevaluate(pull);
    expect(runOf(pull)?.conclusion).toBe("action_required");
    await deliver(one.probot, "issue_comment", commentEvent(fake, REPO, pull, entry, "edited", { sender: { login: "mallory", type: "User" }, previousBody: genuine }));
    expect(entry.body).toBe(genuine);
    expect(runOf(pull)?.conclusion).toBe("success");
  });
});
