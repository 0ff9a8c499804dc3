import type { ApplicationFunction, Context, Probot } from "probot";
import { z } from "zod";
import type { GitHub } from "../sources/github/client.js";
import { evaluatePullRequest, RERUN_ACTION } from "./evaluate-pr.js";
import { PullRequestSchema, pullRequestInfo, repoRefOf, RepositorySchema } from "./payload.js";
import { newAppState, type AppState } from "./state.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.ready_for_review",
  "pull_request.edited",
  "pull_request.labeled",
  "pull_request.unlabeled",
] as const;

const PullRequestEventSchema = z.object({
  action: z.string(),
  repository: RepositorySchema,
  pull_request: PullRequestSchema,
  changes: z.object({ base: z.unknown().optional() }).loose().optional(),
});

/** check_run and check_suite payloads name their PRs only by number and SHAs. */
const ChecksEventSchema = z.object({
  repository: RepositorySchema,
  head_sha: z.string(),
  pull_requests: z.array(z.object({ number: z.number().int().positive() }).loose()).default([]),
});

/**
 * The Probot app: events in, evaluations out. Wiring only; every behaviour
 * lives in a named module with its own tests.
 */
export function roleguardApp(state: AppState = newAppState()): ApplicationFunction {
  return (app: Probot) => {
    app.on([...PULL_REQUEST_EVENTS], async (context) => {
      const payload = PullRequestEventSchema.safeParse(context.payload);
      if (!payload.success) return skip(context, "pull_request payload", payload.error);
      const { action, changes } = payload.data;
      // An edit of the title or body does not change what the PR touches; a new base does.
      if (action === "edited" && changes?.base === undefined) return;
      const knownNew = action === "opened" || action === "synchronize";
      await evaluatePullRequest(
        { gh: context.octokit as GitHub, log: context.log, state },
        repoRefOf(payload.data.repository),
        pullRequestInfo(payload.data.pull_request),
        { knownNew },
      );
    });

    app.on(["check_run.rerequested", "check_run.requested_action"], async (context) => {
      if (context.payload.action === "requested_action" && context.payload.requested_action?.identifier !== RERUN_ACTION.identifier) return;
      const parsed = ChecksEventSchema.safeParse({ ...context.payload.check_run, repository: context.payload.repository });
      if (!parsed.success) return skip(context, "check_run payload", parsed.error);
      await reevaluate(context, state, parsed.data);
    });

    app.on(["check_suite.requested", "check_suite.rerequested"], async (context) => {
      const parsed = ChecksEventSchema.safeParse({ ...context.payload.check_suite, repository: context.payload.repository });
      if (!parsed.success) return skip(context, "check_suite payload", parsed.error);
      await reevaluate(context, state, parsed.data);
    });
  };
}

/** Fetches each PR the check names (the payload carries too little) and evaluates those still at that SHA. */
async function reevaluate(context: Context, state: AppState, event: z.infer<typeof ChecksEventSchema>): Promise<void> {
  const repo = repoRefOf(event.repository);
  const gh = context.octokit as GitHub;
  for (const { number } of event.pull_requests) {
    const { data } = await gh.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number });
    const pr = PullRequestSchema.safeParse(data);
    if (!pr.success) {
      skip(context, `pull request #${number}`, pr.error);
      continue;
    }
    if (pr.data.head.sha !== event.head_sha || pr.data.state === "closed") continue;
    await evaluatePullRequest({ gh, log: context.log, state }, repo, pullRequestInfo(pr.data));
  }
}

function skip(context: Context, what: string, error: z.ZodError): void {
  context.log.warn({ issues: error.issues.slice(0, 5) }, `ignored an unexpected ${what}`);
}
