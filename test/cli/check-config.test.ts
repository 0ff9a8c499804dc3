/**
 * `roleguard check` and `.github/roleguard.yml` (SPEC §4, §9): who is held to
 * which role, category settings, config and role errors (exit 2, file and
 * field named), the rule that the config is read at the base ref, and role
 * inheritance as seen through a check.
 */
import { describe, expect, it } from "vitest";
import { checkJson, parseReport, roleFile, runRoleguard, seen, type CheckResult } from "../helpers/cli.js";
import { forbidding, requiring, scenario } from "../helpers/scenario.js";
import { ScratchRepo, tempDir, writeTree } from "../helpers/scratch-repo.js";

/** A role that forbids secrets/ and asks about deletions: enough to see that it applies. */
const TESTER = `${forbidding("secrets/")}\n  requires_approval_for: [delete_files]`;
const CONFIG_FILE = /^(?:[^:]*:)?\.github\/roleguard\.yml$/;

describe("check: assign by login (SPEC §4)", () => {
  const config = 'assign:\n  - role: tester\n    users: ["*-agent[bot]", "alice"]\n';
  const change = { write: { "secrets/a.txt": "x" } };

  it.each([
    { author: "ops-agent[bot]", source: "assign[0].users: ops-agent[bot]" },
    { author: "OPS-Agent[BOT]", source: "assign[0].users: OPS-Agent[BOT]" },
    { author: "Alice", source: "assign[0].users: Alice" },
  ])("$author matches (globs with literal brackets, case-insensitive)", async ({ author, source }) => {
    const repo = scenario({ roles: { tester: TESTER }, config, change });
    const { code, report } = await checkJson(repo.dir, ["--author", author]);

    expect(report.roles).toEqual([{ id: "tester", source }]);
    expect(seen(report.findings)).toEqual([
      { category: "forbidden_paths", path: "secrets/a.txt", state: "violation", detail: "matches secrets/ of role tester" },
    ]);
    expect(report.conclusion).toBe("failure");
    expect(code).toBe(1);
  });

  it.each(["ops-agentb", "ops-agent", "ops-agent[bot]-2", "alicia"])(
    "%s does not match: neutral, exit 0 (brackets are not a character class)",
    async (author) => {
      const repo = scenario({ roles: { tester: TESTER }, config, change });
      const { code, report } = await checkJson(repo.dir, ["--author", author]);

      expect(report.roles).toEqual([]);
      expect(report.findings).toEqual([]);
      expect(report.conclusion).toBe("neutral");
      expect(report.title).toContain(author);
      expect(code).toBe(0);
    },
  );

  it("every matching entry applies: the PR is held to all of them", async () => {
    const repo = scenario({
      roles: { tester: TESTER, strict: forbidding("docs/") },
      config: 'assign:\n  - role: tester\n    users: ["*[bot]"]\n  - role: strict\n    users: ["ops-*"]\n',
      change: { write: { "secrets/a.txt": "x", "docs/b.md": "x" } },
    });
    const { report } = await checkJson(repo.dir, ["--author", "ops-agent[bot]"]);

    expect(report.roles).toEqual([
      { id: "tester", source: "assign[0].users: ops-agent[bot]" },
      { id: "strict", source: "assign[1].users: ops-agent[bot]" },
    ]);
    expect(seen(report.findings)).toEqual([
      { category: "forbidden_paths", path: "docs/b.md", state: "violation", detail: "matches docs/ of role strict" },
      { category: "forbidden_paths", path: "secrets/a.txt", state: "violation", detail: "matches secrets/ of role tester" },
    ]);
  });

  it("default_role holds authors no entry matches", async () => {
    const repo = scenario({
      roles: { tester: TESTER },
      config: 'assign:\n  - role: contractor\n    users: ["ext-*"]\ndefault_role: tester\n',
      change,
    });
    const { code, report } = await checkJson(repo.dir, ["--author", "dave"]);

    expect(report.roles).toHaveLength(1);
    expect(report.roles[0]?.id).toBe("tester");
    expect(report.roles[0]?.source).toContain("default_role");
    expect(seen(report.findings, { detail: false })).toEqual([{ category: "forbidden_paths", path: "secrets/a.txt", state: "violation" }]);
    expect(code).toBe(1);
  });

  it("an author matching nothing with no default_role is neutral, exit 0, even with forbidden and governance changes", async () => {
    const repo = scenario({
      roles: { tester: TESTER },
      config: "assign:\n  - role: tester\n    users: [alice]\n",
      change: { write: { "secrets/a.txt": "x", "AGENTS.md": "x" } },
    });
    const { code, report } = await checkJson(repo.dir, ["--author", "mallory"]);

    expect(report).toMatchObject({ version: 1, conclusion: "neutral", roles: [], findings: [], errors: [] });
    expect(report.title).toContain("mallory");
    expect(code).toBe(0);
  });

  it("default_role: null means authors no entry matches are not checked", async () => {
    const repo = scenario({ roles: { tester: TESTER }, config: "assign:\n  - role: tester\n    users: [alice]\ndefault_role: null\n", change });
    const { code, report } = await checkJson(repo.dir, ["--author", "bob"]);

    expect(report.conclusion).toBe("neutral");
    expect(code).toBe(0);
  });

  it("no config at all and no --author/--role is neutral", async () => {
    const repo = scenario({ change: { write: { "infrastructure/main.tf": "x" } } });
    const { code, report } = await checkJson(repo.dir);

    expect(report.conclusion).toBe("neutral");
    expect(report.roles).toEqual([]);
    expect(code).toBe(0);
  });
});

