import type { Logger } from "probot";
import type { ActorFacts, PullFacts } from "../approvals/authorize.js";
import { overrideRefusal, permissionFrom } from "../approvals/authorize.js";
import type { Config } from "../config/schema.js";
import { detectAgents } from "../policy/agents.js";
import { assignRoles, isRoleBound, type AuthorFacts } from "../policy/assign.js";
import type { Approval, Override } from "../policy/change.js";
import { evaluate, type EvaluationInput } from "../policy/evaluate.js";
import { configNameErrors, validateProposedPolicy } from "../policy/proposed.js";
import { declaredRoles, type DeclarationSource } from "../policy/declared.js";
import type { Report } from "../policy/report.js";
import { INSPECTION_FILE } from "../policy/verdict.js";
import type { PolicyError } from "../errors.js";
import { buildRoleSet } from "../roles/resolve.js";
import type { GitHub, RepoRef } from "../sources/github/client.js";
import { loadPolicyFromGitHub } from "../sources/github/policy.js";
import { prefetchReads, type PrefetchedRead } from "../runtime/evaluation-task.js";
import { PullRequestSource, type LabelEvent, type PullRequestInfo } from "../sources/github/pull-request.js";
import type { LoadedPolicy } from "../sources/policy.js";
import type { AppState } from "./state.js";

export interface EvaluationContext {
  gh: GitHub;
  log: Logger;
  state: AppState;
  /** Run the engine on this thread instead of the app's time-budgeted worker pool: for one-shot commands (`check --pr`). */
  inProcess?: boolean;
}

/**
 * Everything one evaluation of one PR needs, loaded once: the policy from the
 * default branch, who the PR is held to, the change, and the engine's input.
 * Approvals are applied on top with `judge`, so commands and reviews reuse
 * the same loaded state.
 */
export class PullRequestEvaluation {
  readonly source: PullRequestSource;
  policy!: LoadedPolicy;
  private input!: EvaluationInput;
  /** The manifests the engine will read, read once for every `judge`. */
  private reads?: Promise<PrefetchedRead[]>;

  constructor(
    readonly ctx: EvaluationContext,
    readonly repo: RepoRef & { defaultBranch: string },
    readonly pr: PullRequestInfo,
  ) {
    this.source = new PullRequestSource(ctx.gh, repo, pr, ctx.state.cache);
  }

  get config(): Config {
    return this.policy.config;
  }

  async prepare(): Promise<this> {
    // Reads that do not depend on the policy start with it (issue 13): the PR's commits (every evaluation reads
    // them for declared roles) and its change. Both are memoised and awaited below in the same order as before,
    // so the engine's input, and which failure is reported when several fail, are as if they were read in turn.
    // Three chains at most, beside the per-installation throttling Octokit already does.
    startEarly(this.source.commits(), this.source.change());
    this.policy = await loadPolicyFromGitHub(this.ctx.gh, this.repo, this.ctx.state.cache);
    const roleSet = buildRoleSet(this.policy.roleSources);
    const facts = await this.authorFacts();
    const declared = declaredRoles(await this.declarationSources(), roleSet);
    const assignments = [...(await assignRoles(this.config, facts.facts)), ...declared.assignments];
    const change = await this.source.change();
    const reader = this.source.reader();
    const proposedErrors = await validateProposedPolicy(change, reader, this.policy);
    this.input = {
      change,
      assignments,
      roleSet,
      config: this.config,
      reader,
      errors: [...this.policy.errors, ...configNameErrors(this.policy.configFiles, roleSet), ...proposedErrors, ...facts.errors],
      warnings: [...this.policy.warnings, ...facts.warnings, ...declared.warnings],
      neutralReason: `@${this.pr.author} matches no assign entry${this.config.default_role.length === 0 ? " and there is no default_role" : ""}`,
    };
    return this;
  }

  /** The verdict with the given approvals and overrides applied. */
  judge(decisions: { approvals?: Approval[]; overrides?: Override[]; warnings?: string[] } = {}): Promise<Report> {
    const input: EvaluationInput = {
      ...this.input,
      approvals: decisions.approvals ?? [],
      overrides: decisions.overrides ?? [],
      warnings: [...(this.input.warnings ?? []), ...(decisions.warnings ?? [])],
    };
    if (this.ctx.inProcess) return evaluate(input);
    // Off the event loop and within a time budget (SPEC §3); the worker gets the manifests read here beforehand.
    this.reads ??= prefetchReads(input);
    // The pool's module (piscina) loads with the first evaluation that uses it: `check --pr` never does.
    return Promise.all([this.reads, import("../runtime/evaluation-pool.js")]).then(([files, { sharedEvaluationPool }]) =>
      sharedEvaluationPool((error) => this.ctx.log.warn({ err: error }, "an evaluation worker failed between evaluations; piscina replaces it")).evaluate(input, this.policy.roleSources, files),
    );
  }

