import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DeliveryQueue, QUEUE_NAME } from "../../src/replicas/queue.js";
import { commentEvent, pullRequestEvent } from "../helpers/app.js";
import { FakeGitHub, type FakePull, type Files } from "../helpers/fake-github.js";
import { FakeServer } from "../helpers/fake-server.js";
import { HAS_REDIS, RedisServer, Replica, STALL_PRELOAD, until } from "./harness.js";

/**
 * Two `roleguard serve` processes sharing one redis-server and one stand-in
 * GitHub (served over HTTP): what an organisation runs behind a load balancer.
 * Each scenario is one the issue measured failing with the in-process locks.
 */
const REPO = "acme/shop";
const INSTALLATION = { id: 42 };
const CONFIG = [
  "assign:",
  "  - role: gated",
  '    users: ["*-agent[bot]"]',
  "approvals:",
  "  min_permission: write",
  "overrides:",
  "  min_permission: maintain",
  "",
].join("\n");
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [database_migrations, add_dependencies, deployment]\n---\nGated.\n";
const BASE: Files = {
  ".github/roleguard.yml": CONFIG,
  ".github/roles/gated.md": ROLE,
  "package.json": JSON.stringify({ dependencies: { express: "^4.19.2" } }),
  "src/app.ts": "x\n",
};
/** Two pending categories (deployment, add_dependencies) and one violation (secrets/). */
const HEAD: Files = { ...BASE, Dockerfile: "FROM node\n", "package.json": JSON.stringify({ dependencies: { express: "^4.19.2", lodash: "^4.17.21" } }), "secrets/key.pem": "k\n" };

let redis: RedisServer;
let github: FakeServer;
let fake: FakeGitHub;
let queue: Queue;
let queueClient: Redis;
const replicas: Replica[] = [];
let nextNumber = 1;

async function replica(options: { preload?: string; env?: Record<string, string>; untilHealthy?: boolean } = {}): Promise<Replica> {
  const started = await Replica.start({ github: github.url, redis: redis.url, ...options });
  replicas.push(started);
  return started;
}

/** Waits for the delivery's job to finish on whichever replica ran it. */
async function handled(id: string, ms = 60_000): Promise<void> {
  await until(`delivery ${id} to complete`, async () => {
    const job = await queue.getJob(DeliveryQueue.jobId(id));
    const state = job ? await job.getState() : undefined;
    if (state === "failed") throw new Error(`delivery ${id} failed: ${job?.failedReason}`);
    return state === "completed";
  }, ms, 100);
}

const runsOf = (pull: FakePull) => fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha);
const states = (pull: FakePull) => Object.fromEntries(fake.report(runsOf(pull).at(-1)).findings.map((finding) => [`${finding.category}`, finding.state]));
const thumbs = (id: number) => fake.reactions.filter((reaction) => reaction.commentId === id && reaction.content === "+1").length;

async function openPull(via: Replica): Promise<FakePull> {
  const pull = fake.pull(REPO, { number: nextNumber++, author: "backend-agent[bot]", head: HEAD });
  const id = randomUUID();
  expect((await via.deliver("pull_request", { ...pullRequestEvent(fake, REPO, pull, "opened"), installation: INSTALLATION }, id)).status).toBe(202);
  await handled(id);
  return pull;
}

/** A command comment delivered to one replica; resolves once that delivery's job completed. */
async function command(via: Replica, pull: FakePull, login: string, body: string): Promise<{ commentId: number }> {
  const comment = fake.comment(REPO, pull.number, login, body);
  const id = randomUUID();
  const answer = await via.deliver("issue_comment", { ...commentEvent(fake, REPO, pull, comment), installation: INSTALLATION }, id);
  expect(answer.status).toBe(202);
  await handled(id);
  return { commentId: comment.id };
}

