import { generateKeyPairSync, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import webhookExamples from "@octokit/webhooks-examples" with { type: "json" };
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payloadProblem } from "../../src/app/events.js";
import { serve, type RunningServer } from "../../src/server.js";
import { commentEvent, pullRequestEvent } from "../helpers/app.js";
import { FakeGitHub, type FakePull } from "../helpers/fake-github.js";
import { SECRET, sign } from "./harness.js";

/**
 * The webhook ingress (one process here; replicas use the same code before
 * queueing): a signed delivery whose payload cannot be what it claims to be
 * is answered 400 before any GitHub client exists for it — no token is
 * exchanged, no request made with whatever credentials a wrong id would pick.
 */
const REPO = "acme/shop";
const CONFIG = 'assign:\n  - role: ai-agent\n    users: ["*-agent[bot]"]\n';
const saved = { ...process.env };
let fake: FakeGitHub;
let running: RunningServer;
let base: string;
let pull: FakePull;

beforeAll(async () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  Object.assign(process.env, { ROLEGUARD_RECONCILE_SECONDS: "0", APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, GHE_HOST: "ghe-ingress.test", GHE_PROTOCOL: "http", LOG_LEVEL: "fatal" });
  delete process.env.REDIS_URL;
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  fake = new FakeGitHub("http://ghe-ingress.test");
  fake.start();
  fake.repo(REPO, { files: { ".github/roleguard.yml": CONFIG, "src/a.ts": "1\n" } });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  pull = fake.pull(REPO, { number: 3, author: "ops-agent[bot]", head: { ".github/roleguard.yml": CONFIG, "src/a.ts": "2\n" } });
  running = await serve({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await running.stop(1000);
  fake.stop();
  nock.enableNetConnect();
  process.env = saved;
});

const post = async (event: string, body: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${base}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": randomUUID(), "x-hub-signature-256": sign(body), ...headers },
    body,
  });
  return { status: response.status, text: await response.text() };
};

/** Every request the stand-in saw beyond the app's own start-up lookup (GET /app). */
const githubCalls = () => fake.requests.filter((request) => !(request.method === "GET" && request.path === "/app"));

describe("signed but malformed deliveries are answered 400, and GitHub is never called", () => {
  const opened = (): Record<string, unknown> => ({ ...pullRequestEvent(fake, REPO, pull, "opened"), installation: { id: 42 } });
  const cases: [string, string, () => unknown][] = [
    ["installation.id as a string", "pull_request", () => ({ ...opened(), installation: { id: "42" } })],
    ["installation.id as a fraction", "pull_request", () => ({ ...opened(), installation: { id: 4.2 } })],
    ["installation.id negative", "pull_request", () => ({ ...opened(), installation: { id: -1 } })],
    ["installation as a number", "pull_request", () => ({ ...opened(), installation: 42 })],
    ["a body of 1", "pull_request", () => 1],
    ["a body that is an array", "pull_request", () => [opened()]],
    ["a body of null", "issue_comment", () => null],
    ["labels as a string where an array belongs", "pull_request", () => ({ ...opened(), pull_request: { ...(opened().pull_request as object), labels: "bug" } })],
    ["pull_requests as a string on a check_suite", "check_suite", () => ({ action: "requested", repository: fake.repositoryPayload(REPO), check_suite: { head_sha: pull.head.sha, pull_requests: "3" }, installation: { id: 42 } })],
    ["check_run as a string", "check_run", () => ({ action: "rerequested", repository: fake.repositoryPayload(REPO), check_run: "x", installation: { id: 42 } })],
    ["repositories_added as a string", "installation_repositories", () => ({ action: "added", repositories_added: "acme/shop", installation: { id: 42 } })],
    ["a comment whose user is a string", "issue_comment", () => {
      const event = commentEvent(fake, REPO, pull, { id: 9, body: "/roleguard check", user: { login: "erin", type: "User" }, created_at: new Date().toISOString() });
      return { ...event, comment: { ...(event.comment as object), user: "erin" }, installation: { id: 42 } };
    }],
  ];

  it.each(cases)("%s", async (_, event, payload) => {
    fake.resetCounts();
    const tokens = fake.tokensIssued.length;
    const answer = await post(event, JSON.stringify(payload()));
    expect(answer.status).toBe(400);
    expect(githubCalls()).toEqual([]);
    expect(fake.tokensIssued).toHaveLength(tokens);
  });

  it("a body that is not JSON, signed: 400", async () => {
    const answer = await post("pull_request", "{not json");
    expect(answer.status).toBe(400);
  });

  it("a delivery id that is not an id: 400", async () => {
    const body = JSON.stringify(opened());
    expect((await post("pull_request", body, { "x-github-delivery": "a:b c" })).status).toBe(400);
  });

  it("an unsigned or wrongly signed delivery: 400, and nothing is parsed", async () => {
    expect((await post("pull_request", "1", { "x-hub-signature-256": "sha256=00" })).status).toBe(400);
  });

  it("the same delivery, well formed, is evaluated (200) as the installation it names", async () => {
    fake.resetCounts();
    const answer = await post("pull_request", JSON.stringify(opened()));
    expect(answer.status).toBe(200);
    expect(fake.tokensIssued).toContain(42);
    expect(fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha)).toHaveLength(1);
  });

  it("an event the app does not handle passes the envelope check and is acknowledged", async () => {
    expect((await post("star", JSON.stringify({ action: "created", installation: { id: 42 } }))).status).toBe(200);
  });
});

describe("every real payload of the events the app handles fits its schema (no real delivery is refused)", () => {
  const groups = webhookExamples as unknown as { name: string; examples: Record<string, unknown>[] }[];
  const handled = ["pull_request", "pull_request_review", "issue_comment", "check_run", "check_suite", "merge_group", "installation", "installation_repositories"];
  const examples = groups.filter((group) => handled.includes(group.name)).flatMap((group) => group.examples.map((example) => [`${group.name}.${String(example.action)}`, group.name, example] as const));

  it("there are examples to check", () => expect(examples.length).toBeGreaterThan(30));
  it.each(examples)("%s", (_, name, example) => expect(payloadProblem(name, example)).toBeUndefined());
});

describe("requests that are no delivery at all get their own answer", () => {
  it("a body over 25 MB: 413 reaches the sender (the socket is not cut first)", async () => {
    const { status, text } = await post("pull_request", "x".repeat(25 * 1024 * 1024 + 1));
    expect(status).toBe(413);
    expect(text).toContain("payload over");
  });

  it("another content type: 415; an event name that is no event: 400; a GET: 404", async () => {
    const before = githubCalls().length;
    expect((await post("pull_request", "{}", { "content-type": "text/plain" })).status).toBe(415);
    expect((await post("pull_request; rm -rf", "{}")).status).toBe(400);
    expect((await fetch(`${base}/api/github/webhooks`)).status).toBe(404);
    expect(githubCalls().length).toBe(before);
  });
});

