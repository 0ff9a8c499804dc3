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

const corpusDir = fileURLToPath(new URL("../../shared/roles-corpus/", import.meta.url));

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
measure("path pattern compile: 50 patterns", 500, () => new PathPatternList(patterns));
const list = new PathPatternList(patterns);
measure(`path matching: ${files.length} files (${paths.length} paths) × 50 patterns`, 500, () => {
  let hits = 0;
  for (const path of paths) if (list.match(path) !== undefined) hits++;
  return hits;
});

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
