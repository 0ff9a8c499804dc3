/**
 * Which deliveries evaluate a PR (SPEC §8), how the one check run per head SHA
 * survives duplicate deliveries (SPEC §5), what a transient GitHub error does
 * (SPEC §10), what an evaluation costs in requests (GITHUB-FACTS.md: 304s are
 * free), and that malformed payloads are ignored without a request.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkRunEvent, checkSuiteEvent, deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakePull, type Files } from "../helpers/fake-github.js";

/** No Octokit retries where nothing injects a failure: its scheduler costs ~5 ms a request. */
const quickProbot = () => testProbot(undefined, { retry: false });

let fake: FakeGitHub;

describe("app events", () => {
  const REPO = "acme/shop";
  const CONFIG = ["assign:", "  - role: guarded", '    users: ["*-agent[bot]"]', ""].join("\n");
  const GUARDED = roleMd(["role: guarded", "constraints:", '  forbidden_paths: ["secrets/"]', "  requires_approval_for: [database_migrations]"].join("\n"));
  const BASE: Files = {
    ".github/roleguard.yml": CONFIG,
    ".github/roles/guarded.md": GUARDED,
    "src/app.ts": "export const app = 1;\n",
  };
  const MIGRATION: Files = { ...BASE, "db/migrations/001_init.sql": "create table t (id int);\n" };
  const PENDING_TITLE = "1 approval needed: database_migrations";

  beforeEach(() => {
    fake = startFakeGitHub();
    fake.repo(REPO, { files: BASE });
    fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  });

  afterEach(() => stopFakeGitHub(fake));

  const openPull = (number = 7, head: Files = MIGRATION): FakePull => fake.pull(REPO, { number, author: "ops-agent[bot]", head });
  const runsFor = (sha: string) => fake.checkRuns(REPO).filter((run) => run.head_sha === sha);
  const routes = () => fake.requests.map((request) => `${request.method} ${request.path}`);

  describe("pull_request events that evaluate (SPEC §8)", () => {
    it.each(["opened", "reopened", "synchronize", "ready_for_review", "labeled", "unlabeled"])("%s posts the verdict on the head SHA", async (action) => {
      const { probot } = quickProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, action));
      const runs = fake.checkRuns(REPO);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ name: "roleguard", head_sha: pull.head.sha, status: "completed", conclusion: "action_required" });
      expect(runs[0]?.output?.title).toBe(PENDING_TITLE);
      expect(fake.report(runs[0]).findings.map((f) => `${f.category} ${f.path} ${f.state}`)).toEqual(["database_migrations db/migrations/001_init.sql pending"]);
    });

    it("edited with a new base evaluates", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "edited", { changes: { base: { ref: { from: "develop" }, sha: { from: "0".repeat(40) } } } }));
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(fake.checkRuns(REPO)[0]).toMatchObject({ head_sha: pull.head.sha, conclusion: "action_required" });
    });

    it.each([
      ["the title", { title: { from: "old title" } }],
      ["the body", { body: { from: "old body" } }],
      ["title and body", { title: { from: "a" }, body: { from: "b" } }],
    ])("edited (%s only) does not evaluate: not a single request", async (_what, changes) => {
      const { probot } = quickProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "edited", { changes }));
      expect(fake.checkRuns(REPO)).toEqual([]);
      expect(fake.requests).toEqual([]);
    });

    it("synchronize after a push evaluates the new head and leaves the old head's run alone", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      const firstSha = pull.head.sha;
      fake.push(REPO, 7, { ...MIGRATION, "secrets/token.txt": "x\n" });
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
      expect(runsFor(firstSha)).toHaveLength(1);
      expect(runsFor(firstSha)[0]).toMatchObject({ conclusion: "action_required", updates: 0 });
      expect(runsFor(pull.head.sha)).toHaveLength(1);
      expect(runsFor(pull.head.sha)[0]).toMatchObject({ conclusion: "failure" });
      expect(runsFor(pull.head.sha)[0]?.output?.title).toBe("1 forbidden change: secrets/token.txt; 1 approval needed: database_migrations");
    });
  });

  describe("check_run events (SPEC §8)", () => {
    it("rerequested re-evaluates the PR the run names and updates the same run", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      const run = fake.checkRuns(REPO)[0]!;
      // Main's policy now forbids db/: only a re-evaluation can know.
      fake.commit(REPO, "main", { ...BASE, ".github/roles/guarded.md": GUARDED.replace('["secrets/"]', '["secrets/", "db/"]') });
      fake.resetCounts();
      await deliver(probot, "check_run", checkRunEvent(fake, REPO, "rerequested", { headSha: pull.head.sha, pulls: [7], id: run.id }));
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(run).toMatchObject({ conclusion: "failure", updates: 1 });
      expect(run.output?.title).toBe("1 forbidden change: db/migrations/001_init.sql; 1 approval needed: database_migrations");
      expect(routes()).toContain("GET /repos/acme/shop/pulls/7");
    });

    it("rerequested with no memory of the run (another process) finds it by SHA and updates it", async () => {
      const pull = openPull();
      await deliver(quickProbot().probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      await deliver(quickProbot().probot, "check_run", checkRunEvent(fake, REPO, "rerequested", { headSha: pull.head.sha, pulls: [7] }));
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(fake.checkRuns(REPO)[0]).toMatchObject({ conclusion: "action_required", updates: 1 });
      expect(routes()).toContain(`GET /repos/acme/shop/commits/${pull.head.sha}/check-runs`);
    });

    it("requested_action `rerun` re-evaluates", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      const run = fake.checkRuns(REPO)[0]!;
      await deliver(probot, "check_run", checkRunEvent(fake, REPO, "requested_action", { headSha: pull.head.sha, pulls: [7], identifier: "rerun", id: run.id }));
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(run).toMatchObject({ conclusion: "action_required", updates: 1 });
    });

    it("requested_action with another identifier does nothing", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      await deliver(probot, "check_run", checkRunEvent(fake, REPO, "requested_action", { headSha: pull.head.sha, pulls: [7], identifier: "lgtm|26764" }));
      expect(fake.requests).toEqual([]);
      expect(fake.checkRuns(REPO)).toEqual([]);
    });
  });

  describe("check_suite events (SPEC §8)", () => {
    it.each(["requested", "rerequested"] as const)("%s fetches each listed PR and evaluates those still at the suite's SHA", async (action) => {
      const { probot } = quickProbot();
      const current = openPull(7);
      const movedOn = openPull(8, { ...MIGRATION, "src/eight.ts": "8\n" });
      const suiteSha = current.head.sha;
      const stale = movedOn.head.sha;
      // PR 8 was at another SHA; the suite is for PR 7's head.
      await deliver(probot, "check_suite", checkSuiteEvent(fake, REPO, action, suiteSha, [7, 8]));
      expect(routes()).toEqual(expect.arrayContaining(["GET /repos/acme/shop/pulls/7", "GET /repos/acme/shop/pulls/8"]));
      expect(fake.checkRuns(REPO).map((run) => run.head_sha)).toEqual([suiteSha]);
      expect(runsFor(suiteSha)[0]).toMatchObject({ conclusion: "action_required" });
      expect(runsFor(stale)).toEqual([]);
    });

    it("skips a PR whose head moved on after the suite was requested", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      const oldSha = pull.head.sha;
      fake.push(REPO, 7, { ...MIGRATION, "src/more.ts": "more\n" });
      await deliver(probot, "check_suite", checkSuiteEvent(fake, REPO, "requested", oldSha, [7]));
      expect(fake.checkRuns(REPO)).toEqual([]);
      expect(routes()).toEqual(["GET /repos/acme/shop/pulls/7"]);
    });

    it("skips a closed PR", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      pull.state = "closed";
      await deliver(probot, "check_suite", checkSuiteEvent(fake, REPO, "requested", pull.head.sha, [7]));
      expect(fake.checkRuns(REPO)).toEqual([]);
    });
  });

  describe("one check run per head SHA (SPEC §5)", () => {
    it("the same opened delivered twice in a row updates the one run", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      const payload = pullRequestEvent(fake, REPO, pull, "opened");
      await deliver(probot, "pull_request", payload, "delivery-1");
      await deliver(probot, "pull_request", payload, "delivery-1");
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(fake.checkRuns(REPO)[0]).toMatchObject({ head_sha: pull.head.sha, conclusion: "action_required", updates: 1 });
      expect(fake.requests.filter((request) => request.method === "POST" && request.path.endsWith("/check-runs"))).toHaveLength(1);
    });

    it("the same opened delivered twice at once still creates one run", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      const payload = pullRequestEvent(fake, REPO, pull, "opened");
      await Promise.all([deliver(probot, "pull_request", payload, "delivery-2"), deliver(probot, "pull_request", payload, "delivery-2")]);
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(fake.checkRuns(REPO)[0]).toMatchObject({ conclusion: "action_required", updates: 1 });
    });

    it("a check_suite.requested for a SHA the app just evaluated costs nothing and leaves the one run as it is", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      fake.resetCounts();
      await deliver(probot, "check_suite", checkSuiteEvent(fake, REPO, "requested", pull.head.sha, [7]));
      expect(fake.requests).toEqual([]);
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(fake.checkRuns(REPO)[0]).toMatchObject({ conclusion: "action_required", updates: 0 });
    });

    it("check_suite.rerequested for a judged SHA re-evaluates and updates the same run", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      await deliver(probot, "check_suite", checkSuiteEvent(fake, REPO, "rerequested", pull.head.sha, [7]));
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(fake.checkRuns(REPO)[0]).toMatchObject({ conclusion: "action_required", updates: 1 });
    });

    it("opened and check_suite.requested for the same SHA at once still make one run", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      await Promise.all([
        deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened")),
        deliver(probot, "check_suite", checkSuiteEvent(fake, REPO, "requested", pull.head.sha, [7])),
      ]);
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(fake.checkRuns(REPO)[0]).toMatchObject({ conclusion: "action_required", updates: 1 });
    });

    it("a check_suite.requested seen by a process that never saw the run finds and updates it", async () => {
      const pull = openPull();
      await deliver(quickProbot().probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      await deliver(quickProbot().probot, "check_suite", checkSuiteEvent(fake, REPO, "requested", pull.head.sha, [7]));
      expect(fake.checkRuns(REPO)).toHaveLength(1);
    });

    it("an opened redelivered to a restarted app (no memory) still updates the one run", async () => {
      // GitHub's "Redeliver" to a restarted process: same SHA, no memory, and the original payload,
      // whose updated_at is as old as the first delivery.
      const pull = openPull();
      const payload = pullRequestEvent(fake, REPO, pull, "opened");
      (payload.pull_request as Record<string, unknown>).updated_at = new Date(Date.now() - 10 * 60_000).toISOString();
      await deliver(quickProbot().probot, "pull_request", payload, "delivery-3");
      await deliver(quickProbot().probot, "pull_request", payload, "delivery-3");
      expect(fake.checkRuns(REPO).map((run) => run.head_sha)).toEqual([pull.head.sha]);
    });

    it("a new push gets its own run", async () => {
      const { probot } = quickProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      const first = pull.head.sha;
      fake.push(REPO, 7, { ...MIGRATION, "src/app.ts": "export const app = 2;\n" });
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
      expect(fake.checkRuns(REPO).map((run) => run.head_sha)).toEqual([first, pull.head.sha]);
      expect(fake.checkRuns(REPO).map((run) => run.conclusion)).toEqual(["action_required", "action_required"]);
    });
  });

  describe("transient GitHub errors (SPEC §10)", () => {
    const baseline = async (): Promise<{ title: string | undefined; conclusion: string | undefined; findings: unknown }> => {
      const { probot } = testProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      const run = fake.checkRuns(REPO)[0];
      return { title: run?.output?.title, conclusion: run?.conclusion, findings: fake.report(run).findings };
    };

    it.each([
      ["the PR's files", /^GET \/repos\/acme\/shop\/pulls\/7\/files$/, [502, 200]],
      ["the default branch's tree", /^GET \/repos\/acme\/shop\/git\/trees\/main$/, [502, 200]],
      // The verdict is ready within IN_PROGRESS_AFTER_MS: the run is created once, already completed.
      ["creating the completed check run", /^POST \/repos\/acme\/shop\/check-runs$/, [502, 201]],
    ])("one 502 on %s is retried; the check run is the same as without it", async (_what, route, statuses) => {
      fake.fail(route, 502, 1);
      const observed = await baseline();
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(observed).toEqual({
        title: PENDING_TITLE,
        conclusion: "action_required",
        findings: [expect.objectContaining({ category: "database_migrations", path: "db/migrations/001_init.sql", state: "pending" })],
      });
      expect(fake.requests.filter((request) => route.test(`${request.method} ${request.path}`)).map((request) => request.status)).toEqual(statuses);
    });

    it("one 502 on updating the run of a head evaluated again is retried; still one run", async () => {
      const { probot } = testProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      fake.fail(/^PATCH \/repos\/acme\/shop\/check-runs\/\d+$/, 502, 1);
      await deliver(probot, "check_run", checkRunEvent(fake, REPO, "requested_action", { headSha: pull.head.sha, pulls: [7] }));
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(fake.checkRuns(REPO)[0]).toMatchObject({ conclusion: "action_required", updates: 1 });
      expect(fake.requests.filter((request) => request.path.endsWith("/check-runs") || /\/check-runs\/\d+$/.test(request.path)).map((request) => `${request.method} ${request.status}`)).toEqual(["POST 201", "PATCH 502", "PATCH 200"]);
    });

    it("a call that keeps failing completes the check as failure, saying how to retry", async () => {
      fake.fail(/^GET \/repos\/acme\/shop\/pulls\/\d+\/files$/, 502, 5);
      const { probot } = testProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      const runs = fake.checkRuns(REPO);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ head_sha: pull.head.sha, status: "completed", conclusion: "failure" });
      expect(runs[0]?.output?.title).toMatch(/^could not evaluate: /);
      expect(runs[0]?.output?.title).toContain("/roleguard check");
      expect(runs[0]?.output?.title).toBe("could not evaluate: GitHub answered 502: injected 502; comment /roleguard check to retry");
      expect(runs[0]?.output?.summary).toContain("`/roleguard check`");
      expect(runs[0]?.actions).toEqual([{ label: "Re-run", description: "Evaluate this commit again", identifier: "rerun" }]);
      // Octokit's retry: the first attempt and three retries, then the evaluation gives up.
      expect(fake.requests.filter((request) => /\/pulls\/7\/files$/.test(request.path)).map((request) => request.status)).toEqual([502, 502, 502, 502]);
    });

    it("after a failed evaluation, /roleguard check's Re-run completes the same run with the real verdict", async () => {
      fake.fail(/^GET \/repos\/acme\/shop\/pulls\/\d+\/files$/, 502, 4);
      const { probot } = testProbot();
      const pull = openPull();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
      expect(fake.checkRuns(REPO)[0]?.conclusion).toBe("failure");
      await deliver(probot, "check_run", checkRunEvent(fake, REPO, "requested_action", { headSha: pull.head.sha, pulls: [7] }));
      expect(fake.checkRuns(REPO)).toHaveLength(1);
      expect(fake.checkRuns(REPO)[0]).toMatchObject({ conclusion: "action_required" });
      expect(fake.checkRuns(REPO)[0]?.output?.title).toBe(PENDING_TITLE);
    });
  });

  describe("unexpected payloads", () => {
    const malformed = (mutate: (pr: Record<string, unknown>) => void) => {
      const pull = openPull();
      const payload = pullRequestEvent(fake, REPO, pull, "opened");
      mutate(payload.pull_request as Record<string, unknown>);
      return payload;
    };

    it.each([
      ["missing head.sha", (pr: Record<string, unknown>) => void delete (pr.head as Record<string, unknown>).sha],
      ["a non-numeric number", (pr: Record<string, unknown>) => void (pr.number = "seven")],
      ["no head at all", (pr: Record<string, unknown>) => void delete pr.head],
      ["a head.sha that is not a SHA", (pr: Record<string, unknown>) => void ((pr.head as Record<string, unknown>).sha = "main")],
    ])("a pull_request with %s is ignored: no throw, no request", async (_what, mutate) => {
      const { probot } = quickProbot();
      const payload = malformed(mutate);
      await expect(deliver(probot, "pull_request", payload)).resolves.toBeUndefined();
      expect(fake.requests).toEqual([]);
      expect(fake.checkRuns(REPO)).toEqual([]);
    });

    it("a check_suite without a head_sha is ignored", async () => {
      const { probot } = quickProbot();
      openPull();
      const payload = checkSuiteEvent(fake, REPO, "requested", "x", [7]);
      delete (payload.check_suite as Record<string, unknown>).head_sha;
      await expect(deliver(probot, "check_suite", payload)).resolves.toBeUndefined();
      expect(fake.requests).toEqual([]);
    });
  });
});