describe.skipIf(!HAS_REDIS)("replicas sharing one Redis", () => {
  beforeAll(async () => {
    redis = await RedisServer.start();
    queueClient = redis.client();
    queue = new Queue(QUEUE_NAME, { connection: queueClient });
    queue.on("error", () => undefined);
    github = await FakeServer.listen();
    fake = new FakeGitHub(github.url);
    github.serve(fake);
    fake.repo(REPO, { files: BASE });
    fake.repo("acme/.github", { files: { "README.md": "org\n" } });
    for (const [login, role] of [["erin", "write"], ["frank", "write"], ["mia", "maintain"]] as const) fake.permission(REPO, login, role);
  }, 60_000);

  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((each) => each.kill()));
  });

  afterAll(async () => {
    await queue?.close();
    queueClient?.disconnect();
    await github?.close();
    await redis?.stop();
  });

  it("one delivery sent to both replicas at once is one job: one check run, 10 times out of 10", { timeout: 180_000 }, async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    for (let trial = 0; trial < 10; trial++) {
      const pull = fake.pull(REPO, { number: nextNumber++, author: "backend-agent[bot]", head: HEAD });
      const payload = { ...pullRequestEvent(fake, REPO, pull, "opened"), installation: INSTALLATION };
      const id = randomUUID();
      const answers = await Promise.all([a!.deliver("pull_request", payload, id), b!.deliver("pull_request", payload, id)]);
      expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
      await handled(id);
      expect(runsOf(pull), `trial ${trial}`).toHaveLength(1);
      expect(runsOf(pull)[0]).toMatchObject({ status: "completed", conclusion: "failure" });
      if (trial === 9) {
        // A late redelivery of the finished delivery (GitHub's Redeliver keeps the id): acknowledged, not run again.
        const writes = fake.requests.length;
        expect((await b!.deliver("pull_request", payload, id)).status).toBe(202);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(fake.requests.length).toBe(writes);
        expect(runsOf(pull)).toHaveLength(1);
      }
    }
  });

  it("a delivery and the check_suite.requested of the same push, on two replicas: one check run", { timeout: 120_000 }, async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    for (let trial = 0; trial < 4; trial++) {
      const pull = fake.pull(REPO, { number: nextNumber++, author: "backend-agent[bot]", head: HEAD });
      const suite = {
        action: "requested",
        repository: fake.repositoryPayload(REPO),
        check_suite: { id: 1, head_sha: pull.head.sha, pull_requests: [{ number: pull.number }] },
        installation: INSTALLATION,
      };
      const [first, second] = [randomUUID(), randomUUID()];
      await Promise.all([a!.deliver("pull_request", { ...pullRequestEvent(fake, REPO, pull, "opened"), installation: INSTALLATION }, first), b!.deliver("check_suite", suite, second)]);
      await Promise.all([handled(first), handled(second)]);
      expect(runsOf(pull), `trial ${trial}`).toHaveLength(1);
    }
  });

  // With a Redis lock per PR these hold whichever approvals record the app keeps; the append-only record
  // makes them hold without Redis too (tested in test/approvals and test/app).
  describe("concurrent commands on one PR, on different replicas: every decision is kept", () => {
    it("approve + approve of two categories", { timeout: 180_000 }, async () => {
      const [a, b] = await Promise.all([replica(), replica()]);
      for (let trial = 0; trial < 2; trial++) {
        const pull = await openPull(a!);
        expect(states(pull)).toMatchObject({ deployment: "pending", add_dependencies: "pending" });
        // The PR already has a record (as most PRs with approvals do): the two approvals both change it.
        await command(b!, pull, "mia", "/roleguard override the key is a test fixture");
        const [erin, frank] = await Promise.all([command(a!, pull, "erin", "/roleguard approve deployment"), command(b!, pull, "frank", "/roleguard approve add_dependencies")]);
        expect(states(pull), `trial ${trial}`).toMatchObject({ deployment: "approved", add_dependencies: "approved", forbidden_paths: "overridden" });
        expect([thumbs(erin.commentId), thumbs(frank.commentId)]).toEqual([1, 1]);
        expect(runsOf(pull)).toHaveLength(1);
      }
    });

    it("approve + override", { timeout: 180_000 }, async () => {
      const [a, b] = await Promise.all([replica(), replica()]);
      for (let trial = 0; trial < 2; trial++) {
        const pull = await openPull(a!);
        await Promise.all([command(a!, pull, "erin", "/roleguard approve deployment"), command(b!, pull, "mia", "/roleguard override the key is a test fixture")]);
        const report = fake.report(runsOf(pull).at(-1));
        expect(states(pull), `trial ${trial}`).toMatchObject({ deployment: "approved", forbidden_paths: "overridden" });
        expect(report.decisions, `trial ${trial}`).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "approval", by: "erin" }), expect.objectContaining({ kind: "override", by: "mia" })]));
      }
    });

    it("revoke + approve of another category", { timeout: 180_000 }, async () => {
      const [a, b] = await Promise.all([replica(), replica()]);
      for (let trial = 0; trial < 2; trial++) {
        const pull = await openPull(a!);
        await command(a!, pull, "erin", "/roleguard approve deployment");
        expect(states(pull)).toMatchObject({ deployment: "approved" });
        await Promise.all([command(a!, pull, "erin", "/roleguard revoke deployment"), command(b!, pull, "frank", "/roleguard approve add_dependencies")]);
        expect(states(pull), `trial ${trial}`).toMatchObject({ deployment: "pending", add_dependencies: "approved" });
        expect(runsOf(pull).at(-1)?.conclusion).not.toBe("success");
      }
    });
  });

  it("a replica killed (SIGKILL) mid-evaluation: the delivery completes on the other", { timeout: 180_000 }, async () => {
    // The first replica's evaluations of a head holding stall-the-engine.txt never finish (the misbehaving worker).
    const doomed = await replica({ preload: STALL_PRELOAD });
    const pull = fake.pull(REPO, { number: nextNumber++, author: "backend-agent[bot]", head: { ...HEAD, "stall-the-engine.txt": "x\n" } });
    const id = randomUUID();
    expect((await doomed.deliver("pull_request", { ...pullRequestEvent(fake, REPO, pull, "opened"), installation: INSTALLATION }, id)).status).toBe(202);
    await until("the stalled evaluation to mark its check in progress", () => runsOf(pull)[0]?.status === "in_progress", 60_000);
    await doomed.kill("SIGKILL");
    await replica();
    // The dead replica's job lock and PR lock lapse (15 s each); the survivor finds the job stalled and runs it.
    await handled(id, 120_000);
    const runs = runsOf(pull);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(runs[0]?.output?.title ?? "").not.toMatch(/could not evaluate/);
    expect(fake.report(runs[0]).findings.map((finding) => finding.category)).toContain("forbidden_paths");
  });

  it("Redis stopped and started again: /healthz 503 then 200, a delivery during the outage 503 at once, one after it works", { timeout: 120_000 }, async () => {
    const a = await replica();
    expect(await a.health()).toEqual({ status: 200, body: { status: "ok" } });
    await redis.stop();
    try {
      const down = await until("/healthz to say Redis is unreachable", async () => {
        const health = await a.health();
        return health.status === 503 ? health : undefined;
      }, 10_000);
      expect(down.body).toEqual({ status: "redis unreachable" });
      const pull = fake.pull(REPO, { number: nextNumber++, author: "backend-agent[bot]", head: HEAD });
      const during = await a.deliver("pull_request", { ...pullRequestEvent(fake, REPO, pull, "opened"), installation: INSTALLATION });
      expect(during.status).toBe(503);
      expect(during.body).toMatch(/Redis is unreachable/);
      // Loose sanity bound only: it must not be Probot's 9 s wait.
      expect(during.ms).toBeLessThan(5_000);
      // The log line is written beside the answer, not before it: wait for it to reach the pipe.
      await until("the log line naming Redis", () => /could not accept delivery .*Redis is unreachable/.test(a.output), 10_000);
    } finally {
      await redis.start();
    }
    await until("/healthz to answer 200 again", async () => (await a.health()).status === 200, 30_000);
    const pull = fake.pull(REPO, { number: nextNumber++, author: "backend-agent[bot]", head: HEAD });
    const id = randomUUID();
    expect((await a.deliver("pull_request", { ...pullRequestEvent(fake, REPO, pull, "opened"), installation: INSTALLATION }, id)).status).toBe(202);
    await handled(id, 60_000);
    expect(runsOf(pull)).toHaveLength(1);
    expect(runsOf(pull)[0]).toMatchObject({ status: "completed", conclusion: "failure" });
  });

  it("a replica started while Redis is down answers 503, and works once Redis comes up, with no restart", { timeout: 120_000 }, async () => {
    await redis.stop();
    let a: Replica;
    try {
      a = await replica({ untilHealthy: false });
      expect(await a.health()).toEqual({ status: 503, body: { status: "redis unreachable" } });
      const during = await a.deliver("pull_request", { ...pullRequestEvent(fake, REPO, fake.pull(REPO, { number: nextNumber++, author: "backend-agent[bot]", head: HEAD }), "opened"), installation: INSTALLATION });
      expect(during.status).toBe(503);
    } finally {
      await redis.start();
    }
    await until("/healthz to answer 200", async () => (await a.health()).status === 200, 30_000);
    const pull = fake.pull(REPO, { number: nextNumber++, author: "backend-agent[bot]", head: HEAD });
    const id = randomUUID();
    expect((await a.deliver("pull_request", { ...pullRequestEvent(fake, REPO, pull, "opened"), installation: INSTALLATION }, id)).status).toBe(202);
    await handled(id, 60_000);
    expect(runsOf(pull)).toHaveLength(1);
  });
});
