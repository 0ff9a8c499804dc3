import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Report } from "../policy/report.js";
import type { GitHub } from "../sources/github/client.js";

/**
 * Prometheus metrics for `GET /metrics`. One registry per app instance (tests
 * make several), label values bounded: conclusions, categories, states, and
 * GitHub's route templates — never a repository name or a SHA.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly evaluations = new Counter({ name: "roleguard_evaluations_total", help: "Evaluations completed, by conclusion", labelNames: ["conclusion"], registers: [this.registry] });
  readonly findings = new Counter({ name: "roleguard_findings_total", help: "Findings reported, by category and state", labelNames: ["category", "state"], registers: [this.registry] });
  readonly githubRequests = new Counter({ name: "roleguard_github_requests_total", help: "GitHub API requests, by method, route and status", labelNames: ["method", "route", "status"], registers: [this.registry] });
  readonly githubErrors = new Counter({ name: "roleguard_github_errors_total", help: "GitHub API requests that failed (after retries), by method, route and status", labelNames: ["method", "route", "status"], registers: [this.registry] });
  readonly latency = new Histogram({
    name: "roleguard_evaluation_duration_seconds",
    help: "Time from the start of an evaluation to its completed check run",
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: "roleguard_queue_depth", help: "Pull requests with an evaluation running or waiting", registers: [this.registry] });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: "roleguard_" });
  }

  recordReport(report: Report, seconds: number): void {
    this.evaluations.inc({ conclusion: report.conclusion });
    for (const finding of report.findings) this.findings.inc({ category: finding.category, state: finding.state });
    this.latency.observe(seconds);
  }

  /** Counts every request a client makes; idempotent per client. */
  instrument(gh: GitHub): GitHub {
    const marked = gh as GitHub & { [INSTRUMENTED]?: true };
    if (marked[INSTRUMENTED]) return gh;
    marked[INSTRUMENTED] = true;
    gh.hook.after("request", (response, options) => {
      this.githubRequests.inc({ method: options.method, route: routeOf(options.url), status: String(response.status) });
    });
    gh.hook.error("request", (error, options) => {
      const status = String((error as { status?: number }).status ?? "error");
      this.githubRequests.inc({ method: options.method, route: routeOf(options.url), status });
      // A 304 answers a conditional request: not an error.
      if (status !== "304") this.githubErrors.inc({ method: options.method, route: routeOf(options.url), status });
      throw error;
    });
    return gh;
  }
}

const INSTRUMENTED = Symbol("roleguard metrics");

/** "/repos/{owner}/{repo}/pulls/{pull_number}/files": the template, whatever the values. */
function routeOf(url: string): string {
  // Pagination follows full URLs with ids in them; fold those back to a bounded label.
  const path = (url.split("?")[0] ?? url).replace(/^https?:\/\/[^/]+(\/api\/v3)?/, "");
  return path.replace(/\/\d+(?=\/|$)/g, "/{id}");
}
