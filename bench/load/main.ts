/**
 * `npm run bench`, second part: the org-wide issue's load figures.
 *
 * 1. Load, before and after: the same 200 `synchronize` deliveries over 10
 *    installations (one bursts, nine trickle) against the stand-in GitHub at
 *    50 ms a request, with Probot's real throttling, once with
 *    `perInstallationClients: false` (every installation in Probot's one
 *    "no-id" queue) and once with `true`. The "before" is cut at a time limit.
 * 2. RSS over 10,000 evaluations: RSS after a full GC every 1,000.
 * 3. Replicas on Redis (replicas.ts): command races and duplicate deliveries
 *    across two replicas, and the load through one and through two replicas.
 *
 * Each run is a fresh pair of processes (stand-in GitHub, Probot), so runs do
 * not share queues, caches or heaps. Tunable through the environment:
 * BENCH_TOTAL, BENCH_BURST, BENCH_TRICKLE_S, BENCH_BEFORE_LIMIT_S, BENCH_RSS_EVALUATIONS,
 * BENCH_ONLY=load|rss|replicas, BENCH_SEQUENTIAL=1, BENCH_DUMP=<path prefix> (per-delivery timings as JSON).
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { BURSTING, INSTALLATIONS, schedule, type LoadShape } from "./scenario.js";
import type { LoadJob, LoadResult, RssJob, RssResult, Timing } from "./worker.js";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

const LATENCY_MS = 50;
// Every delivery costs two writes (check run created in progress, then completed), and a throttling queue
// passes one write a second. The 110 of the burst take their installation's queue 220 s to drain; the
// trickle (90 deliveries, 10 per installation, one every 20 s each) spans that, at 0.9 writes/s in all —
// under the 1 write/s even a single shared queue passes, so whatever the trickle suffers is the burst's doing.
const SHAPE: LoadShape = { total: env("BENCH_TOTAL", 200), burst: env("BENCH_BURST", 110), burstAt: 5_000, trickleWindow: env("BENCH_TRICKLE_S", 200) * 1000 };
const BEFORE_LIMIT_MS = env("BENCH_BEFORE_LIMIT_S", 230) * 1000;
/** The two load runs use a few % of a core each (they wait on the 1 s write spacing), so they run side by side unless told not to. */
const SEQUENTIAL = process.env.BENCH_SEQUENTIAL === "1";
const AFTER_LIMIT_MS = env("BENCH_AFTER_LIMIT_S", 600) * 1000;
const RSS_EVALUATIONS = env("BENCH_RSS_EVALUATIONS", 10_000);
const ONLY = process.env.BENCH_ONLY;

interface Summary {
  requests: number;
  byRoute: Record<string, number>;
  tokensIssued: number;
  checkRuns: number;
  completed: number;
  conclusions: Record<string, number>;
  peakInFlight: number;
}

async function startGitHub(latencyMs: number): Promise<{ url: string; child: ChildProcess; summary: () => Promise<Summary> }> {
  const child = spawn(process.execPath, ["--max-old-space-size=4096", here("./github.js"), String(latencyMs)], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n")[0];
      if (buffer.includes("\n") && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.on("exit", (code) => reject(new Error(`stand-in GitHub exited with ${code}`)));
  });
  const summary = async () => (await (await fetch(`${url}/__bench/summary`)).json()) as Summary;
  return { url, child, summary };
}

function runWorker<T>(job: LoadJob | RssJob, execArgv: string[] = []): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(here("./worker.js"), [JSON.stringify(job)], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let result: T | undefined;
    child.on("message", (message) => (result = message as T));
    child.on("exit", (code) => (result ? resolve(result) : reject(new Error(`worker exited with ${code} and no result`))));
  });
}

// ---- figures ------------------------------------------------------------------

/** Nearest-rank quantile; `lower` when a delivery still pending at the cut is in the set (its latency is then only a lower bound). */
function quantile(timings: Timing[], q: number, cutAt: number): { ms: number; lower: boolean } | undefined {
  if (timings.length === 0) return undefined;
  const values = timings.map((timing) => timing.latency ?? cutAt - timing.sentAt).sort((a, b) => a - b);
  const ms = values[Math.max(0, Math.ceil(q * values.length) - 1)] as number;
  const lower = timings.some((timing) => timing.latency === undefined);
  return { ms, lower };
}

const seconds = (value: { ms: number; lower: boolean } | undefined) => (value ? `${value.lower ? "≥" : ""}${(value.ms / 1000).toFixed(2)} s` : "—");

interface Row {
  label: string;
  sent: number;
  done: number;
  p50?: { ms: number; lower: boolean };
  p95?: { ms: number; lower: boolean };
}

