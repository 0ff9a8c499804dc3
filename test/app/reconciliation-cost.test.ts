/**
 * Reconciliation nearly free (issue 13 item 4, SPEC §10): a pass over an
 * installation where nothing changed costs about one billable request per
 * 100 repositories — also right after the installation token is renewed,
 * when the ETags of the old token no longer answer 304. Counted on the fake
 * GitHub, with real installation tokens exchanged by a JWT.
 */
import { generateKeyPairSync } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAppState, type AppState } from "../../src/app/state.js";
import { FULL_SEARCH_EVERY, reconcileOnce, SEARCH_LAG_MS } from "../../src/app/sweep.js";
import type { GitHub } from "../../src/sources/github/client.js";
import { startFakeGitHub, stopFakeGitHub, type FakeGitHub, type Files } from "../helpers/fake-github.js";

const CONFIG = 'assign:\n  - role: gated\n    users: ["*-agent[bot]"]\n';
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n---\n";
const BASE: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/gated.md": ROLE, "src/a.ts": "1\n" };
const REPOS = 200;
const INSTALLATION = 7;
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

let fake: FakeGitHub;
let state: AppState;

/** A Probot that exchanges its JWT for installation tokens: a new one starts with no token, as after a renewal. */
const appProbot = () =>
  new Probot({ appId: 1, privateKey, logLevel: "fatal", Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })) });

async function pass(probot: Probot, appState = state) {
  fake.resetCounts();
  const result = await reconcileOnce(probot, (gh: GitHub) => ({ gh, log: probot.log, state: appState }));
  return { result, billable: fake.billable.length, requests: fake.requests.length, routes: fake.billable.map((request) => `${request.method} ${request.path.replace(/\/repos\/acme\/r\d+/, "/repos/acme/R").replace(/[0-9a-f]{40}/, "SHA")}`) };
}

/**
 * Billable requests by route. The app's own listing of installations is left out: it is made with the app's
 * JWT, which answers 304 only while the JWT is the same one (it is signed anew as time passes): 0 or 1.
 */
const tally = (routes: string[]) => {
  expect(routes.filter((route) => route === "GET /app/installations").length).toBeLessThanOrEqual(1);
  return routes.filter((route) => route !== "GET /app/installations").reduce<Record<string, number>>((counts, route) => ({ ...counts, [route]: (counts[route] ?? 0) + 1 }), {});
};

