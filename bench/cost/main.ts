/**
 * `npm run bench`, cost per webhook (issue 13): billable requests, writes,
 * sequential round trips and wall time for opened / synchronize / an approve
 * command / a cold 3,000-file PR over 300 folders, and a reconciliation pass
 * over 200 repositories × 3 PRs — on the stand-in GitHub (served in-process
 * through nock) with 50 ms added to every answer, and Probot's real write
 * throttling (writes a second apart). Figures only; the request counts are
 * pinned in test/app/*.test.ts.
 */
import { generateKeyPairSync } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { Probot, ProbotOctokit } from "probot";
import type * as AppModule from "../../src/app/index.js";
import type * as StateModule from "../../src/app/state.js";
import type * as SweepModule from "../../src/app/sweep.js";
import type * as PoolModule from "../../src/runtime/evaluation-pool.js";
import type { AppState } from "../../src/app/state.js";
import type { GitHub } from "../../src/sources/github/client.js";
import { commentEvent, deliver, pullRequestEvent } from "../../test/helpers/app.js";
import { startFakeGitHub, stopFakeGitHub, type FakeGitHub, type Files } from "../../test/helpers/fake-github.js";

// The app as `npm run build` made it (dist/), as the load bench runs it: the built-in roles are found beside it.
const dist = (file: string) => new URL(`../../../../dist/${file}`, import.meta.url).href;
const { roleguardApp } = (await import(dist("app/index.js"))) as typeof AppModule;
const { newAppState } = (await import(dist("app/state.js"))) as typeof StateModule;
const { reconcileOnce } = (await import(dist("app/sweep.js"))) as typeof SweepModule;
const { closeSharedEvaluationPool } = (await import(dist("runtime/evaluation-pool.js"))) as typeof PoolModule;

const LATENCY_MS = 50;
const REPO = "acme/shop";
const CONFIG = 'assign:\n  - role: gated\n    users: ["*-agent[bot]"]\n';
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [database_migrations, add_dependencies]\n---\nAn agent held to its lane.\n";
const BASE: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/gated.md": ROLE, "package.json": '{"dependencies":{"express":"^4.19.2"}}\n', "src/app.ts": "export const app = 1;\n" };
const twenty = (tag: string): Files => Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`src/feature/f${i}.ts`, `export const f${i} = "${tag}";\n`]));

/** Probot as it runs in production: the retry plugin off (nothing fails here), write throttling on. */
const productionLikeProbot = (state: AppState, options: { appId?: number; privateKey?: string } = {}) => {
  const probot = new Probot({
    ...(options.appId ? { appId: options.appId, privateKey: options.privateKey as string } : { githubToken: "bench" }),
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((octokitOptions: Record<string, unknown>) => ({ ...octokitOptions, retry: { enabled: false } })),
  });
  void probot.load(roleguardApp(state));
  return probot;
};

interface Row {
  label: string;
  requests: number;
  billable: number;
  writes: number;
  roundTrips: number;
  wallMs: number;
}

