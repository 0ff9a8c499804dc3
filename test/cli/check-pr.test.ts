import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import { ReportSchema } from "../../src/policy/report.js";
import nock from "nock";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub } from "../helpers/fake-github.js";
import { FakeServer } from "../helpers/fake-server.js";

const REPO = "acme/shop";
const BASE = { ".github/roleguard.yml": 'assign:\n  - role: ai-agent\n    users: ["*-agent[bot]"]\n', "src/a.ts": "1\n" };
let fake: FakeGitHub;

beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo(REPO, { files: BASE });
  fake.repo("acme/.github", { files: { "README.md": "x" } });
});

afterEach(() => stopFakeGitHub(fake));

async function cli(args: string[], env: NodeJS.ProcessEnv = { GITHUB_TOKEN: "t" }) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { cwd: process.cwd(), env, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe("roleguard check --pr OWNER/REPO#N (SPEC §9)", () => {
  it("evaluates a real PR with the default branch's policy and posts nothing", async () => {
    fake.pull(REPO, { number: 4, author: "ops-agent[bot]", head: { ...BASE, ".github/workflows/ci.yml": "x\n" } });
    const { code, stdout } = await cli(["check", "--pr", "acme/shop#4", "--format", "json"]);
    const report = ReportSchema.parse(JSON.parse(stdout));
    expect(report.roles).toEqual([{ id: "ai-agent", source: "assign[0].users: ops-agent[bot]" }]);
    expect(report.findings.find((f) => f.category === "forbidden_paths")).toMatchObject({ path: ".github/workflows/ci.yml", state: "violation" });
    expect(code).toBe(1);
    // Nothing written: the one POST is the GraphQL query that reads the policy.
    expect(fake.requests.filter((request) => request.method !== "GET").map((request) => request.path)).toEqual(["/graphql"]);
    expect(fake.checkRuns(REPO)).toEqual([]);
  });

  it("a PR past the pulls API's 250 commits is read through the compare API at its real base and head", async () => {
    const own = Array.from({ length: 259 }, (_, i) => ({ sha: `c${String(i).padStart(39, "0")}`, author: "carol", committer: "carol", message: `step ${i}` }));
    const agent = { sha: `a${"0".repeat(39)}`, author: "ops-agent[bot]", committer: "ops-agent[bot]", message: "tidy" };
    const pull = fake.pull(REPO, { number: 6, author: "carol", head: { ...BASE, ".github/workflows/ci.yml": "x\n" }, commits: [...own, agent] });
    const { code, stdout } = await cli(["check", "--pr", "acme/shop#6", "--format", "json"]);
    const report = ReportSchema.parse(JSON.parse(stdout));
    expect(report.roles).toEqual([{ id: "ai-agent", source: "assign[0].users: commit author ops-agent[bot]" }]);
    expect(code).toBe(1);
    const compares = fake.requests.filter((request) => request.path.includes("/compare/")).map((request) => request.path);
    expect(compares.length).toBeGreaterThan(0);
    expect(compares.every((path) => path.endsWith(`/compare/${pull.base.sha}...${pull.head.sha}`))).toBe(true);
  });

  it("is neutral with exit 0 for an author no role applies to", async () => {
    fake.pull(REPO, { number: 5, author: "carol", head: { ...BASE, "src/a.ts": "2\n" } });
    const { code, stdout } = await cli(["check", "--pr", "acme/shop#5", "--format", "json"]);
    expect(JSON.parse(stdout).conclusion).toBe("neutral");
    expect(code).toBe(0);
  });

  it.each([
    [["check", "--pr", "acme/shop#4"], {}, "--pr needs a token in GITHUB_TOKEN"],
    [["check", "--pr", "acme/shop"], { GITHUB_TOKEN: "t" }, "--pr takes OWNER/REPO#NUMBER"],
    [["check", "--pr", "acme/shop#4", "--role", "ai-agent"], { GITHUB_TOKEN: "t" }, "drop the other options"],
    [["check", "--pr", "acme/shop#99"], { GITHUB_TOKEN: "t" }, "could not evaluate acme/shop#99: GitHub answered 404"],
  ])("%j fails with exit 2 and says why", async (args, env, message) => {
    const { code, stderr, stdout } = await cli(args, env);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
  });

  it("costs one request per thing it reads: the PR, its commits, files, comments and reviews, and the policy of both repositories in one query", async () => {
    fake.pull(REPO, { number: 4, author: "ops-agent[bot]", head: { ...BASE, ".github/CODEOWNERS": "* @acme\n" } });
    await cli(["check", "--pr", "acme/shop#4", "--format", "json"]);
    const paths = fake.requests.map((request) => request.path);
    // No GET /repos (the PR names its default branch), no tree or blob requests (was 11 requests, 6 for the policy).
    expect(paths.sort()).toEqual(["/graphql", "/repos/acme/shop/issues/4/comments", "/repos/acme/shop/pulls/4", "/repos/acme/shop/pulls/4/commits", "/repos/acme/shop/pulls/4/files", "/repos/acme/shop/pulls/4/reviews"]);
  });

  describe("the policy over GraphQL, as the app reads it over REST", () => {
    const ORG_CONFIG = 'assign:\n  - role: contractor\n    users: ["carol"]\n';
    const CONTRACTOR = "---\nrole: contractor\nconstraints:\n  forbidden_paths: [billing/]\n---\nOrg-wide.\n";
    const DEEP_ROLE = "---\nrole: deep\nconstraints:\n  forbidden_paths: [vault/]\n---\nFive levels down.\n";
    const findings = (stdout: string) => (JSON.parse(stdout) as { findings: { category: string; path: string }[] }).findings.map((f) => `${f.category} ${f.path}`);

    it("the organisation's floor applies: its config and its roles/ folder", async () => {
      fake.repo("acme/.github", { files: { ".github/roleguard.yml": ORG_CONFIG, "roles/contractor.md": CONTRACTOR } });
      fake.pull(REPO, { number: 6, author: "carol", head: { ...BASE, "billing/rates.ts": "1\n" } });
      const { stdout, code } = await cli(["check", "--pr", "acme/shop#6", "--format", "json"]);
      expect(JSON.parse(stdout).roles).toEqual([{ id: "contractor", source: expect.stringContaining("carol") }]);
      expect(findings(stdout)).toEqual(["forbidden_paths billing/rates.ts"]);
      expect(code).toBe(1);
      expect(fake.requests.filter((request) => request.path.startsWith("/repos/acme/.github"))).toEqual([]);
    });

    it("an organisation without a .github repository has no floor (GraphQL's NOT_FOUND is an answer, not a failure)", async () => {
      fake.repos.delete("acme/.github");
      fake.pull(REPO, { number: 7, author: "ops-agent[bot]", head: { ...BASE, ".github/CODEOWNERS": "* @acme\n" } });
      const { stdout, code } = await cli(["check", "--pr", "acme/shop#7", "--format", "json"]);
      expect(findings(stdout)).toContain("forbidden_paths .github/CODEOWNERS");
      expect(code).toBe(1);
      expect(fake.requests.filter((request) => /git\/(trees|blobs)/.test(request.path))).toEqual([]);
    });

    it("a role file deeper than the query reaches is read over REST, and holds", async () => {
      const config = 'assign:\n  - role: deep\n    users: ["ops-agent[bot]"]\n';
      const base = { ".github/roleguard.yml": config, ".github/roles/a/b/c/d/deep.md": DEEP_ROLE, "src/a.ts": "1\n" };
      fake.repo(REPO, { files: base });
      fake.pull(REPO, { number: 8, author: "ops-agent[bot]", head: { ...base, "vault/key": "k\n" } });
      const { stdout } = await cli(["check", "--pr", "acme/shop#8", "--format", "json"]);
      expect(JSON.parse(stdout).roles).toEqual([{ id: "deep", source: expect.any(String) }]);
      expect(findings(stdout)).toEqual(["forbidden_paths vault/key"]);
      expect(fake.requests.some((request) => /git\/trees/.test(request.path))).toBe(true);
    });

    it("when GraphQL does not answer, the policy is read over REST with the same verdict", async () => {
      fake.repo("acme/.github", { files: { ".github/roleguard.yml": ORG_CONFIG, "roles/contractor.md": CONTRACTOR } });
      fake.pull(REPO, { number: 9, author: "carol", head: { ...BASE, "billing/rates.ts": "1\n" } });
      fake.fail(/^POST \/graphql$/, 400);
      const { stdout, code } = await cli(["check", "--pr", "acme/shop#9", "--format", "json"]);
      expect(findings(stdout)).toEqual(["forbidden_paths billing/rates.ts"]);
      expect(code).toBe(1);
      expect(fake.requests.some((request) => request.path === "/repos/acme/.github")).toBe(true);
    });
  });

  it("gives up on a GitHub that does not answer, with exit 2 and the reason, without retrying the wait", async () => {
    // Over real sockets (nock cannot abort an answer it is still waiting to give): every answer takes 3 s.
    nock.enableNetConnect("127.0.0.1");
    const server = await FakeServer.listen({ latencyMs: 3_000 });
    const slow = new FakeGitHub(server.url);
    slow.repo(REPO, { files: BASE });
    slow.pull(REPO, { number: 4, author: "ops-agent[bot]", head: { ...BASE, "src/a.ts": "2\n" } });
    server.serve(slow);
    try {
      const started = Date.now();
      const { code, stderr } = await cli(["check", "--pr", "acme/shop#4"], { GITHUB_TOKEN: "t", GITHUB_API_URL: server.url, ROLEGUARD_REQUEST_TIMEOUT_MS: "200" });
      expect(code).toBe(2);
      expect(stderr).toContain("could not evaluate acme/shop#4: GitHub did not answer GET /repos/acme/shop/pulls/4 within 0.2 s (a timeout)");
      // One wait, not four with back-off between them.
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      await server.close();
    }
  });
});
