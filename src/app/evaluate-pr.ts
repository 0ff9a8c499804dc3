import type { Logger } from "probot";
import type { Config } from "../config/schema.js";
import { detectAgents } from "../policy/agents.js";
import { assignRoles, type AuthorFacts } from "../policy/assign.js";
import { evaluate } from "../policy/evaluate.js";
import { undefinedRoleErrors, validateProposedPolicy } from "../policy/proposed.js";
import type { Report } from "../policy/report.js";
import { buildCheckOutput, type CheckOutput } from "../report/check-output.js";
import { buildRoleSet } from "../roles/resolve.js";
import { CheckRun, type CheckAction } from "../sources/github/check-runs.js";
import { describeGitHubError, type GitHub, type RepoRef } from "../sources/github/client.js";
import { loadPolicyFromGitHub } from "../sources/github/policy.js";
import { PullRequestSource, type PullRequestInfo } from "../sources/github/pull-request.js";
import { requestReviews } from "../sources/github/review-requests.js";
import type { AppState } from "./state.js";

export const RERUN_ACTION: CheckAction = { label: "Re-run", description: "Evaluate this commit again", identifier: "rerun" };

export interface EvaluationContext {
  gh: GitHub;
  log: Logger;
  state: AppState;
}

export interface EvaluateOptions {
  /** The head SHA was just pushed or opened: no check run can exist for it yet. */
  knownNew?: boolean;
}

/**
 * Evaluates one PR at its head SHA and writes the verdict: check run in
 * progress → policy from the default branch → change → engine → review
 * requests → completed check run. Any failure still completes the check, as
 * `failure` with the reason and how to retry: no PR is left silently unchecked.
 */
export async function evaluatePullRequest(ctx: EvaluationContext, repo: RepoRef & { defaultBranch: string }, pr: PullRequestInfo, options: EvaluateOptions = {}): Promise<Report | undefined> {
  const key = `${repo.owner}/${repo.repo}#${pr.number}@${pr.headSha}`;
  return ctx.state.serializer.run(key, async () => {
    const log = ctx.log.child({ repo: `${repo.owner}/${repo.repo}`, pr: pr.number, sha: pr.headSha });
    const check = new CheckRun(ctx.gh, repo, pr.headSha, ctx.state.checkRunIds, ctx.state.appId);
    try {
      await check.start(options.knownNew ? { knownNew: true } : {});
      const { report, notes } = await judge(ctx, repo, pr);
      await check.complete(report.conclusion, buildCheckOutput(report, notes), [RERUN_ACTION]);
      log.info({ conclusion: report.conclusion, findings: report.findings.length }, "evaluated");
      return report;
    } catch (error) {
      const reason = describeGitHubError(error);
      log.error({ err: error }, `could not evaluate: ${reason}`);
      await check.complete("failure", couldNotEvaluate(reason), [RERUN_ACTION]).catch((writeError: unknown) => {
        log.error({ err: writeError }, "could not write the failure to the check run either");
      });
      return undefined;
    }
  });
}

async function judge(ctx: EvaluationContext, repo: RepoRef & { defaultBranch: string }, pr: PullRequestInfo): Promise<{ report: Report; notes: string[] }> {
  const source = new PullRequestSource(ctx.gh, repo, pr, ctx.state.cache);
  const policy = await loadPolicyFromGitHub(ctx.gh, repo, ctx.state.cache);
  const roleSet = buildRoleSet(policy.roleSources);
  const facts = await authorFacts(source, policy.config);
  const assignments = await assignRoles(policy.config, facts.facts);
  const change = await source.change();
  const reader = source.reader();
  const proposedErrors = await validateProposedPolicy(change, reader, policy.config, policy.roleSources);
  const report = await evaluate({
    change,
    assignments,
    roleSet,
    config: policy.config,
    reader,
    errors: [...policy.errors, ...undefinedRoleErrors(policy.config, roleSet, policy.configSource), ...proposedErrors],
    warnings: [...policy.warnings, ...facts.warnings],
    neutralReason: `@${pr.author} matches no assign entry${policy.config.default_role.length === 0 ? " and there is no default_role" : ""}`,
  });
  const notes = await requestReviews(ctx.gh, source, report, policy.config, ctx.state.reviewMemory);
  return { report, notes };
}

/**
 * Who the PR's author is, in the terms `assign` entries use. Commits are only
 * fetched when an entry could match a commit author or an agent's trailer.
 */
async function authorFacts(source: PullRequestSource, config: Config): Promise<{ facts: AuthorFacts; warnings: string[] }> {
  const { pr } = source;
  const warnings: string[] = [];
  const wantsCommitAuthors = config.match_commit_authors && config.assign.some((entry) => entry.users.length > 0);
  const wantsAgents = config.assign.some((entry) => entry.agents.length > 0);
  let commitAuthors: string[] = [];
  let commitMessages: string[] = [];
  if (wantsCommitAuthors || wantsAgents) {
    const { commits, complete } = await source.commits();
    if (!complete) warnings.push("only the first 250 commits were read for commit authors and agent trailers (GitHub's limit)");
    commitAuthors = [...new Set(commits.flatMap((commit) => [commit.author, commit.committer].filter((login): login is string => !!login && login !== "web-flow")))];
    commitMessages = commits.map((commit) => commit.message);
  }
  const facts: AuthorFacts = {
    login: pr.author,
    labels: pr.labels,
    commitAuthors,
    agents: wantsAgents ? detectAgents({ login: pr.author, headRef: pr.headRef, body: pr.body, commitMessages }) : [],
    isTeamMember: (team, login) => source.isTeamMember(team, login),
  };
  return { facts, warnings };
}

export function couldNotEvaluate(reason: string): CheckOutput {
  return {
    title: `could not evaluate: ${reason}; comment /roleguard check to retry`.slice(0, 1000),
    summary: [
      `### roleguard could not evaluate this pull request`,
      "",
      `**Reason:** ${reason}`,
      "",
      "The check fails closed until an evaluation succeeds. Comment `/roleguard check` on the pull request, or use the **Re-run** button, to try again.",
    ].join("\n"),
    text: "",
    annotations: [],
  };
}
