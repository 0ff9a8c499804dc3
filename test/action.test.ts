import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAction } from "../src/action.js";
import { commentEvent, pullRequestEvent } from "./helpers/app.js";
import { FakeGitHub, type FakePull, type Files } from "./helpers/fake-github.js";

/**
 * src/action.ts: one workflow run = one process = one event, from the payload
 * file the runner writes, against the fake GitHub with the workflow's token.
 */
const REPO = "acme/shop";
const SECRET = "0123456789abcdef0123456789abcdef";
const CONFIG = ["assign:", "  - role: gated", '    users: ["*-agent[bot]"]', "approvals:", "  min_permission: write", ""].join("\n");
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [deployment]\n---\nGated.\n";
const BASE: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/gated.md": ROLE, "src/app.ts": "x\n" };
/** Retries and throttling off, as in every app test (GITHUB-FACTS.md: only the function form turns throttling off). */
const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } }));

let fake: FakeGitHub;
let dir: string;
let pull: FakePull;
let out: { stdout: string; stderr: string };

beforeEach(() => {
  nock.disableNetConnect();
  fake = new FakeGitHub();
  fake.botLogin = "github-actions[bot]";
  fake.start();
  fake.repo(REPO, { files: BASE });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  fake.permission(REPO, "erin", "write");
  pull = fake.pull(REPO, { number: 7, author: "backend-agent[bot]", head: { ...BASE, Dockerfile: "FROM node:20\n" } });
  dir = mkdtempSync(join(tmpdir(), "roleguard-action-"));
  out = { stdout: "", stderr: "" };
});

