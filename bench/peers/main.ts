/**
 * `npm run bench`, peers: `roleguard check --pr` beside danger-js (`danger pr`)
 * on the same five PRs of one stand-in GitHub that answers every request
 * after 50 ms, run in alternation (danger, roleguard, danger, roleguard, …)
 * so the machine's other load falls on both alike; then the CLI's start-up
 * beside `node -e 0`. Nothing here is a test: it prints figures.
 *
 * danger is installed on demand (never a devDependency, so `npm ci` stays
 * lean) into BENCH_PEERS_DIR (default: <tmp>/roleguard-bench-peers).
 * BENCH_PEER_RUNS (default 5) runs of each tool per PR; BENCH_STARTUP_RUNS (default 15).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeGitHub, type Files } from "../../test/helpers/fake-github.js";
import { FakeServer } from "../../test/helpers/fake-server.js";

const DANGER_VERSION = "14.0.7";
const LATENCY_MS = 50;
const RUNS = Number(process.env.BENCH_PEER_RUNS ?? 5);
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
const root = fileURLToPath(new URL("../../../../", import.meta.url));
const roleguardBin = join(root, "dist/bin.js");
const dangerfile = join(root, "bench/peers/dangerfile.js");
const peersDir = process.env.BENCH_PEERS_DIR ?? join(tmpdir(), "roleguard-bench-peers");
const timeBin = ["/usr/bin/time", "/bin/time"].find((path) => existsSync(path));

const REPO = "acme/shop";
const CONFIG = 'assign:\n  - role: gated\n    users: ["*-agent[bot]"]\n';
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [add_dependencies, database_migrations]\n---\nAn agent held to its lane.\n";
const PACKAGE = (extra: Record<string, string> = {}) => `${JSON.stringify({ name: "shop", dependencies: { express: "^4.19.2", ...extra } }, null, 2)}\n`;

function baseFiles(): Files {
  const files: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/gated.md": ROLE, "package.json": PACKAGE(), "README.md": "# shop\n" };
  for (let i = 0; i < 60; i++) files[`src/${["api", "domain", "infra"][i % 3]}/module-${i}.ts`] = `export const value${i} = ${i};\n`;
  return files;
}

/** Twenty changed files; `planted` replaces some of them. */
function change(tag: string, planted: Files): Files {
  const files = { ...baseFiles() };
  const count = 20 - Object.keys(planted).length;
  for (let i = 0; i < count; i++) files[`src/feature/${tag}-${i}.ts`] = `export const ${tag.replace(/\W/g, "")}${i} = ${i};\n`;
  return { ...files, ...planted };
}

interface PeerPull {
  number: number;
  label: string;
  head: Files;
  planted: { forbidden: boolean; dependency: boolean; migration: boolean };
}

const PULLS: PeerPull[] = [
  { number: 1, label: "20 files, nothing planted", head: change("plain", {}), planted: { forbidden: false, dependency: false, migration: false } },
  { number: 2, label: "forbidden file", head: change("secret", { "secrets/prod.key": "key\n" }), planted: { forbidden: true, dependency: false, migration: false } },
  { number: 3, label: "dependency added", head: change("dep", { "package.json": PACKAGE({ lodash: "^4.17.21" }) }), planted: { forbidden: false, dependency: true, migration: false } },
  { number: 4, label: "migration", head: change("mig", { "db/migrations/002_add_index.sql": "create index i on t(c);\n" }), planted: { forbidden: false, dependency: false, migration: true } },
  {
    number: 5,
    label: "all three",
    head: change("all", { "secrets/prod.key": "key\n", "package.json": PACKAGE({ lodash: "^4.17.21" }), "db/migrations/002_add_index.sql": "create index i on t(c);\n" }),
    planted: { forbidden: true, dependency: true, migration: true },
  },
];

interface Run {
  wallMs: number;
  firstRequestMs: number | undefined;
  requests: number;
  peakRssMiB: number | undefined;
  output: string;
  code: number | null;
}