/** Probot spaces writes a second apart: each measured delivery starts once the one before is out of the way, as separate deliveries are. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_100));

async function measure(fake: FakeGitHub, label: string, run: () => Promise<unknown>): Promise<Row> {
  await settle();
  fake.resetCounts();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  return {
    label,
    requests: fake.requests.length,
    billable: fake.billable.length,
    // Writes to repositories (the token exchange is the app's own POST, not content GitHub spaces).
    writes: fake.requests.filter((request) => request.method !== "GET" && !request.path.endsWith("/access_tokens")).length,
    roundTrips: fake.roundTrips,
    wallMs,
  };
}

async function webhooks(): Promise<Row[]> {
  const fake = startFakeGitHub();
  fake.repo(REPO, { files: BASE });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  fake.permission(REPO, "mia", "maintain");
  const state = newAppState({ botLogin: "roleguard[bot]", secret: "bench-secret" });
  const probot = productionLikeProbot(state);
  // Warm: the policy is in the cache, as it is for every PR but a repository's first.
  await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, fake.pull(REPO, { number: 1, author: "ops-agent[bot]", head: { ...BASE, "src/warm.ts": "1\n" } }), "opened"));
  fake.delay(/./, LATENCY_MS);
  const rows: Row[] = [];
  const pull = fake.pull(REPO, { number: 2, author: "ops-agent[bot]", head: { ...BASE, ...twenty("one"), "db/migrations/001.sql": "create table t();\n" } });
  rows.push(await measure(fake, "opened, warm, 20 files", () => deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"))));
  fake.push(REPO, 2, { ...BASE, ...twenty("two"), "db/migrations/001.sql": "create table t();\n" });
  rows.push(await measure(fake, "synchronize, 20 files", () => deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"))));
  const comment = fake.comment(REPO, 2, "mia", "/roleguard approve database_migrations");
  rows.push(await measure(fake, "approve command → updated check", () => deliver(probot, "issue_comment", commentEvent(fake, REPO, pull, comment))));
  const approved = fake.report(fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha).at(-1)).findings.find((finding) => finding.category === "database_migrations")?.state;
  if (approved !== "approved") console.log(`  (note: after the approve command the migration is ${String(approved)})`);
  stopFakeGitHub(fake);

  // Cold: a process that has seen nothing, a PR of 3,000 files over 300 folders.
  const big = startFakeGitHub();
  const spread = (tag: string): Files => {
    const files: Files = {};
    for (let folder = 0; folder < 300; folder++) for (let file = 0; file < 10; file++) files[`pkg/d${String(folder).padStart(3, "0")}/f${file}.ts`] = `export const v = "${tag} ${folder} ${file}";\n`;
    return files;
  };
  big.repo(REPO, { files: { ...BASE, ...spread("old") } });
  big.repo("acme/.github", { files: { "README.md": "org\n" } });
  const bigPull = big.pull(REPO, { number: 3, author: "ops-agent[bot]", head: { ...BASE, ...spread("new") } });
  big.delay(/./, LATENCY_MS);
  const coldProbot = productionLikeProbot(newAppState());
  rows.push(await measure(big, "3,000 files over 300 folders, cold", () => deliver(coldProbot, "pull_request", pullRequestEvent(big, REPO, bigPull, "opened"))));
  stopFakeGitHub(big);
  return rows;
}

async function reconciliation(): Promise<Row[]> {
  const fake = startFakeGitHub();
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  const names: string[] = [];
  for (let index = 0; index < 200; index++) {
    const name = `acme/r${index}`;
    names.push(name);
    fake.repo(name, { files: BASE });
    for (let number = 1; number <= 3; number++) {
      const pull = fake.pull(name, { number, author: "ops-agent[bot]", head: { ...BASE, [`src/c${number}.ts`]: `${number}\n` } });
      pull.updatedAt = new Date(Date.now() - 3600_000).toISOString();
      fake.checkRuns(name).push({ id: index * 10 + number, name: "roleguard", head_sha: pull.head.sha, status: "completed", conclusion: "success", output: { title: "ok" }, annotations: [], updates: 0, started_at: fake.tick() });
    }
  }
  fake.installations.set(7, names);
  fake.delay(/./, LATENCY_MS);
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  const state = newAppState();
  const pass = (probot: Probot) => reconcileOnce(probot, (gh: GitHub) => ({ gh, log: probot.log, state }));
  const probot = productionLikeProbot(state, { appId: 1, privateKey });
  const rows = [await measure(fake, "reconciliation, first pass after a start", () => pass(probot))];
  rows.push(await measure(fake, "reconciliation, nothing changed", () => pass(probot)));
  rows.push(await measure(fake, "reconciliation, just after a token renewal", () => pass(productionLikeProbot(state, { appId: 1, privateKey }))));
  stopFakeGitHub(fake);
  return rows;
}

console.log(`\nroleguard cost per webhook — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB`);
console.log(`stand-in GitHub in-process (nock), ${LATENCY_MS} ms added to every answer; Probot's write throttling on\n`);
const header = `${"".padEnd(46)}${"requests".padStart(9)}${"billable".padStart(9)}${"writes".padStart(7)}${"RTT".padStart(5)}${"wall ms".padStart(9)}`;
console.log(header);
console.log("─".repeat(header.length));
for (const row of [...(await webhooks()), ...(await reconciliation())]) {
  console.log(`${row.label.padEnd(46)}${String(row.requests).padStart(9)}${String(row.billable).padStart(9)}${String(row.writes).padStart(7)}${String(row.roundTrips).padStart(5)}${row.wallMs.toFixed(0).padStart(9)}`);
}
console.log("(200 repositories × 3 PRs for the reconciliation rows; RTT: sequential round trips, requests sent together count once)");
await closeSharedEvaluationPool();
