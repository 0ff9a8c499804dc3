import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pullNumbersOf } from "../../src/app/merge-group.js";
import { newAppState } from "../../src/app/state.js";
import { reconcileOnce } from "../../src/app/sweep.js";
import type { GitHub } from "../../src/sources/github/client.js";
import { deliver, examplePayload, pullRequestEvent, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type Files } from "../helpers/fake-github.js";

const CONFIG = 'assign:\n  - role: gated\n    users: ["*-agent[bot]"]\n';
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [deployment]\n---\n";
const BASE: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/gated.md": ROLE, "src/a.ts": "1\n" };

let fake: FakeGitHub;

beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  for (const name of ["acme/api", "acme/web"]) fake.repo(name, { files: BASE });
});

afterEach(() => stopFakeGitHub(fake));

const runsOf = (repo: string) => fake.checkRuns(repo).map((run) => `${run.head_sha.slice(0, 7)} ${run.conclusion}`);

describe("installing the app evaluates the open PRs at once (SPEC §8)", () => {
  it("installation.created sweeps every listed repository", async () => {
    const a = fake.pull("acme/api", { number: 1, author: "ops-agent[bot]", head: { ...BASE, "secrets/k": "x" } });
    const b = fake.pull("acme/web", { number: 2, author: "ops-agent[bot]", head: { ...BASE, Dockerfile: "FROM x\n" } });
    fake.pull("acme/web", { number: 3, author: "carol", head: { ...BASE, "src/a.ts": "2\n" } });
    const { probot } = testProbot();
    const payload = { ...examplePayload("installation", "created"), repositories: [{ full_name: "acme/api", name: "api" }, { full_name: "acme/web", name: "web" }] };
    await deliver(probot, "installation", payload);
    expect(runsOf("acme/api")).toEqual([`${a.head.sha.slice(0, 7)} failure`]);
    expect(fake.checkRuns("acme/web").map((run) => run.conclusion).sort()).toEqual(["action_required", "neutral"]);
    expect(fake.checkRuns("acme/web").find((run) => run.head_sha === b.head.sha)?.conclusion).toBe("action_required");
  });

  it("installation_repositories.added sweeps only the added repositories", async () => {
    fake.pull("acme/api", { number: 1, author: "ops-agent[bot]", head: { ...BASE, "secrets/k": "x" } });
    fake.pull("acme/web", { number: 2, author: "ops-agent[bot]", head: { ...BASE, Dockerfile: "FROM x\n" } });
    const { probot } = testProbot();
    const payload = { ...examplePayload("installation_repositories", "added"), repositories_added: [{ full_name: "acme/web", name: "web" }] };
    await deliver(probot, "installation_repositories", payload);
    expect(fake.checkRuns("acme/api")).toEqual([]);
    expect(fake.checkRuns("acme/web")).toHaveLength(1);
  });
});

describe("reconciliation: no PR goes unchecked (SPEC §10)", () => {
  it("finds a PR whose webhook was dropped, evaluates it once, and is resumable from any process", async () => {
    fake.installations.set(7, ["acme/api", "acme/web"]);
    const { probot } = testProbot();
    await deliver(probot, "pull_request", pullRequestEvent(fake, "acme/api", fake.pull("acme/api", { number: 1, author: "ops-agent[bot]", head: { ...BASE, Dockerfile: "x" } }), "opened"));
    // This PR's delivery never arrived.
    const dropped = fake.pull("acme/web", { number: 5, author: "ops-agent[bot]", head: { ...BASE, "secrets/k": "x" } });
    const state = newAppState();
    const context = (gh: GitHub) => ({ gh, log: probot.log, state });

    expect(await reconcileOnce(probot, context)).toEqual({ repositories: 2, pullRequests: 2, evaluated: 1 });
    expect(runsOf("acme/web")).toEqual([`${dropped.head.sha.slice(0, 7)} failure`]);
    expect(fake.checkRuns("acme/api")).toHaveLength(1);

    // A second pass, and a pass by a process with no memory, find nothing left to do.
    expect((await reconcileOnce(probot, context)).evaluated).toBe(0);
    expect((await reconcileOnce(probot, (gh) => ({ gh, log: probot.log, state: newAppState() }))).evaluated).toBe(0);
  });

  it("retries a PR whose last evaluation could not complete", async () => {
    fake.installations.set(7, ["acme/api"]);
    const pull = fake.pull("acme/api", { number: 1, author: "ops-agent[bot]", head: { ...BASE, Dockerfile: "x" } });
    const { probot } = testProbot();
    fake.fail(/^GET \/repos\/acme\/api\/pulls\/1\/files$/, 502, 4); // the first try and its three retries
    await deliver(probot, "pull_request", pullRequestEvent(fake, "acme/api", pull, "opened"));
    expect(fake.checkRuns("acme/api")[0]?.output?.title).toMatch(/^could not evaluate/);
    const state = newAppState();
    expect((await reconcileOnce(probot, (gh) => ({ gh, log: probot.log, state }))).evaluated).toBe(1);
    expect(fake.checkRuns("acme/api")).toHaveLength(1);
    expect(fake.checkRuns("acme/api")[0]?.conclusion).toBe("action_required");
  });
});