function rows(result: LoadResult): Row[] {
  const cutAt = result.elapsed;
  // A delivery not yet due at the cut (only with a cut shorter than the schedule) was never sent: it has no latency to count.
  const sent = result.timings.filter((timing) => Number.isFinite(timing.sentAt));
  const row = (label: string, timings: Timing[]): Row => ({
    label,
    sent: timings.length,
    done: timings.filter((timing) => timing.latency !== undefined).length,
    ...optional("p50", quantile(timings, 0.5, cutAt)),
    ...optional("p95", quantile(timings, 0.95, cutAt)),
  });
  return [
    ...INSTALLATIONS.map((id) => row(`${id}${id === BURSTING ? " (burst)" : ""}`, sent.filter((timing) => timing.installation === id))),
    row(`${INSTALLATIONS.length - 1} trickling, together`, sent.filter((timing) => !timing.burst)),
    row("overall", sent),
  ];
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function ratio(row: Row): string {
  if (!row.p50 || !row.p95) return "—";
  if (row.p95.lower) return "n/a";
  return `${(row.p95.ms / row.p50.ms).toFixed(2)}×`;
}

function printLoad(before: LoadResult, after: LoadResult, summaries: { before: Summary; after: Summary }): void {
  const b = rows(before);
  const a = rows(after);
  const header = `${"installation".padEnd(24)}${"sent".padStart(5)} │ ${"before: done".padStart(12)}${"p50".padStart(11)}${"p95".padStart(11)}${"p95/p50".padStart(9)} │ ${"after: done".padStart(11)}${"p50".padStart(9)}${"p95".padStart(9)}${"p95/p50".padStart(9)}`;
  console.log(header);
  console.log("─".repeat(header.length));
  b.forEach((row, index) => {
    const other = a[index] as Row;
    console.log(
      `${row.label.padEnd(24)}${String(row.sent).padStart(5)} │ ${String(row.done).padStart(12)}${seconds(row.p50).padStart(11)}${seconds(row.p95).padStart(11)}${ratio(row).padStart(9)} │ ${String(other.done).padStart(11)}${seconds(other.p50).padStart(9)}${seconds(other.p95).padStart(9)}${ratio(other).padStart(9)}`,
    );
  });
  const line = (name: string, result: LoadResult, summary: Summary) => {
    const done = result.timings.filter((timing) => timing.latency !== undefined).length;
    const errors = result.timings.filter((timing) => timing.error).length;
    const writes = Object.entries(summary.byRoute)
      .filter(([route]) => !route.startsWith("GET ") && !route.includes("/access_tokens"))
      .reduce((sum, [, count]) => sum + count, 0);
    console.log(
      `${name}: ${done}/${result.timings.length} handled in ${(result.elapsed / 1000).toFixed(1)} s${result.cut ? " (cut at the time limit)" : ""} → ${(done / (result.elapsed / 1000)).toFixed(2)} deliveries/s; ` +
        `peak RSS ${(result.maxRssKiB / 1024).toFixed(0)} MiB; handler errors ${errors}.\n` +
        `        GitHub saw ${summary.requests} requests (${writes} writes, ${(writes / (result.elapsed / 1000)).toFixed(2)}/s), ${summary.tokensIssued} token exchanges, ` +
        `${summary.checkRuns} check runs created, ${summary.completed} completed ${JSON.stringify(summary.conclusions)}, at most ${summary.peakInFlight} requests in flight`,
    );
  };
  console.log("");
  line("before", before, summaries.before);
  line("after ", after, summaries.after);
  console.log("(≥: some deliveries of that row were still pending at the cut; their latency counts as the time they had waited, so the figure is a lower bound.)");
}

function printRss(result: RssResult, job: RssJob): void {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  console.log(`${"evaluations".padStart(11)}${"RSS MiB".padStart(10)}${"heap MiB".padStart(10)}${"external MiB".padStart(14)}${"elapsed".padStart(10)}   app state entries`);
  for (const sample of result.samples) {
    const entries = Object.entries(sample.entries).map(([name, count]) => `${name} ${count}`).join(", ");
    console.log(`${String(sample.evaluations).padStart(11)}${mib(sample.rss).padStart(10)}${mib(sample.heapUsed).padStart(10)}${mib(sample.external).padStart(14)}${`${sample.seconds.toFixed(1)} s`.padStart(10)}   ${entries}`);
  }
  const first = result.samples[0]!;
  const warm = result.samples.length > 2 ? result.samples[1]! : first;
  const last = result.samples.at(-1)!;
  const per1000 = (from: typeof first, field: "rss" | "heapUsed") => ((last[field] - from[field]) / 2 ** 20 / ((last.evaluations - from.evaluations) / 1000)).toFixed(2);
  console.log(
    `growth ${warm.evaluations}→${last.evaluations}: RSS ${mib(last.rss - warm.rss)} MiB (${per1000(warm, "rss")} MiB per 1,000), heap ${mib(last.heapUsed - warm.heapUsed)} MiB (${per1000(warm, "heapUsed")} MiB per 1,000); ` +
      `0→${last.evaluations}: RSS ${mib(last.rss - first.rss)} MiB. Peak RSS ${(result.maxRssKiB / 1024).toFixed(0)} MiB; failed deliveries ${result.failures}; ` +
      `${((last.evaluations / last.seconds) || 0).toFixed(0)} evaluations/s (${job.concurrency} in flight)`,
  );
}

// ---- the runs -------------------------------------------------------------------

async function loadRun(perInstallationClients: boolean, limitMs: number): Promise<{ result: LoadResult; summary: Summary }> {
  const github = await startGitHub(LATENCY_MS);
  try {
    const result = await runWorker<LoadResult>({ kind: "load", url: github.url, perInstallationClients, shape: SHAPE, limitMs });
    if (process.env.BENCH_DUMP) writeFileSync(`${process.env.BENCH_DUMP}-${perInstallationClients ? "after" : "before"}.json`, JSON.stringify(result.timings));
    return { result, summary: await github.summary() };
  } finally {
    github.child.kill("SIGTERM");
  }
}

console.log(`\nroleguard load benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB\n`);
const started = Date.now();

if (!ONLY || ONLY === "load") {
  const deliveries = schedule(SHAPE);
  const trickle = deliveries.filter((delivery) => !delivery.burst).length;
  console.log(
    `Load: ${SHAPE.total} pull_request.synchronize deliveries over ${INSTALLATIONS.length} installations (one PR each), stand-in GitHub over HTTP on 127.0.0.1 at ${LATENCY_MS} ms a request, ` +
      `Probot app auth (one token per installation), Octokit's throttling as in production. Installation ${BURSTING} sends ${SHAPE.burst} at once at t=${SHAPE.burstAt / 1000} s; ` +
      `the other ${INSTALLATIONS.length - 1} send ${trickle} between them, each at a steady pace over ${SHAPE.trickleWindow / 1000} s. Latency: probot.receive → check run completed.`,
  );
  process.stderr.write(`  load runs "before" (cut at ${BEFORE_LIMIT_MS / 1000} s) and "after", ${SEQUENTIAL ? "one after the other" : "side by side"}…\n`);
  const [before, after] = SEQUENTIAL
    ? [await loadRun(false, BEFORE_LIMIT_MS), await loadRun(true, AFTER_LIMIT_MS)]
    : await Promise.all([loadRun(false, BEFORE_LIMIT_MS), loadRun(true, AFTER_LIMIT_MS)]);
  console.log(
    `before = perInstallationClients: false (Probot's event client: one "no-id" write queue for all); after = true (a queue per installation). ` +
      `Each run is its own pair of processes (stand-in GitHub, Probot)${SEQUENTIAL ? ", one run after the other" : "; the two runs go side by side (each uses a few % of a core)"}.\n`,
  );
  printLoad(before.result, after.result, { before: before.summary, after: after.summary });
}

if (!ONLY || ONLY === "rss") {
  const job: RssJob = { kind: "rss", url: "", perInstallationClients: true, throttle: false, evaluations: RSS_EVALUATIONS, every: 1000, concurrency: env("BENCH_RSS_CONCURRENCY", 20) };
  console.log(
    `\nRSS over ${job.evaluations.toLocaleString("en")} evaluations: stand-in GitHub with no latency, per-installation clients, Octokit throttling OFF (its 1 s write spacing would make this hours), ` +
      `${job.concurrency} deliveries in flight, each a new PR's synchronize, round-robin over ${INSTALLATIONS.length} installations; RSS after two full GCs every ${job.every}.\n`,
  );
  const github = await startGitHub(0);
  try {
    printRss(await runWorker<RssResult>({ ...job, url: github.url }, ["--expose-gc"]), job);
  } finally {
    github.child.kill("SIGTERM");
  }
}
if (!ONLY || ONLY === "replicas") {
  const { runReplicasBench } = await import("./replicas.js");
  await runReplicasBench({ startGitHub: () => startGitHub(LATENCY_MS), shape: SHAPE, limitMs: AFTER_LIMIT_MS });
}
console.log(`\nload benchmarks took ${((Date.now() - started) / 1000).toFixed(0)} s`);
