/**
 * `npm run bench`, replicas part (issue 11): `roleguard serve` processes
 * (dist/bin.js, as `npm start` runs it) sharing one redis-server and one
 * stand-in GitHub (its own process, 50 ms a request), driven over HTTP with
 * signed deliveries.
 *
 * 1. Command races: 20 PRs, each gets a pair of commands at the same moment,
 *    one on each replica (approve + approve, approve + override, revoke +
 *    approve, in turn) → how many pairs lost a decision.
 * 2. Duplicate deliveries: 20 PRs, each `opened` delivery sent to both
 *    replicas at once with one delivery id → check runs on the 20 heads.
 * 3. Load: the load part's 200 synchronize deliveries over 10 installations,
 *    through one process without Redis, one replica and two (round-robin),
 *    each run on fresh processes → throughput and p50/p95 from the HTTP send
 *    to the check run written completed (BENCH_REPLICA_COUNTS=0,1,2).
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { DeliveryQueue, QUEUE_NAME } from "../../src/replicas/queue.js";
import { HAS_REDIS, RedisServer, Replica, until } from "../../test/replicas/harness.js";
import { INSTALLATIONS, schedule, type LoadShape } from "./scenario.js";

const BIN = fileURLToPath(new URL("../../../../dist/bin.js", import.meta.url));

export interface GitHubProcess {
  url: string;
  child: { kill(signal?: NodeJS.Signals): boolean };
}

interface Setup {
  redis: RedisServer;
  github: GitHubProcess;
  replicas: Replica[];
  queue: Queue;
  close(): Promise<void>;
}

/** `count` replicas on Redis; 0: one process without Redis (the embedded default), for comparison. */
async function setUp(startGitHub: () => Promise<GitHubProcess>, count: number): Promise<Setup> {
  const redis = await RedisServer.start();
  const github = await startGitHub();
  const replicas = await Promise.all(
    Array.from({ length: Math.max(1, count) }, () => Replica.start({ github: github.url, ...(count > 0 ? { redis: redis.url } : {}), bin: BIN, env: { LOG_LEVEL: "error", ...(process.env.ROLEGUARD_QUEUE_CONCURRENCY ? { ROLEGUARD_QUEUE_CONCURRENCY: process.env.ROLEGUARD_QUEUE_CONCURRENCY } : {}) } })),
  );
  const connection = redis.client();
  const queue = new Queue(QUEUE_NAME, { connection });
  queue.on("error", () => undefined);
  return {
    redis,
    github,
    replicas,
    queue,
    async close() {
      await Promise.all(replicas.map((replica) => replica.kill("SIGTERM")));
      await queue.close();
      connection.disconnect();
      github.child.kill("SIGTERM");
      await redis.stop();
    },
  };
}