describe("check: category settings in the config (SPEC §2, §4)", () => {
  const base = { "prisma/schema.prisma": "model A { id Int @id }\n", "db/migrations/README.md": "how\n" };
  const change = {
    write: {
      "prisma/schema.prisma": "model A { id Int @id\n b Int }\n",
      "db/changes/001_add_b.sql": "ALTER TABLE a ADD b int;\n",
      "db/migrations/README.md": "how to\n",
      "db/migrations/002_x.sql": "SELECT 1;\n",
    },
  };
  const run = async (categoryConfig: string): Promise<CheckResult> => {
    const repo = scenario({
      roles: { tester: requiring("database_migrations") },
      config: `categories:\n  database_migrations:\n${categoryConfig}`,
      base,
      change,
    });
    return checkJson(repo.dir, ["--role", "tester"]);
  };
  const paths = (result: CheckResult) => result.report.findings.map((finding) => finding.path).sort();

  it("with no settings, only the default patterns trigger", async () => {
    const repo = scenario({ roles: { tester: requiring("database_migrations") }, base, change });
    const result = await checkJson(repo.dir, ["--role", "tester"]);
    // A README in a migrations folder is not a migration (issue 12).
    expect(paths(result)).toEqual(["db/migrations/002_x.sql", "prisma/schema.prisma"]);
  });

  it("paths extends the defaults", async () => {
    expect(paths(await run('    paths: ["db/changes/**"]\n'))).toEqual([
      "db/changes/001_add_b.sql",
      "db/migrations/002_x.sql",
      "prisma/schema.prisma",
    ]);
  });

  it("ignore narrows", async () => {
    expect(paths(await run('    paths: ["db/changes/**"]\n    ignore: ["db/migrations/002_x.sql"]\n'))).toEqual([
      "db/changes/001_add_b.sql",
      "prisma/schema.prisma",
    ]);
  });

  it("defaults: false replaces the defaults with paths", async () => {
    expect(paths(await run('    paths: ["db/changes/**"]\n    defaults: false\n'))).toEqual(["db/changes/001_add_b.sql"]);
  });

  it("approvers appear on every pending finding of the category, users and teams with @", async () => {
    const result = await run("    approvers: { users: [alice], teams: [acme/dba] }\n");
    expect(result.report.findings).toHaveLength(2);
    for (const finding of result.report.findings) {
      expect(finding.state).toBe("pending");
      expect(finding.approvers).toEqual(["@alice", "@acme/dba"]);
    }
  });

  it("a category without approvers has no approvers field", async () => {
    const result = await run('    paths: ["db/changes/**"]\n');
    for (const finding of result.report.findings) expect(finding).not.toHaveProperty("approvers");
  });
});

