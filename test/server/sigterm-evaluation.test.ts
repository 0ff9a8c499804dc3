import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { FakeGitHub } from "../helpers/fake-github.js";
import { FakeServer } from "../helpers/fake-server.js";
import { pullRequestEvent } from "../helpers/app.js";
import { tempDir } from "../helpers/scratch-repo.js";

/**
 * SIGTERM to a real `roleguard serve` process (dist/bin.js) while one of its
 * evaluations is stuck: the main thread still answers /healthz, takes the
 * signal, lets the evaluation run out its budget, writes the failed check and
 * exits. The stand-in GitHub is served over real HTTP; the stuck evaluation is
 * the misbehaving worker, installed by a preloaded module
 * (test/fixtures/runtime/misbehaving-pool.mjs), not by anything in the app.
 */
const REPO = "acme/shop";
const SECRET = "webhook-secret";
const CONFIG = 'assign:\n  - role: ai-agent\n    users: ["*-agent[bot]"]\n';
const BUDGET_SECONDS = 3;
const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));
const PRELOAD = new URL("../fixtures/runtime/misbehaving-pool.mjs", import.meta.url).href;

let child: ChildProcess | undefined;
let github: FakeServer | undefined;
afterEach(async () => {
  child?.kill("SIGKILL");
  await github?.close();
});

it("a SIGTERM during a stuck evaluation ends the process once the budget has failed the check", { timeout: 90_000 }, async () => {
  github = await FakeServer.listen();
  const fake = new FakeGitHub(github.url);
  github.serve(fake);
  fake.repo(REPO, { files: { ".github/roleguard.yml": CONFIG, "src/a.ts": "1\n" } });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

  const spawned = spawn(process.execPath, ["--import", PRELOAD, BIN, "serve"], {
    cwd: tempDir(),
    env: {
      PATH: process.env.PATH,
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: new URL(github.url).host,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "info",
      ROLEGUARD_RECONCILE_SECONDS: "0",
      ROLEGUARD_EVALUATION_TIMEOUT_SECONDS: String(BUDGET_SECONDS),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = spawned;
  const exited = new Promise<number | null>((resolve) => spawned.once("exit", (code) => resolve(code)));
  let output = "";
  const base = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (found) resolve(found[1]!);
    };
    spawned.stdout!.on("data", onData);
    spawned.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`roleguard serve exited (${code}) before listening:\n${output.slice(-2000)}`)));
  });

  const pull = fake.pull(REPO, { number: 7, author: "ops-agent[bot]", head: { ".github/roleguard.yml": CONFIG, "src/a.ts": "1\n", "stall-the-engine.txt": "x\n" } });
  const body = JSON.stringify({ ...pullRequestEvent(fake, REPO, pull, "opened"), installation: { id: 42 } });
  const delivery = fetch(`${base}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "d-stall", "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` },
    body,
  }).catch(() => undefined);
  const run = () => fake.checkRuns(REPO).find((each) => each.head_sha === pull.head.sha);
  const deadline = Date.now() + 40_000;
  while (run()?.status !== "in_progress") {
    if (Date.now() > deadline) throw new Error(`the check never started:\n${output.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const stalledAt = Date.now();
  expect((await fetch(`${base}/healthz`)).status).toBe(200);

  spawned.kill("SIGTERM");
  const code = await exited;
  const elapsed = Date.now() - stalledAt;
  expect(code).toBe(0);
  // Bounded by the budget (not by the stuck evaluation), plus the failed check's write.
  // Generous for a loaded machine: the stuck evaluation itself never ends, so any bound proves the point.
  expect(elapsed).toBeLessThan(BUDGET_SECONDS * 1000 + 20_000);
  expect(run()).toMatchObject({ status: "completed", conclusion: "failure" });
  expect(run()?.output?.title).toBe(`could not evaluate: the evaluation took longer than ${BUDGET_SECONDS} s; comment /roleguard check to retry`);
  await delivery;
});
