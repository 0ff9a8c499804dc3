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
import { pullRequestEvent } from "../../test/helpers/app.js";
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
    return [404, { message: `no control ${method} ${uri}` }];
  },
});
const fake = new FakeGitHub(server.url);
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
