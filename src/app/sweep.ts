import pLimit from "p-limit";
import type { Probot } from "probot";
import type { GitHubCache } from "../sources/github/cache.js";
import { checkRunKey, latestRunOf } from "../sources/github/check-runs.js";
import type { GitHub, RepoRef } from "../sources/github/client.js";
import { isNotFound } from "../sources/github/client.js";
import { completedKey, evaluatePullRequest, type EvaluationContext } from "./evaluate-pr.js";
import { PullRequestSchema, pullRequestInfo } from "./payload.js";

/** Repositories evaluated at once per installation: polite to GitHub's secondary limits. */
const REPOSITORY_CONCURRENCY = 2;
/**
 * How far back of the last pass the search for changed PRs reaches: GitHub's
 * search index lags behind the PRs themselves, and the two clocks may differ.
 */
export const SEARCH_LAG_MS = 5 * 60_000;
/** The search API returns at most this many results; past it, every repository is listed instead. */
const SEARCH_RESULT_LIMIT = 1000;
/**
 * Every this many passes (hourly at the default 600 s) the search asks for
 * every open PR instead of the recently updated ones: a change the search
 * index took longer than SEARCH_LAG_MS to show (a push to a fork's branch
 * moves no `pushed_at` here) is then found by its `updated_at`, newer than
 * the one the last listing of its repository saw.
 */
export const FULL_SEARCH_EVERY = 6;

export interface SweepResult {
  repositories: number;
  pullRequests: number;
  evaluated: number;
}

/** A repository to sweep; the installation's listing also says its default branch and last push. */
export type SweepTarget = RepoRef & { defaultBranch?: string; pushedAt?: string };

interface InstallationListing {
  id: number;
  account?: { login?: string; type?: string } | null;
}

interface ListedRepository {
  name: string;
  owner: { login: string };
  default_branch?: string;
  pushed_at?: string | null;
}

const repoKey = (repo: RepoRef) => `${repo.owner}/${repo.repo}`.toLowerCase();

/**
 * Evaluates every open PR of these repositories whose head SHA has no
 * completed `roleguard` verdict: what installing the app, adding repositories
 * to it, and periodic reconciliation all need. Resumable by construction: a
 * PR already judged is skipped, so a sweep cut short is finished by the next.
 * What each repository looked like is remembered, for the next pass to skip it.
 */
export async function sweepRepositories(ctx: EvaluationContext, repos: readonly SweepTarget[]): Promise<SweepResult> {
  const limit = pLimit(REPOSITORY_CONCURRENCY);
  const results = await Promise.all(repos.map((repo) => limit(() => sweepRepository(ctx, repo))));
  return {
    repositories: repos.length,
    pullRequests: results.reduce((sum, each) => sum + each.pullRequests, 0),
    evaluated: results.reduce((sum, each) => sum + each.evaluated, 0),
  };
}

async function sweepRepository(ctx: EvaluationContext, target: SweepTarget): Promise<Omit<SweepResult, "repositories">> {
  const { gh, state, log } = ctx;
  const repo: RepoRef = { owner: target.owner, repo: target.repo };
  let defaultBranch: string;
  let pulls: unknown[];
  try {
    // The installation's listing names the default branch: no GET /repos each (only the install events lack it).
    defaultBranch = target.defaultBranch ?? (await state.cache.getConditional<{ default_branch: string }>(gh, "GET /repos/{owner}/{repo}", { ...repo })).default_branch;
    pulls = (await state.cache.listConditional<unknown>(gh, "GET /repos/{owner}/{repo}/pulls", { ...repo, state: "open" })).items;
  } catch (error) {
    if (isNotFound(error)) {
      state.cache.sweeps.delete(repoKey(repo));
      return { pullRequests: 0, evaluated: 0 };
    }
    throw error;
  }
  let evaluated = 0;
  let unjudged = 0;
  let latestUpdate: string | undefined;
  for (const raw of pulls) {
    const updated = (raw as { updated_at?: unknown }).updated_at;
    if (typeof updated === "string" && (latestUpdate === undefined || Date.parse(updated) > Date.parse(latestUpdate))) latestUpdate = updated;
    const parsed = PullRequestSchema.safeParse(raw);
    if (!parsed.success) continue;
    const pr = pullRequestInfo(parsed.data);
    const verdict = await verdictOf(gh, ctx, repo, pr.headSha);
    if (verdict === "judged") continue;
    // "No run" is remembered as the evaluation's starting point: it creates the run without listing the head's runs again.
    await evaluatePullRequest(ctx, { ...repo, defaultBranch }, pr, verdict === "none" ? { knownNew: true } : {});
    evaluated++;
    if (!state.completed.has(completedKey(repo, pr.headSha))) unjudged++;
  }
  state.cache.sweeps.set(repoKey(repo), { ...(target.pushedAt ? { pushedAt: target.pushedAt } : {}), openPulls: pulls.length, unjudged, ...(latestUpdate ? { latestUpdate } : {}) });
  if (evaluated > 0) log.info({ repo: `${repo.owner}/${repo.repo}`, evaluated }, "evaluated open pull requests without a verdict");
  return { pullRequests: pulls.length, evaluated };
}

