import { createHmac, generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvaluationPool, useEvaluationPool } from "../../src/runtime/evaluation-pool.js";
import { serve, ServeError, type RunningServer } from "../../src/server.js";
import { FakeGitHub, type FakePull } from "../helpers/fake-github.js";
import { pullRequestEvent } from "../helpers/app.js";

/**
 * The time budget as a black box (SPEC §3): the app as `npm start` runs it,
 * signed deliveries over HTTP, a stand-in GitHub Enterprise. The engine runs in
 * a worker that stalls in a catastrophic regular expression when the change
 * holds `stall-the-engine.txt` (test/fixtures/runtime/misbehaving-worker.cjs):
 * what a backtracking pattern does to a thread. Meanwhile the same app must
 * judge another PR and answer /healthz.
 */
const REPO = "acme/shop";
const SECRET = "webhook-secret";
const CONFIG = 'assign:\n  - role: ai-agent\n    users: ["*-agent[bot]"]\n';
const MISBEHAVING = fileURLToPath(new URL("../fixtures/runtime/misbehaving-worker.cjs", import.meta.url));
const BUDGET_SECONDS = 4;
const saved = { ...process.env };
let fake: FakeGitHub;
let running: RunningServer | undefined;
let base: string;
let nextNumber = 10;

function misbehavingPool(timeoutSeconds: number): EvaluationPool {
  const pool = new EvaluationPool({ threads: 2, timeoutSeconds, workerFile: MISBEHAVING });
  useEvaluationPool(pool);
  return pool;
}

async function start(): Promise<void> {
  running = await serve({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  Object.assign(process.env, { ROLEGUARD_RECONCILE_SECONDS: "0", APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, GHE_HOST: "ghe.test", GHE_PROTOCOL: "http", LOG_LEVEL: "fatal" });
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  fake = new FakeGitHub("http://ghe.test");
  fake.start();
  fake.repo(REPO, { files: { ".github/roleguard.yml": CONFIG, "src/a.ts": "1\n" } });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
});

afterAll(async () => {
  await running?.stop(1000);
  fake.stop();
  nock.enableNetConnect();
  process.env = saved;
});

function openPull(files: Record<string, string>): FakePull {
  return fake.pull(REPO, { number: nextNumber++, author: "ops-agent[bot]", head: { ".github/roleguard.yml": CONFIG, "src/a.ts": "1\n", ...files } });
}

function deliver(pull: FakePull): Promise<Response> {
  const body = JSON.stringify({ ...pullRequestEvent(fake, REPO, pull, "opened"), installation: { id: 42 } });
  return fetch(`${base}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": `d-${Math.random()}`, "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` },
    body,
  });
}

const runOf = (pull: FakePull) => fake.checkRuns(REPO).find((run) => run.head_sha === pull.head.sha);

async function until(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("an evaluation past its time budget", () => {
  it("fails its check with the budget in the title, while the app judges another PR and answers /healthz", async () => {
    misbehavingPool(BUDGET_SECONDS);
    await start();
    const stalled = openPull({ "stall-the-engine.txt": "x\n" });
    const sentAt = Date.now();
    const stalledDelivery = deliver(stalled);
    await until("the stalled PR's check is in progress", () => runOf(stalled)?.status === "in_progress");

    const healthStarted = Date.now();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    // Sanity bounds only, loose for a loaded machine: a blocked event loop would not answer until the stall ends.
    expect(Date.now() - healthStarted).toBeLessThan(5_000);

    const normal = openPull({ ".github/workflows/ci.yml": "x\n" });
    const normalDelivery = await deliver(normal);
    expect(normalDelivery.status).toBe(200);
    expect(runOf(normal)).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(fake.report(runOf(normal)).findings).toContainEqual(expect.objectContaining({ category: "forbidden_paths", path: ".github/workflows/ci.yml", state: "violation" }));
    // The second verdict arrived while the first evaluation was still running.
    expect(runOf(stalled)?.status).toBe("in_progress");

    expect((await stalledDelivery).status).toBe(200);
    const elapsed = Date.now() - sentAt;
    const run = runOf(stalled);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run?.output?.title).toBe(`could not evaluate: the evaluation took longer than ${BUDGET_SECONDS} s; comment /roleguard check to retry`);
    expect(fake.report(run).errors).toEqual([{ file: "(evaluation)", message: `could not evaluate: the evaluation took longer than ${BUDGET_SECONDS} s` }]);
    expect(elapsed).toBeGreaterThanOrEqual(BUDGET_SECONDS * 1000);
    expect(elapsed).toBeLessThan(BUDGET_SECONDS * 1000 + 20_000);
  });

  it("a worker that crashes fails the check with the reason, and the next PR is judged", async () => {
    const crashed = openPull({ "throw-in-the-worker.txt": "x\n" });
    expect((await deliver(crashed)).status).toBe(200);
    expect(runOf(crashed)).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(runOf(crashed)?.output?.title).toBe("could not evaluate: the evaluation worker stopped (the worker broke); comment /roleguard check to retry");

    const exited = openPull({ "exit-the-worker.txt": "x\n" });
    expect((await deliver(exited)).status).toBe(200);
    expect(runOf(exited)?.output?.title).toBe("could not evaluate: the evaluation worker stopped (worker exited with code: 3); comment /roleguard check to retry");

    const normal = openPull({ "src/b.ts": "2\n" });
    expect((await deliver(normal)).status).toBe(200);
    expect(runOf(normal)).toMatchObject({ status: "completed" });
    expect(runOf(normal)?.conclusion).not.toBe("failure");
  });

  it("stop() during a long evaluation returns within its grace, fails that check, and leaves no worker thread", async () => {
    await running?.stop(1000);
    const pool = misbehavingPool(600);
    await start();
    const stalled = openPull({ "stall-the-engine.txt": "x\n" });
    const delivery = deliver(stalled).catch(() => undefined);
    await until("the stalled PR's check is in progress", () => runOf(stalled)?.status === "in_progress");
    expect(pool.threads).toBeGreaterThan(0);

    const stopping = Date.now();
    await running!.stop(500);
    running = undefined;
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect(pool.threads).toBe(0);
    expect(runOf(stalled)).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(runOf(stalled)?.output?.title).toBe("could not evaluate: the app stopped before the evaluation finished; comment /roleguard check to retry");
    await delivery;
  });

  it("a budget or thread count that is not a usable number stops the app at start, naming the variable", async () => {
    for (const [name, value] of [["ROLEGUARD_EVALUATION_TIMEOUT_SECONDS", "twenty"], ["ROLEGUARD_EVALUATION_THREADS", "-1"]] as const) {
      process.env[name] = value;
      try {
        const refused = await serve({ port: 0, host: "127.0.0.1" }).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(ServeError);
        expect((refused as Error).message).toMatch(new RegExp(`^${name} must be .* not "${value}"$`));
      } finally {
        delete process.env[name];
      }
    }
  });
});
