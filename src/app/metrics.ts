import type { Counter, Gauge, Histogram, Registry } from "prom-client";
import { loadedOnFirstUse } from "../lazy-require.js";
import type { Report } from "../policy/report.js";
import type { GitHub } from "../sources/github/client.js";

const promClient = loadedOnFirstUse<typeof import("prom-client")>("prom-client");

/** The registry and what is counted in it. */
interface Instruments {
  registry: Registry;
  evaluations: Counter;
  findings: Counter;
  githubRequests: Counter;
  githubErrors: Counter;
  latency: Histogram;
  queueDepth: Gauge;
}

/**
 * Prometheus metrics for `GET /metrics`. One registry per app instance (tests
 * make several), label values bounded: conclusions, categories, states, and
 * GitHub's route templates — never a repository name or a SHA. prom-client
 * loads at the first count: `check --pr` builds the app's state and counts
 * nothing, so it never loads it (issue 13).
 */
export class Metrics {
  private loaded: Instruments | undefined;

  constructor(private readonly options: { defaultMetrics?: boolean } = {}) {
    // Node's process metrics are sampled from the start, so the server creates its registry at once.
    if (options.defaultMetrics) this.instruments();
  }

  get registry(): Registry {
    return this.instruments().registry;
  }

  get queueDepth(): Gauge {
    return this.instruments().queueDepth;
  }

  recordReport(report: Report, seconds: number): void {
    const { evaluations, findings, latency } = this.instruments();
    evaluations.inc({ conclusion: report.conclusion });
    for (const finding of report.findings) findings.inc({ category: finding.category, state: finding.state });
    latency.observe(seconds);
  }

  /** Counts every request a client makes; idempotent per client. */
  instrument(gh: GitHub): GitHub {
    const marked = gh as GitHub & { [INSTRUMENTED]?: true };
    if (marked[INSTRUMENTED]) return gh;
    marked[INSTRUMENTED] = true;
    gh.hook.after("request", (response, options) => {
      this.instruments().githubRequests.inc({ method: options.method, route: routeOf(options.url), status: String(response.status) });
    });
    gh.hook.error("request", (error, options) => {
      const status = String((error as { status?: number }).status ?? "error");
      const { githubRequests, githubErrors } = this.instruments();
      githubRequests.inc({ method: options.method, route: routeOf(options.url), status });
      // A 304 answers a conditional request: not an error.
      if (status !== "304") githubErrors.inc({ method: options.method, route: routeOf(options.url), status });
      throw error;
    });
    return gh;
  }

  private instruments(): Instruments {
    if (this.loaded) return this.loaded;
    const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = promClient();
    const registry = new Registry();
    const registers = [registry];
    this.loaded = {
      registry,
      evaluations: new Counter({ name: "roleguard_evaluations_total", help: "Evaluations completed, by conclusion", labelNames: ["conclusion"], registers }),
      findings: new Counter({ name: "roleguard_findings_total", help: "Findings reported, by category and state", labelNames: ["category", "state"], registers }),
      githubRequests: new Counter({ name: "roleguard_github_requests_total", help: "GitHub API requests, by method, route and status", labelNames: ["method", "route", "status"], registers }),
      githubErrors: new Counter({
        name: "roleguard_github_errors_total",
        help: "GitHub API requests that failed (after retries), by method, route and status",
        labelNames: ["method", "route", "status"],
        registers,
      }),
      latency: new Histogram({
        name: "roleguard_evaluation_duration_seconds",
        help: "Time from the start of an evaluation to its completed check run",
        buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
        registers,
      }),
      queueDepth: new Gauge({ name: "roleguard_queue_depth", help: "Pull requests with an evaluation running or waiting", registers }),
    };
    if (this.options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "roleguard_" });
    return this.loaded;
  }
}

const INSTRUMENTED = Symbol("roleguard metrics");

/** "/repos/{owner}/{repo}/pulls/{pull_number}/files": the template, whatever the values. */
function routeOf(url: string): string {
  // Pagination follows full URLs with ids in them; fold those back to a bounded label.
  const path = (url.split("?")[0] ?? url).replace(/^https?:\/\/[^/]+(\/api\/v3)?/, "");
  return path.replace(/\/\d+(?=\/|$)/g, "/{id}");
}