async function control<T>(github: GitHubProcess, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${github.url}/__bench/${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  if (!response.ok) throw new Error(`control ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function handled(queue: Queue, id: string, ms = 300_000): Promise<void> {
  await until(`delivery ${id}`, async () => {
    const job = await queue.getJob(DeliveryQueue.jobId(id));
    const state = job ? await job.getState() : undefined;
    if (state === "failed") throw new Error(`delivery ${id} failed: ${job?.failedReason}`);
    return state === "completed";
  }, ms, 200);
}

/** Delivers and waits for the job; returns the HTTP status. */
async function deliverAndWait(setup: Setup, via: Replica, event: string, payload: unknown): Promise<void> {
  const id = randomUUID();
  const answer = await via.deliver(event, payload, id);
  if (answer.status !== 202) throw new Error(`${event} answered ${answer.status}: ${answer.body}`);
  await handled(setup.queue, id);
}

type Kind = "approve + approve" | "approve + override" | "revoke + approve";
const KINDS: Kind[] = ["approve + approve", "approve + override", "revoke + approve"];

async function commandRaces(startGitHub: () => Promise<GitHubProcess>, pairs: number): Promise<void> {
  const setup = await setUp(startGitHub, 2);
  try {
    const [a, b] = setup.replicas as [Replica, Replica];
    const results = await Promise.all(
      Array.from({ length: pairs }, async (_, index) => {
        const installation = INSTALLATIONS[index % INSTALLATIONS.length] as number;
        const number = 10_000 + index;
        const kind = KINDS[index % KINDS.length] as Kind;
        const say = (via: Replica, login: string, body: string) => control<Record<string, unknown>>(setup.github, "comment", { installation, number, login, body }).then((payload) => deliverAndWait(setup, via, "issue_comment", payload));
        await deliverAndWait(setup, a, "pull_request", await control(setup.github, "race-pull", { installation, number }));
        // The PR has a record already (as PRs with decisions do), so both commands of the pair change it.
        if (kind === "approve + approve") await say(b, "mia", "/roleguard override the key is a test fixture");
        if (kind === "revoke + approve") await say(a, "erin", "/roleguard approve deployment");
        const [first, second]: [[string, string], [string, string]] =
          kind === "approve + approve"
            ? [["erin", "/roleguard approve deployment"], ["frank", "/roleguard approve add_dependencies"]]
            : kind === "approve + override"
              ? [["erin", "/roleguard approve deployment"], ["mia", "/roleguard override the key is a test fixture"]]
              : [["erin", "/roleguard revoke deployment"], ["frank", "/roleguard approve add_dependencies"]];
        await Promise.all([say(a, ...first), say(b, ...second)]);
        const { states, runs } = await control<{ states: Record<string, string>; runs: number }>(setup.github, "pull-state", { installation, number });
        const expected: Record<string, string> =
          kind === "approve + approve"
            ? { deployment: "approved", add_dependencies: "approved", forbidden_paths: "overridden" }
            : kind === "approve + override"
              ? { deployment: "approved", forbidden_paths: "overridden" }
              : { deployment: "pending", add_dependencies: "approved" };
        const lost = Object.entries(expected).some(([category, state]) => states[category] !== state);
        return { kind, lost, runs };
      }),
    );
    console.log(`Command races: ${pairs} PRs over ${INSTALLATIONS.length} installations, two replicas; each PR gets two commands at the same moment, one per replica.`);
    for (const kind of KINDS) {
      const mine = results.filter((result) => result.kind === kind);
      console.log(`  ${kind.padEnd(20)} ${mine.length} pairs → ${mine.filter((result) => result.lost).length} lost a decision`);
    }
    console.log(`  all: ${results.filter((result) => result.lost).length} of ${pairs} pairs lost a decision; check runs per head: ${[...new Set(results.map((result) => result.runs))].join(", ")}`);
  } finally {
    await setup.close();
  }
}

async function duplicateDeliveries(startGitHub: () => Promise<GitHubProcess>, count: number): Promise<void> {
  const setup = await setUp(startGitHub, 2);
  try {
    const [a, b] = setup.replicas as [Replica, Replica];
    const runs = await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const installation = INSTALLATIONS[index % INSTALLATIONS.length] as number;
        const number = 20_000 + index;
        const payload = await control(setup.github, "race-pull", { installation, number });
        const id = randomUUID();
        const answers = await Promise.all([a.deliver("pull_request", payload, id), b.deliver("pull_request", payload, id)]);
        if (answers.some((answer) => answer.status !== 202)) throw new Error(`a duplicate was answered ${answers.map((answer) => answer.status).join("/")}`);
        await handled(setup.queue, id);
        return (await control<{ runs: number }>(setup.github, "pull-state", { installation, number })).runs;
      }),
    );
    console.log(`Duplicate deliveries: ${count} \`opened\` deliveries, each sent to both replicas at once with one delivery id → ${runs.reduce((sum, each) => sum + each, 0)} check runs on the ${count} heads (heads with more than one: ${runs.filter((each) => each > 1).length}).`);
  } finally {
    await setup.close();
  }
}

interface LoadFigures {
  replicas: number;
  sent: number;
  done: number;
  elapsedS: number;
  p50: number;
  p95: number;
  trickleP95: number;
  burstP95: number;
  errors: number;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted.length ? (sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number) : NaN;
};

