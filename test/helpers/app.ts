import { randomUUID } from "node:crypto";
import webhookExamples from "@octokit/webhooks-examples" with { type: "json" };
import { Probot, ProbotOctokit } from "probot";
import { roleguardApp } from "../../src/app/index.js";
import { newAppState, type AppState } from "../../src/app/state.js";
import type { FakeGitHub, FakePull } from "./fake-github.js";

/** A Probot wired to roleguard, fast retries and no throttling (GITHUB-FACTS.md: only the function form turns it off). */
export function testProbot(state: AppState = newAppState()): { probot: Probot; state: AppState } {
  const probot = new Probot({
    githubToken: "test",
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { retryAfterBaseValue: 1 }, throttle: { enabled: false } })),
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
