import { judgeWithDecisions } from "./app/decisions.js";
import { PullRequestSchema, pullRequestInfo } from "./app/payload.js";
import { PullRequestEvaluation } from "./app/pull-evaluation.js";
import { newAppState } from "./app/state.js";
import type { Report } from "./policy/report.js";
import { describeGitHubError } from "./sources/github/client.js";
import { githubFromEnv } from "./sources/github/token-client.js";

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

  try {
    const { data: pull } = await gh.rest.pulls.get({ owner, repo, pull_number: Number(number) });
    // The PR names its base repository's default branch: no GET /repos for it (unless an older GitHub leaves it out).
    const defaultBranch = pull.base.repo.default_branch ?? (await gh.rest.repos.get({ owner, repo })).data.default_branch;
    const parsed = PullRequestSchema.safeParse(pull);
    if (!parsed.success) throw new PrCheckError(`GitHub's answer for ${target} is not a pull request roleguard can read`);
    // One PR, one command: the engine runs in-process, with no worker pool to start.
    const ctx = { gh, log, state: newAppState(), inProcess: true };
    const evaluation = await new PullRequestEvaluation(ctx, { owner, repo, defaultBranch }, pullRequestInfo(parsed.data)).prepare();
    const { report } = await judgeWithDecisions(evaluation);
    return { report, policyErrors: evaluation.policy.errors.length };
  } catch (error) {
    if (error instanceof PrCheckError) throw error;
    throw new PrCheckError(`could not evaluate ${target}: ${describeGitHubError(error)}`);
  }
}
