/**
 * The process being measured: a Probot with app authentication (JWT → one
 * installation token per installation, like production) pointed at the
 * stand-in GitHub, running roleguard as built in dist/. Started by main.ts with fork(); gets its
 * job from argv (JSON) and answers one message over IPC.
 *
 * - load: the deliveries of `schedule()` at their times, each timed from
 *   `probot.receive` to its end (the handler ends with the PATCH completing the
 *   check run); stops at `limitMs` and reports what was still pending.
 * - rss: `evaluations` deliveries, `concurrency` in flight, RSS sampled after a
 *   full GC every `every` evaluations (run with --expose-gc).
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";
import { Probot, ProbotOctokit } from "probot";
import type * as AppModule from "../../src/app/index.js";
import type * as StateModule from "../../src/app/state.js";
import { INSTALLATIONS, schedule, type Delivery, type LoadShape } from "./scenario.js";

export interface LoadJob {
  kind: "load";
  url: string;
  perInstallationClients: boolean;
  shape: LoadShape;
  limitMs: number;
}

export interface RssJob {
  kind: "rss";
  url: string;
  perInstallationClients: boolean;
  /** false: Octokit's throttling off (the test helpers' setting), to fit 10,000 evaluations in minutes. */
  throttle: boolean;
  evaluations: number;
  every: number;
  concurrency: number;
}

export interface Timing {
  seq: number;
  installation: number;
  burst: boolean;
  /** ms after the run's start. */
  sentAt: number;
  /** ms from receive to the completed check; undefined when still pending at the cut. */
  latency?: number;
  error?: string;
}

export interface LoadResult {
  kind: "load";
  timings: Timing[];
  /** ms from the first send to the last completion (or to the cut). */
  elapsed: number;
  cut: boolean;
  maxRssKiB: number;
}

export interface RssSample {
  evaluations: number;
  rss: number;
  heapUsed: number;
  external: number;
  seconds: number;
  /** Entries in the app's in-memory state (all LRU-bounded), to tell growth by design from a leak. */
  entries: Record<string, number>;
}

export interface RssResult {
  kind: "rss";
  samples: RssSample[];
  failures: number;
  maxRssKiB: number;
}

// The app as `npm run build` ships it (dist/), typed by its source. (tsc also emits a copy of src/ under
// bench/.build, because test/helpers/app.ts imports it; that copy cannot run the app: it has no roles/ beside it.)
const dist = new URL("../../../../dist/", import.meta.url);
const { roleguardApp } = (await import(new URL("app/index.js", dist).href)) as typeof AppModule;
const { newAppState } = (await import(new URL("app/state.js", dist).href)) as typeof StateModule;

const job = JSON.parse(process.argv[2] ?? "{}") as LoadJob | RssJob;
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const probot = new Probot({
  appId: 1,
  privateKey,
  baseUrl: job.url,
  logLevel: (process.env.BENCH_LOG_LEVEL as "error" | undefined) ?? "error",
  ...(job.kind === "rss" && !job.throttle ? { Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { enabled: false } })) } : {}),
});
const state = newAppState({ appId: 1, botLogin: "roleguard[bot]", secret: "bench" });
await probot.load(roleguardApp(state, { perInstallationClients: job.perInstallationClients }));