describe("requests per evaluation", () => {
  const REPO = "acme/shop";

  beforeEach(() => {
    fake = startFakeGitHub();
    fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  });

  afterEach(() => stopFakeGitHub(fake));

  const CONFIG = ["assign:", "  - role: software-engineer-typescript-backend", '    users: ["*-agent[bot]"]', ""].join("\n");
  const BASE: Files = {
    ".github/roleguard.yml": CONFIG,
    ".github/roles/helper.md": roleMd("role: helper\nconstraints: {}"),
    "package.json": JSON.stringify({ dependencies: { express: "^4.19.2" } }),
    "src/index.ts": "export {};\n",
  };
  const twenty = (tag: string): Files => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`src/feature/f${i}.ts`, `export const f${i} = "${tag}";\n`]));
  const summary = () =>
    fake.requests
      .map((request) => `${request.method} ${request.path.replace(/\/check-runs\/\d+$/, "/check-runs/:id").replace(/\/commits\/[0-9a-f]{40}\/pulls$/, "/commits/:sha/pulls")} ${request.status}${request.conditional ? " conditional" : ""}`)
      .sort();

  it("a 20-file PR costs 4 billable requests (1 write) when opened, 6 (1 write) when pushed to; the policy is revalidated with 304s", async () => {
    fake.repo(REPO, { files: BASE });
    const { probot } = quickProbot();
    // Warm the caches with another PR.
    const warm = fake.pull(REPO, { number: 1, author: "ops-agent[bot]", head: { ...BASE, "src/warm.ts": "warm\n" } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, warm, "opened"));
    expect(fake.checkRuns(REPO)[0]?.conclusion).toBe("action_required");

    fake.resetCounts();
    const pull = fake.pull(REPO, { number: 2, author: "ops-agent[bot]", head: { ...BASE, ...twenty("one") } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    const opened = fake.checkRuns(REPO).find((run) => run.head_sha === pull.head.sha);
    expect(opened?.conclusion).toBe("action_required");
    expect(opened?.output?.title).toBe("1 approval needed: commit");
    // The fourth: the open PRs sharing this head commit, whose verdicts the one check run must carry too (SPEC §5).
    expect(fake.billable.length).toBeLessThanOrEqual(4);
    expect(summary()).toEqual([
      "GET /repos/acme/.github 304 conditional",
      "GET /repos/acme/.github/git/trees/main 304 conditional",
      "GET /repos/acme/shop/commits/:sha/pulls 200",
      "GET /repos/acme/shop/git/trees/main 304 conditional",
      "GET /repos/acme/shop/pulls/2/commits 200",
      "GET /repos/acme/shop/pulls/2/files 200",
      // One write: the run is created already completed (SPEC §5), no in_progress first.
      "POST /repos/acme/shop/check-runs 201",
    ]);
    expect(opened?.updates).toBe(0);

    fake.resetCounts();
    fake.push(REPO, 2, { ...BASE, ...twenty("two") });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
    expect(fake.checkRuns(REPO).find((run) => run.head_sha === pull.head.sha)?.conclusion).toBe("action_required");
    expect(fake.billable.length).toBeLessThanOrEqual(6);
    // A push keeps approvals whose findings it leaves untouched (SPEC §7): comments and reviews are read.
    expect(summary()).toEqual([
      "GET /repos/acme/.github 304 conditional",
      "GET /repos/acme/.github/git/trees/main 304 conditional",
      "GET /repos/acme/shop/commits/:sha/pulls 200",
      "GET /repos/acme/shop/git/trees/main 304 conditional",
      "GET /repos/acme/shop/issues/2/comments 200",
      "GET /repos/acme/shop/pulls/2/commits 200",
      "GET /repos/acme/shop/pulls/2/files 200",
      "GET /repos/acme/shop/pulls/2/reviews 200",
      "POST /repos/acme/shop/check-runs 201",
    ]);
    expect(fake.requests.filter((request) => request.method !== "GET")).toHaveLength(1);
    // No policy file was downloaded again.
    expect(fake.requests.filter((request) => request.path.includes("/git/blobs/"))).toEqual([]);
  });

  it("a config changed on the default branch is picked up at the next evaluation, fetching only what changed", async () => {
    fake.repo(REPO, { files: BASE });
    const { probot } = quickProbot();
    const warm = fake.pull(REPO, { number: 1, author: "ops-agent[bot]", head: { ...BASE, "src/warm.ts": "warm\n" } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, warm, "opened"));

    // main now holds the agent to the strict ai-agent role instead.
    fake.commit(REPO, "main", { ...BASE, ".github/roleguard.yml": CONFIG.replace("software-engineer-typescript-backend", "ai-agent") });
    fake.resetCounts();
    const pull = fake.pull(REPO, { number: 2, author: "ops-agent[bot]", head: { ...BASE, ...twenty("one") } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    const report = fake.report(fake.checkRuns(REPO).find((run) => run.head_sha === pull.head.sha));
    expect(report.roles).toEqual([{ id: "ai-agent", source: "assign[0].users: ops-agent[bot]" }]);
    expect(fake.requests.filter((request) => request.path.includes("/git/blobs/")).length).toBe(1);
  });
});