describe("check: config and role errors exit 2 naming file and field (SPEC §1, §4, §9)", () => {
  it("broken YAML in .github/roleguard.yml at base: the line is reported", async () => {
    const repo = scenario({
      roles: { tester: TESTER },
      config: "request_reviews: true\ncase_insensitive: false\nassign: role: tester\nmatch_commit_authors: true\n",
      change: { write: { "src/a.ts": "x" } },
    });
    const { code, report, stderr } = await checkJson(repo.dir, ["--author", "bot"]);

    expect(report.conclusion).toBe("failure");
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.file).toMatch(CONFIG_FILE);
    expect(report.errors[0]?.line).toBe(3);
    expect(report.errors[0]?.message).toMatch(/yaml/i);
    expect(stderr).toContain("roleguard.yml");
    expect(code).toBe(2);
  });

  it.each([
    { name: "a wrong type (assign: 5)", config: "assign: 5\n", field: "assign", message: /array|list/i },
    { name: "an unknown key (assing:)", config: "assing:\n  - role: tester\n    users: [bot]\n", field: "assing", message: /unknown/i },
    { name: "a nested wrong value", config: "approvals:\n  min_permission: superuser\n", field: "approvals.min_permission", message: /write/ },
    { name: "an assign entry naming nobody", config: "assign:\n  - role: tester\n", field: "assign[0]", message: /nobody|users/ },
  ])("$name", async ({ config, field, message }) => {
    const repo = scenario({ roles: { tester: TESTER }, config, change: { write: { "src/a.ts": "x" } } });
    const { code, report, stderr } = await checkJson(repo.dir, ["--author", "bot"]);

    expect(report.conclusion).toBe("failure");
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ field });
    expect(report.errors[0]?.file).toMatch(CONFIG_FILE);
    expect(report.errors[0]?.message).toMatch(message);
    expect(report.title).toContain(field);
    expect(stderr).toContain(field);
    expect(code).toBe(2);
  });

  it("a bad role file at base names the file and the field", async () => {
    const repo = scenario({
      roles: { tester: TESTER },
      base: { ".github/roles/broken.md": roleFile("role: broken\nconstraints:\n  forbidden_paths: 5") },
      change: { write: { "src/a.ts": "x" } },
    });
    const { code, report, stderr } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.conclusion).toBe("failure");
    expect(report.errors).toEqual([{ file: ".github/roles/broken.md", field: "constraints.forbidden_paths", line: 4, message: expect.any(String) }]);
    expect(stderr).toContain(".github/roles/broken.md");
    expect(code).toBe(2);
  });

  it("broken YAML in a role file at base names the file and the line", async () => {
    const repo = scenario({
      base: { ".github/roles/broken.md": "---\nrole: broken\nconstraints: forbidden_paths: [x]\n---\nbody\n" },
      change: { write: { "src/a.ts": "x" } },
    });
    const { code, report } = await checkJson(repo.dir, ["--role", "contractor"]);

    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ file: ".github/roles/broken.md", line: 3 });
    expect(code).toBe(2);
  });

  it("an assign entry naming an undefined role is an error naming the role", async () => {
    const repo = scenario({ config: "assign:\n  - role: ghost\n    users: [bot]\n", change: { write: { "src/a.ts": "x" } } });
    const { code, report } = await checkJson(repo.dir, ["--author", "bot"]);

    expect(report.conclusion).toBe("failure");
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.message).toContain("ghost");
    // A config error in the policy in force: exit 2 (SPEC §9), like any other config error.
    expect(code).toBe(2);
  });

  it("an unknown --role id exits 2 and names it", async () => {
    const repo = scenario({ change: { write: { "src/a.ts": "x" } } });
    const { code, stderr } = await runRoleguard(["check", "--base", "main", "--role", "no-such-role", "--format", "json"], repo.dir);

    expect(code).toBe(2);
    expect(stderr).toContain("no-such-role");
  });

  it("--author together with --role exits 2", async () => {
    const repo = scenario({ change: { write: { "src/a.ts": "x" } } });
    const { code, stderr } = await runRoleguard(["check", "--base", "main", "--author", "bot", "--role", "contractor"], repo.dir);

    expect(code).toBe(2);
    expect(stderr).toMatch(/--author/);
    expect(stderr).toMatch(/--role/);
  });

  it.each([
    { name: "an unknown option", args: ["check", "--bogus"] },
    { name: "an unknown format", args: ["check", "--format", "yaml"] },
    { name: "an unknown command", args: ["frobnicate"] },
    { name: "an unknown base ref", args: ["check", "--base", "no-such-branch", "--role", "contractor"] },
  ])("$name exits 2", async ({ args }) => {
    const repo = scenario({ change: { write: { "src/a.ts": "x" } } });
    const { code, stderr } = await runRoleguard(args, repo.dir);

    expect(code).toBe(2);
    expect(stderr).not.toBe("");
  });
});