describe("reconciliation at 200 repositories × 3 PRs (issue 13 item 4)", () => {
  beforeAll(() => {
    fake = startFakeGitHub();
    fake.repo("acme/.github", { files: { "README.md": "org\n" } });
    const names: string[] = [];
    for (let index = 0; index < REPOS; index++) {
      const name = `acme/r${index}`;
      names.push(name);
      fake.repo(name, { files: BASE });
      for (let number = 1; number <= 3; number++) {
        const pull = fake.pull(name, { number, author: "ops-agent[bot]", head: { ...BASE, [`src/change${number}.ts`]: `${number}\n` } });
        // Opened an hour ago: outside the search's look-back for recent changes.
        pull.updatedAt = new Date(Date.now() - 3600_000).toISOString();
        // Already judged (by this app, in an earlier life): a completed run on each head.
        fake.checkRuns(name).push({ id: index * 10 + number, name: "roleguard", head_sha: pull.head.sha, status: "completed", conclusion: "success", output: { title: "ok" }, annotations: [], updates: 0, started_at: fake.tick() });
      }
    }
    fake.installations.set(INSTALLATION, names);
    state = newAppState();
  });
  afterAll(() => stopFakeGitHub(fake));

  const probot = appProbot();

  it("the first pass after a start lists what it must once: no evaluation, no GET /repos", async () => {
    const first = await pass(probot);
    expect(first.result).toEqual({ repositories: REPOS, pullRequests: REPOS * 3, evaluated: 0 });
    expect(tally(first.routes)).toEqual({
      "POST /app/installations/7/access_tokens": 1,
      "GET /installation/repositories": 2,
      "GET /search/issues": 6,
      "GET /repos/acme/R/pulls": REPOS,
      "GET /repos/acme/R/commits/SHA/check-runs": REPOS * 3,
    });
  });

  it("a pass where nothing changed: at most 5 billable requests (was 203)", async () => {
    const again = await pass(probot);
    expect(again.result).toEqual({ repositories: REPOS, pullRequests: REPOS * 3, evaluated: 0 });
    expect(again.billable).toBeLessThanOrEqual(5);
    expect(tally(again.routes)).toEqual({ "GET /search/issues": 1 });
  });

  it("right after the installation token is renewed: still at most 5", async () => {
    const renewed = await pass(appProbot());
    expect(renewed.result.evaluated).toBe(0);
    expect(renewed.billable).toBeLessThanOrEqual(5);
    // The repositories' listing answers 200 for the new token (2 pages for 200); no repository's PRs are listed.
    expect(tally(renewed.routes)).toEqual({ "POST /app/installations/7/access_tokens": 1, "GET /installation/repositories": 2, "GET /search/issues": 1 });
  });

  it("a push whose webhook was lost is found through the search and evaluated, its repository alone listed", async () => {
    const pull = fake.push("acme/r42", 2, { ...BASE, "secrets/key": "k\n" });
    const found = await pass(probot);
    expect(found.result.evaluated).toBe(1);
    expect(fake.checkRuns("acme/r42").find((run) => run.head_sha === pull.head.sha)?.conclusion).toBe("failure");
    const routes = tally(found.routes);
    expect(routes["GET /repos/acme/R/pulls"]).toBe(1);
    // The new head's runs listed once: its evaluation creates the run without listing them again.
    expect(routes["GET /repos/acme/R/commits/SHA/check-runs"]).toBe(1);
    expect(routes["POST /repos/acme/R/check-runs"]).toBe(1);
    // The next pass is back to nearly nothing: the search still names the PR (it changed minutes ago),
    // but the repository's last listing already saw that change, so its PRs are not listed again.
    const next = await pass(probot);
    expect(next.billable).toBeLessThanOrEqual(5);
    expect(fake.requests.filter((request) => request.path === "/repos/acme/r42/pulls")).toEqual([]);
  });

  it("a change the search index shows too late is found by the hourly search of every open PR", async () => {
    // A push to a fork's branch: the repository's pushed_at does not move, and the PR's updated_at is
    // older than the dated search looks back (as if the index had lagged past SEARCH_LAG_MS).
    const repo = fake.repos.get("acme/r99")!;
    const pushedAt = repo.pushedAt;
    const pull = fake.push("acme/r99", 1, { ...BASE, "secrets/fork": "k\n" });
    repo.pushedAt = pushedAt;
    pull.updatedAt = new Date(Date.now() - SEARCH_LAG_MS - 60_000).toISOString();
    const costs: number[] = [];
    let found = false;
    for (let index = 0; index < FULL_SEARCH_EVERY && !found; index++) {
      const each = await pass(probot);
      costs.push(each.billable);
      found = each.result.evaluated === 1;
    }
    expect(found).toBe(true);
    // Not by the dated search of the pass right after the push: by the full one.
    expect(costs.length).toBeGreaterThan(1);
    expect(fake.checkRuns("acme/r99").find((run) => run.head_sha === pull.head.sha)?.conclusion).toBe("failure");
    // The dated passes before it cost what a quiet pass costs; the full one pages through the 600 open PRs.
    for (const cost of costs.slice(0, -1)) expect(cost).toBeLessThanOrEqual(5);
    expect(costs.at(-1)).toBeLessThanOrEqual(5 + 6 + 10);
  });

  it("a push to a default branch relists that repository's PRs, conditionally", async () => {
    fake.commit("acme/r7", "main", { ...BASE, "src/a.ts": "2\n" });
    const pushed = await pass(probot);
    expect(pushed.result.evaluated).toBe(0);
    expect(fake.requests.filter((request) => request.path === "/repos/acme/r7/pulls").map((request) => request.status)).toEqual([304]);
    expect(pushed.billable).toBeLessThanOrEqual(5);
  });

  it("when the hourly search of every open PR cannot answer (over 1,000 results, an error), the pass searches the recent changes instead of listing every repository", async () => {
    const fresh = newAppState();
    const renewed = appProbot();
    await pass(renewed, fresh);
    for (let index = 1; index < FULL_SEARCH_EVERY; index++) await pass(renewed, fresh);
    // The next pass is the hourly full search: it fails once.
    fake.fail(/^GET \/search\/issues$/, 403, 1);
    const hourly = await pass(renewed, fresh);
    expect(hourly.result.evaluated).toBe(0);
    expect(fake.requests.filter((request) => request.path === "/search/issues").map((request) => request.status)).toEqual([403, 200]);
    expect(fake.requests.filter((request) => /^\/repos\/acme\/r\d+\/pulls$/.test(request.path))).toEqual([]);
    expect(hourly.billable).toBeLessThanOrEqual(5);
  });

  it("without the search API, every repository's PRs are listed — conditionally, so still nearly free", async () => {
    fake.fail(/^GET \/search\/issues$/, 403, 1);
    const blind = await pass(probot);
    expect(blind.result).toEqual({ repositories: REPOS, pullRequests: REPOS * 3, evaluated: 0 });
    expect(fake.requests.filter((request) => /^\/repos\/acme\/r\d+\/pulls$/.test(request.path))).toHaveLength(REPOS);
    expect(blind.billable).toBeLessThanOrEqual(5);
  });
});
