/**
 * A newcomer's mistakes, driven through the CLI on scratch repositories
 * (issue 8, SPEC §1, §3, §4, §9): each is exit 2 with the file, the line and a
 * fix, printed once under its file, never a stack trace; `roles lint` says
 * `error` for a typo'd role and warns about unknown categories; `check` says
 * when the working tree's policy differs from the base ref's it uses; and
 * `roles show` finds the repository's own roles as `check` does.
 */
import { describe, expect, it } from "vitest";
import { checkJson, roleFile, runRoleguard, type CliResult } from "../helpers/cli.js";
import { forbidding, scenario } from "../helpers/scenario.js";
import { ScratchRepo, tempDir, writeTree } from "../helpers/scratch-repo.js";

const TESTER = forbidding("secrets/");
const ASSIGN = "assign:\n  - role: tester\n    users: [bob]\n";
const CHANGE = { write: { "src/a.ts": "x\n" } };

/** No `    at file:line` frames anywhere: a person gets a sentence, not a trace. */
function expectNoStackTrace(result: CliResult): void {
  expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("check: a newcomer's config mistakes are exit 2 with line and fix", () => {
  it.each([
    { name: "assing: at the top level", config: `assing:\n  - role: tester\n    users: [bob]\n`, where: "assing (line 1)", fix: "did you mean `assign`?" },
    {
      name: "categories: { database_migration: ... } (drops the real category's approvers)",
      config: `${ASSIGN}categories:\n  database_migration:\n    approvers: { users: [alice] }\n`,
      where: "categories.database_migration (line 5)",
      fix: "did you mean `database_migrations`?",
    },
    { name: "agents: [copilt]", config: "assign:\n  - role: tester\n    agents: [copilt]\n", where: "assign[0].agents[0] (line 3)", fix: "did you mean `copilot`?" },
    { name: "deploy/[abc in a category's paths", config: `${ASSIGN}categories:\n  deployment:\n    paths: ["deploy/[abc"]\n`, where: "categories.deployment.paths[0] (line 6)", fix: "malformed pattern `deploy/[abc`" },
    { name: "delete_files: { ignore: [...] }", config: `${ASSIGN}categories:\n  delete_files:\n    ignore: [docs/]\n`, where: "categories.delete_files.ignore (line 6)", fix: "remove `ignore`" },
    { name: "a wrong type", config: `${ASSIGN}case_insensitive: "yes"\n`, where: "case_insensitive (line 4)", fix: "expected boolean" },
    { name: "broken YAML", config: "assign:\n  - role: tester\n    users: [bob\nrequest_reviews: true\n", where: "(line 4)", fix: "invalid YAML" },
  ])("$name", async ({ config, where, fix }) => {
    const repo = scenario({ roles: { tester: TESTER }, config, change: CHANGE });
    const result = await runRoleguard(["check", "--base", "main", "--author", "bob"], repo.dir);

    expect(result.code).toBe(2);
    expect(result.stdout).toContain("Policy errors, by file\n  main:.github/roleguard.yml\n");
    const detail = result.stdout.split("\n").find((line) => line.includes(where));
    expect(detail, result.stdout).toBeDefined();
    expect(detail).toContain(fix);
    // Once: in the report, not again on stderr, and not quoted in the verdict line either.
    expect(count(`${result.stdout}${result.stderr}`, where)).toBe(1);
    expect(result.stderr).toContain("has errors (exit 2)");
    expectNoStackTrace(result);
  });

  it("--format json: stdout is the report alone; stderr lists each error once under its file", async () => {
    const config = `${ASSIGN}categories:\n  database_migration:\n    approvers: { users: [alice] }\n  delete_files:\n    paths: [tmp/]\n`;
    const repo = scenario({ roles: { tester: `${TESTER}\n  requires_approval_for: [deploymnt]` }, config, change: CHANGE });
    const { code, report, stderr } = await checkJson(repo.dir, ["--author", "bob"]);

    expect(code).toBe(2);
    // Both mistakes in one run: the schema error does not hide the unknown category (which needs the role set).
    expect(report.errors.map((error) => [error.field, error.line])).toEqual([
      ["categories.delete_files.paths", 8],
      ["categories.database_migration", 5],
    ]);
    expect(stderr).toMatch(/^roleguard: policy errors, by file:\n  main:\.github\/roleguard\.yml\n    categories\.database_migration \(line 5\): .*\n    categories\.delete_files\.paths \(line 8\): /);
    expect(count(stderr, "categories.delete_files.paths")).toBe(1);
  });

  it("errors of the config and of a role file are grouped under each file", async () => {
    const repo = scenario({
      roles: { tester: "constraints:\n  forbidden_path: [secrets/]" },
      config: "assing: []\n",
      change: CHANGE,
    });
    const { code, stdout } = await runRoleguard(["check", "--base", "main", "--author", "bob"], repo.dir);

    expect(code).toBe(2);
    const listed = stdout.slice(stdout.indexOf("Policy errors, by file"));
    expect(listed).toMatch(/\n {2}main:\.github\/roleguard\.yml\n {4}assing \(line 1\): unknown key \(did you mean `assign`\?\)\n/);
    expect(listed).toMatch(/\n {2}\.github\/roles\/tester\.md\n {4}constraints\.forbidden_path \(line 4\): .*did you mean `forbidden_paths`\?/);
  });

  it("a role with forbidden_path: cannot pass silently through check either", async () => {
    const repo = scenario({ roles: { tester: "constraints:\n  forbidden_path: [secrets/]" }, config: ASSIGN, change: { write: { "secrets/key": "k" } } });
    const { code, report } = await checkJson(repo.dir, ["--author", "bob"]);

    expect(code).toBe(2);
    expect(report.conclusion).toBe("failure");
    expect(report.errors.find((error) => error.file === ".github/roles/tester.md")).toMatchObject({ field: "constraints.forbidden_path", line: 4, hint: "did you mean `forbidden_paths`?" });
    // The config's assignment of the broken role says why it cannot apply.
    expect(report.errors.find((error) => error.field === "assign[0].role")?.message).toMatch(/its role file has the errors listed here/);
  });

  it("a branch that introduces a typo'd category gets it reported as the proposed change's, with its line", async () => {
    const repo = scenario({
      roles: { tester: TESTER },
      config: ASSIGN,
      change: { write: { ".github/roleguard.yml": `${ASSIGN}categories:\n  deploymnet:\n    approvers: { users: [alice] }\n` } },
    });
    const { code, report } = await checkJson(repo.dir, ["--author", "bob"]);

    expect(report.errors).toEqual([
      { file: ".github/roleguard.yml", field: "categories.deploymnet", line: 5, origin: "proposed", message: expect.stringMatching(/^proposed change: unknown category deploymnet/), hint: "did you mean `deployment`?" },
    ]);
    expect(code).toBe(1);
  });

  it("a branch that deletes the only role naming a custom category makes the config's settings for it an error", async () => {
    const repo = scenario({
      roles: { tester: TESTER, auditor: `${TESTER}\n  requires_approval_for: [policy_changes]` },
      config: `${ASSIGN}categories:\n  policy_changes:\n    paths: [policies/]\n`,
      change: { remove: [".github/roles/auditor.md"] },
    });
    const { report } = await checkJson(repo.dir, ["--author", "bob"]);

    expect(report.errors).toEqual([expect.objectContaining({ field: "categories.policy_changes", line: 5, origin: "proposed" })]);
  });
});

describe("roles lint: typos are errors, unknown categories are warnings", () => {
  it("forbidden_path: is an error with the line and the fix, not ok", async () => {
    const dir = tempDir();
    writeTree(dir, { "intern.md": roleFile("role: intern\nconstraints:\n  forbidden_path: [secrets/]\n  requires_approval: [deployment]") });
    const result = await runRoleguard(["roles", "lint", "intern.md"], dir);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe(
      [
        "error intern.md",
        "      constraints.forbidden_path (line 4): unknown field forbidden_path: as written it is ignored (did you mean `forbidden_paths`?)",
        "      constraints.requires_approval (line 5): unknown field requires_approval: as written it is ignored (did you mean `requires_approval_for`?)",
        "",
      ].join("\n"),
    );
    expectNoStackTrace(result);
  });

  it("deploy/[abc in forbidden_paths is an error naming the pattern", async () => {
    const dir = tempDir();
    writeTree(dir, { "ops.md": roleFile("role: ops\nconstraints:\n  - forbidden_paths:\n    - 'deploy/[abc'") });
    const { code, stdout } = await runRoleguard(["roles", "lint", dir], dir);

    expect(code).toBe(2);
    expect(stdout).toMatch(/^error ops\.md\n {6}constraints\.forbidden_paths\[0\] \(line 5\): malformed pattern `deploy\/\[abc`: `\[` at character 8 is never closed/);
  });

  it("an unknown category is a warning under an ok line, with the built-in it may mean; exit 0 (SPEC §9: the file loads)", async () => {
    const dir = tempDir();
    writeTree(dir, {
      "dba.md": roleFile("role: dba\nconstraints:\n  requires_approval_for:\n    - database_migration\n    - production_data_access"),
      "fine.md": roleFile("role: fine"),
    });
    const { code, stdout, stderr } = await runRoleguard(["roles", "lint", dir], dir);

    expect(stdout).toBe(
      [
        "ok    dba.md: dba",
        "      warning: constraints.requires_approval_for[0] (line 5): not enforced: unknown category database_migration (did you mean `database_migrations`?)",
        "      warning: constraints.requires_approval_for[1] (line 6): not enforced: unknown category production_data_access (enforced only where the config gives it paths under categories.production_data_access)",
        "ok    fine.md: fine",
        "",
      ].join("\n"),
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("a file with several errors lists each once, under one status line", async () => {
    const dir = tempDir();
    writeTree(dir, { "bad.md": roleFile("role: bad\ninherit: contractr\nconstraints:\n  forbidden_paths: 5") });
    const { code, stdout } = await runRoleguard(["roles", "lint", dir], dir);

    expect(code).toBe(2);
    expect(stdout.split("\n").filter((line) => /^\S/.test(line))).toEqual(["error bad.md"]);
    expect(count(stdout, "inherit (line 3)")).toBe(1);
    expect(count(stdout, "constraints.forbidden_paths (line 5)")).toBe(1);
    expect(stdout).not.toContain(";");
  });

  it("a missing parent suggests the loaded role it may mean", async () => {
    const dir = tempDir();
    writeTree(dir, { "child.md": roleFile("role: child\ninherits: contractr") });
    const { code, stdout } = await runRoleguard(["roles", "lint", dir], dir);

    expect(code).toBe(2);
    expect(stdout).toContain("(did you mean `contractor`?)");
  });
});

describe("check notes a working tree whose policy differs from the base ref's", () => {
  function repoOnMain(): ScratchRepo {
    const repo = ScratchRepo.create();
    repo.write({ ".github/roleguard.yml": ASSIGN, ".github/roles/tester.md": roleFile(`role: tester\n${TESTER}`), "src/a.ts": "1\n" }).commit("base");
    return repo;
  }

  it("an edited config names --config; the verdict is still the base's", async () => {
    const repo = repoOnMain();
    repo.write({ ".github/roleguard.yml": "assign: []\n", "secrets/k": "x" });
    repo.branch("feature").commit("edit");
    const { code, stderr, report } = await checkJson(repo.dir, ["--author", "bob"]);

    expect(stderr).toContain("roleguard: note: the working tree changes .github/roleguard.yml, but check uses it as it is at main");
    expect(stderr).toContain("pass --config .github/roleguard.yml");
    expect(report.roles.map((role) => role.id)).toEqual(["tester"]);
    expect(code).toBe(1);
  });

  it("an uncommitted role edit names --roles with its folder", async () => {
    const repo = repoOnMain();
    repo.write({ ".github/roles/tester.md": roleFile("role: tester\nconstraints: {}") });
    const { stderr } = await runRoleguard(["check", "--base", "main", "--author", "bob", "--format", "json"], repo.dir);

    expect(stderr).toContain("the working tree changes role files (.github/roles/tester.md), but check uses them as they are at main; to try your edits, pass --roles .github/roles");
  });

  it("a new, untracked role file counts too; --config and --roles silence their notes", async () => {
    const repo = repoOnMain();
    repo.write({ ".github/roles/new.md": roleFile("role: new"), ".github/roleguard.yml": `${ASSIGN}request_reviews: false\n` });
    const noted = await runRoleguard(["check", "--base", "main", "--author", "bob"], repo.dir);
    expect(noted.stderr).toContain("role files (.github/roles/new.md)");
    expect(noted.stderr).toContain("--config .github/roleguard.yml");

    const quiet = await runRoleguard(["check", "--base", "main", "--author", "bob", "--config", ".github/roleguard.yml", "--roles", ".github/roles"], repo.dir);
    expect(quiet.stderr).toBe("");
  });

  it("says nothing when the working tree matches the base", async () => {
    const repo = repoOnMain();
    const { stderr, code } = await runRoleguard(["check", "--base", "main", "--author", "bob"], repo.dir);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});

describe("roles show finds the repository's own roles, as check does", () => {
  it("a role in .github/roles at the base ref, without --roles", async () => {
    const repo = scenario({ roles: { intern: "inherits: contractor\nconstraints:\n  forbidden_paths: [payroll/]" }, change: CHANGE });
    const { code, stdout } = await runRoleguard(["roles", "show", "intern", "--format", "json"], repo.dir);

    expect(code).toBe(0);
    const shown = JSON.parse(stdout) as { role: string; layer: string; file: string; inherits: string[]; forbidden_paths: string[] };
    expect(shown).toMatchObject({ role: "intern", layer: "repository", file: ".github/roles/intern.md", inherits: ["contractor"] });
    expect(shown.forbidden_paths).toContain("payroll/");
    expect(shown.forbidden_paths.some((entry) => entry.includes("(from contractor)"))).toBe(true);
  });

  it("follows the config's roles.paths, and reads the base ref, not the branch", async () => {
    const repo = scenario({
      config: 'roles:\n  paths: ["policy/roles/*.md"]\n',
      base: { "policy/roles/ops.md": roleFile("role: ops\nconstraints:\n  forbidden_paths: [prod/]") },
      change: { write: { "policy/roles/ops.md": roleFile("role: ops\nconstraints: {}") } },
    });
    const { code, stdout } = await runRoleguard(["roles", "show", "ops", "--format", "json"], repo.dir);

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ role: "ops", file: "policy/roles/ops.md", forbidden_paths: ["prod/"] });
  });

  it("--base REF picks the ref", async () => {
    const repo = scenario({ roles: { ops: "constraints:\n  forbidden_paths: [prod/]" }, change: { write: { ".github/roles/ops.md": roleFile("role: ops\nconstraints:\n  forbidden_paths: [staging/]") } } });
    const { stdout } = await runRoleguard(["roles", "show", "ops", "--base", "feature", "--format", "json"], repo.dir);

    expect(JSON.parse(stdout)).toMatchObject({ forbidden_paths: ["staging/"] });
  });

  it("an unknown id suggests the nearest and exits 2; a repository role's errors are listed by file", async () => {
    const repo = scenario({ roles: { intern: "constraints:\n  forbidden_path: [x/]" }, change: CHANGE });
    const result = await runRoleguard(["roles", "show", "contractr"], repo.dir);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("unknown role contractr (did you mean `contractor`?)");
    expect(result.stderr).toContain("  .github/roles/intern.md\n    constraints.forbidden_path (line 4): ");
    expectNoStackTrace(result);
  });

  it("outside a git repository: the built-in roles and --roles", async () => {
    const dir = tempDir();
    writeTree(dir, { "mine/solo.md": roleFile("role: solo") });
    expect((await runRoleguard(["roles", "show", "contractor"], dir)).code).toBe(0);
    const { code, stdout } = await runRoleguard(["roles", "show", "solo", "--roles", "mine", "--format", "json"], dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ role: "solo", layer: "command line" });
  });
});
