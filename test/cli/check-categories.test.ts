/**
 * `roleguard check` approval categories triggered by paths and file status
 * (SPEC §2): delete_files, database_migrations, deployment,
 * infrastructure_changes, security_changes, api_contract_changes, governance,
 * commit, low_confidence, and categories the config defines.
 */
import { describe, expect, it } from "vitest";
import { checkJson, inCategory, seen, type SeenFinding } from "../helpers/cli.js";
import { requiring, scenario } from "../helpers/scenario.js";
import { tempDir, writeTree, type ChangeSteps, type FileTree } from "../helpers/scratch-repo.js";

interface CategoryCase {
  name: string;
  /** The test role's requires_approval_for. */
  requires: string[];
  base?: FileTree;
  change: ChangeSteps;
  /** Every finding, as [category, path] pairs; all are pending. */
  expected: [category: string, path: string][];
}

/** Written beside every change: application code that no category may catch. */
const APP_CODE: FileTree = { "src/app.ts": "export const app = 1;\n" };

const CASES: CategoryCase[] = [
  {
    name: "delete_files: every removed file, nothing for added or modified ones",
    requires: ["delete_files"],
    base: { "src/old.ts": "old", "docs/old.md": "old", "src/kept.ts": "kept" },
    change: { remove: ["src/old.ts", "docs/old.md"], write: { "src/kept.ts": "changed", "src/new.ts": "new" } },
    expected: [
      ["delete_files", "docs/old.md"],
      ["delete_files", "src/old.ts"],
    ],
  },
  {
    name: "database_migrations: Prisma schema and migration",
    requires: ["database_migrations"],
    base: { "prisma/schema.prisma": "model User { id Int @id }\n" },
    change: {
      write: {
        "prisma/schema.prisma": "model User { id Int @id\n name String }\n",
        "prisma/migrations/20240101000000_add_name/migration.sql": "ALTER TABLE users ADD name text;\n",
      },
    },
    expected: [
      ["database_migrations", "prisma/migrations/20240101000000_add_name/migration.sql"],
      ["database_migrations", "prisma/schema.prisma"],
    ],
  },
  {
    name: "database_migrations: Rails db/migrate and db/schema.rb",
    requires: ["database_migrations"],
    change: {
      write: {
        "db/migrate/20240101000000_add_users.rb": "class AddUsers < ActiveRecord::Migration[7.1]; end\n",
        "db/schema.rb": "ActiveRecord::Schema.define {}\n",
        "app/models/user.rb": "class User; end\n",
      },
    },
    expected: [
      ["database_migrations", "db/migrate/20240101000000_add_users.rb"],
      ["database_migrations", "db/schema.rb"],
    ],
  },
  {
    name: "database_migrations: Django app migrations",
    requires: ["database_migrations"],
    change: { write: { "shop/migrations/0002_add_price.py": "from django.db import migrations\n", "shop/models.py": "x = 1\n" } },
    expected: [["database_migrations", "shop/migrations/0002_add_price.py"]],
  },
  {
    name: "database_migrations: Flyway versioned file names wherever they live",
    requires: ["database_migrations"],
    change: { write: { "sql/V2__add_index.sql": "CREATE INDEX i ON t (c);\n", "sql/report.sql": "SELECT 1;\n" } },
    expected: [["database_migrations", "sql/V2__add_index.sql"]],
  },
  {
    name: "database_migrations: *.sql under a migrations folder, not elsewhere",
    requires: ["database_migrations"],
    change: {
      write: {
        "db/migrations/002_add_index.sql": "CREATE INDEX i ON t (c);\n",
        "queries/report.sql": "SELECT 1;\n",
        "src/migrate-users.ts": "x",
      },
    },
    expected: [["database_migrations", "db/migrations/002_add_index.sql"]],
  },
  {
    name: "database_migrations: Alembic versions and golang-migrate up/down files",
    requires: ["database_migrations"],
    change: { write: { "alembic/versions/abc123_add_table.py": "x", "db/000002_users.up.sql": "x", "db/000002_users.down.sql": "x" } },
    expected: [
      ["database_migrations", "alembic/versions/abc123_add_table.py"],
      ["database_migrations", "db/000002_users.down.sql"],
      ["database_migrations", "db/000002_users.up.sql"],
    ],
  },
  {
    name: "deployment: Dockerfiles, a Helm chart, a deploy workflow, Procfile",
    requires: ["deployment"],
    change: {
      write: {
        Dockerfile: "FROM node:20\n",
        "services/api/Dockerfile": "FROM node:20\n",
        "charts/api/Chart.yaml": "apiVersion: v2\nname: api\n",
        "charts/api/templates/deployment.yaml": "kind: Deployment\n",
        ".github/workflows/deploy.yml": "on: push\n",
        ".github/workflows/ci.yml": "on: push\n",
        Procfile: "web: node server.js\n",
        "docs/deploying.md": "How we deploy\n",
      },
    },
    expected: [
      ["deployment", ".github/workflows/deploy.yml"],
      ["deployment", "Dockerfile"],
      ["deployment", "Procfile"],
      ["deployment", "charts/api/Chart.yaml"],
      ["deployment", "charts/api/templates/deployment.yaml"],
      ["deployment", "services/api/Dockerfile"],
    ],
  },
  {
    name: "infrastructure_changes: Terraform anywhere, infrastructure/, Pulumi",
    requires: ["infrastructure_changes"],
    change: {
      write: {
        "modules/vpc/main.tf": 'resource "aws_vpc" "main" {}\n',
        "envs/prod.tfvars": "region = 1\n",
        "infrastructure/README.md": "x",
        "Pulumi.yaml": "name: x\n",
        "src/tf.ts": "x",
      },
    },
    expected: [
      ["infrastructure_changes", "Pulumi.yaml"],
      ["infrastructure_changes", "envs/prod.tfvars"],
      ["infrastructure_changes", "infrastructure/README.md"],
      ["infrastructure_changes", "modules/vpc/main.tf"],
    ],
  },
  {
    name: "security_changes: .env.production, keys, auth code; CODEOWNERS is also governance",
    requires: ["security_changes"],
    change: {
      write: {
        ".env.production": "SECRET=1\n",
        "certs/server.key": "-----BEGIN PRIVATE KEY-----\n",
        "src/auth/session.ts": "x",
        CODEOWNERS: "* @acme/owners\n",
        "src/author.ts": "x",
        "docs/environment.md": "x",
      },
    },
    expected: [
      ["governance", "CODEOWNERS"],
      ["security_changes", ".env.production"],
      ["security_changes", "CODEOWNERS"],
      ["security_changes", "certs/server.key"],
      ["security_changes", "src/auth/session.ts"],
    ],
  },
  {
    name: "api_contract_changes: .proto, openapi.yaml, GraphQL schema",
    requires: ["api_contract_changes"],
    change: {
      write: {
        "proto/user/v1/user.proto": 'syntax = "proto3";\n',
        "api/openapi.yaml": "openapi: 3.1.0\n",
        "schema.graphql": "type Query { a: Int }\n",
        "src/api/handler.ts": "x",
      },
    },
    expected: [
      ["api_contract_changes", "api/openapi.yaml"],
      ["api_contract_changes", "proto/user/v1/user.proto"],
      ["api_contract_changes", "schema.graphql"],
    ],
  },
  {
    name: "governance is always on: the config, agent instruction files, a role file",
    requires: [],
    base: { ".github/roleguard.yml": "request_reviews: true\n", "AGENTS.md": "Be careful.\n" },
    change: {
      write: {
        ".github/roleguard.yml": "request_reviews: false\n",
        "AGENTS.md": "Be very careful.\n",
        ".github/roles/helper.md": "---\nrole: helper\nconstraints:\n  forbidden_paths: [secrets/]\n---\nA helper.\n",
        ".github/copilot-instructions.md": "x",
        ".claude/settings.json": "{}",
        ".cursor/rules/style.mdc": "x",
        "src/agents/runner.ts": "x",
      },
    },
    expected: [
      ["governance", ".claude/settings.json"],
      ["governance", ".cursor/rules/style.mdc"],
      ["governance", ".github/copilot-instructions.md"],
      ["governance", ".github/roleguard.yml"],
      ["governance", ".github/roles/helper.md"],
      ["governance", "AGENTS.md"],
    ],
  },
  {
    name: "governance covers editing an existing role file, including the author's own",
    requires: [],
    change: { write: { ".github/roles/tester.md": "---\nrole: tester\n---\nNo constraints at all any more.\n" } },
    expected: [["governance", ".github/roles/tester.md"]],
  },
];