afterEach(() => {
  fake.stop();
  nock.enableNetConnect();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment a runner gives the step, with the event written where GITHUB_EVENT_PATH points. */
function runnerEnv(eventName: string, payload: unknown, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: path,
    GITHUB_TOKEN: "ghs_workflow_token",
    GITHUB_API_URL: "https://api.github.com",
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_ATTEMPT: "1",
    ROLEGUARD_SIGNING_SECRET: SECRET,
    LOG_LEVEL: "fatal",
    ...extra,
  };
}

const run = (env: NodeJS.ProcessEnv) =>
  runAction(env, {
    Octokit,
    stdout: (text) => {
      out.stdout += text;
    },
    stderr: (text) => {
      out.stderr += text;
    },
  });

const runs = () => fake.checkRuns(REPO).filter((each) => each.head_sha === pull.head.sha);
const states = () => Object.fromEntries(fake.report(runs().at(-1)).findings.map((f) => [f.category, f.state]));
const comment = (login: string, body: string) => commentEvent(fake, REPO, pull, fake.comment(REPO, pull.number, login, body));

describe("runAction", () => {
  it("creates the roleguard check run for a pull_request event, with the workflow's token", async () => {
    expect(await run(runnerEnv("pull_request", pullRequestEvent(fake, REPO, pull, "opened")))).toBe(0);
    expect(runs()).toHaveLength(1);
    expect(runs()[0]).toMatchObject({ name: "roleguard", status: "completed", conclusion: "action_required" });
    expect(states()).toEqual({ deployment: "pending" });
    expect(out.stdout).toContain("roleguard handled pull_request.opened (delivery actions-4242.1)");
    expect(out.stderr).toBe("");
  });

  it("treats pull_request_target as pull_request (the workflow from the base branch, the same payload), installation id or not", async () => {
    // A payload may name an installation; with a token Probot's per-installation client keeps using the token.
    expect(await run(runnerEnv("pull_request_target", pullRequestEvent(fake, REPO, pull, "synchronize", { installation: { id: 99 } })))).toBe(0);
    expect(fake.tokensIssued).toEqual([]);
    expect(runs()).toHaveLength(1);
    expect(runs()[0]?.conclusion).toBe("action_required");
  });

  it("keeps a comment approval across runs: each run is a new process, the secret is what they share", async () => {
    await run(runnerEnv("pull_request_target", pullRequestEvent(fake, REPO, pull, "opened")));
    expect(await run(runnerEnv("issue_comment", comment("erin", "/roleguard approve deployment")))).toBe(0);
    expect(states()).toEqual({ deployment: "approved" });
    const record = fake.commentsOf(REPO, pull.number).find((each) => each.body.includes("roleguard-record"));
    expect(record?.user.login).toBe("github-actions[bot]");

    // A later run, a fresh process with the same secret, still counts it.
    expect(await run(runnerEnv("pull_request_target", pullRequestEvent(fake, REPO, pull, "labeled")))).toBe(0);
    expect(states()).toEqual({ deployment: "approved" });
    expect(runs()).toHaveLength(1);

    // With another key (a rotated or missing secret) the record cannot be verified and counts for nothing.
    expect(await run(runnerEnv("pull_request_target", pullRequestEvent(fake, REPO, pull, "labeled"), { ROLEGUARD_SIGNING_SECRET: "" }))).toBe(0);
    expect(states()).toEqual({ deployment: "pending" });
    expect(out.stdout).toContain("::warning title=roleguard::ROLEGUARD_SIGNING_SECRET is not set");
  });

  it("refuses a command without ROLEGUARD_SIGNING_SECRET, saying why, before calling GitHub", async () => {
    await run(runnerEnv("pull_request_target", pullRequestEvent(fake, REPO, pull, "opened")));
    fake.resetCounts();
    const code = await run(runnerEnv("issue_comment", comment("erin", "/roleguard approve deployment"), { ROLEGUARD_SIGNING_SECRET: undefined }));
    expect(code).toBe(2);
    expect(out.stderr).toMatch(/^::error title=roleguard::ROLEGUARD_SIGNING_SECRET is not set, and this comment carries a \/roleguard command/);
    expect(out.stderr).toContain("secrets.ROLEGUARD_SIGNING_SECRET");
    expect(fake.requests).toEqual([]);
  });

  it("lets an ordinary comment through without the secret (nothing to sign)", async () => {
    expect(await run(runnerEnv("issue_comment", comment("erin", "looks good to me"), { ROLEGUARD_SIGNING_SECRET: undefined }))).toBe(0);
    expect(fake.requests).toEqual([]);
  });

  it("fails with a clear message when GITHUB_EVENT_PATH is missing", async () => {
    const env = runnerEnv("pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    delete env.GITHUB_EVENT_PATH;
    expect(await run(env)).toBe(2);
    expect(out.stderr).toBe("::error title=roleguard::GITHUB_EVENT_PATH is not set: the runner sets it to the event's payload file; run roleguard as a GitHub Actions step\n");
    expect(fake.requests).toEqual([]);
  });

  it("fails with a clear message when the payload file cannot be read or the token is missing", async () => {
    expect(await run(runnerEnv("pull_request", {}, { GITHUB_EVENT_PATH: join(dir, "missing.json") }))).toBe(2);
    expect(out.stderr).toContain(`GITHUB_EVENT_PATH (${join(dir, "missing.json")}) could not be read as JSON: ENOENT`);
    expect(await run(runnerEnv("pull_request", {}, { GITHUB_TOKEN: "" }))).toBe(2);
    expect(out.stderr).toContain("GITHUB_TOKEN is not set: add `env: GITHUB_TOKEN: ${{ github.token }}` to the step");
    expect(await run(runnerEnv("pull_request", {}, { ROLEGUARD_SIGNING_SECRET: "short" }))).toBe(2);
    expect(out.stderr).toContain("ROLEGUARD_SIGNING_SECRET is too short (5 characters)");
  });

  it("names the events it handles when started by another", async () => {
    expect(await run(runnerEnv("push", { ref: "refs/heads/main" }))).toBe(2);
    expect(out.stderr).toContain('event "push" is not handled: trigger the workflow on pull_request, pull_request_target, pull_request_review, issue_comment');
  });

  it("exits 1 with the handler's error when the handler throws (Probot's AggregateError, unwrapped)", async () => {
    await run(runnerEnv("pull_request_target", pullRequestEvent(fake, REPO, pull, "opened")));
    fake.fail(/^GET \/repos\/acme\/shop\/pulls\/7$/, 500);
    expect(await run(runnerEnv("issue_comment", comment("erin", "/roleguard check")))).toBe(1);
    expect(out.stderr).toMatch(/^::error title=roleguard::roleguard failed on issue_comment\.created: injected 500/m);
  });
});