async function control<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${job.url}/__bench/${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  if (!response.ok) throw new Error(`control ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const receive = (payload: Record<string, unknown>) =>
  probot.receive({ id: randomUUID(), name: "pull_request", payload } as unknown as Parameters<Probot["receive"]>[0]);

function describe(error: unknown): string {
  const errors = (error as { errors?: unknown[] }).errors;
  const first = Array.isArray(errors) && errors.length > 0 ? errors[0] : error;
  return first instanceof Error ? first.message.split("\n")[0] ?? "" : String(first);
}

async function runLoad(load: LoadJob): Promise<LoadResult> {
  const deliveries = schedule(load.shape);
  // The payloads are made up front (the fake pushes each PR's new head now); only `updated_at` is set at send time.
  const payloads = await control<Record<string, unknown>[]>("synchronize", deliveries.map(({ installation, number }) => ({ installation, number })));
  const timings: Timing[] = deliveries.map((delivery) => ({ seq: delivery.seq, installation: delivery.installation, burst: delivery.burst, sentAt: NaN }));
  let pending = deliveries.length;
  let lastDone = 0;
  let finish!: () => void;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const t0 = performance.now();
  const send = (delivery: Delivery, index: number) => {
    const payload = payloads[index] as Record<string, unknown>;
    payload.pull_request = { ...(payload.pull_request as object), updated_at: new Date().toISOString() };
    const timing = timings[index] as Timing;
    const start = performance.now();
    timing.sentAt = start - t0;
    receive(payload)
      .catch((error: unknown) => void (timing.error = describe(error)))
      .finally(() => {
        const end = performance.now();
        timing.latency = end - start;
        lastDone = end - t0;
        if (--pending === 0) finish();
      });
  };
  deliveries.forEach((delivery, index) => setTimeout(() => send(delivery, index), delivery.at));
  let cut = false;
  await Promise.race([allDone, new Promise<void>((resolve) => setTimeout(() => ((cut = pending > 0), resolve()), load.limitMs))]);
  const elapsed = cut ? performance.now() - t0 : lastDone;
  // Freeze the figures at the cut: pending deliveries keep no latency.
  const frozen = timings.map((timing) => ({ ...timing }));
  return { kind: "load", timings: frozen, elapsed, cut, maxRssKiB: process.resourceUsage().maxRSS };
}

async function runRss(rss: RssJob): Promise<RssResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  const t0 = performance.now();
  const sample = async (evaluations: number): Promise<RssSample> => {
    // Full GCs, with a pause between for V8 to hand freed pages back (RSS is otherwise noisy by tens of MiB).
    gc();
    await new Promise((resolve) => setTimeout(resolve, 250));
    gc();
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (process.env.BENCH_HEAPSNAP) writeHeapSnapshot(`${process.env.BENCH_HEAPSNAP}-${evaluations}.heapsnapshot`);
    const memory = process.memoryUsage();
    const entries = {
      checkRunIds: state.checkRunIds.size,
      reviewMemory: state.reviewMemory.size,
      trees: state.cache.trees.size,
      blobs: state.cache.blobs.size,
      conditional: state.cache.conditional.size,
      serializer: state.serializer.size,
    };
    return { evaluations, rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, seconds: (performance.now() - t0) / 1000, entries };
  };
  const samples = [await sample(0)];
  let started = 0;
  let failures = 0;
  for (let done = 0; done < rss.evaluations; ) {
    const target = Math.min(rss.evaluations, done + rss.every);
    const loop = async () => {
      while (started < target) {
        const index = started++;
        const installation = INSTALLATIONS[index % INSTALLATIONS.length] as number;
        // A new PR each time: every per-PR and per-SHA memory the app keeps sees a new key.
        const [payload] = await control<Record<string, unknown>[]>("synchronize", [{ installation, number: 1 + Math.floor(index / INSTALLATIONS.length) }]);
        await receive(payload as Record<string, unknown>).catch(() => void failures++);
      }
    };
    await Promise.all(Array.from({ length: rss.concurrency }, loop));
    done = target;
    samples.push(await sample(done));
    process.stderr.write(`  rss run: ${done} evaluations, ${(samples.at(-1)!.rss / 2 ** 20).toFixed(1)} MiB RSS, ${samples.at(-1)!.seconds.toFixed(1)} s\n`);
  }
  return { kind: "rss", samples, failures, maxRssKiB: process.resourceUsage().maxRSS };
}

const result = job.kind === "load" ? await runLoad(job) : await runRss(job);
process.send?.(result, () => process.exit(0));