describe("check: path and status categories (SPEC §2)", () => {
  it.each(CASES)("$name", async ({ requires, base, change, expected }) => {
    const repo = scenario({
      roles: { tester: requiring(...requires) },
      ...(base ? { base } : {}),
      change: { ...change, write: { ...APP_CODE, ...change.write } },
    });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.errors).toEqual([]);
    const want = expected
      .map(([category, path]): SeenFinding => ({ category, path, state: "pending" }))
      .sort((a, b) => (a.category + "\u0000" + (a.path ?? "") < b.category + "\u0000" + (b.path ?? "") ? -1 : 1));
    expect(seen(report.findings, { detail: false })).toEqual(want);
    for (const finding of report.findings) {
      expect(finding.roles).toEqual(["tester"]);
      expect(finding.resolve).toBe(`/roleguard approve ${finding.category}`);
    }
    const categories = [...new Set(expected.map(([category]) => category))];
    expect(report.conclusion).toBe("action_required");
    const [count, listed] = report.title.split(" needed: ");
    expect(count).toBe(`${categories.length} approval${categories.length === 1 ? "" : "s"}`);
    expect(listed?.split(", ").sort()).toEqual(categories.sort());
    expect(code).toBe(1);
  });

  it("a role that requires nothing and touches no governance file passes with exit 0", async () => {
    const repo = scenario({ roles: { tester: requiring() }, change: { write: { ...APP_CODE, Dockerfile: "FROM x\n" } } });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.findings).toEqual([]);
    expect(report.conclusion).toBe("success");
    expect(report.title).toContain("tester");
    expect(code).toBe(0);
  });

  it("a rename out of a migrations folder counts once, under both paths", async () => {
    const migration = Array.from({ length: 12 }, (_, i) => `ALTER TABLE t${i} ADD COLUMN c int;`).join("\n");
    const repo = scenario({
      roles: { tester: requiring("database_migrations", "delete_files") },
      base: { "db/migrations/001_init.sql": migration },
      change: { rename: [["db/migrations/001_init.sql", "db/archive/001_init.sql"]] },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "database_migrations", path: "db/archive/001_init.sql", previous_path: "db/migrations/001_init.sql", state: "pending" },
    ]);
  });

  it("deleting the config is governance (and a deletion)", async () => {
    const repo = scenario({
      roles: { tester: requiring("delete_files") },
      base: { ".github/roleguard.yml": "request_reviews: true\n" },
      change: { remove: [".github/roleguard.yml"] },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "delete_files", path: ".github/roleguard.yml", state: "pending" },
      { category: "governance", path: ".github/roleguard.yml", state: "pending" },
    ]);
  });

  it("categories a role does not require produce no findings", async () => {
    const repo = scenario({
      roles: { tester: requiring("deployment") },
      base: { "src/old.ts": "export const old = true;\n" },
      change: { remove: ["src/old.ts"], write: { "db/migrations/001.sql": "sql\n", "main.tf": "tf\n", ".env": "A=1\n", "api.proto": "proto\n", Dockerfile: "FROM x\n" } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([{ category: "deployment", path: "Dockerfile", state: "pending" }]);
  });
});

describe("check: commit and autonomy (SPEC §1, §2)", () => {
  it.each([
    { name: "autonomy_level: low implies commit", front: "decision_making:\n  autonomy_level: low" },
    { name: "requires_approval_for: [commit]", front: requiring("commit") },
  ])("$name: one pending commit finding without a path", async ({ front }) => {
    const repo = scenario({ roles: { tester: front }, change: { write: APP_CODE } });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.findings).toHaveLength(1);
    const [finding] = report.findings;
    expect(finding).toMatchObject({ category: "commit", state: "pending", roles: ["tester"] });
    expect(finding).not.toHaveProperty("path");
    expect(report.conclusion).toBe("action_required");
    expect(report.title).toBe("1 approval needed: commit");
    expect(code).toBe(1);
  });

  it("autonomy_level: medium or high does not imply commit", async () => {
    const repo = scenario({
      roles: { medium: "decision_making:\n  autonomy_level: medium", high: "decision_making:\n  autonomy_level: high" },
      change: { write: APP_CODE },
    });
    const { code, report } = await checkJson(repo.dir, ["--role", "medium", "high"]);

    expect(report.findings).toEqual([]);
    expect(report.roles.map((role) => role.id).sort()).toEqual(["high", "medium"]);
    expect(code).toBe(0);
  });

  it("the built-in ai-agent role (autonomy low) needs approval for every change", async () => {
    const repo = scenario({ change: { write: APP_CODE } });
    const { report } = await checkJson(repo.dir, ["--role", "ai-agent"]);

    expect(seen(report.findings, { detail: false })).toEqual([{ category: "commit", state: "pending" }]);
    // "Confidence < 80%" with no confidence stated in a PR body: a checklist item, not a finding.
    expect(report.checklist.some((item) => item.includes("80%"))).toBe(true);
    // The other escalation lines are shown to reviewers, never dropped.
    expect(report.checklist).toEqual(expect.arrayContaining(["Performance-sensitive code paths", "Tests removed or weakened to make a build pass"]));
  });
});

