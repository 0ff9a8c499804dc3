import type { ApplicationFunction, Context, Probot } from "probot";
import * as z from "zod";
import type { GitHub, RepoRef } from "../sources/github/client.js";
import type { PullRequestInfo } from "../sources/github/pull-request.js";
import type { EvaluationContext } from "./pull-evaluation.js";
import { hasCommands, parseCommands } from "../approvals/commands.js";
import { isLedgerComment } from "../approvals/ledger.js";
import { recordCommentChange, runCommands } from "./commands.js";
import { checkMergeGroup } from "./merge-group.js";
import { sweepRepositories } from "./sweep.js";
import { APPROVE_ALL_ACTION, completedKey, evaluatePullRequest, RERUN_ACTION } from "./evaluate-pr.js";
import { ChecksEventSchema, CommentEventSchema, MergeGroupEventSchema, PullRequestEventSchema, SenderSchema } from "./events.js";
import { PullRequestSchema, pullRequestInfo, repoRefOf } from "./payload.js";
import { newAppState, type AppState } from "./state.js";

/** How old a PR's `updated_at` may be for an opened/synchronize delivery to count as live. */
const LIVE_DELIVERY_MS = 2 * 60_000;

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.ready_for_review",
  "pull_request.edited",
  "pull_request.labeled",
  "pull_request.unlabeled",
] as const;

/**
 * The Probot app: events in, evaluations out. Wiring only; every behaviour
 * lives in a named module with its own tests.
 */
export interface AppOptions {
  /**
   * Use a client per installation (throttled under its own id). `false` uses
   * Probot's event client, whose throttling queue all installations share —
   * kept only so the load benchmark can measure the difference.
   */
  perInstallationClients?: boolean;
}

export function roleguardApp(state: AppState = newAppState(), options: AppOptions = {}): ApplicationFunction {
  const perInstallation = options.perInstallationClients ?? true;
  return (app: Probot) => {
    const ctxOf = (context: Context, appState: AppState) => clientFor(perInstallation ? app : undefined, context, appState);
    app.on([...PULL_REQUEST_EVENTS], async (context) => {
      const payload = PullRequestEventSchema.safeParse(context.payload);
      if (!payload.success) return skip(context, "pull_request payload", payload.error);
      const { action, changes } = payload.data;
      // An edit of the title or body does not change what the PR touches; a new base does.
      if (action === "edited" && changes?.base === undefined) return;
      // A head just opened or pushed has no check run yet, so the lookup is skipped — but only for a
      // live delivery: a redelivery (or a delivery that waited in a queue) carries an old timestamp
      // and looks the run up, so it updates that run instead of adding a second one.
      const live = Date.now() - Date.parse(payload.data.pull_request.updated_at ?? "") < LIVE_DELIVERY_MS;
      // A delivery run again (its first attempt may have created the run before failing or dying) looks it up too.
      const knownNew = (action === "opened" || action === "synchronize") && live && !state.reruns.has(context.id);
      const { label, sender } = payload.data;
      const unlabeled = action === "unlabeled" && label && sender ? { event: "unlabeled" as const, label: label.name, actor: sender.login, actorIsBot: sender.type === "Bot" } : undefined;
      await evaluatePullRequest(await ctxOf(context, state), repoRefOf(payload.data.repository), pullRequestInfo(payload.data.pull_request, unlabeled), { knownNew, fresh: action === "opened" });
    });

    app.on(["check_run.rerequested", "check_run.requested_action"], async (context) => {
      const parsed = ChecksEventSchema.safeParse({ ...context.payload.check_run, repository: context.payload.repository });
      if (!parsed.success) return skip(context, "check_run payload", parsed.error);
      const action = context.payload.action === "requested_action" ? context.payload.requested_action?.identifier : RERUN_ACTION.identifier;
      if (action === RERUN_ACTION.identifier) return reevaluate(await ctxOf(context, state), parsed.data);
      if (action !== APPROVE_ALL_ACTION.identifier) return;
      // The button is `/roleguard approve all` by whoever clicked it, under the same rules.
      const sender = SenderSchema.safeParse(context.payload.sender);
      if (!sender.success) return skip(context, "check_run sender", sender.error);
      const ctx = await ctxOf(context, state);
      for (const pr of await openPullsAt(ctx, parsed.data)) {
        const origin = { commentId: 0, login: sender.data.login, isBot: sender.data.type === "Bot", at: new Date().toISOString() };
        await runCommands(ctx, repoRefOf(parsed.data.repository), pr, origin, [{ ok: true, command: { verb: "approve", categories: "all", line: "Approve all (check-run button)" } }]);
      }
    });

    app.on("issue_comment.created", async (context) => {
      const parsed = CommentEventSchema.safeParse(context.payload);
      if (!parsed.success) return skip(context, "issue_comment payload", parsed.error);
      const { issue, comment, repository } = parsed.data;
      if (!issue.pull_request || isOwnComment(state, comment.user)) return;
      const lines = parseCommands(comment.body ?? "");
      if (lines.length === 0) return;
      const ctx = await ctxOf(context, state);
      const pr = await fetchPull(ctx, repoRefOf(repository), issue.number);
      if (!pr) return;
      const origin = { commentId: comment.id, login: comment.user.login, isBot: comment.user.type === "Bot", at: comment.created_at, body: comment.body ?? "" };
      await runCommands(ctx, repoRefOf(repository), pr, origin, lines);
    });

    app.on(["issue_comment.edited", "issue_comment.deleted"], async (context) => {
      const parsed = CommentEventSchema.safeParse(context.payload);
      if (!parsed.success) return skip(context, "issue_comment payload", parsed.error);
      const { issue, comment, repository, sender, changes, action } = parsed.data;
      if (!issue.pull_request) return;
      const previousBody = action === "edited" ? changes?.body?.from : comment.body ?? undefined;
      const isCommand = hasCommands(comment.body) || hasCommands(previousBody);
      const isLedger = isLedgerComment(comment.body) || isLedgerComment(previousBody);
      if (!isCommand && !isLedger) return;
      // The app's own edits of its record are not news (and reacting to them would loop): the record's
      // author editing it is the app itself, whether or not the app knows its own login.
      const editor = sender?.login ?? comment.user.login;
      if (isLedger && (editor.toLowerCase() === comment.user.login.toLowerCase() || (sender && isOwnComment(state, sender)))) return;
      const ctx = await ctxOf(context, state);
      const pr = await fetchPull(ctx, repoRefOf(repository), issue.number);
      if (!pr) return;
      await recordCommentChange(ctx, repoRefOf(repository), pr, {
        commentId: comment.id,
        author: comment.user.login,
        editor,
        action: action === "edited" ? "edited" : "deleted",
        isCommand,
        isLedger,
        ...(previousBody !== undefined ? { previousBody } : {}),
      });
    });

    app.on(["installation.created", "installation_repositories.added"], async (context) => {
      const payload = context.payload as { repositories?: { full_name?: string }[]; repositories_added?: { full_name?: string }[] };
      const repos = (payload.repositories ?? payload.repositories_added ?? []).flatMap((repo) => {
        const [owner, name] = (repo.full_name ?? "").split("/");
        return owner && name ? [{ owner, repo: name }] : [];
      });
      const result = await sweepRepositories(await ctxOf(context, state), repos);
      context.log.info(result, "evaluated the open pull requests of newly installed repositories");
    });

    app.on("merge_group.checks_requested", async (context) => {
      const parsed = MergeGroupEventSchema.safeParse(context.payload);
      if (!parsed.success) return skip(context, "merge_group payload", parsed.error);
      const group = parsed.data.merge_group;
      await checkMergeGroup(await ctxOf(context, state), repoRefOf(parsed.data.repository), { headSha: group.head_sha, headRef: group.head_ref, baseSha: group.base_sha });
    });

    app.on(["pull_request_review.submitted", "pull_request_review.dismissed"], async (context) => {
      const payload = PullRequestEventSchema.safeParse(context.payload);
      if (!payload.success) return skip(context, "pull_request_review payload", payload.error);
      await evaluatePullRequest(await ctxOf(context, state), repoRefOf(payload.data.repository), pullRequestInfo(payload.data.pull_request));
    });

    app.on(["check_suite.requested", "check_suite.rerequested"], async (context) => {
      const parsed = ChecksEventSchema.safeParse({ ...context.payload.check_suite, repository: context.payload.repository });
      if (!parsed.success) return skip(context, "check_suite payload", parsed.error);
      // A push sends both `synchronize` and `check_suite.requested`: when the commit is already judged, nothing to do.
      if (context.payload.action === "requested" && state.completed.has(completedKey(repoRefOf(parsed.data.repository), parsed.data.head_sha))) return;
      await reevaluate(await ctxOf(context, state), parsed.data);
    });
  };
}

