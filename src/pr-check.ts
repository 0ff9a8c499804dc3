import { setTimeout as delay } from "node:timers/promises";
import type { Report } from "./policy/report.js";
import { GitHubCache } from "./sources/github/cache.js";
import { describeGitHubError, type GitHub } from "./sources/github/client.js";
import { startPolicyRead } from "./sources/github/policy-graphql.js";
import { PullRequestSource, type PullRequestInfo } from "./sources/github/pull-request.js";
import { githubFromEnv } from "./sources/github/token-client.js";

/** The engine and the app's evaluation, loaded while the first request is on its way (issue 13: time to first request). */
const loadEvaluation = () =>
  Promise.all([import("./app/decisions.js"), import("./app/payload.js"), import("./app/pull-evaluation.js"), import("./app/state.js"), import("./policy/dependencies/index.js")]);

export class PrCheckError extends Error {
  override name = "PrCheckError";
}

/**
 * `roleguard check --pr OWNER/REPO#N`: the app's evaluation of a real PR —
 * default-branch policy, the PR's change, recorded approvals and reviews —
 * with a token, posting nothing. A dry run to try a policy on past PRs.
 * Runs on plain @octokit/rest (token-client.ts), never Probot's server.
 */
export async function checkPullRequest(target: string, env: NodeJS.ProcessEnv): Promise<{ report: Report; policyErrors: number }> {
  const match = /^([\w.-]+)\/([\w.-]+)#(\d+)$/.exec(target.trim());
  if (!match) throw new PrCheckError(`--pr takes OWNER/REPO#NUMBER, not ${target}`);
  const [, owner, repo, number] = match as unknown as [string, string, string, string];
  const client = githubFromEnv(env);
  if (!client) throw new PrCheckError("--pr needs a token in GITHUB_TOKEN (read access to the repository and its organisation's .github repository)");
  const { gh, log } = client;

  // A one-shot command waits on every round trip. Everything that needs only the PR's number goes out with the
  // PR's own request — its comments, reviews, commits and files, and the policy of the repository and its
  // organisation in one GraphQL query (nothing is cached in a fresh process to revalidate) — while the engine loads.
  const cache = new GitHubCache();
  cache.policyOverGraphql = true;
  const early = new PullRequestSource(gh, { owner, repo }, placeholderInfo(Number(number)), cache);
  const pullRequest = gh.rest.pulls.get({ owner, repo, pull_number: Number(number) });
  pullRequest.catch(() => undefined);
  const branch = defaultBranchOf(gh, owner, repo, pullRequest);
  branch.catch(() => undefined);
  startPolicyRead(gh, { owner, repo }, branch, cache);
  const earlyReads = [early.comments(), early.reviews(), early.commitListing(), early.listedFiles(), ...cache.policyReads.values()];
  for (const read of earlyReads) read.catch(() => undefined);
  // The engine loads once the first requests are on the wire: its hundreds of modules would otherwise hold them up.
  const loading = delay(0).then(loadEvaluation);
  loading.catch(() => undefined);
  try {
    const { data: pull } = await pullRequest;
    const [{ judgeWithDecisions }, { PullRequestSchema, pullRequestInfo }, { PullRequestEvaluation, startEarly }, { newAppState }, { ecosystemForManifest }] = await loading;
    // The PR names its base repository's default branch: no GET /repos for it (unless an older GitHub leaves it out).
    const defaultBranch = await branch;
    const parsed = PullRequestSchema.safeParse(pull);
    if (!parsed.success) throw new PrCheckError(`GitHub's answer for ${target} is not a pull request roleguard can read`);
    // One PR, one command: the engine runs in-process, with no worker pool to start.
    const ctx = { gh, log, state: { ...newAppState(), cache }, inProcess: true };
    const pending = new PullRequestEvaluation(ctx, { owner, repo, defaultBranch }, pullRequestInfo(parsed.data));
    pending.source.adopt(early);
    // A one-shot command waits on every round trip: what the verdict will read anyway starts now, beside the
    // policy load — the decisions' comments and reviews, and the changed manifests at both ends.
    startEarly(pending.source.comments(), pending.source.reviews(), readManifestsEarly(pending.source, ecosystemForManifest));
    const evaluation = await pending.prepare();
    const { report } = await judgeWithDecisions(evaluation);
    return { report, policyErrors: evaluation.policy.errors.length };
  } catch (error) {
    if (error instanceof PrCheckError) throw error;
    throw new PrCheckError(`could not evaluate ${target}: ${describeGitHubError(error)}`);
  } finally {
    // Nothing started here outlives the command (a PR that does not exist leaves its early reads failing).
    await Promise.allSettled(earlyReads);
  }
}

/** The PR as far as its number tells: enough for the reads that need nothing else (comments, reviews, commits, files). */
function placeholderInfo(number: number): PullRequestInfo {
  return { number, headSha: "", headRef: "", baseSha: "", baseRef: "", author: "", authorIsBot: false, body: "", labels: [], requestedReviewers: [], requestedTeams: [] };
}

/** The PR names its base repository's default branch: no GET /repos for it (unless an older GitHub leaves it out). */
async function defaultBranchOf(gh: GitHub, owner: string, repo: string, pullRequest: ReturnType<GitHub["rest"]["pulls"]["get"]>): Promise<string> {
  const { data: pull } = await pullRequest;
  return pull.base.repo.default_branch ?? (await gh.rest.repos.get({ owner, repo })).data.default_branch;
}

/**
 * Reads each changed dependency manifest at the merge base and the head, as
 * the engine will (the source remembers every read, so the engine's own
 * reads cost nothing more). Only manifests: a role without dependency
 * categories wastes at most these few reads.
 */
async function readManifestsEarly(source: PullRequestSource, ecosystemForManifest: (path: string) => unknown): Promise<void> {
  const reader = source.reader();
  const reads: Promise<unknown>[] = [];
  for (const file of (await source.change()).files) {
    if (!ecosystemForManifest(file.path)) continue;
    if (file.status !== "added" && file.status !== "copied") reads.push(reader.read("base", file.previousPath ?? file.path));
    if (file.status !== "removed") reads.push(reader.read("head", file.path));
  }
  await Promise.allSettled(reads);
}