describe("check: the config and roles are read at the BASE ref (SPEC §4, §9)", () => {
  it("a branch that removes its own assign entry is still judged by the base config", async () => {
    const config = "assign:\n  - role: tester\n    users: [bot]\n";
    const repo = scenario({
      roles: { tester: TESTER },
      config,
      change: { write: { ".github/roleguard.yml": "assign: []\n", "secrets/a.txt": "x" } },
    });
    const { code, report } = await checkJson(repo.dir, ["--author", "bot"]);

    expect(report.roles).toEqual([{ id: "tester", source: "assign[0].users: bot" }]);
    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "secrets/a.txt", state: "violation" },
      { category: "governance", path: ".github/roleguard.yml", state: "pending" },
    ]);
    expect(report.errors).toEqual([]);
    expect(report.conclusion).toBe("failure");
    expect(code).toBe(1);
  });

  it("a branch that loosens its own role file is still judged by the base role", async () => {
    const repo = scenario({
      roles: { tester: TESTER },
      change: { write: { ".github/roles/tester.md": roleFile("role: tester"), "secrets/a.txt": "x" } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "secrets/a.txt", state: "violation" },
      { category: "governance", path: ".github/roles/tester.md", state: "pending" },
    ]);
  });

  it("a branch that introduces a broken config gets errors naming the proposed file; the verdict still uses the base", async () => {
    const repo = scenario({
      roles: { tester: TESTER },
      config: "assign:\n  - role: tester\n    users: [bot]\n",
      change: { write: { ".github/roleguard.yml": "assign: 5\n" } },
    });
    const { code, report } = await checkJson(repo.dir, ["--author", "bot"]);

    expect(report.roles).toEqual([{ id: "tester", source: "assign[0].users: bot" }]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ file: ".github/roleguard.yml", field: "assign" });
    expect(seen(report.findings, { detail: false })).toEqual([{ category: "governance", path: ".github/roleguard.yml", state: "pending" }]);
    expect(report.conclusion).toBe("failure");
    expect(code).toBeGreaterThan(0);
  });

  it("a branch that adds a broken role file gets an error naming that file", async () => {
    const repo = scenario({
      roles: { tester: TESTER },
      change: { write: { ".github/roles/new.md": roleFile("role: new\ninherits: nobody-knows-me") } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.file).toBe(".github/roles/new.md");
    expect(report.errors[0]?.message).toContain("nobody-knows-me");
    expect(report.conclusion).toBe("failure");
  });

  it("a branch that changes a parent role's id, breaking the roles that inherit it, fails the check", async () => {
    const repo = scenario({
      roles: { parent: forbidding("secrets/"), child: "inherits: parent" },
      change: { write: { ".github/roles/parent.md": roleFile(`role: parent-renamed\n${forbidding("secrets/")}`) } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "child"]);

    // The proposed policy would leave child with an undefined parent: nobody may merge that (SPEC §5).
    expect(report.errors.length).toBeGreaterThan(0);
    expect(report.errors.map((error) => `${error.file} ${error.message}`).join("\n")).toMatch(/\bparent\b/);
    expect(report.conclusion).toBe("failure");
  });

  it("a branch that deletes a role file other roles inherit from fails the check", async () => {
    const repo = scenario({
      roles: { parent: forbidding("secrets/"), child: "inherits: parent" },
      change: { remove: [".github/roles/parent.md"] },
    });
    const { report } = await checkJson(repo.dir, ["--role", "child"]);

    expect(report.errors.length).toBeGreaterThan(0);
    expect(report.conclusion).toBe("failure");
  });

  it("a branch whose proposed config assigns an undefined role fails the check naming it", async () => {
    const repo = scenario({
      roles: { tester: TESTER },
      config: "assign:\n  - role: tester\n    users: [bot]\n",
      change: { write: { ".github/roleguard.yml": "assign:\n  - role: tseter\n    users: [bot]\n" } },
    });
    const { report } = await checkJson(repo.dir, ["--author", "bot"]);

    expect(report.roles).toEqual([{ id: "tester", source: "assign[0].users: bot" }]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.file).toBe(".github/roleguard.yml");
    expect(report.errors[0]?.message).toContain("tseter");
    expect(report.conclusion).toBe("failure");
  });

  it("a config that exists only on the branch does not apply", async () => {
    const repo = scenario({
      roles: { tester: TESTER },
      change: { write: { ".github/roleguard.yml": "default_role: tester\n", "secrets/a.txt": "x" } },
    });
    const { code, report } = await checkJson(repo.dir, ["--author", "bot"]);

    expect(report.conclusion).toBe("neutral");
    expect(report.roles).toEqual([]);
    expect(code).toBe(0);
  });

  it("the base is the merge base: commits on main after the branch point are not part of the change", async () => {
    const repo = ScratchRepo.create();
    repo.write({ ".github/roles/tester.md": roleFile(`role: tester\n${TESTER}`), "README.md": "x" }).commit("base");
    repo.branch("feature").write({ "src/feature.ts": "x" }).commit("feature");
    repo.checkout("main").write({ "secrets/on-main.txt": "x" }).commit("main moves on");
    repo.checkout("feature");
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });
});

describe("check: refs (SPEC §9)", () => {
  it("without --base, the base is main (no upstream)", async () => {
    const repo = scenario({ roles: { tester: TESTER }, change: { write: { "secrets/a.txt": "a\n" } } });
    const { code, stdout } = await runRoleguard(["check", "--role", "tester", "--format", "json"], repo.dir);

    expect(seen(parseReport(stdout).findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "secrets/a.txt", state: "violation" },
    ]);
    expect(code).toBe(1);
  });

  it("--head REF evaluates that ref, not the checked-out one", async () => {
    const repo = scenario({ roles: { tester: TESTER }, change: { write: { "secrets/a.txt": "a\n" } } });
    repo.checkout("main");
    const onMain = await checkJson(repo.dir, ["--role", "tester"]);
    const onFeature = await checkJson(repo.dir, ["--role", "tester", "--head", "feature"]);

    expect(onMain.report.findings).toEqual([]);
    expect(onMain.code).toBe(0);
    expect(seen(onFeature.report.findings, { detail: false })).toEqual([{ category: "forbidden_paths", path: "secrets/a.txt", state: "violation" }]);
    expect(onFeature.code).toBe(1);
  });
});

