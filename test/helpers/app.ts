import { randomUUID } from "node:crypto";
import webhookExamples from "@octokit/webhooks-examples" with { type: "json" };
import { Probot, ProbotOctokit } from "probot";
import { roleguardApp } from "../../src/app/index.js";
import { newAppState, type AppState } from "../../src/app/state.js";
import type { FakeGitHub, FakePull } from "./fake-github.js";

/**
 * A Probot wired to roleguard, fast retries and no throttling (GITHUB-FACTS.md: only the function form turns it off).
 * `retry: false` turns Octokit's retries off: its scheduler costs ~5 ms a request, which adds up in
 * tests that inject no failures.
 */
export function testProbot(state: AppState = newAppState(), options: { retry?: boolean } = {}): { probot: Probot; state: AppState } {
  const retry = options.retry === false ? { enabled: false } : { retryAfterBaseValue: 1 };
  const probot = new Probot({
    githubToken: "test",
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((octokitOptions: Record<string, unknown>) => ({ ...octokitOptions, retry, throttle: { enabled: false } })),
  });
  void probot.load(roleguardApp(state));
  return { probot, state };
}

type Example = { name: string; examples: Record<string, unknown>[] };

/** A real payload shape from @octokit/webhooks-examples, for the event and action given. */
export function examplePayload(event: string, action: string): Record<string, unknown> {
  const group = (webhookExamples as unknown as Example[]).find((each) => each.name === event);
  const example = group?.examples.find((each) => each.action === action);
  if (!example) throw new Error(`no webhooks example for ${event}.${action}`);
  return structuredClone(example);
}

/** A `pull_request` delivery: the example payload with the fake's repository and PR in it. */
export function pullRequestEvent(fake: FakeGitHub, fullName: string, pull: FakePull, action: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const payload = examplePayload("pull_request", ["labeled", "unlabeled", "reopened", "ready_for_review", "synchronize"].includes(action) ? action : "opened");
  const example = payload.pull_request as Record<string, unknown>;
  return { ...payload, action, repository: { ...(payload.repository as object), ...fake.repositoryPayload(fullName) }, pull_request: { ...example, ...fake.pullPayload(fullName, pull) }, ...extra };
}

export async function deliver(probot: Probot, name: string, payload: Record<string, unknown>, id: string = randomUUID()): Promise<void> {
  await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
}

/** A `check_run` delivery (rerequested, requested_action) for the fake's repository: the run names its PRs by number. */
export function checkRunEvent(
  fake: FakeGitHub,
  fullName: string,
  action: "rerequested" | "requested_action",
  run: { headSha: string; pulls: number[]; identifier?: string; id?: number },
): Record<string, unknown> {
  const payload = examplePayload("check_run", action);
  const example = payload.check_run as Record<string, unknown>;
  return {
    ...payload,
    repository: { ...(payload.repository as object), ...fake.repositoryPayload(fullName) },
    check_run: { ...example, id: run.id ?? 1, name: "roleguard", head_sha: run.headSha, pull_requests: run.pulls.map((number) => pullRef(number)) },
    ...(action === "requested_action" ? { requested_action: { identifier: run.identifier ?? "rerun" } } : {}),
  };
}

/** A `check_suite` delivery (requested, rerequested): a head SHA and the PRs by number. */
export function checkSuiteEvent(fake: FakeGitHub, fullName: string, action: "requested" | "rerequested", headSha: string, pulls: number[]): Record<string, unknown> {
  const payload = examplePayload("check_suite", action);
  const example = payload.check_suite as Record<string, unknown>;
  return {
    ...payload,
    repository: { ...(payload.repository as object), ...fake.repositoryPayload(fullName) },
    check_suite: { ...example, head_sha: headSha, pull_requests: pulls.map((number) => pullRef(number)) },
  };
}

/** The minimal PR reference check payloads carry. */
function pullRef(number: number): Record<string, unknown> {
  return { number, id: number, url: `https://api.github.com/pulls/${number}` };
}

/** A role file: YAML front matter, then a one-line body. */
export function roleMd(front: string, body = "A role written for a test."): string {
  return `---\n${front.trim()}\n---\n\n${body}\n`;
}

/** An `issue_comment` delivery on a PR, from the issue example (webhooks-examples has no PR comment example). */
export function commentEvent(
  fake: FakeGitHub,
  fullName: string,
  pull: FakePull,
  comment: { id: number; body: string; user: { login: string; type: string }; created_at: string },
  action: "created" | "edited" | "deleted" = "created",
  extra: { sender?: { login: string; type: string }; previousBody?: string } = {},
): Record<string, unknown> {
  const payload = examplePayload("issue_comment", action);
  const issue = payload.issue as Record<string, unknown>;
  return {
    ...payload,
    action,
    repository: { ...(payload.repository as object), ...fake.repositoryPayload(fullName) },
    issue: { ...issue, number: pull.number, pull_request: { url: `https://api.github.com/repos/${fullName}/pulls/${pull.number}` } },
    comment: { ...(payload.comment as object), ...comment },
    sender: extra.sender ?? comment.user,
    ...(action === "edited" ? { changes: { body: { from: extra.previousBody ?? "" } } } : {}),
  };
}