/**
 * Does this head SHA have a completed roleguard check with a real verdict
 * ("could not evaluate" is retried)? `none`: this app has no run on it at all.
 */
async function verdictOf(gh: GitHub, ctx: EvaluationContext, repo: RepoRef, sha: string): Promise<"judged" | "unjudged" | "none"> {
  if (ctx.state.completed.has(completedKey(repo, sha))) return "judged";
  const mine = await latestRunOf(gh, repo, sha, ctx.state.appId);
  if (!mine) return "none";
  // Remembered: the evaluation that may follow updates this run instead of listing the runs again.
  ctx.state.checkRunIds.set(checkRunKey(repo, sha), mine.id);
  const done = mine.status === "completed" && !(mine.output?.title ?? "").startsWith("could not evaluate");
  if (done) ctx.state.completed.set(completedKey(repo, sha), true);
  return done ? "judged" : "unjudged";
}

/**
 * One reconciliation pass over every installation and repository the app can
 * see. Where nothing changed it costs about one billable request per 100
 * repositories, even just after the installation token was renewed:
 * the listings are conditional (304 is free), the installation's listing
 * gives each repository's default branch and last push, and one search
 * (`is:pr is:open updated:>=T`) names the repositories whose PRs changed
 * since the last pass — only those, and those with a PR still unjudged, have
 * their open PRs listed.
 */
export async function reconcileOnce(app: Probot, makeContext: (gh: GitHub) => EvaluationContext, stopped: () => boolean = () => false): Promise<SweepResult> {
  const total: SweepResult = { repositories: 0, pullRequests: 0, evaluated: 0 };
  const appClient = (await app.auth()) as GitHub;
  const installations = (await makeContext(appClient).state.cache.listConditional<InstallationListing>(appClient, "GET /app/installations", {})).items;
  for (const installation of installations) {
    if (stopped()) break;
    const gh = (await app.auth(installation.id)) as GitHub;
    const result = await reconcileInstallation(makeContext(gh), installation);
    total.repositories += result.repositories;
    total.pullRequests += result.pullRequests;
    total.evaluated += result.evaluated;
  }
  return total;
}