function ensureDanger(): string {
  const bin = join(peersDir, "node_modules/danger/distribution/commands/danger.js");
  if (!existsSync(bin)) {
    mkdirSync(peersDir, { recursive: true });
    console.log(`installing danger@${DANGER_VERSION} into ${peersDir} (once; not a dependency of roleguard)`);
    execFileSync("npm", ["install", "--prefix", peersDir, "--no-save", "--no-audit", "--no-fund", "--loglevel", "error", `danger@${DANGER_VERSION}`], { stdio: "inherit" });
  }
  return bin;
}

let arrivals: number[] = [];

async function runOnce(server: FakeServer, fake: FakeGitHub, argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  const rssFile = join(tmpdir(), `roleguard-peer-rss-${process.pid}`);
  rmSync(rssFile, { force: true });
  const command = timeBin ? [timeBin, "-f", "%M", "-o", rssFile, process.execPath, ...argv] : [process.execPath, ...argv];
  fake.resetCounts();
  arrivals = [];
  const started = performance.now();
  const child = spawn(command[0] as string, command.slice(1), { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const wallMs = performance.now() - started;
  const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1)) : NaN;
  return {
    wallMs,
    firstRequestMs: arrivals[0] !== undefined ? arrivals[0] - started : undefined,
    requests: fake.requests.length,
    peakRssMiB: Number.isFinite(rss) ? rss / 1024 : undefined,
    output,
    code,
  };
  void server;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

function caughtByRoleguard(output: string): PeerPull["planted"] {
  const start = output.indexOf("{");
  const report = JSON.parse(output.slice(start, output.lastIndexOf("}") + 1)) as { findings: { category: string }[] };
  const categories = new Set(report.findings.map((finding) => finding.category));
  return { forbidden: categories.has("forbidden_paths"), dependency: categories.has("add_dependencies"), migration: categories.has("database_migrations") };
}

function caughtByDanger(output: string): PeerPull["planted"] {
  return { forbidden: output.includes("PEER-FORBIDDEN"), dependency: output.includes("PEER-DEPENDENCY"), migration: output.includes("PEER-MIGRATION") };
}

const mark = (caught: PeerPull["planted"], planted: PeerPull["planted"]) =>
  (["forbidden", "dependency", "migration"] as const).map((key) => (planted[key] ? (caught[key] ? `${key[0]}✓` : `${key[0]}✗`) : caught[key] ? `${key[0]}!` : "·")).join(" ");

async function peers(): Promise<void> {
  const dangerBin = ensureDanger();
  const server = await FakeServer.listen({ latencyMs: LATENCY_MS });
  server.server.prependListener("request", () => arrivals.push(performance.now()));
  const fake = new FakeGitHub(server.url);
  fake.repo(REPO, { files: baseFiles() });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  for (const pull of PULLS) fake.pull(REPO, { number: pull.number, author: "ops-agent[bot]", head: pull.head });
  server.serve(fake);
  const workdir = mkdtempSync(join(tmpdir(), "roleguard-peers-"));

  const tools = {
    danger: (pull: PeerPull) => runOnce(server, fake, [dangerBin, "pr", `https://github.com/${REPO}/pull/${pull.number}`, "--dangerfile", dangerfile], { DANGER_GITHUB_API_TOKEN: "bench-token", DANGER_GITHUB_API_BASE_URL: server.url }, workdir),
    roleguard: (pull: PeerPull) => runOnce(server, fake, [roleguardBin, "check", "--pr", `${REPO}#${pull.number}`, "--format", "json"], { GITHUB_TOKEN: "bench-token", GITHUB_API_URL: server.url }, workdir),
  };

  console.log(`\`roleguard check --pr\` beside \`danger pr\` (danger-js ${DANGER_VERSION}), stand-in GitHub at ${LATENCY_MS} ms per answer, ${RUNS} runs each in alternation, medians`);
  const header = `${"PR".padEnd(28)}${"tool".padEnd(11)}${"requests".padStart(9)}${"wall ms".padStart(9)}${"1st req ms".padStart(11)}${"peak RSS MiB".padStart(13)}   caught (f=forbidden d=dependency m=migration)`;
  console.log(header);
  console.log("─".repeat(header.length));
  const ratios: string[] = [];
  for (const pull of PULLS) {
    const runs: Record<keyof typeof tools, Run[]> = { danger: [], roleguard: [] };
    for (let i = 0; i < RUNS; i++) for (const tool of ["danger", "roleguard"] as const) runs[tool].push(await tools[tool](pull));
    const summary: Record<string, { wall: number; requests: number }> = {};
    for (const tool of ["danger", "roleguard"] as const) {
      const list = runs[tool];
      const last = list.at(-1) as Run;
      let caught: PeerPull["planted"];
      try {
        caught = tool === "danger" ? caughtByDanger(last.output) : caughtByRoleguard(last.output);
      } catch {
        console.log(`  ${tool} printed no report (exit ${last.code}): ${last.output.slice(0, 300).replace(/\s+/g, " ")}`);
        caught = { forbidden: false, dependency: false, migration: false };
      }
      const wall = median(list.map((run) => run.wallMs));
      const requests = median(list.map((run) => run.requests));
      summary[tool] = { wall, requests };
      const first = median(list.flatMap((run) => (run.firstRequestMs === undefined ? [] : [run.firstRequestMs])));
      const rss = median(list.flatMap((run) => (run.peakRssMiB === undefined ? [] : [run.peakRssMiB])));
      console.log(
        `${(tool === "danger" ? `#${pull.number} ${pull.label}` : "").padEnd(28)}${tool.padEnd(11)}${String(requests).padStart(9)}${wall.toFixed(0).padStart(9)}${first.toFixed(0).padStart(11)}${(Number.isNaN(rss) ? "n/a" : rss.toFixed(0)).padStart(13)}   ${mark(caught, pull.planted)}`,
      );
    }
    const d = summary.danger as { wall: number; requests: number };
    const r = summary.roleguard as { wall: number; requests: number };
    ratios.push(`#${pull.number}: wall ${(r.wall / d.wall).toFixed(2)} ×, requests ${(r.requests / d.requests).toFixed(2)} ×`);
  }
  console.log("\nroleguard / danger:", ratios.join("; "));
  console.log("(✓ caught what was planted, ✗ missed it, ! flagged what was not planted, · nothing planted and nothing flagged)");
  await server.close();
  rmSync(workdir, { recursive: true, force: true });
}

/** A scratch repository with the policy on main and a 20-file change (one migration) on a branch. */
function scratchRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "roleguard-startup-"));
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=bench@example.com", "-c", "user.name=bench", ...args], { cwd: dir, stdio: "ignore" });
  const write = (files: Files) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  git("init", "-q", "-b", "main");
  write(baseFiles());
  git("add", ".");
  git("commit", "-qm", "base");
  git("checkout", "-qb", "feature");
  write(change("local", { "db/migrations/002_add_index.sql": "create index i on t(c);\n" }));
  git("add", ".");
  git("commit", "-qm", "change");
  return dir;
}