  /** The PR's author and every account that authored or committed one of its commits. */
  async pullFacts(): Promise<PullFacts> {
    const { commits } = await this.source.commits();
    const accounts = new Set(commits.flatMap((commit) => [commit.author, commit.committer]).filter((login): login is string => !!login).map((login) => login.toLowerCase()));
    return { author: this.pr.author, commitAccounts: accounts };
  }

  /** What the approval rules need to know about an account asking to approve or override. */
  async actorFacts(login: string, isBot: boolean): Promise<ActorFacts> {
    const isTeamMember = (team: string) => this.source.isTeamMember(team, login);
    const [permission, roleBound] = await Promise.all([this.source.permissionOf(login), isRoleBound(this.config, login, (team, who) => this.source.isTeamMember(team, who))]);
    return { login, isBot: isBot || login.toLowerCase().endsWith("[bot]"), permission: permissionFrom(permission.roleName, permission.permission), roleBound, isTeamMember };
  }

  /**
   * Who the PR's author is, in the terms `assign` entries use. Commits are only
   * fetched when an entry could match a commit author or an agent's trailer.
   */
  private async authorFacts(): Promise<{ facts: AuthorFacts; warnings: string[]; errors: PolicyError[] }> {
    const { pr, config } = this;
    const warnings: string[] = [];
    const errors: PolicyError[] = [];
    const wantsCommitAuthors = config.match_commit_authors && config.assign.some((entry) => entry.users.length > 0);
    const wantsAgents = config.assign.some((entry) => entry.agents.length > 0);
    let commitAuthors: string[] = [];
    let commitMessages: string[] = [];
    if (wantsCommitAuthors || wantsAgents) {
      const { commits, complete, total } = await this.source.commits();
      // A commit left unread could be the agent's: fail closed rather than judge by the ones that were read.
      if (!complete) {
        errors.push({ file: INSPECTION_FILE, message: `could not read every commit of this pull request (${commits.length} of ${total ?? "more than 250"}), and commit authors and agent trailers decide its roles` });
      }
      commitAuthors = [...new Set(commits.flatMap((commit) => [commit.author, commit.committer].filter((login): login is string => !!login && login !== "web-flow")))];
      commitMessages = commits.map((commit) => commit.message);
    }
    const labels = await this.labelRemovals();
    warnings.push(...labels.warnings);
    const facts: AuthorFacts = {
      login: pr.author,
      labels: pr.labels,
      stickyLabels: labels.sticky,
      commitAuthors,
      agents: wantsAgents ? detectAgents({ login: pr.author, headRef: pr.headRef, body: pr.body, commitMessages }) : [],
      isTeamMember: (team, login) => this.source.isTeamMember(team, login),
    };
    return { facts, warnings, errors };
  }

  /** The PR body and every commit message, where an agent may declare its role (`Roleguard-Role:`). */
  private async declarationSources(): Promise<DeclarationSource[]> {
    const { commits } = await this.source.commits();
    return [{ where: "the PR description", text: this.pr.body }, ...commits.map((commit) => ({ where: `commit ${commit.sha.slice(0, 7)}`, text: commit.message }))];
  }

  /**
   * Labels an assign entry names that were removed from the PR, and whether
   * their role stays: only someone with the override permission, who is not
   * the author, a committer, a bot or role-bound, can drop a role by removing
   * its label (SPEC §4). The label history is read only when labels assign roles.
   */
  private async labelRemovals(): Promise<{ sticky: { label: string; removedBy: string }[]; warnings: string[] }> {
    const wanted = new Set(this.config.assign.flatMap((entry) => entry.labels.map((label) => label.toLowerCase())));
    const current = new Set(this.pr.labels.map((label) => label.toLowerCase()));
    if (wanted.size === 0 || ![...wanted].some((label) => !current.has(label))) return { sticky: [], warnings: [] };
    const last = new Map<string, LabelEvent>();
    for (const event of await this.source.labelEvents()) {
      const key = event.label.toLowerCase();
      if (wanted.has(key) && !current.has(key)) last.set(key, event);
    }
    const sticky: { label: string; removedBy: string }[] = [];
    const warnings: string[] = [];
    for (const event of last.values()) {
      if (event.event !== "unlabeled") continue;
      const refusal = overrideRefusal(this.config, await this.actorFacts(event.actor, event.actorIsBot), await this.pullFacts());
      if (refusal) sticky.push({ label: event.label, removedBy: event.actor });
      else warnings.push(`label ${event.label} was removed by @${event.actor}, who may override: the role it brought no longer applies`);
    }
    return { sticky, warnings };
  }
}

/**
 * Lets reads run ahead of where their results are awaited: a failure is
 * reported there, in its turn, not as an unhandled rejection in between.
 */
export function startEarly(...reads: Promise<unknown>[]): void {
  for (const read of reads) read.catch(() => undefined);
}
