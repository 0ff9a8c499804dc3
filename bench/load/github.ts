/**
 * The stand-in GitHub, as its own process: a FakeGitHub served over HTTP on
 * 127.0.0.1 with a fixed latency per request (test/helpers/fake-server.ts).
 * A separate process, so that neither its CPU nor its ever-growing state (it
 * records every request and keeps every commit) counts against the Probot
 * process being measured.
 *
 *   node github.js <latencyMs>   → prints {"url": "..."} on stdout, serves until killed
 *
 * Control calls (no latency): POST /__bench/synchronize {installation, number}[]
 * pushes a new head to each PR (opening it first if new) and answers the
 * `pull_request.synchronize` payloads; GET /__bench/summary counts what happened.
 */
import { FakeGitHub, type FakePull, type Files } from "../../test/helpers/fake-github.js";
import { commentEvent, pullRequestEvent } from "../../test/helpers/app.js";
import { FakeServer } from "../../test/helpers/fake-server.js";
import { repoOf } from "./scenario.js";

const CONFIG = [
  "assign:",
  "  - role: gated",
  '    users: ["*-agent[bot]"]',
  "",
].join("\n");
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/, infrastructure/]\n  requires_approval_for: [database_migrations, add_dependencies, deployment]\n---\nAn agent held to its lane.\n";

/** A modest service: the policy, a manifest and 60 source files in a few folders. */
function baseFiles(): Files {
  const files: Files = {
    ".github/roleguard.yml": CONFIG,
    ".github/roles/gated.md": ROLE,
    "package.json": JSON.stringify({ name: "service", dependencies: { express: "^4.19.2" } }),
    "README.md": "# service\n",
  };
  for (let i = 0; i < 60; i++) files[`src/${["api", "domain", "infra"][i % 3]}/module-${i}.ts`] = `export const value${i} = ${i};\n`;
  return files;
}

const latencyMs = Number(process.argv[2] ?? 50);
const base = baseFiles();
const pulls = new Map<string, FakePull>();
let pushes = 0;

const server = await FakeServer.listen({
  latencyMs,
  control: (method, uri, body) => {
    if (method === "POST" && uri === "/__bench/synchronize") {
      return [200, (body as { installation: number; number: number }[]).map(({ installation, number }) => synchronize(installation, number))];
    }
    if (method === "GET" && uri === "/__bench/summary") return [200, summary()];
    if (method === "POST" && uri === "/__bench/completions") return [200, Object.fromEntries((body as string[]).map((sha) => [sha, completedAt.get(sha) ?? null]))];
    if (method === "POST" && uri === "/__bench/race-pull") return [200, racePull(body as { installation: number; number: number })];
    if (method === "POST" && uri === "/__bench/comment") return [200, comment(body as { installation: number; number: number; login: string; body: string })];
    if (method === "POST" && uri === "/__bench/pull-state") return [200, pullState(body as { installation: number; number: number })];
    return [404, { message: `no control ${method} ${uri}` }];
  },
});
/** When each head's run was first written completed (ms since the epoch): the replicas bench's latencies end there. */
const completedAt = new Map<string, number>();

/** The stand-in, noting when a check run is completed (the replicas bench drives the app over HTTP and reads the end here). */
class TimedFakeGitHub extends FakeGitHub {
  override route(...args: Parameters<FakeGitHub["route"]>): ReturnType<FakeGitHub["route"]> {
    const result = super.route(...args);
    const [method, uri] = args;
    const data = (result as unknown as [number, { head_sha?: string; status?: string }?])[1];
    if ((method === "POST" || method === "PATCH") && /\/check-runs(\/\d+)?$/.test(new URL(uri, this.baseUrl).pathname) && data?.status === "completed" && data.head_sha && !completedAt.has(data.head_sha)) {
      completedAt.set(data.head_sha, Date.now());
    }
    return result;
  }
}

const fake = new TimedFakeGitHub(server.url);
server.serve(fake);

