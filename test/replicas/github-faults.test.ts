import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fetchWithTimeout, githubTimeoutSeconds, roleguardOctokit } from "../../src/server/github-client.js";
import { serve, type RunningServer } from "../../src/server.js";
import { pullRequestEvent } from "../helpers/app.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { SECRET, sign } from "./harness.js";

const SECONDARY = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A stand-in on a real socket: answers each request with `answer`, which may never answer. */
async function standIn(answer: (request: IncomingMessage, response: ServerResponse, index: number) => void): Promise<{ url: string; seen: number[]; close: () => Promise<void> }> {
  const seen: number[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(Date.now());
    answer(request, response, seen.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe("the app's Octokit against a stand-in on a real socket", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it("a 403 secondary rate limit with retry-after: 1 is retried after the wait, and the request succeeds", async () => {
    const github = await standIn((_, response, index) => {
      if (index === 0) response.writeHead(403, { "content-type": "application/json", "retry-after": "1" }).end(JSON.stringify(SECONDARY));
      else response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ name: "shop" }));
    });
    closers.push(github.close);
    const Octokit = roleguardOctokit(5);
    const octokit = new Octokit({ auth: { token: "test" }, baseUrl: github.url, log: quiet });
    const { data } = await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "shop" });
    expect(data).toEqual({ name: "shop" });
    expect(github.seen).toHaveLength(2);
    // retry-after is a minimum wait: the retry came after it (a lower bound, never a timing assertion on speed).
    expect((github.seen[1] as number) - (github.seen[0] as number)).toBeGreaterThanOrEqual(900);
  });

  it("retries a secondary limit a bounded number of times, then fails with GitHub's answer", { timeout: 30_000 }, async () => {
    const github = await standIn((_, response) => response.writeHead(403, { "content-type": "application/json", "retry-after": "1" }).end(JSON.stringify(SECONDARY)));
    closers.push(github.close);
    const octokit = new (roleguardOctokit(5))({ auth: { token: "test" }, baseUrl: github.url, log: quiet });
    await expect(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "shop" })).rejects.toMatchObject({ status: 403 });
    expect(github.seen).toHaveLength(4);
  });

  it("a stand-in that never answers: the request fails after the timeout instead of hanging", { timeout: 30_000 }, async () => {
    const github = await standIn(() => undefined);
    closers.push(github.close);
    const octokit = new (roleguardOctokit(0.5))({ auth: { token: "test" }, baseUrl: github.url, log: quiet, retry: { enabled: false } });
    await expect(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "shop" })).rejects.toThrow(/did not answer within 0.5 s/);
  });

  it("a body that stops half-way is cut by the same timeout", { timeout: 30_000 }, async () => {
    const github = await standIn((_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"name": "sh');
    });
    closers.push(github.close);
    const timed = fetchWithTimeout(0.5);
    const response = await timed(`${github.url}/repos/acme/shop`);
    await expect(response.text()).rejects.toThrow();
  });

  it("ROLEGUARD_GITHUB_TIMEOUT_SECONDS: default 30, a positive number, anything else refused", () => {
    expect(githubTimeoutSeconds({})).toBe(30);
    expect(githubTimeoutSeconds({ ROLEGUARD_GITHUB_TIMEOUT_SECONDS: "2.5" })).toBe(2.5);
    for (const bad of ["0", "-1", "soon", "Infinity"]) expect(() => githubTimeoutSeconds({ ROLEGUARD_GITHUB_TIMEOUT_SECONDS: bad })).toThrow(/ROLEGUARD_GITHUB_TIMEOUT_SECONDS/);
  });
});

describe("the app as served: faults on GitHub's side end in a written check, never in silence", () => {
  const REPO = "acme/shop";
  const HOST = "ghe-faults.test";
  const CONFIG = 'assign:\n  - role: ai-agent\n    users: ["*-agent[bot]"]\n';
  const saved = { ...process.env };
  let fake: FakeGitHub;
  let running: RunningServer;
  let base: string;

  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    Object.assign(process.env, { ROLEGUARD_RECONCILE_SECONDS: "0", APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, GHE_HOST: HOST, GHE_PROTOCOL: "http", LOG_LEVEL: "fatal", ROLEGUARD_GITHUB_TIMEOUT_SECONDS: "0.5" });
    delete process.env.REDIS_URL;
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    fake = new FakeGitHub(`http://${HOST}`);
    fake.repo(REPO, { files: { ".github/roleguard.yml": CONFIG, "src/a.ts": "1\n" } });
    fake.repo("acme/.github", { files: { "README.md": "org\n" } });
    running = await serve({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await running.stop(1000);
    fake.stop();
    nock.cleanAll();
    nock.enableNetConnect();
    process.env = saved;
  });

  const deliver = (payload: unknown) => {
    const body = JSON.stringify(payload);
    return fetch(`${base}/api/github/webhooks`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": randomUUID(), "x-hub-signature-256": sign(body) }, body });
  };

  it("a secondary rate limit on the check-run write (403, retry-after: 1) is waited out: the verdict is written", { timeout: 60_000 }, async () => {
    // Registered before the stand-in's own routes, so this one answer comes first.
    const limited = nock(`http://${HOST}`).post(`/api/v3/repos/${REPO}/check-runs`).once().reply(403, SECONDARY, { "retry-after": "1" });
    fake.start();
    const pull = fake.pull(REPO, { number: 3, author: "ops-agent[bot]", head: { ".github/roleguard.yml": CONFIG, "src/a.ts": "2\n", ".github/workflows/ci.yml": "x\n" } });
    const response = await deliver({ ...pullRequestEvent(fake, REPO, pull, "opened"), installation: { id: 42 } });
    expect([200, 202]).toContain(response.status);
    const deadline = Date.now() + 30_000;
    while (fake.checkRuns(REPO).find((run) => run.head_sha === pull.head.sha)?.status !== "completed" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(limited.isDone()).toBe(true);
    const runs = fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(runs[0]?.output?.title).not.toMatch(/could not evaluate/);
  });

  it("a read GitHub never answers: the evaluation fails after the timeout and the check says so", { timeout: 90_000 }, async () => {
    const pull = fake.pull(REPO, { number: 4, author: "ops-agent[bot]", head: { ".github/roleguard.yml": CONFIG, "src/a.ts": "3\n" } });
    fake.delay(/^GET \/repos\/acme\/shop\/pulls\/4\/files/, 3_600_000);
    void deliver({ ...pullRequestEvent(fake, REPO, pull, "opened"), installation: { id: 42 } }).catch(() => undefined);
    const deadline = Date.now() + 80_000;
    const run = () => fake.checkRuns(REPO).find((each) => each.head_sha === pull.head.sha);
    while (run()?.status !== "completed" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(run()).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run()?.output?.title).toMatch(/could not evaluate: .*did not answer within 0.5 s/);
  });
});