/** Fetches each PR the check names (the payload carries too little) and evaluates those still at that SHA. */
async function reevaluate(ctx: EvaluationContext, event: z.infer<typeof ChecksEventSchema>): Promise<void> {
  for (const pr of await openPullsAt(ctx, event)) await evaluatePullRequest(ctx, repoRefOf(event.repository), pr);
}

async function openPullsAt(ctx: EvaluationContext, event: z.infer<typeof ChecksEventSchema>): Promise<PullRequestInfo[]> {
  const pulls: PullRequestInfo[] = [];
  for (const { number } of event.pull_requests) {
    const pr = await fetchPull(ctx, repoRefOf(event.repository), number);
    if (pr && pr.headSha === event.head_sha) pulls.push(pr);
  }
  return pulls;
}

/** The PR as it is now, or undefined when it is closed or its payload is unusable. */
async function fetchPull(ctx: EvaluationContext, repo: RepoRef, number: number): Promise<PullRequestInfo | undefined> {
  const { data } = await ctx.gh.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number });
  const pr = PullRequestSchema.safeParse(data);
  if (!pr.success) {
    ctx.log.warn({ issues: pr.error.issues.slice(0, 5) }, `ignored an unexpected pull request #${number}`);
    return undefined;
  }
  return pr.data.state === "closed" ? undefined : pullRequestInfo(pr.data);
}

/**
 * The client for this event's installation. Probot's event clients all share
 * one throttling queue ("no-id"), so one installation's burst would delay every
 * other; a client from `app.auth(installationId)` is throttled under its own
 * installation id (GitHub's limits are per installation), clustered through
 * Redis when REDIS_URL is set. Tokens are cached, so this costs no request.
 */
async function clientFor(app: Probot | undefined, context: Context, state: AppState): Promise<EvaluationContext> {
  const installation = (context.payload as { installation?: { id?: unknown } }).installation?.id;
  const gh = app && typeof installation === "number" ? ((await app.auth(installation)) as GitHub) : (context.octokit as GitHub);
  return { gh: state.metrics.instrument(gh), log: context.log, state };
}

/** Comments by the app itself: a bot account, and the app's own login when known. */
function isOwnComment(state: AppState, user: { login: string; type?: string | undefined }): boolean {
  if (user.type !== "Bot") return false;
  return state.botLogin ? user.login.toLowerCase() === state.botLogin.toLowerCase() : false;
}

function skip(context: Context, what: string, error: z.ZodError): void {
  context.log.warn({ issues: error.issues.slice(0, 5) }, `ignored an unexpected ${what}`);
}