describe("check: --config and --roles point elsewhere explicitly (SPEC §9)", () => {
  it("--config FILE replaces the base config", async () => {
    const repo = scenario({ roles: { tester: TESTER }, config: "assign: []\n", change: { write: { "secrets/a.txt": "x" } } });
    const dir = tempDir();
    writeTree(dir, { "try.yml": "assign:\n  - role: tester\n    users: [bot]\n" });
    const { report } = await checkJson(repo.dir, ["--author", "bot", "--config", `${dir}/try.yml`]);

    expect(report.roles).toEqual([{ id: "tester", source: "assign[0].users: bot" }]);
    expect(seen(report.findings, { detail: false })).toEqual([{ category: "forbidden_paths", path: "secrets/a.txt", state: "violation" }]);
  });

  it("--roles DIR adds role files that take precedence over built-in and repository ones", async () => {
    const repo = scenario({ roles: { tester: TESTER }, change: { write: { "secrets/a.txt": "x", "docs/a.md": "x" } } });
    const dir = tempDir();
    writeTree(dir, { "tester.md": roleFile(`role: tester\n${forbidding("docs/")}`), "nested/contractor.md": roleFile(`role: contractor\n${forbidding("src/")}`) });
    const { report } = await checkJson(repo.dir, ["--role", "tester", "--roles", dir]);

    expect(report.errors).toEqual([]);
    expect(seen(report.findings)).toEqual([
      { category: "forbidden_paths", path: "docs/a.md", state: "violation", detail: "matches docs/ of role tester" },
    ]);
  });

  it("a relative --config path is resolved against the command's working directory", async () => {
    const repo = scenario({ roles: { tester: TESTER }, change: { write: { "secrets/a.txt": "x", "try.yml": "default_role: tester\n" } } });
    repo.syncWorkTree(); // --config reads the file from the working directory, not from a commit
    const { code, report } = await checkJson(repo.dir, ["--author", "bot", "--config", "try.yml"]);

    expect(report.errors).toEqual([]);
    expect(report.roles.map((role) => role.id)).toEqual(["tester"]);
    expect(code).toBe(1);
  });

  it("a relative --roles path is resolved against the command's working directory", async () => {
    const repo = scenario({ change: { write: { "secrets/a.txt": "x", "try-roles/probe.md": roleFile(`role: probe\n${forbidding("secrets/")}`) } } });
    repo.syncWorkTree(); // --roles reads the folder from the working directory, not from a commit
    const { code, report } = await checkJson(repo.dir, ["--role", "probe", "--roles", "try-roles"]);

    expect(report.errors).toEqual([]);
    expect(report.roles.map((role) => role.id)).toEqual(["probe"]);
    expect(code).toBe(1);
  });

  it("roles.paths in the config says where the repository's role files are; editing one is governance", async () => {
    const repo = scenario({
      config: 'roles:\n  paths: ["policy/roles/*.md"]\n',
      base: {
        "policy/roles/keeper.md": roleFile(`role: keeper\n${forbidding("vault/")}`),
        "policy/roles/other.md": roleFile("role: other"),
      },
      change: { write: { "vault/k.txt": "k\n", "policy/roles/other.md": roleFile("role: other\ndescription: edited") } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "keeper"]);

    expect(report.errors).toEqual([]);
    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "vault/k.txt", state: "violation" },
      { category: "governance", path: "policy/roles/other.md", state: "pending" },
    ]);
  });

  it("a repository role file replaces the built-in role of the same id", async () => {
    const repo = scenario({
      roles: { contractor: forbidding("docs/") },
      change: { write: { "docs/a.md": "x", "infrastructure/main.tf": "x" } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "contractor"]);

    expect(seen(report.findings)).toEqual([
      { category: "forbidden_paths", path: "docs/a.md", state: "violation", detail: "matches docs/ of role contractor" },
    ]);
  });
});