describe("check: stated confidence (SPEC §2, Confidence < N%)", () => {
  const role = "decision_making:\n  escalation_criteria:\n    - Confidence < 70%\n    - High-level architectural changes";

  it("a PR body stating a confidence below N is a low_confidence finding without a path", async () => {
    const repo = scenario({ roles: { tester: role }, change: { write: APP_CODE } });
    const dir = tempDir();
    writeTree(dir, { "body.md": "Refactor the session store.\n\nConfidence: 60%\n" });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester", "--body", `${dir}/body.md`]);

    expect(seen(report.findings, { detail: false })).toEqual([{ category: "low_confidence", state: "pending" }]);
    expect(report.findings[0]?.detail).toContain("60%");
    expect(report.checklist).toEqual(["High-level architectural changes"]);
    expect(code).toBe(1);
  });

  it("a confidence at or above N is no finding", async () => {
    const repo = scenario({ roles: { tester: role }, change: { write: APP_CODE } });
    const dir = tempDir();
    writeTree(dir, { "body.md": "Confidence: 85%\n" });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester", "--body", `${dir}/body.md`]);

    expect(report.findings).toEqual([]);
    expect(report.checklist).toEqual(["High-level architectural changes"]);
    expect(code).toBe(0);
  });

  it("no stated confidence is a checklist item", async () => {
    const repo = scenario({ roles: { tester: role }, change: { write: APP_CODE } });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.findings).toEqual([]);
    expect(report.checklist).toHaveLength(2);
    expect(report.checklist).toContain("High-level architectural changes");
    expect(report.checklist.find((item) => item !== "High-level architectural changes")).toMatch(/70%/);
  });
});