async function reconcileInstallation(ctx: EvaluationContext, installation: InstallationListing): Promise<SweepResult> {
  const { cache } = ctx.state;
  const started = Date.now();
  const passKey = String(installation.id);
  const last = cache.sweepPasses.get(passKey);
  // The first pass after a start, and every FULL_SEARCH_EVERY-th after it, searches every open PR.
  let since = last && last.passes % FULL_SEARCH_EVERY !== 0 ? last.startedAt : undefined;
  let [listing, touched] = await Promise.all([
    cache.listConditional<ListedRepository>(ctx.gh, "GET /installation/repositories", {}, (data) => (data as { repositories?: ListedRepository[] }).repositories ?? []),
    pullsUpdatedSince(ctx, installation.account, since),
  ]);
  if (!touched && since === undefined && last) {
    // More open PRs than one search lists (or the search failed): this pass looks at the recent changes as the
    // others do, rather than listing every repository — after a token renewal, that would be billable each time.
    since = last.startedAt;
    touched = await pullsUpdatedSince(ctx, installation.account, since);
  }
  let remembered = 0;
  const due: SweepTarget[] = [];
  for (const listed of listing.items) {
    const target: SweepTarget = {
      owner: listed.owner.login,
      repo: listed.name,
      ...(listed.default_branch ? { defaultBranch: listed.default_branch } : {}),
      ...(listed.pushed_at ? { pushedAt: listed.pushed_at } : {}),
    };
    const skip = unchanged(cache, target, touched, since);
    if (skip === undefined) due.push(target);
    else remembered += skip;
  }
  const swept = await sweepRepositories(ctx, due);
  // Only a pass that got through every repository moves the search's starting point on.
  cache.sweepPasses.set(passKey, { startedAt: started, passes: (last?.passes ?? 0) + 1 });
  return { repositories: listing.items.length, pullRequests: remembered + swept.pullRequests, evaluated: swept.evaluated };
}

/**
 * Whether a repository can be skipped this pass, and if so how many open PRs
 * it is known to have; undefined when its open PRs must be listed. Without a
 * search answer every repository is listed (conditionally).
 */
function unchanged(cache: GitHubCache, target: SweepTarget, touched: Map<string, number> | undefined, since: number | undefined): number | undefined {
  if (!touched) return undefined;
  const key = repoKey(target);
  const memory = cache.sweeps.get(key);
  const changedAt = touched.get(key);
  if (changedAt === undefined && since === undefined) {
    // The search listed every open PR of the installation: a repository it did not name has none.
    cache.sweeps.set(key, { ...(target.pushedAt ? { pushedAt: target.pushedAt } : {}), openPulls: 0, unjudged: 0 });
    return 0;
  }
  if (!memory || memory.unjudged > 0 || memory.pushedAt !== target.pushedAt) return undefined;
  // Named by the search, but for a change the last listing of the repository already saw: nothing new.
  if (changedAt !== undefined && !(memory.latestUpdate && changedAt <= Date.parse(memory.latestUpdate))) return undefined;
  return memory.openPulls;
}

/**
 * The repositories (`owner/repo`, lower-cased) with an open PR updated since
 * `since` (every open PR when `since` is undefined), with the latest such
 * update (epoch ms), from the search API;
 * undefined when the search cannot answer in full (unavailable, over its
 * 1,000 results, or incomplete), and every repository is listed instead.
 */
async function pullsUpdatedSince(ctx: EvaluationContext, account: InstallationListing["account"], since: number | undefined): Promise<Map<string, number> | undefined> {
  if (!account?.login) return undefined;
  const owner = `${account.type === "User" ? "user" : "org"}:${account.login}`;
  const updated = since === undefined ? "" : ` updated:>=${new Date(since - SEARCH_LAG_MS).toISOString().replace(/\.\d{3}Z$/, "Z")}`;
  const q = `is:pr is:open ${owner}${updated}`;
  const repos = new Map<string, number>();
  try {
    let seen = 0;
    for (let page = 1; ; page++) {
      const { data } = await ctx.gh.request("GET /search/issues", { q, per_page: 100, page });
      const answer = data as { total_count: number; incomplete_results: boolean; items: { repository_url?: string; updated_at?: string }[] };
      if (answer.incomplete_results || answer.total_count > SEARCH_RESULT_LIMIT) return undefined;
      for (const item of answer.items) {
        const [owner, name] = (item.repository_url ?? "").split("/").slice(-2);
        if (!owner || !name) continue;
        // An item without a time counts as changed just now: listed, never skipped.
        const updated = Date.parse(item.updated_at ?? "") || Infinity;
        const key = `${owner}/${name}`.toLowerCase();
        repos.set(key, Math.max(updated, repos.get(key) ?? -Infinity));
      }
      seen += answer.items.length;
      if (answer.items.length < 100 || seen >= answer.total_count) return repos;
    }
  } catch (error) {
    ctx.log.info({ err: error }, "the search API did not answer; listing the open PRs of every repository");
    return undefined;
  }
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