async function load(startGitHub: () => Promise<GitHubProcess>, replicaCount: number, shape: LoadShape, limitMs: number): Promise<LoadFigures> {
  const setup = await setUp(startGitHub, replicaCount);
  try {
    const deliveries = schedule(shape);
    const payloads = await control<Record<string, unknown>[]>(setup.github, "synchronize", deliveries.map(({ installation, number }) => ({ installation, number })));
    const sentAt = new Map<string, number>();
    const shaOf = (payload: Record<string, unknown>) => ((payload.pull_request as { head: { sha: string } }).head.sha);
    let errors = 0;
    const t0 = Date.now();
    await Promise.all(
      deliveries.map(async (delivery, index) => {
        await new Promise((resolve) => setTimeout(resolve, delivery.at));
        const payload = payloads[index] as Record<string, unknown>;
        payload.pull_request = { ...(payload.pull_request as object), updated_at: new Date().toISOString() };
        sentAt.set(shaOf(payload), Date.now());
        const answer = await (setup.replicas[index % setup.replicas.length] as Replica).deliver("pull_request", payload).catch(() => undefined);
        // Queued: 202 at once; one process: 200 once handled, or 202 after 9 s while it goes on.
        if (answer?.status !== 202 && answer?.status !== 200) errors++;
      }),
    );
    const shas = [...sentAt.keys()];
    let completions: Record<string, number | null> = {};
    const deadline = t0 + limitMs;
    while (Date.now() < deadline) {
      completions = await control<Record<string, number | null>>(setup.github, "completions", shas);
      if (Object.values(completions).every((at) => at !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const latency = (sha: string) => (completions[sha] ?? NaN) - (sentAt.get(sha) as number);
    const doneShas = shas.filter((sha) => completions[sha] !== null && completions[sha] !== undefined);
    const burstShas = new Set(deliveries.flatMap((delivery, index) => (delivery.burst ? [shaOf(payloads[index] as Record<string, unknown>)] : [])));
    const last = Math.max(...doneShas.map((sha) => completions[sha] as number));
    return {
      replicas: replicaCount,
      sent: shas.length,
      done: doneShas.length,
      elapsedS: (last - t0) / 1000,
      p50: quantile(doneShas.map(latency), 0.5) / 1000,
      p95: quantile(doneShas.map(latency), 0.95) / 1000,
      trickleP95: quantile(doneShas.filter((sha) => !burstShas.has(sha)).map(latency), 0.95) / 1000,
      burstP95: quantile(doneShas.filter((sha) => burstShas.has(sha)).map(latency), 0.95) / 1000,
      errors,
    };
  } finally {
    await setup.close();
  }
}

export async function runReplicasBench(options: { startGitHub: () => Promise<GitHubProcess>; shape: LoadShape; limitMs: number }): Promise<void> {
  console.log("\nReplicas (issue 11): `roleguard serve` processes sharing one redis-server and one stand-in GitHub (50 ms a request), driven over HTTP.\n");
  if (!HAS_REDIS) {
    console.log("  SKIPPED: no redis-server on PATH (apt-get install redis-server).");
    return;
  }
  const pairs = Number(process.env.BENCH_RACE_PAIRS ?? 20);
  const duplicates = Number(process.env.BENCH_DUPLICATES ?? 20);
  if (pairs > 0) await commandRaces(options.startGitHub, pairs);
  if (duplicates > 0) await duplicateDeliveries(options.startGitHub, duplicates);
  const counts = (process.env.BENCH_REPLICA_COUNTS ?? "0,1,2").split(",").map(Number);
  console.log(
    `\nLoad through the queue: ${options.shape.total} pull_request.synchronize deliveries over ${INSTALLATIONS.length} installations (installation ${INSTALLATIONS[0]} sends ${options.shape.burst} at once, the others trickle over ${options.shape.trickleWindow / 1000} s), ` +
      `sent over HTTP round-robin to the replicas; latency from the send to the check run written completed. Each run on fresh processes, one run after the other.`,
  );
  console.log(`${"replicas".padEnd(12)}${"done".padStart(9)}${"elapsed".padStart(10)}${"deliveries/s".padStart(14)}${"p50".padStart(9)}${"p95".padStart(9)}${"trickle p95".padStart(13)}${"burst p95".padStart(11)}${"non-2xx".padStart(9)}`);
  for (const count of counts) {
    process.stderr.write(`  replicas load run with ${count === 0 ? "one process, no Redis" : `${count} replica(s)`}…\n`);
    const figures = await load(options.startGitHub, count, options.shape, options.limitMs);
    console.log(
      `${(figures.replicas === 0 ? "1, no Redis" : String(figures.replicas)).padEnd(12)}${`${figures.done}/${figures.sent}`.padStart(9)}${`${figures.elapsedS.toFixed(1)} s`.padStart(10)}${(figures.done / figures.elapsedS).toFixed(2).padStart(14)}${`${figures.p50.toFixed(2)} s`.padStart(9)}${`${figures.p95.toFixed(2)} s`.padStart(9)}${`${figures.trickleP95.toFixed(2)} s`.padStart(13)}${`${figures.burstP95.toFixed(2)} s`.padStart(11)}${String(figures.errors).padStart(9)}`,
    );
  }
}
