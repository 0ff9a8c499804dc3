import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Probot, type ProbotOctokit } from "probot";
import { roleguardApp } from "./app/index.js";
import { newAppState } from "./app/state.js";
import { hasCommands } from "./approvals/commands.js";
import { isLedgerComment } from "./approvals/ledger.js";

/**
 * roleguard as a step of a GitHub Actions workflow, for teams that will not
 * host the app: the same Probot app, fed the one event the workflow run was
 * started by (GITHUB_EVENT_NAME + the payload file at GITHUB_EVENT_PATH) and
 * authenticated with the workflow's token instead of an app installation.
 *
 *   node dist/action.js
 *
 * Environment (set by the runner unless noted):
 * - GITHUB_EVENT_NAME, GITHUB_EVENT_PATH: the event and its payload. Required.
 * - GITHUB_TOKEN: pass `${{ github.token }}` (or an app installation token) in
 *   the step's `env`; the runner does not export it by itself. Required.
 * - GITHUB_API_URL: REST base URL (GitHub Enterprise Server too); default https://api.github.com.
 * - ROLEGUARD_SIGNING_SECRET: signs the approvals record roleguard keeps in a
 *   PR comment (see below). Required for runs that handle `/roleguard` commands.
 * - ROLEGUARD_BOT_LOGIN: who the token posts comments as; default
 *   `github-actions[bot]` (set `<app-slug>[bot]` when the token is an app's).
 * - LOG_LEVEL: Probot's log level; default info.
 *
 * Why a secret: approvals and overrides given by comment are recorded in one
 * comment the bot edits, signed with an HMAC. Anyone with write access can
 * edit any comment, so without a key only the workflow knows, a collaborator
 * could rewrite the record to approve their own PR. Every run is a new
 * process, so the key must come from a repository or organisation secret that
 * stays the same from run to run. Runs without it still evaluate (approving
 * reviews count), but a recorded approval cannot be verified and counts for
 * nothing; a run that would record one refuses to start.
 */

/** What the app subscribes to, by workflow event name. `pull_request_target` carries a `pull_request` payload. */
export const ACTION_EVENTS: Readonly<Record<string, string>> = {
  pull_request: "pull_request",
  pull_request_target: "pull_request",
  pull_request_review: "pull_request_review",
  issue_comment: "issue_comment",
};

export const EXIT_ACTION = { ok: 0, failed: 1, setup: 2 } as const;

/** The login GitHub shows for comments posted with a workflow's GITHUB_TOKEN. */
export const ACTIONS_BOT_LOGIN = "github-actions[bot]";

/** Shorter than this is a placeholder, not a key. */
const MIN_SECRET_LENGTH = 16;
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

export interface ActionOptions {
  /** Where messages for the workflow log go (workflow commands such as `::error::` included). */
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** The Octokit class Probot builds its clients from (tests turn retries and throttling off). */
  Octokit?: typeof ProbotOctokit;
}

class SetupError extends Error {}

/**
 * Handles the event this workflow run was started by and returns the exit
 * code: 0 when the handler finished (the verdict is on the `roleguard` check
 * run, not in the exit code), 1 when it failed, 2 when the environment is
 * incomplete. Never calls process.exit.
 */
export async function runAction(env: NodeJS.ProcessEnv = process.env, options: ActionOptions = {}): Promise<number> {
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const fail = (message: string) => stderr(`${workflowCommand("error", message)}\n`);

  let event: { name: string; payload: Record<string, unknown>; secret: string; token: string; baseUrl: string; logLevel: LogLevel };
  try {
    event = readEnvironment(env);
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    fail(error.message);
    return EXIT_ACTION.setup;
  }
  if (!event.secret) {
    stdout(`${workflowCommand("warning", "ROLEGUARD_SIGNING_SECRET is not set: approvals recorded by /roleguard commands cannot be verified in this run and count for nothing (approving reviews still count). Set it from a repository or organisation secret.")}\n`);
  }

  const probot = new Probot({
    githubToken: event.token,
    baseUrl: event.baseUrl,
    logLevel: event.logLevel,
    ...(options.Octokit ? { Octokit: options.Octokit } : {}),
  });
  const state = newAppState({
    // No secret: a key nobody knows, so an existing record fails its signature (fail closed) instead of trusting a default.
    secret: event.secret || randomBytes(32).toString("hex"),
    botLogin: env.ROLEGUARD_BOT_LOGIN?.trim() || ACTIONS_BOT_LOGIN,
  });
  const id = env.GITHUB_RUN_ID ? `actions-${env.GITHUB_RUN_ID}.${env.GITHUB_RUN_ATTEMPT ?? "1"}` : randomUUID();
  const action = typeof event.payload.action === "string" ? `.${event.payload.action}` : "";
  try {
    await probot.load(roleguardApp(state));
    await probot.receive({ id, name: event.name, payload: event.payload } as Parameters<Probot["receive"]>[0]);
  } catch (error) {
    const causes = error instanceof AggregateError && error.errors.length > 0 ? error.errors : [error];
    for (const cause of causes) fail(`roleguard failed on ${event.name}${action}: ${messageOf(cause)}`);
    if (env.RUNNER_DEBUG === "1") for (const cause of causes) stderr(`${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`);
    return EXIT_ACTION.failed;
  }
  stdout(`roleguard handled ${event.name}${action} (delivery ${id})\n`);
  return EXIT_ACTION.ok;
}

