import pLimit from "p-limit";
import type { Probot } from "probot";
import { CHECK_NAME, checkRunKey } from "../sources/github/check-runs.js";
import type { GitHub, RepoRef } from "../sources/github/client.js";
import { isNotFound } from "../sources/github/client.js";
import { completedKey, evaluatePullRequest, type EvaluationContext } from "./evaluate-pr.js";
import { PullRequestSchema, pullRequestInfo } from "./payload.js";

/** Repositories evaluated at once per installation: polite to GitHub's secondary limits. */
const REPOSITORY_CONCURRENCY = 2;

export interface SweepResult {
  repositories: number;
  pullRequests: number;
  evaluated: number;
}

/**
 * Evaluates every open PR of these repositories whose head SHA has no
 * completed `roleguard` verdict: what installing the app, adding repositories
 * to it, and periodic reconciliation all need. Resumable by construction: a
 * PR already judged is skipped, so a sweep cut short is finished by the next.
 */
export async function sweepRepositories(ctx: EvaluationContext, repos: readonly RepoRef[]): Promise<SweepResult> {
  const limit = pLimit(REPOSITORY_CONCURRENCY);
  const results = await Promise.all(repos.map((repo) => limit(() => sweepRepository(ctx, repo))));
  return {
    repositories: repos.length,
    pullRequests: results.reduce((sum, each) => sum + each.pullRequests, 0),
    evaluated: results.reduce((sum, each) => sum + each.evaluated, 0),
  };
}

async function sweepRepository(ctx: EvaluationContext, repo: RepoRef): Promise<Omit<SweepResult, "repositories">> {
  const { gh, state, log } = ctx;
  let defaultBranch: string;
  try {
    defaultBranch = (await state.cache.getConditional<{ default_branch: string }>(gh, "GET /repos/{owner}/{repo}", { ...repo })).default_branch;
  } catch (error) {
    if (isNotFound(error)) return { pullRequests: 0, evaluated: 0 };
    throw error;
  }
  const pulls = await gh.paginate(gh.rest.pulls.list, { ...repo, state: "open", per_page: 100 });
  let evaluated = 0;
  for (const raw of pulls) {
    const parsed = PullRequestSchema.safeParse(raw);
    if (!parsed.success) continue;
    const pr = pullRequestInfo(parsed.data);
    if (await hasVerdict(gh, ctx, repo, pr.headSha)) continue;
    await evaluatePullRequest(ctx, { ...repo, defaultBranch }, pr);
    evaluated++;
  }
  if (evaluated > 0) log.info({ repo: `${repo.owner}/${repo.repo}`, evaluated }, "evaluated open pull requests without a verdict");
  return { pullRequests: pulls.length, evaluated };
}

/** Does this head SHA have a completed roleguard check with a real verdict? ("could not evaluate" is retried.) */
async function hasVerdict(gh: GitHub, ctx: EvaluationContext, repo: RepoRef, sha: string): Promise<boolean> {
  if (ctx.state.completed.has(completedKey(repo, sha))) return true;
  const { data } = await gh.rest.checks.listForRef({ ...repo, ref: sha, check_name: CHECK_NAME, filter: "latest", per_page: 100 });
  const mine = data.check_runs.filter((run) => ctx.state.appId === undefined || run.app?.id === ctx.state.appId).sort((a, b) => b.id - a.id)[0];
  // Remembered either way: the evaluation that may follow updates this run instead of listing the runs again.
  if (mine) ctx.state.checkRunIds.set(checkRunKey(repo, sha), mine.id);
  const done = mine !== undefined && mine.status === "completed" && !(mine.output?.title ?? "").startsWith("could not evaluate");
  if (done) ctx.state.completed.set(completedKey(repo, sha), true);
  return done;
}

/** One reconciliation pass over every installation and repository the app can see. */
export async function reconcileOnce(app: Probot, makeContext: (gh: GitHub) => EvaluationContext, stopped: () => boolean = () => false): Promise<SweepResult> {
  const total: SweepResult = { repositories: 0, pullRequests: 0, evaluated: 0 };
  const appClient = (await app.auth()) as GitHub;
  const installations = await appClient.paginate(appClient.rest.apps.listInstallations, { per_page: 100 });
  for (const installation of installations) {
    if (stopped()) break;
    const gh = (await app.auth(installation.id)) as GitHub;
    const repos = await gh.paginate(gh.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    const result = await sweepRepositories(makeContext(gh), repos.map((repo) => ({ owner: repo.owner.login, repo: repo.name })));
    total.repositories += result.repositories;
    total.pullRequests += result.pullRequests;
    total.evaluated += result.evaluated;
  }
  return total;
}

/**
 * GitHub does not redeliver failed webhooks, so every `intervalSeconds` the
 * app walks its installations and sweeps their repositories. Returns a stop
 * function; the walk in progress finishes on its own.
 */
export function startReconciler(app: Probot, makeContext: (gh: GitHub) => EvaluationContext, intervalSeconds: number): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const pass = () => reconcileOnce(app, makeContext, () => stopped);
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass()
        .catch((error: unknown) => app.log.error({ err: error }, "reconciliation pass failed; the next one retries"))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalSeconds * 1000);
    timer.unref();
  };
  schedule();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
