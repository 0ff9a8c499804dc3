/**
 * One write per verdict (SPEC §5): a verdict ready within IN_PROGRESS_AFTER_MS
 * creates its check run already completed; only a slower evaluation shows
 * `in_progress` first, and its completion updates that same run. Review
 * requests follow the check.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IN_PROGRESS_AFTER_MS } from "../../src/app/evaluate-pr.js";
import { checkRunEvent, deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { startFakeGitHub, stopFakeGitHub, type FakeGitHub, type Files } from "../helpers/fake-github.js";

const REPO = "acme/shop";
const GUARDED = roleMd(["role: guarded", "constraints:", "  requires_approval_for: [database_migrations]"].join("\n"));
const CONFIG = ["assign:", "  - role: guarded", '    users: ["*-agent[bot]"]', "categories:", "  database_migrations:", '    approvers: { users: ["alice"] }', ""].join("\n");
const BASE: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/guarded.md": GUARDED, "src/app.ts": "export const app = 1;\n" };
const MIGRATION: Files = { ...BASE, "db/migrations/001.sql": "create table t();\n" };

let fake: FakeGitHub;

/** The check-run writes and review requests, in the order GitHub received them. */
const writes = () =>
  fake.requests
    .filter((request) => request.method !== "GET")
    .map((request) => `${request.method} ${request.path.replace(/\/check-runs\/\d+$/, "/check-runs/:id")} ${request.status}${request.checkStatus ? ` ${request.checkStatus}` : ""}`);

describe("one write per verdict (SPEC §5)", () => {
  beforeEach(() => {
    fake = startFakeGitHub();
    fake.repo(REPO, { files: BASE });
    fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  });

  afterEach(() => stopFakeGitHub(fake));

  it("a quick verdict is one create of a completed run, and the review request comes after it", async () => {
    const pull = fake.pull(REPO, { number: 7, author: "ops-agent[bot]", head: MIGRATION });
    await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    expect(writes()).toEqual(["POST /repos/acme/shop/check-runs 201 completed", "POST /repos/acme/shop/pulls/7/requested_reviewers 201"]);
    expect(fake.checkRuns(REPO)).toEqual([expect.objectContaining({ status: "completed", conclusion: "action_required", updates: 0 })]);
    expect(fake.reviewRequests).toEqual([{ repo: REPO, pull: 7, reviewers: ["alice"], teams: [] }]);
  });

  it(
    "a slow evaluation marks the run in progress first, then completes that same run",
    async () => {
      const pull = fake.pull(REPO, { number: 7, author: "ops-agent[bot]", head: MIGRATION });
      // The PR's files take longer than the budget: the in-progress write goes out while they are awaited.
      fake.delay(/^GET \/repos\/acme\/shop\/pulls\/7\/files$/, IN_PROGRESS_AFTER_MS + 300);
      await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      expect(writes()).toEqual(["POST /repos/acme/shop/check-runs 201 in_progress", "PATCH /repos/acme/shop/check-runs/:id 200 completed", "POST /repos/acme/shop/pulls/7/requested_reviewers 201"]);
      expect(fake.checkRuns(REPO)).toEqual([expect.objectContaining({ status: "completed", conclusion: "action_required", updates: 1 })]);
      const routes = fake.requests.map((request) => `${request.method} ${request.path}`);
      expect(routes.indexOf("POST /repos/acme/shop/check-runs")).toBeLessThan(routes.indexOf("GET /repos/acme/shop/pulls/7/files"));
    },
    IN_PROGRESS_AFTER_MS + 10_000,
  );

  it(
    "a slow re-evaluation of a judged head marks its one run in progress, then completes it",
    async () => {
      const { probot } = testProbot(undefined, { retry: false });
      const pull = fake.pull(REPO, { number: 7, author: "ops-agent[bot]", head: MIGRATION });
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      fake.resetCounts();
      fake.delay(/^GET \/repos\/acme\/shop\/pulls\/7\/files$/, IN_PROGRESS_AFTER_MS + 300);
      await deliver(probot, "check_run", checkRunEvent(fake, REPO, "requested_action", { headSha: pull.head.sha, pulls: [7] }));
      expect(writes()).toEqual(["PATCH /repos/acme/shop/check-runs/:id 200 in_progress", "PATCH /repos/acme/shop/check-runs/:id 200 completed"]);
      expect(fake.checkRuns(REPO)).toEqual([expect.objectContaining({ status: "completed", conclusion: "action_required", updates: 2 })]);
    },
    IN_PROGRESS_AFTER_MS + 10_000,
  );

  it("an evaluation that fails quickly creates its run once, completed as failure", async () => {
    fake.fail(/^GET \/repos\/acme\/shop\/pulls\/7\/files$/, 404, 1);
    const pull = fake.pull(REPO, { number: 7, author: "ops-agent[bot]", head: MIGRATION });
    await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    expect(writes()).toEqual(["POST /repos/acme/shop/check-runs 201 completed"]);
    expect(fake.checkRuns(REPO)).toEqual([expect.objectContaining({ status: "completed", conclusion: "failure", updates: 0 })]);
    expect(fake.checkRuns(REPO)[0]?.output?.title).toMatch(/^could not evaluate: .*; comment \/roleguard check to retry$/);
  });

  it(
    "an evaluation that fails slowly completes the run it marked in progress",
    async () => {
      fake.fail(/^GET \/repos\/acme\/shop\/pulls\/7\/files$/, 404, 1);
      fake.delay(/^GET \/repos\/acme\/shop\/pulls\/7\/files$/, IN_PROGRESS_AFTER_MS + 300);
      const pull = fake.pull(REPO, { number: 7, author: "ops-agent[bot]", head: MIGRATION });
      await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      expect(writes()).toEqual(["POST /repos/acme/shop/check-runs 201 in_progress", "PATCH /repos/acme/shop/check-runs/:id 200 completed"]);
      expect(fake.checkRuns(REPO)).toEqual([expect.objectContaining({ status: "completed", conclusion: "failure", updates: 1 })]);
    },
    IN_PROGRESS_AFTER_MS + 10_000,
  );

  it("a reviewer GitHub refuses is added to the summary in one more update of the same run", async () => {
    fake.unrequestable.add("alice");
    const pull = fake.pull(REPO, { number: 7, author: "ops-agent[bot]", head: MIGRATION });
    await deliver(testProbot(undefined, { retry: false }).probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    expect(writes()).toEqual(["POST /repos/acme/shop/check-runs 201 completed", "POST /repos/acme/shop/pulls/7/requested_reviewers 422", "PATCH /repos/acme/shop/check-runs/:id 200 completed"]);
    expect(fake.checkRuns(REPO)).toHaveLength(1);
    expect(fake.checkRuns(REPO)[0]?.output?.summary).toContain("Review not requested from @alice");
  });
});