function readEnvironment(env: NodeJS.ProcessEnv) {
  const required = (name: string, hint: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new SetupError(`${name} is not set: ${hint}`);
    return value;
  };
  const workflowEvent = required("GITHUB_EVENT_NAME", "run roleguard as a GitHub Actions step (the runner sets it)");
  const name = ACTION_EVENTS[workflowEvent];
  if (!name) {
    throw new SetupError(`event "${workflowEvent}" is not handled: trigger the workflow on ${Object.keys(ACTION_EVENTS).join(", ")}`);
  }
  const path = required("GITHUB_EVENT_PATH", "the runner sets it to the event's payload file; run roleguard as a GitHub Actions step");
  const token = required("GITHUB_TOKEN", "add `env: GITHUB_TOKEN: ${{ github.token }}` to the step, with permissions checks: write, pull-requests: write, issues: write, contents: read");

  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SetupError(`GITHUB_EVENT_PATH (${path}) could not be read as JSON: ${messageOf(error)}`);
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) throw new SetupError(`GITHUB_EVENT_PATH (${path}) does not hold an event payload object`);

  const secret = env.ROLEGUARD_SIGNING_SECRET?.trim() ?? "";
  if (secret && secret.length < MIN_SECRET_LENGTH) {
    throw new SetupError(`ROLEGUARD_SIGNING_SECRET is too short (${secret.length} characters): use at least 32 random characters, e.g. \`openssl rand -hex 32\``);
  }
  if (!secret && name === "issue_comment" && touchesApprovals(payload as Record<string, unknown>)) {
    throw new SetupError(
      "ROLEGUARD_SIGNING_SECRET is not set, and this comment carries a /roleguard command or touches the approvals record. " +
        "roleguard signs that record so that nobody with write access can edit it into an approval; each workflow run is a new process, " +
        "so the key must come from a secret: create one (e.g. `openssl rand -hex 32`) and pass `ROLEGUARD_SIGNING_SECRET: ${{ secrets.ROLEGUARD_SIGNING_SECRET }}` in the step's env",
    );
  }

  const level = (env.LOG_LEVEL?.trim().toLowerCase() || "info") as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new SetupError(`LOG_LEVEL "${env.LOG_LEVEL}" is not one of ${LOG_LEVELS.join(", ")}`);
  const baseUrl = (env.GITHUB_API_URL?.trim() || "https://api.github.com").replace(/\/+$/, "");
  return { name, payload: payload as Record<string, unknown>, secret, token, baseUrl, logLevel: level };
}

/** A PR comment that is, or was, a command or the approvals record. */
function touchesApprovals(payload: Record<string, unknown>): boolean {
  const { issue, comment, changes } = payload as { issue?: { pull_request?: unknown }; comment?: { body?: string | null }; changes?: { body?: { from?: string } } };
  if (!issue?.pull_request) return false;
  const bodies = [comment?.body, changes?.body?.from];
  return bodies.some((body) => hasCommands(body) || isLedgerComment(body));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `::error::message` with the escaping the runner expects, so a multi-line message stays one annotation. */
function workflowCommand(command: "error" | "warning" | "notice", message: string): string {
  const data = message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  return `::${command} title=roleguard::${data}`;
}

/** `node dist/action.js` (also through a symlink), not an import. */
function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) process.exitCode = await runAction();