describe("merge queues (SPEC §8)", () => {
  const group = (repo: string, head: string, base: string, prNumber: number) => {
    const payload = examplePayload("merge_group", "checks_requested");
    return {
      ...payload,
      repository: { ...(payload.repository as object), ...fake.repositoryPayload(repo) },
      merge_group: { ...(payload.merge_group as object), head_sha: head, base_sha: base, head_ref: `refs/heads/gh-readonly-queue/main/pr-${prNumber}-${base}`, base_ref: "refs/heads/main" },
    };
  };

  it("names the PRs of a group from its branch and its commits", () => {
    expect(pullNumbersOf({ headSha: "h", baseSha: "b", headRef: "refs/heads/gh-readonly-queue/main/pr-12-abc123" }, ["Merge pull request #10 from acme/x\n\nbody", "Add thing (#11)", "unrelated"])).toEqual([10, 11, 12]);
  });

  it("passes only when every PR in the group passes", async () => {
    const ok = fake.pull("acme/api", { number: 1, author: "carol", head: { ...BASE, "src/a.ts": "2\n" } });
    const bad = fake.pull("acme/api", { number: 2, author: "ops-agent[bot]", head: { ...BASE, "secrets/k": "x" } });
    const base = fake.filesAt("acme/api", "main") && fake.repos.get("acme/api")!.branches.get("main")!;
    const mergeHead = fake.commit("acme/api", "gh-readonly-queue/main/pr-2", { ...BASE, "src/a.ts": "2\n", "secrets/k": "x" });
    fake.mergeCommits.set(mergeHead, ["Change a (#1)", "Add a key (#2)"]);
    const { probot } = testProbot();
    await deliver(probot, "merge_group", group("acme/api", mergeHead, base, 2));
    const run = fake.checkRuns("acme/api").find((each) => each.head_sha === mergeHead)!;
    expect(run).toMatchObject({ conclusion: "failure", output: expect.objectContaining({ title: "Blocked by #2" }) });
    expect(run.output?.summary).toContain("| #1 | neutral |");
    expect(fake.checkRuns("acme/api").map((each) => each.head_sha)).toEqual(expect.arrayContaining([ok.head.sha, bad.head.sha]));
  });

  it("a PR's file name cannot add cells or rows to the group's table", async () => {
    const forged = "secrets/x|✅ success|fake\n| #9 | success |.md";
    fake.pull("acme/api", { number: 2, author: "ops-agent[bot]", head: { ...BASE, [forged]: "x" } });
    const base = fake.repos.get("acme/api")!.branches.get("main")!;
    const mergeHead = fake.commit("acme/api", "gh-readonly-queue/main/pr-2", { ...BASE, [forged]: "x" });
    fake.mergeCommits.set(mergeHead, ["Add (#2)"]);
    await deliver(testProbot().probot, "merge_group", group("acme/api", mergeHead, base, 2));
    const summary = fake.checkRuns("acme/api").find((each) => each.head_sha === mergeHead)?.output?.summary ?? "";
    const rows = summary.split("\n").filter((line) => line.startsWith("| #"));
    expect(rows).toHaveLength(1);
    // Three cells: the escaped pipes do not count as cell boundaries.
    expect(rows[0]?.split(/(?<!\\)\|/).length).toBe(5);
  });

  it("a group of passing PRs passes", async () => {
    fake.pull("acme/api", { number: 1, author: "carol", head: { ...BASE, "src/a.ts": "2\n" } });
    const base = fake.repos.get("acme/api")!.branches.get("main")!;
    const mergeHead = fake.commit("acme/api", "gh-readonly-queue/main/pr-1", { ...BASE, "src/a.ts": "2\n" });
    fake.mergeCommits.set(mergeHead, ["Change a (#1)"]);
    const { probot } = testProbot();
    await deliver(probot, "merge_group", group("acme/api", mergeHead, base, 1));
    expect(fake.checkRuns("acme/api").find((each) => each.head_sha === mergeHead)?.conclusion).toBe("success");
  });

  it("the group's check is one write: created already completed", async () => {
    fake.pull("acme/api", { number: 1, author: "carol", head: { ...BASE, "src/a.ts": "2\n" } });
    const base = fake.repos.get("acme/api")!.branches.get("main")!;
    const mergeHead = fake.commit("acme/api", "gh-readonly-queue/main/pr-1", { ...BASE, "src/a.ts": "2\n" });
    fake.mergeCommits.set(mergeHead, ["Change a (#1)"]);
    const { probot } = testProbot();
    fake.resetCounts();
    await deliver(probot, "merge_group", group("acme/api", mergeHead, base, 1));
    expect(fake.checkRuns("acme/api").find((each) => each.head_sha === mergeHead)?.conclusion).toBe("success");
    // The group's run and its PR's run: each created once, completed; nothing marked in progress, nothing updated.
    const writes = fake.requests.filter((request) => request.method !== "GET" && request.path.includes("check-runs"));
    expect(writes.map((request) => `${request.method} ${request.checkStatus ?? ""}`)).toEqual(["POST completed", "POST completed"]);
  });

  it("a group that cannot be evaluated fails closed instead of leaving the queue waiting", async () => {
    const base = fake.repos.get("acme/api")!.branches.get("main")!;
    const mergeHead = fake.commit("acme/api", "gh-readonly-queue/main/pr-1", { ...BASE, "src/a.ts": "2\n" });
    fake.fail(/^GET .*\/compare\//, 502, 10);
    await deliver(testProbot().probot, "merge_group", group("acme/api", mergeHead, base, 1));
    const run = fake.checkRuns("acme/api").find((each) => each.head_sha === mergeHead);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", output: expect.objectContaining({ title: expect.stringMatching(/^could not evaluate: .*502/) }) });
  });
});

describe("_extends (SPEC §4, Probot's convention)", () => {
  it("builds on another repository's file, which the repository can add to but not lower", async () => {
    fake.repo("acme/policies", { files: { "base/roleguard.yml": 'assign:\n  - role: contractor\n    users: ["*-agent[bot]"]\napprovals:\n  min_permission: maintain\n' } });
    const own = '_extends: policies:base/roleguard.yml\napprovals:\n  min_permission: read\n';
    fake.repo("acme/svc", { files: { ...BASE, ".github/roleguard.yml": own } });
    const pull = fake.pull("acme/svc", { number: 1, author: "ops-agent[bot]", head: { ...BASE, ".github/roleguard.yml": own, "deploy/x.yml": "x" } });
    const { probot } = testProbot();
    await deliver(probot, "pull_request", pullRequestEvent(fake, "acme/svc", pull, "opened"));
    const report = fake.report(fake.checkRuns("acme/svc")[0]);
    expect(report.roles).toEqual([{ id: "contractor", source: "assign[0].users: ops-agent[bot]" }]);
    expect(report.warnings).toContain("approvals.min_permission: read in the repository is not applied: the organisation's config is a floor");
  });

  it("a missing extended file fails the check, naming it", async () => {
    const own = "_extends: acme/nowhere\n";
    fake.repo("acme/svc", { files: { ...BASE, ".github/roleguard.yml": own } });
    const pull = fake.pull("acme/svc", { number: 1, author: "ops-agent[bot]", head: { ...BASE, ".github/roleguard.yml": own, "src/b.ts": "x" } });
    const { probot } = testProbot();
    await deliver(probot, "pull_request", pullRequestEvent(fake, "acme/svc", pull, "opened"));
    const run = fake.checkRuns("acme/svc")[0]!;
    expect(run.conclusion).toBe("failure");
    expect(fake.report(run).errors).toEqual([{ file: "main:.github/roleguard.yml", field: "_extends", line: 1, message: "acme/nowhere is not readable by the app" }]);
  });
});

describe("a GitHub that does not serve the git trees API", () => {
  it("reads the config, repository roles and the org floor through the contents API instead", async () => {
    fake.treesServed = false;
    fake.repo("acme/.github", { files: { ".github/roleguard.yml": "overrides:\n  min_permission: admin\n", "roles/gated.md": ROLE.replace("[deployment]", "[deployment, delete_files]") } });
    const pull = fake.pull("acme/api", { number: 1, author: "ops-agent[bot]", head: { ...BASE, "secrets/k": "x", Dockerfile: "FROM x\n" } });
    const { probot } = testProbot();
    await deliver(probot, "pull_request", pullRequestEvent(fake, "acme/api", pull, "opened"));
    const report = fake.report(fake.checkRuns("acme/api")[0]);
    expect(report.roles).toEqual([{ id: "gated", source: "assign[0].users: ops-agent[bot]" }]);
    expect(report.findings.map((f) => `${f.category} ${f.path}`)).toEqual(["forbidden_paths secrets/k", "deployment Dockerfile"]);
    expect(fake.requests.some((request) => request.path.includes("/git/trees/") && request.status === 404)).toBe(true);
    expect(fake.requests.some((request) => request.path === "/repos/acme/api/contents/.github/roleguard.yml")).toBe(true);
  });
});