function synchronize(installation: number, number: number): Record<string, unknown> {
  const fullName = repoOf(installation);
  if (!fake.repos.has(fullName.toLowerCase())) {
    fake.repo(fullName, { files: base });
    fake.repo(`${fullName.split("/")[0]}/.github`, { files: { "README.md": "org\n" } });
  }
  const key = `${fullName}#${number}`;
  let pull = pulls.get(key);
  if (!pull) {
    pull = fake.pull(fullName, { number, author: "backend-agent[bot]", head: { ...base, "src/api/module-0.ts": "export const value0 = -1;\n" } });
    pulls.set(key, pull);
  }
  // Each push: one more source file changed, and every third a migration and a new dependency (pending approvals).
  const n = ++pushes;
  const head: Files = { ...fake.filesAt(fullName, pull.head.sha), [`src/domain/module-${n % 60}.ts`]: `export const push${n} = ${n};\n` };
  if (n % 3 === 0) {
    head[`db/migrations/${String(n).padStart(6, "0")}_change.sql`] = "alter table orders add column note text;\n";
    head["package.json"] = JSON.stringify({ name: "service", dependencies: { express: "^4.19.2", [`lib-${n}`]: "^1.0.0" } });
  }
  pull = fake.push(fullName, number, head);
  return pullRequestEvent(fake, fullName, pull, "synchronize", { installation: { id: installation } });
}

// ---- the replicas bench: PRs with two pending categories and a violation, commands on them ----

const MAINTAINERS = [["erin", "write"], ["frank", "write"], ["mia", "maintain"]] as const;

function ensureRepo(installation: number): string {
  const fullName = repoOf(installation);
  if (!fake.repos.has(fullName.toLowerCase())) {
    fake.repo(fullName, { files: base });
    fake.repo(`${fullName.split("/")[0]}/.github`, { files: { "README.md": "org\n" } });
  }
  for (const [login, role] of MAINTAINERS) fake.permission(fullName, login, role);
  return fullName;
}

/** A new PR (number ≥ 10,000, apart from the load's) pending deployment and add_dependencies, with a forbidden file: its `opened` payload. */
function racePull({ installation, number }: { installation: number; number: number }): Record<string, unknown> {
  const fullName = ensureRepo(installation);
  const head: Files = { ...base, Dockerfile: "FROM node\n", "package.json": JSON.stringify({ name: "service", dependencies: { express: "^4.19.2", lodash: "^4.17.21" } }), "secrets/key.pem": "k\n" };
  const pull = fake.pull(fullName, { number, author: "backend-agent[bot]", head });
  pulls.set(`${fullName}#${number}`, pull);
  return { ...pullRequestEvent(fake, fullName, pull, "opened"), installation: { id: installation } };
}

function comment({ installation, number, login, body }: { installation: number; number: number; login: string; body: string }): Record<string, unknown> {
  const fullName = repoOf(installation);
  const pull = pulls.get(`${fullName}#${number}`) as FakePull;
  const made = fake.comment(fullName, number, login, body);
  return { ...commentEvent(fake, fullName, pull, made), installation: { id: installation } };
}

/** The PR's check runs on its head and the newest one's finding states. */
function pullState({ installation, number }: { installation: number; number: number }): Record<string, unknown> {
  const fullName = repoOf(installation);
  const pull = pulls.get(`${fullName}#${number}`) as FakePull;
  const runs = fake.checkRuns(fullName).filter((run) => run.head_sha === pull.head.sha);
  const latest = runs.at(-1);
  const states = latest?.output?.text ? Object.fromEntries(fake.report(latest).findings.map((finding) => [String(finding.category), String(finding.state)])) : {};
  return { runs: runs.length, states };
}

function summary(): Record<string, unknown> {
  const byRoute: Record<string, number> = {};
  for (const request of fake.requests) {
    const route = `${request.method} ${request.path.replace(/[0-9a-f]{40}/g, ":sha").replace(/\/\d+/g, "/:n").replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/:o/:r")} ${request.status}`;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
  }
  let completed = 0;
  let runs = 0;
  const conclusions: Record<string, number> = {};
  const titles: Record<string, string> = {};
  for (const repo of fake.repos.values()) {
    for (const run of repo.checkRuns) {
      runs++;
      if (run.status === "completed") completed++;
      if (run.conclusion) {
        conclusions[run.conclusion] = (conclusions[run.conclusion] ?? 0) + 1;
        titles[run.conclusion] ??= run.output?.title ?? "";
      }
    }
  }
  return { requests: fake.requests.length, byRoute, tokensIssued: fake.tokensIssued.length, checkRuns: runs, completed, conclusions, titles, peakInFlight: server.peakInFlight };
}

process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
