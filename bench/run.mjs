#!/usr/bin/env node
// `npm run bench`: the figures the issues ask for, measured on the built code.
// Prints medians and p95 over many runs after a warm-up; never asserts a time.
import { readdirSync, readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { ConfigSchema } from "../dist/config/schema.js";
import { evaluate } from "../dist/policy/evaluate.js";
import { PathPatternList } from "../dist/policy/paths.js";
import { builtinRoleSource } from "../dist/roles/builtin.js";
import { buildRoleSet } from "../dist/roles/resolve.js";
import { MicromatchPatternList } from "./micromatch-baseline.mjs";

// ROLEGUARD_CORPUS: another copy of shared/roles-corpus (a worktree has none beside it).
const corpusDir = process.env.ROLEGUARD_CORPUS ? `${process.env.ROLEGUARD_CORPUS.replace(/\/$/, "")}/` : fileURLToPath(new URL("../../shared/roles-corpus/", import.meta.url));

function measure(label, runs, fn) {
  for (let i = 0; i < Math.min(20, runs); i++) fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return report(label, times);
}

/**
 * Two implementations of one task, measured in alternation (before, now,
 * before, now, …) so that the other load on a shared machine falls on both
 * alike; prints both medians and their ratio.
 */
function compare(label, runs, before, now) {
  for (let i = 0; i < Math.min(20, runs); i++) {
    before();
    now();
  }
  const times = { before: [], now: [] };
  for (let i = 0; i < runs; i++) {
    for (const [key, fn] of [["before", before], ["now", now]]) {
      const start = process.hrtime.bigint();
      fn();
      times[key].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const medianBefore = report(`${label} — before (micromatch)`, times.before);
  const medianNow = report(`${label} — now (RE2)`, times.now);
  console.log(`${"".padEnd(62)} now / before = ${(medianNow / medianBefore).toFixed(2)}`);
}

async function measureAsync(label, runs, fn) {
  for (let i = 0; i < Math.min(20, runs); i++) await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return report(label, times);
}

function report(label, times) {
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const line = `${label.padEnd(62)} median ${at(0.5).toFixed(3)} ms   p95 ${at(0.95).toFixed(3)} ms   (${times.length} runs)`;
  console.log(line);
  return at(0.5);
}

/** A realistic 3,000-file change: mostly source, some of everything a role constrains. */
function bigChange() {
  const dirs = ["src/api", "src/domain", "src/infra/db", "packages/web/src", "packages/ui/components", "test/unit", "docs", "workspace/frontend/app", "db/migrations", ".github/workflows", "infrastructure/modules", "services/billing/src"];
  const exts = [".ts", ".tsx", ".md", ".json", ".sql", ".yml"];
  return Array.from({ length: 3000 }, (_, i) => {
    const dir = dirs[i % dirs.length];
    const path = `${dir}/sub${i % 37}/file-${i}${exts[i % exts.length]}`;
    return i % 50 === 0 ? { path, status: "renamed", previousPath: `old/${path}`, sha: `s${i}` } : { path, status: i % 97 === 0 ? "removed" : "modified", sha: `s${i}` };
  });
}

/** 50 patterns of every SPEC §3 shape. */
function fiftyPatterns() {
  const shapes = ["node_modules/", "workspace/frontend/", "/data/", "package.json", "infrastructure", "*.pem", "src/**/secret*.ts", ".github/", "!.github/ISSUE_TEMPLATE/", "{build,dist}/"];
  return Array.from({ length: 50 }, (_, i) => {
    const shape = shapes[i % shapes.length];
    return i < shapes.length ? shape : shape.replace(/([a-z]+)/, `$1${i}`);
  });
}

console.log(`roleguard benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB\n`);

const corpus = readdirSync(corpusDir)
  .filter((name) => name.endsWith(".md") && name !== "README.md")
  .map((name) => ({ path: name, text: readFileSync(`${corpusDir}${name}`, "utf8") }));
const builtin = builtinRoleSource();
measure(`role loading: the corpus (${corpus.length} files) + built-ins, parse + resolve`, 500, () =>
  buildRoleSet([builtin, { layer: "repository", files: corpus }]),
);

const patterns = fiftyPatterns();
const files = bigChange();
const paths = files.flatMap((file) => (file.previousPath ? [file.path, file.previousPath] : [file.path]));
const matchAll = (list) => {
  let hits = 0;
  for (const path of paths) if (list.match(path) !== undefined) hits++;
  return hits;
};
const before = new MicromatchPatternList(patterns);
const now = new PathPatternList(patterns);
if (matchAll(before) !== matchAll(now)) throw new Error(`the two matchers disagree on the bench's paths: ${matchAll(before)} vs ${matchAll(now)} hits`);
// PathPatternList keeps compiled lists by their patterns; a pattern of its own per run makes each run compile (for both matchers, alike).
let run = 0;
const uncached = () => [...patterns, `bench-${run++}.tmp`];
compare("path pattern compile: 50 patterns (+1, never seen before)", 500, () => new MicromatchPatternList(uncached()), () => new PathPatternList(uncached()));
compare(`path matching: ${files.length} files (${paths.length} paths) × 50 patterns`, 500, () => matchAll(before), () => matchAll(now));
// A list never seen before: compile, then match every path once with RE2's DFA starting cold (the first evaluation of a policy).
compare(`fresh list: compile + match ${paths.length} paths once`, 300, () => matchAll(new MicromatchPatternList(uncached())), () => matchAll(new PathPatternList(uncached())));

// Issue 9, item 6: a role pattern and a file name that together stalled the app.
const worstPattern = `**/${"a*".repeat(12)}b`;
const worstName = `src/${"a".repeat(193)}.ts`; // 200 characters, no `b`
const worstNameWithB = `src/${"a".repeat(192)}b.ts`; // 200 characters, a `b` so that no literal pre-filter can skip the work
measure("worst pattern × a 200-character name: compile + match", 500, () => new PathPatternList([worstPattern, `bench-${run++}.tmp`]).match(worstName));
const worst = new PathPatternList([worstPattern]);
measure("worst pattern × a 200-character name: match", 500, () => worst.match(worstName));
measure("worst pattern × a 200-character name with a b: match", 500, () => worst.match(worstNameWithB));
{
  // The old matcher on the same pattern with 6 wildcards and a 60-character name (one run: it is exponential).
  const oldPattern = `**/${"a*".repeat(6)}b`;
  const oldName = `src/${"a".repeat(53)}.ts`;
  const start = process.hrtime.bigint();
  new MicromatchPatternList([oldPattern]).match(oldName);
  const oldMs = Number(process.hrtime.bigint() - start) / 1e6;
    const nowMs = measure("now (RE2): 6 wildcards × a 60-character name, compile + match", 200, () => new PathPatternList([oldPattern, `bench-${run++}.tmp`]).match(oldName));
  console.log(`${"before (micromatch): the same, 1 run".padEnd(62)} ${oldMs.toFixed(0)} ms (${Math.round(oldMs / nowMs).toLocaleString("en-US")} × now)`);
}

const roleText = `---\nrole: bench\nconstraints:\n  forbidden_paths:\n${patterns.map((p) => `    - "${p}"`).join("\n")}\n  requires_approval_for: [delete_files, database_migrations, deployment, infrastructure_changes, security_changes, api_contract_changes, commit]\n---\n`;
const roleSet = buildRoleSet([builtin, { layer: "repository", files: [{ path: "bench.md", text: roleText }] }]);
const config = ConfigSchema.parse({});
await measureAsync(`whole evaluation: ${files.length}-file change, 50-pattern role, 7 categories`, 200, () =>
  evaluate({ change: { files }, assignments: [{ id: "bench", source: "bench" }], roleSet, config }),
);

/**
 * Issue 9 item 6: the app evaluates in a worker pool (src/runtime/), each
 * evaluation within a time budget. What that costs per evaluation, beside the
 * same evaluation in-process, measured in this run: structured-cloning the
 * input and the report, the role set rebuilt from its files in the worker, the
 * round trip through piscina. The prefetch of manifests is included (here it
 * reads nothing: the role requires no dependency category).
 */
async function poolOverhead() {
  const { EvaluationPool } = await import("../dist/runtime/evaluation-pool.js");
  const { prefetchReads } = await import("../dist/runtime/evaluation-task.js");
  const pool = new EvaluationPool({ threads: 2, timeoutSeconds: 20 });
  const role = `---\nrole: bench\nconstraints:\n  forbidden_paths:\n${fiftyPatterns().map((p) => `    - "${p}"`).join("\n")}\n  requires_approval_for: [delete_files, database_migrations, deployment, infrastructure_changes, security_changes, api_contract_changes, commit]\n---\n`;
  const roleSources = [builtinRoleSource(), { layer: "repository", files: [{ path: ".github/roles/bench.md", text: role }] }];
  const roleSet = buildRoleSet(roleSources);
  const config = ConfigSchema.parse({});
  const all = bigChange();
  console.log("");
  try {
    for (const [files, runs] of [[all, 200], [all.slice(0, 20), 500]]) {
      const input = { change: { files, headSha: "abc" }, assignments: [{ id: "bench", source: "bench" }], roleSet, config, approvals: [], overrides: [], errors: [], warnings: [] };
      const label = `${files.length}-file change, 50-pattern role, 7 categories`;
      const inProcess = await measureAsync(`evaluation in-process: ${label}`, runs, () => evaluate(input));
      const pooled = await measureAsync(`evaluation in the worker pool: ${label}`, runs, async () => pool.evaluate(input, roleSources, await prefetchReads(input)));
      console.log(`${"  pool overhead (difference of medians)".padEnd(62)} ${(pooled - inProcess).toFixed(3)} ms`);
      // What the event loop itself spends per evaluation (the rest no longer stalls webhooks, /healthz or SIGTERM).
      const busy = async (fn) => {
        const before = performance.eventLoopUtilization();
        for (let i = 0; i < 50; i++) await fn();
        return performance.eventLoopUtilization(before).active / 50;
      };
      const loopInProcess = await busy(() => evaluate(input));
      const loopPooled = await busy(async () => pool.evaluate(input, roleSources, await prefetchReads(input)));
      console.log(`${"  event-loop time per evaluation: in-process / pool".padEnd(62)} ${loopInProcess.toFixed(3)} ms / ${loopPooled.toFixed(3)} ms   (50 runs each)`);
    }
  } finally {
    await pool.close();
  }
}
await poolOverhead();

/**
 * Issue 14: `roleguard hook` runs before every tool call of a coding agent, so
 * an allowed call must cost little more than starting Node. Measured here as
 * whole processes, side by side in this run: `node -e 0`, an allowed Write
 * (warm policy cache under .git/), a denied Write, and the first call of a
 * base tree (cache miss: YAML, zod and inheritance are loaded).
 */
async function hookSpeed() {
  const { execFileSync, spawnSync } = await import("node:child_process");
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "roleguard-hook-bench-"));
  const git = (...args) => execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], { cwd: dir });
  try {
    git("init", "-q", "-b", "main");
    mkdirSync(join(dir, ".github", "roles"), { recursive: true });
    writeFileSync(join(dir, ".github", "roles", "agent.md"), `---\nrole: agent\nconstraints:\n  forbidden_paths:\n${fiftyPatterns().map((p) => `    - "${p}"`).join("\n")}\n---\n`);
    git("add", "-A");
    git("commit", "-qm", "policy");
    const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
    const call = (file) => JSON.stringify({ hook_event_name: "PreToolUse", tool_name: "Write", tool_input: { file_path: file, content: "x" } });
    const hook = (file) => () => spawnSync(process.execPath, [bin, "hook", "--role", "agent"], { cwd: dir, input: call(file) });
    const runs = 30;
    console.log("");
    const bare = measure("process: node -e 0", runs, () => spawnSync(process.execPath, ["-e", "0"]));
    hook("src/a.ts")(); // warms the cache
    const allowed = measure("process: roleguard hook, allowed Write (cached policy)", runs, hook("src/a.ts"));
    measure("process: roleguard hook, denied Write (cached policy)", runs, hook("node_modules/x/index.js"));
    const miss = measure("process: roleguard hook, allowed Write, cache miss", 10, () => {
      rmSync(join(dir, ".git", "roleguard"), { recursive: true, force: true });
      hook("src/a.ts")();
    });
    console.log(`${"  allowed call / node -e 0 (ratio of medians)".padEnd(62)} ${(allowed / bare).toFixed(2)}×; cache miss ${(miss / bare).toFixed(2)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
await hookSpeed();