describe("check: escalation phrases map to categories (SPEC §2)", () => {
  it.each([
    { line: "Database schema changes", path: "db/migrations/003_x.sql", category: "database_migrations" },
    { line: "Infrastructure modifications", path: "main.tf", category: "infrastructure_changes" },
    { line: "High-risk security changes", path: ".env.production", category: "security_changes" },
    { line: "Breaking changes to public API contracts", path: "api/openapi.yaml", category: "api_contract_changes" },
    { line: "Deployment to any environment", path: "Dockerfile", category: "deployment" },
  ])("'$line' → $category", async ({ line, path, category }) => {
    const repo = scenario({
      roles: { tester: `decision_making:\n  escalation_criteria:\n    - ${line}` },
      change: { write: { ...APP_CODE, [path]: "x\n" } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([{ category, path, state: "pending" }]);
    expect(report.checklist).toEqual([]);
  });
});

describe("check: categories the config defines (SPEC §2, any other id)", () => {
  const secops = requiring("policy_changes");

  it("a role's custom category with config paths is enforced like a path category", async () => {
    const repo = scenario({
      roles: { tester: secops },
      config: 'categories:\n  policy_changes:\n    paths: ["policies/"]\n    approvers: { users: [carol] }\n',
      change: { write: { ...APP_CODE, "policies/retention.rego": "package retention\n", "src/policies.ts": "x" } },
    });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([{ category: "policy_changes", path: "policies/retention.rego", state: "pending" }]);
    expect(report.findings[0]?.approvers).toEqual(["@carol"]);
    expect(report.warnings).toEqual([]);
    expect(report.title).toBe("1 approval needed: policy_changes");
    expect(code).toBe(1);
  });

  it("without config paths it is a 'not enforced' warning plus a checklist item, not a crash", async () => {
    const repo = scenario({ roles: { tester: secops }, change: { write: { ...APP_CODE, "policies/retention.rego": "package retention\n" } } });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.errors).toEqual([]);
    expect(inCategory(report, "policy_changes")).toEqual([]);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toContain("not enforced");
    expect(report.warnings[0]).toContain("policy_changes");
    expect(report.checklist).toHaveLength(1);
    expect(report.checklist[0]).toContain("policy_changes");
    expect(report.conclusion).toBe("success");
    expect(code).toBe(0);
  });
});