async function startup(): Promise<void> {
  const dir = scratchRepo();
  const check = [roleguardBin, "check", "--base", "main", "--author", "ops-agent[bot]"];
  const commands: Record<string, string[]> = {
    "node -e 0": ["-e", "0"],
    "roleguard --version": [roleguardBin, "--version"],
    "roleguard check (local, 20 files)": check,
    "  the same, first check on this base": check,
  };
  // The first check on a base resolves the policy and caches it under .git/roleguard/; a repeated one reads it.
  const beforeRun: Record<string, () => void> = { "  the same, first check on this base": () => rmSync(join(dir, ".git", "roleguard"), { recursive: true, force: true }) };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let i = 0; i < STARTUP_RUNS + 2; i++) {
    for (const [name, argv] of Object.entries(commands)) {
      beforeRun[name]?.();
      const started = performance.now();
      await new Promise<void>((resolve) => spawn(process.execPath, argv, { cwd: dir, stdio: "ignore" }).on("close", () => resolve()));
      if (i >= 2) times[name]?.push(performance.now() - started);
    }
  }
  const base = median(times["node -e 0"] ?? []);
  console.log(`\nCLI start-up, ${STARTUP_RUNS} runs each in alternation after 2 warm-ups, medians (wall, from spawn to exit)`);
  for (const [name, list] of Object.entries(times)) console.log(`${name.padEnd(36)}${median(list).toFixed(0).padStart(6)} ms   ${(median(list) / base).toFixed(2)} × node -e 0`);
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nroleguard peer benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB\n`);
if (process.env.BENCH_ONLY !== "startup") await peers();
if (process.env.BENCH_ONLY !== "peers") await startup();