describe("check: inheritance (SPEC §1)", () => {
  it("a child inherits its parent's forbidden paths and keeps its own", async () => {
    const repo = scenario({
      roles: { parent: forbidding("secrets/"), child: `inherits: parent\n${forbidding("private/")}` },
      change: { write: { "secrets/a.txt": "x", "private/b.txt": "x", "src/c.ts": "x" } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "child"]);

    expect(report.roles).toEqual([{ id: "child", source: expect.any(String) }]);
    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "private/b.txt", state: "violation" },
      { category: "forbidden_paths", path: "secrets/a.txt", state: "violation" },
    ]);
    const inherited = report.findings.find((finding) => finding.path === "secrets/a.txt");
    expect(inherited?.detail).toMatch(/^matches secrets\/ of role child\b/);
    expect(inherited?.roles).toEqual(["child"]);
  });

  it("multiple parents (inherits: [a, b]): the union of every list constraint", async () => {
    const repo = scenario({
      roles: {
        a: forbidding("a-only/"),
        b: `${requiring("delete_files")}\n  forbidden_paths: [b-only/]`,
        child: "inherits: [a, b]\nconstraints:\n  requires_approval_for: [deployment]",
      },
      base: { "src/old.ts": "export const old = true;\n" },
      change: { remove: ["src/old.ts"], write: { "a-only/x": "a\n", "b-only/y": "b\n", Dockerfile: "FROM x\n" } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "child"]);

    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "delete_files", path: "src/old.ts", state: "pending" },
      { category: "deployment", path: "Dockerfile", state: "pending" },
      { category: "forbidden_paths", path: "a-only/x", state: "violation" },
      { category: "forbidden_paths", path: "b-only/y", state: "violation" },
    ]);
  });

  it("a grandchild inherits through its parent; scalars: the child wins", async () => {
    const repo = scenario({
      roles: {
        grand: `${forbidding("vault/")}\ndecision_making:\n  autonomy_level: low`,
        parent: "inherits: grand",
        child: "inherits: parent\ndecision_making:\n  autonomy_level: high",
      },
      change: { write: { "vault/k": "x" } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "child"]);

    // autonomy high in the child: no commit finding; vault/ inherited from the grandparent.
    expect(seen(report.findings, { detail: false })).toEqual([{ category: "forbidden_paths", path: "vault/k", state: "violation" }]);
  });

  it("the built-in software-engineer-typescript-backend inherits .ai/ from software-engineer-typescript", async () => {
    const repo = scenario({ change: { write: { ".ai/notes.md": "x", "workspace/frontend/app.tsx": "x", "src/server.ts": "x" } } });
    const { report } = await checkJson(repo.dir, ["--role", "software-engineer-typescript-backend"]);

    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "commit", state: "pending" },
      { category: "forbidden_paths", path: ".ai/notes.md", state: "violation" },
      { category: "forbidden_paths", path: "workspace/frontend/app.tsx", state: "violation" },
    ]);
    expect(report.findings.find((finding) => finding.path === ".ai/notes.md")?.detail).toMatch(
      /^matches \.ai\/ of role software-engineer-typescript-backend\b/,
    );
    expect(report.checklist).toEqual(expect.arrayContaining(["High-level architectural changes", "Breaking changes in the codebase"]));
  });
});
