/**
 * `_extends` in the CLI (SPEC §4: "honoured by the CLI exactly as by the
 * app"): with GITHUB_TOKEN the extended file is read from GitHub by the app's
 * own code (here a nock-based fake GitHub) and is a floor the repository can
 * add to but not lower; without a token, or when it cannot be read, `check`
 * exits 2 saying what to set or to pass --config.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolvedPolicyCacheFile } from "../../src/sources/resolved-policy.js";
import { runCli } from "../../src/cli.js";
import { ReportSchema, type Report } from "../../src/policy/report.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub } from "../helpers/fake-github.js";
import { roleFile } from "../helpers/cli.js";
import { repoWithChange, type ScratchRepo } from "../helpers/scratch-repo.js";

const BASE_POLICY = 'assign:\n  - role: contractor\n    users: ["*-agent[bot]"]\napprovals:\n  min_permission: maintain\n';
let fake: FakeGitHub;

beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/policies", { files: { "base/roleguard.yml": BASE_POLICY } });
  fake.repo("acme/.github", { files: { ".github/roleguard.yml": BASE_POLICY } });
});

afterEach(() => stopFakeGitHub(fake));

function repoExtending(config: string, origin?: string): ScratchRepo {
  const repo = repoWithChange({ ".github/roleguard.yml": config, ".github/roles/intern.md": roleFile("role: intern\nconstraints:\n  forbidden_paths: [payroll/]") }, { write: { "deploy/x.yml": "x\n" } });
  if (origin) repo.git("remote", "add", "origin", origin);
  return repo;
}

async function check(repo: ScratchRepo, env: NodeJS.ProcessEnv, args: string[] = []) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["check", "--base", "main", "--author", "ops-agent[bot]", "--format", "json", ...args], {
    cwd: repo.dir,
    env,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr, report: (): Report => ReportSchema.parse(JSON.parse(stdout)) };
}

describe("check: _extends with GITHUB_TOKEN reads the extended file as the app does", () => {
  it("owner/repo:path: its assignments apply, and the repository cannot lower its floor", async () => {
    const repo = repoExtending("_extends: acme/policies:base/roleguard.yml\napprovals:\n  min_permission: read\n");
    const result = await check(repo, { GITHUB_TOKEN: "t" });
    const report = result.report();

    expect(report.errors).toEqual([]);
    expect(report.roles).toEqual([{ id: "contractor", source: "assign[0].users: ops-agent[bot]" }]);
    expect(report.warnings).toContain("approvals.min_permission: read in the repository is not applied: the organisation's config is a floor");
    expect(fake.requests.filter((request) => request.method !== "GET")).toEqual([]);
    // Part of this policy lives on GitHub: the base tree does not name it, so it is never cached.
    expect(existsSync(resolvedPolicyCacheFile(join(repo.dir, ".git")))).toBe(false);
    const again = await check(repo, { GITHUB_TOKEN: "t" });
    expect(again.report().roles).toEqual(report.roles);
    expect(fake.requests.filter((request) => request.path.includes("acme/policies")).length).toBeGreaterThan(1);
  });

  it("a bare repository name takes its owner from the origin remote (ssh or https)", async () => {
    for (const origin of ["git@github.com:acme/shop.git", "https://github.com/acme/shop"]) {
      const repo = repoExtending("_extends: .github\n", origin);
      const report = (await check(repo, { GITHUB_TOKEN: "t" })).report();
      expect(report.errors, origin).toEqual([]);
      expect(report.roles.map((role) => role.id), origin).toEqual(["contractor"]);
    }
  });

  it("roles from the repository still load beside the extended config", async () => {
    const repo = repoExtending("_extends: acme/policies:base/roleguard.yml\nassign:\n  - role: intern\n    users: [\"ops-agent[bot]\"]\n");
    const report = (await check(repo, { GITHUB_TOKEN: "t" })).report();
    expect(report.roles.map((role) => role.id).sort()).toEqual(["contractor", "intern"]);
  });

  it("--config FILE that extends is resolved the same way", async () => {
    const repo = repoExtending("assign: []\n");
    repo.write({ "try.yml": "_extends: acme/policies:base/roleguard.yml\n" });
    const report = (await check(repo, { GITHUB_TOKEN: "t" }, ["--config", "try.yml"])).report();
    expect(report.roles.map((role) => role.id)).toEqual(["contractor"]);
  });
});

describe("check: _extends that cannot be read is exit 2 with what to do", () => {
  it("without a token: names GITHUB_TOKEN and --config, with the line", async () => {
    const repo = repoExtending("request_reviews: true\n_extends: acme/policies:base/roleguard.yml\n");
    const result = await check(repo, {});

    expect(result.code).toBe(2);
    expect(result.report().errors).toEqual([
      {
        file: "main:.github/roleguard.yml",
        field: "_extends",
        line: 2,
        message: "extends acme/policies:base/roleguard.yml, which is read from GitHub as the app reads it, and there is no token",
        hint: "set GITHUB_TOKEN to a token that can read that repository, or pass --config FILE with a config that does not extend",
      },
    ]);
    expect(result.stderr).toContain("GITHUB_TOKEN");
    expect(fake.requests).toEqual([]);
  });

  it.each([
    { name: "a file that does not exist", config: "_extends: acme/policies:nope.yml\n", message: "acme/policies:nope.yml does not exist" },
    { name: "a repository the token cannot read", config: "_extends: acme/secret-policies\n", message: "acme/secret-policies is not readable by GITHUB_TOKEN" },
    { name: "a bare name with no GitHub origin", config: "_extends: policies\n", message: "policies names no owner, and this repository's owner is not known (no GitHub remote named origin)" },
    { name: "not a repository at all", config: "_extends: 'a b c'\n", message: "not a repository: a b c" },
  ])("$name", async ({ config, message }) => {
    const repo = repoExtending(config);
    const result = await check(repo, { GITHUB_TOKEN: "t" });

    expect(result.code).toBe(2);
    expect(result.report().errors).toEqual([expect.objectContaining({ file: "main:.github/roleguard.yml", field: "_extends", line: 1, message })]);
    expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
