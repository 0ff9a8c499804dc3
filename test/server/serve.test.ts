import { createHmac, generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Server } from "node:http";
import { serve, type RunningServer } from "../../src/server.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { pullRequestEvent } from "../helpers/app.js";

/**
 * The app as `npm start` runs it: Probot from the environment, pointed at a
 * GitHub Enterprise stand-in through GHE_HOST / GHE_PROTOCOL, receiving signed
 * webhook deliveries over HTTP, authenticating as the app (JWT → installation
 * token) — no test-only shortcut anywhere.
 */
const REPO = "acme/shop";
const SECRET = "webhook-secret";
const saved = { ...process.env };
let fake: FakeGitHub;
let running: RunningServer;
let server: Server;
let base: string;

beforeAll(async () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  Object.assign(process.env, { ROLEGUARD_RECONCILE_SECONDS: "0", APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, GHE_HOST: "ghe.test", GHE_PROTOCOL: "http", LOG_LEVEL: "fatal" });
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  fake = new FakeGitHub("http://ghe.test");
  fake.start();
  fake.repo(REPO, { files: { ".github/roleguard.yml": 'assign:\n  - role: ai-agent\n    users: ["*-agent[bot]"]\n', "src/a.ts": "1\n" } });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  running = await serve({ port: 0, host: "127.0.0.1" });
  server = running.server;
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await running.stop(1000);
  fake.stop();
  nock.enableNetConnect();
  process.env = saved;
});

const post = (event: string, body: string, signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`) =>
  fetch(`${base}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": `d-${Math.random()}`, "x-hub-signature-256": signature },
    body,
  });

describe("roleguard serve", () => {
  it("answers /healthz once loaded", async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("rejects a delivery whose signature does not match", async () => {
    const response = await post("pull_request", "{}", "sha256=deadbeef");
    expect(response.status).toBe(400);
  });

  it("evaluates a signed pull_request delivery against GitHub Enterprise, as the installation", async () => {
    const pull = fake.pull(REPO, { number: 3, author: "ops-agent[bot]", head: { ".github/roleguard.yml": 'assign:\n  - role: ai-agent\n    users: ["*-agent[bot]"]\n', "src/a.ts": "2\n", ".github/workflows/ci.yml": "x\n" } });
    const payload = { ...pullRequestEvent(fake, REPO, pull, "opened"), installation: { id: 42 } };
    const response = await post("pull_request", JSON.stringify(payload));
    expect(response.status).toBe(200);
    const run = fake.checkRuns(REPO).find((each) => each.head_sha === pull.head.sha);
    expect(run).toMatchObject({ name: "roleguard", status: "completed", conclusion: "failure" });
    expect(fake.report(run).roles).toEqual([{ id: "ai-agent", source: "assign[0].users: ops-agent[bot]" }]);
    expect(fake.tokensIssued).toContain(42);
    // Only the Enterprise host is reachable here (nock), so every one of these went to http://ghe.test/api/v3.
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toContain(`POST /repos/${REPO}/check-runs`);
  });

  it("serves Prometheus metrics: evaluations, findings, GitHub requests, latency, queue depth", async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^roleguard_evaluations_total\{conclusion="failure"\} 1$/m);
    expect(text).toMatch(/^roleguard_findings_total\{category="forbidden_paths",state="violation"\} 1$/m);
    expect(text).toMatch(/^roleguard_github_requests_total\{method="POST",route="\/repos\/\{owner\}\/\{repo\}\/check-runs",status="201"\} 1$/m);
    expect(text).toMatch(/^roleguard_evaluation_duration_seconds_count 1$/m);
    expect(text).toMatch(/^roleguard_queue_depth \d+$/m);
    expect(text).toContain("roleguard_process_resident_memory_bytes");
  });

  it("answers 404 for anything else", async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
