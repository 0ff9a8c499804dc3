import { describe, expect, it } from "vitest";
import { ReportSchema } from "../../src/policy/report.js";
import { memoryReader, roleFile, run, summary } from "../helpers/engine.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { buildRoleSet } from "../../src/roles/resolve.js";
import { defaultConfig } from "../../src/config/schema.js";

/** A role that requires every built-in category, so each detector is exercised. */
const EVERYTHING = roleFile(`
role: everything
constraints:
  requires_approval_for: [delete_files, database_migrations, deployment, infrastructure_changes, security_changes, api_contract_changes, add_dependencies, remove_dependencies, update_dependencies]
`);

describe("conclusions (SPEC §5)", () => {
  it("neutral when no role applies, with the reason in the title", async () => {
    const report = await evaluate({
      change: { files: [{ path: ".github/workflows/ci.yml", status: "modified" }] },
      assignments: [],
      roleSet: buildRoleSet([]),
      config: defaultConfig(),
      neutralReason: "@alice matches no assign entry",
    });
    expect(report.conclusion).toBe("neutral");
    expect(report.title).toBe("Not checked: @alice matches no assign entry");
    expect(report.findings).toEqual([]);
  });

  it("success when a role applies and nothing is found", async () => {
    const report = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files: ["src/app.ts"] });
    expect(report.conclusion).toBe("success");
    expect(report.title).toBe("Within role everything: nothing needs approval");
  });

  it("action_required when only approvals are pending, titled with the categories", async () => {
    const report = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files: ["db/migrations/002.sql", "Dockerfile"] });
    expect(report.conclusion).toBe("action_required");
    expect(report.title).toBe("2 approvals needed: database_migrations, deployment");
  });

  it("failure on a violation, even when approvals are pending too", async () => {
    const report = await run({ apply: ["software-engineer-typescript-backend"], files: [".github/workflows/ci.yml", "workspace/ui/button.tsx"] });
    expect(report.conclusion).toBe("failure");
    expect(report.title).toMatch(/^2 forbidden changes: \.github\/workflows\/ci\.yml, workspace\/ui\/button\.tsx; \d approvals? needed: /);
  });

  it("failure when the change could not be inspected in full", async () => {
    const report = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files: ["src/a.ts"], incomplete: "the base tree is truncated" });
    expect(report.conclusion).toBe("failure");
    expect(report.title).toBe("Could not inspect the whole change: the base tree is truncated");
  });

  it("failure on an unknown role, naming it", async () => {
    const report = await run({ apply: ["ghost"], files: ["src/a.ts"] });
    expect(report.conclusion).toBe("failure");
    expect(report.errors[0]!.message).toMatch(/^role ghost \(applied by test\) is not defined/);
  });

  it("failure when any role file has an error, whoever it belongs to", async () => {
    const report = await run({ roles: { "bad.md": "---\nrole: [\n---\n", "r.md": EVERYTHING }, apply: ["everything"], files: ["src/a.ts"] });
    expect(report.conclusion).toBe("failure");
    expect(report.errors[0]!.file).toBe("bad.md");
  });

  it("success once every finding is approved or overridden", async () => {
    const report = await run({
      apply: ["software-engineer-typescript-backend"],
      files: [".github/workflows/ci.yml"],
      approvals: [{ categories: "all", by: "alice", at: "2026-11-24T10:00:00Z" }],
      overrides: [{ by: "bob", reason: "hotfix for the release", at: "2026-11-24T10:01:00Z" }],
    });
    expect(report.conclusion).toBe("success");
    expect(summary(report)).toEqual([
      "forbidden_paths .github/workflows/ci.yml overridden",
      "commit - approved",
      "security_changes .github/workflows/ci.yml approved",
    ]);
    expect(report.findings[0]).toMatchObject({ by: "bob", reason: "hotfix for the release", at: "2026-11-24T10:01:00Z" });
  });

  it("produces objects that satisfy the published schema, deterministically", async () => {
    const scenario = { apply: ["software-engineer-typescript-backend"], files: [".github/ci.yml", "db/migrations/1.sql", { path: "old.ts", status: "removed" as const }] };
    const first = await run(scenario);
    expect(ReportSchema.parse(first)).toEqual(first);
    expect(JSON.stringify(await run(scenario))).toBe(JSON.stringify(first));
  });
});

describe("forbidden paths and allow-lists", () => {
  it("names the pattern, the role and where an inherited pattern came from", async () => {
    const report = await run({ apply: ["software-engineer-typescript-backend"], files: [".ai/prompt.md", "data/x.csv"] });
    const details = report.findings.filter((f) => f.state === "violation").map((f) => f.detail);
    expect(details).toEqual([
      "matches .ai/ of role software-engineer-typescript-backend (inherited from software-engineer-typescript)",
      "matches data/ of role software-engineer-typescript-backend",
    ]);
  });

  it("judges a rename under both paths and counts it once", async () => {
    const report = await run({
      apply: ["software-engineer-typescript-backend"],
      files: [{ path: "src/moved.ts", previousPath: "infrastructure/main.ts", status: "renamed", sha: "s1" }],
    });
    const violations = report.findings.filter((f) => f.category === "forbidden_paths");
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ path: "src/moved.ts", previous_path: "infrastructure/main.ts", detail: expect.stringContaining("(old path infrastructure/main.ts)") });
  });

  it("flags changes outside allowed_paths, either path of a rename", async () => {
    const roles = { "docs.md": roleFile("role: docs-writer\nconstraints:\n  allowed_paths: [docs/, '*.md']") };
    const report = await run({
      roles,
      apply: ["docs-writer"],
      files: ["docs/guide.md", "README.md", "src/index.ts", { path: "docs/moved.md", previousPath: "src/old.md", status: "renamed" }, { path: "docs/x.ts", previousPath: "src/x.ts", status: "renamed" }],
    });
    expect(summary(report).filter((line) => line.startsWith("forbidden_paths"))).toEqual([
      "forbidden_paths docs/x.ts violation",
      "forbidden_paths src/index.ts violation",
    ]);
    expect(report.findings.find((f) => f.path === "docs/x.ts")!.detail).toBe("src/x.ts is outside allowed_paths of role docs-writer");
  });

  it("honours case_insensitive", async () => {
    const files = ["Infrastructure/main.tf"];
    const sensitive = await run({ roles: { "r.md": roleFile("role: r\nconstraints:\n  forbidden_paths: [infrastructure/]") }, apply: ["r"], files });
    const insensitive = await run({ roles: { "r.md": roleFile("role: r\nconstraints:\n  forbidden_paths: [infrastructure/]") }, apply: ["r"], files, config: { case_insensitive: true } });
    expect(summary(sensitive)).toEqual([]);
    expect(summary(insensitive)).toEqual(["forbidden_paths Infrastructure/main.tf violation"]);
  });
});

describe("path categories (SPEC §2)", () => {
  it.each([
    ["database_migrations", ["prisma/migrations/20240101_init/migration.sql", "api/prisma/schema.prisma", "db/migrate/20240101_add.rb", "app/migrations/0002_auto.py", "src/main/resources/db/migration/V2__add.sql", "migrations/002_add.up.sql", "alembic/versions/abc_add.py", "Data/Migrations/20240101_Init.cs", "drizzle/0001_init.sql", "db/changelog/db.changelog-master.xml"]],
    ["deployment", ["Dockerfile", "services/api/Dockerfile.prod", "Procfile", "fly.toml", "vercel.json", "netlify.toml", "serverless.yml", "charts/api/values.yaml", "k8s/deployment.yaml", ".github/workflows/deploy-prod.yml", ".github/workflows/release.yml", "docker-compose.yml"]],
    ["infrastructure_changes", ["main.tf", "modules/vpc/variables.tf", "prod.tfvars", "Pulumi.yaml", "Pulumi.prod.yaml", "cdk.json", "infra/stack.ts", "ansible/site.yml", "cloudformation/stack.yaml", "infrastructure/README.md"]],
    ["security_changes", ["CODEOWNERS", ".github/CODEOWNERS", "src/auth/jwt.ts", "lib/security/csp.ts", "certs/server.pem", "config/tls.key", ".env", ".env.production", "services/api/.env.local", ".npmrc", "SECURITY.md", ".github/workflows/ci.yml"]],
    ["api_contract_changes", ["openapi.yaml", "api/openapi.json", "docs/petstore.swagger.json", "proto/user/v1/user.proto", "schema.graphql", "src/schema/types.graphqls"]],
  ])("%s: default patterns", async (category, paths) => {
    const report = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files: paths });
    const hit = report.findings.filter((f) => f.category === category).map((f) => f.path);
    expect(hit.sort()).toEqual([...paths].sort());
  });

  it.each([
    ["src/app.ts"],
    ["README.md"],
    ["docs/deploying.md"],
    ["src/components/Button.tsx"],
    ["test/fixtures/sample.json"],
  ])("%s triggers no category", async (path) => {
    const report = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files: [path] });
    expect(summary(report)).toEqual([]);
  });

  it("config paths extend, ignore narrows, defaults: false replaces", async () => {
    const files = ["db/changes/001.sql", "db/changes/README.md", "migrations/002.sql"];
    const extended = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files, config: { categories: { database_migrations: { paths: ["db/changes/"], ignore: ["db/changes/README.md"] } } } });
    expect(summary(extended)).toEqual(["database_migrations db/changes/001.sql pending", "database_migrations migrations/002.sql pending"]);
    const replaced = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files, config: { categories: { database_migrations: { paths: ["db/changes/*.sql"], defaults: false } } } });
    expect(summary(replaced)).toEqual(["database_migrations db/changes/001.sql pending"]);
  });

  it("detail names the pattern; approvers come from the config", async () => {
    const report = await run({
      roles: { "r.md": EVERYTHING },
      apply: ["everything"],
      files: ["db/migrations/002.sql"],
      config: { categories: { database_migrations: { approvers: { users: ["alice"], teams: ["acme/dba"] } } } },
    });
    expect(report.findings[0]).toMatchObject({
      category: "database_migrations",
      detail: "matches **/migrations/**/*.sql",
      approvers: ["@alice", "@acme/dba"],
      resolve: "/roleguard approve database_migrations",
    });
  });

  it("matches a rename by its old path", async () => {
    const report = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files: [{ path: "archive/001.sql", previousPath: "db/migrations/001.sql", status: "renamed" }] });
    expect(report.findings[0]).toMatchObject({ category: "database_migrations", path: "archive/001.sql", previous_path: "db/migrations/001.sql" });
  });

  it("delete_files flags removed files only", async () => {
    const report = await run({
      roles: { "r.md": EVERYTHING },
      apply: ["everything"],
      files: [{ path: "src/old.ts", status: "removed" }, { path: "src/new.ts", status: "added", sha: "a" }, { path: "src/b.ts", previousPath: "src/a.ts", status: "renamed" }],
    });
    expect(summary(report)).toEqual(["delete_files src/old.ts pending"]);
  });
});

describe("custom categories", () => {
  const secops = roleFile("role: secops\nconstraints:\n  requires_approval_for: [policy_changes, production_data_access]");

  it("are enforced when the config gives them paths", async () => {
    const report = await run({ roles: { "s.md": secops }, apply: ["secops"], files: ["policies/opa/main.rego", "src/a.ts"], config: { categories: { policy_changes: { paths: ["policies/"] } } } });
    expect(summary(report)).toEqual(["policy_changes policies/opa/main.rego pending"]);
    expect(report.warnings).toEqual(["not enforced: unknown category production_data_access (role secops); give it paths under categories.production_data_access in the config"]);
    expect(report.checklist).toContain("production_data_access: not detected automatically, check by hand");
  });

  it("without paths are a warning and a checklist item, never a crash", async () => {
    const report = await run({ roles: { "s.md": secops }, apply: ["secops"], files: ["policies/x.rego"] });
    expect(report.conclusion).toBe("success");
    expect(report.warnings).toHaveLength(2);
    expect(report.warnings[0]).toMatch(/^not enforced: unknown category policy_changes/);
  });
});

describe("commit, governance and confidence", () => {
  it("commit: one finding without a path", async () => {
    const report = await run({ roles: { "r.md": roleFile("role: r\nconstraints:\n  requires_approval_for: [commit]") }, apply: ["r"], files: ["src/a.ts"] });
    expect(report.findings).toEqual([expect.objectContaining({ category: "commit", state: "pending", detail: "every change of this role needs approval" })]);
    expect(report.findings[0]!.path).toBeUndefined();
  });

  it("autonomy_level low implies commit", async () => {
    const report = await run({ roles: { "r.md": roleFile("role: r\ndecision_making:\n  autonomy_level: low") }, apply: ["r"], files: ["src/a.ts"] });
    expect(summary(report)).toEqual(["commit - pending"]);
  });

  it("governance is always on: config, role files, CODEOWNERS, agent instructions", async () => {
    const files = [".github/roleguard.yml", ".github/roles/backend.md", ".ai/roles/x.md", "CODEOWNERS", "AGENTS.md", "packages/api/AGENTS.md", ".github/copilot-instructions.md", ".github/instructions/ts.instructions.md", ".github/agents/reviewer.md", ".claude/settings.json", ".cursor/rules/a.mdc", "CLAUDE.md", "docs/AGENTS.md.txt"];
    const report = await run({ roles: { "r.md": roleFile("role: r") }, apply: ["r"], files });
    expect(report.findings.filter((f) => f.category === "governance").map((f) => f.path)).toEqual(files.filter((f) => f !== "docs/AGENTS.md.txt").sort());
  });

  it("governance follows the config's own role paths", async () => {
    const report = await run({ roles: { "r.md": roleFile("role: r") }, apply: ["r"], files: ["policy/roles/a.md"], config: { roles: { paths: ["policy/roles/*.md"] } } });
    expect(summary(report)).toEqual(["governance policy/roles/a.md pending"]);
  });

  it("a stated confidence below the threshold is a low_confidence finding", async () => {
    const report = await run({ apply: ["software-engineer-typescript"], files: ["src/a.ts"], body: "Fixes #1\n\nConfidence: 60%" });
    expect(report.findings.find((f) => f.category === "low_confidence")).toMatchObject({ state: "pending", detail: "the author states 60% confidence, below 70%" });
    expect(report.checklist.some((item) => item.startsWith("Confidence"))).toBe(false);
  });

  it("a confidence at or above the threshold is fine; none stated is a checklist item", async () => {
    const high = await run({ apply: ["software-engineer-typescript"], files: ["src/a.ts"], body: "Confidence: 70%" });
    expect(high.findings.some((f) => f.category === "low_confidence")).toBe(false);
    const none = await run({ apply: ["software-engineer-typescript"], files: ["src/a.ts"], body: "no number" });
    expect(none.checklist).toContain("Confidence < 70%: the PR description states no confidence; ask the author");
  });

  it("the strictest threshold of several roles wins", async () => {
    const report = await run({ apply: ["software-engineer-typescript", "ai-agent"], files: ["src/a.ts"], body: "Confidence: 75%" });
    expect(report.findings.find((f) => f.category === "low_confidence")).toMatchObject({ detail: "the author states 75% confidence, below 80%", roles: ["ai-agent"] });
  });

  it("escalation lines no detector covers become checklist items, each once", async () => {
    const report = await run({ apply: ["software-engineer-typescript-backend"], files: ["src/a.ts"], body: "Confidence: 90%" });
    expect(report.checklist).toEqual(["High-level architectural changes", "Breaking changes in the codebase"]);
  });
});

describe("several roles", () => {
  it("hold the PR to all of them; a shared finding lists every role once", async () => {
    const report = await run({
      apply: [{ id: "software-engineer-typescript-backend", source: "assign[0].users: bot" }, { id: "contractor", source: "assign[1].labels: contractor" }, { id: "contractor", source: "assign[2].teams: x" }],
      files: ["db/migrations/1.sql"],
    });
    expect(report.roles).toEqual([
      { id: "software-engineer-typescript-backend", source: "assign[0].users: bot" },
      { id: "contractor", source: "assign[1].labels: contractor; assign[2].teams: x" },
    ]);
    expect(report.findings.find((f) => f.category === "database_migrations")!.roles).toEqual(["contractor", "software-engineer-typescript-backend"]);
  });
});

describe("approvals and overrides bind to what they saw", () => {
  const files = [{ path: "db/migrations/1.sql", status: "added" as const, sha: "blob-1" }];

  it("an approval of a category approves its findings", async () => {
    const report = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files, approvals: [{ categories: ["database_migrations"], by: "alice" }] });
    expect(report.findings[0]).toMatchObject({ state: "approved", by: "alice" });
    expect(report.conclusion).toBe("success");
  });

  it("an approval of another category does not", async () => {
    const report = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files, approvals: [{ categories: ["deployment"], by: "alice" }] });
    expect(report.findings[0]!.state).toBe("pending");
  });

  it("an approval that covered an older blob of the file does not cover the new one", async () => {
    const first = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files });
    const covers = first.findings.map((f) => f.key);
    const same = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files, approvals: [{ categories: ["database_migrations"], by: "alice", covers }] });
    expect(same.findings[0]!.state).toBe("approved");
    const changed = await run({ roles: { "r.md": EVERYTHING }, apply: ["everything"], files: [{ ...files[0]!, sha: "blob-2" }], approvals: [{ categories: ["database_migrations"], by: "alice", covers }] });
    expect(changed.findings[0]!.state).toBe("pending");
  });

  it("overrides touch violations only", async () => {
    const report = await run({ apply: ["software-engineer-typescript-backend"], files: ["infrastructure/main.tf"], overrides: [{ by: "boss", reason: "approved in INC-42" }] });
    expect(summary(report)).toEqual(["commit - pending", "infrastructure_changes infrastructure/main.tf pending", "forbidden_paths infrastructure/main.tf overridden"]);
  });
});

describe("dependencies", () => {
  const deps = roleFile("role: deps\nconstraints:\n  requires_approval_for: [add_dependencies, remove_dependencies, update_dependencies]");
  const pkg = (dependencies: Record<string, string>, devDependencies: Record<string, string> = {}) => JSON.stringify({ name: "x", dependencies, devDependencies });

  it("finds added, removed and updated packages with their specs", async () => {
    const report = await run({
      roles: { "d.md": deps },
      apply: ["deps"],
      files: ["package.json"],
      base: { "package.json": pkg({ express: "^4.18.0", lodash: "^4.17.0" }) },
      head: { "package.json": pkg({ express: "^4.19.2", zod: "^4.0.0" }, { vitest: "^4.1.0" }) },
    });
    expect(report.findings.map((f) => `${f.category}: ${f.detail}`)).toEqual([
      "add_dependencies: vitest ^4.1.0 (dev)",
      "add_dependencies: zod ^4.0.0",
      "remove_dependencies: lodash ^4.17.0",
      "update_dependencies: express ^4.18.0 → ^4.19.2",
    ]);
  });

  it("reads manifests only when a manifest changed, and only the manifests", async () => {
    const reader = memoryReader({}, {});
    const roleSet = buildRoleSet([{ layer: "repository", files: [{ path: "d.md", text: deps }] }]);
    await evaluate({ change: { files: [{ path: "src/a.ts", status: "modified" }, { path: "README.md", status: "modified" }] }, assignments: [{ id: "deps", source: "t" }], roleSet, config: defaultConfig(), reader });
    expect(reader.reads).toEqual([]);
    await evaluate({ change: { files: [{ path: "go.mod", status: "modified" }, { path: "src/a.ts", status: "modified" }] }, assignments: [{ id: "deps", source: "t" }], roleSet, config: defaultConfig(), reader });
    expect(reader.reads).toEqual(["base:go.mod", "head:go.mod"]);
  });

  it("does not read manifests for a role that requires no dependency category", async () => {
    const reader = memoryReader({}, {});
    const roleSet = buildRoleSet([{ layer: "repository", files: [{ path: "r.md", text: roleFile("role: r") }] }]);
    await evaluate({ change: { files: [{ path: "package.json", status: "modified" }] }, assignments: [{ id: "r", source: "t" }], roleSet, config: defaultConfig(), reader });
    expect(reader.reads).toEqual([]);
  });

  it("escalation phrases turn dependency detection on", async () => {
    const report = await run({
      apply: ["software-engineer-typescript-backend"],
      files: ["package.json"],
      base: { "package.json": pkg({}) },
      head: { "package.json": pkg({ lodash: "^4.17.21" }) },
    });
    expect(report.findings.find((f) => f.category === "add_dependencies")).toMatchObject({ path: "package.json", detail: "lodash ^4.17.21", state: "pending" });
  });

  it("a new manifest adds everything, a deleted one removes everything", async () => {
    const report = await run({
      roles: { "d.md": deps },
      apply: ["deps"],
      files: [{ path: "services/a/requirements.txt", status: "added", sha: "x" }, { path: "services/b/go.mod", status: "removed" }],
      head: { "services/a/requirements.txt": "requests==2.32.0\n" },
      base: { "services/b/go.mod": "module b\n\nrequire github.com/pkg/errors v0.9.1\n" },
    });
    expect(report.findings.map((f) => `${f.category} ${f.path}: ${f.detail}`)).toEqual([
      "add_dependencies services/a/requirements.txt: requests ==2.32.0",
      "remove_dependencies services/b/go.mod: github.com/pkg/errors v0.9.1",
    ]);
  });

  it("a lockfile change with no manifest change is an update", async () => {
    const report = await run({ roles: { "d.md": deps }, apply: ["deps"], files: ["package-lock.json", "Cargo.lock"] });
    expect(report.findings.map((f) => `${f.category} ${f.path}: ${f.detail}`)).toEqual([
      "update_dependencies Cargo.lock: Cargo.lock changed with no dependency change in its manifest",
      "update_dependencies package-lock.json: package-lock.json changed with no dependency change in its manifest",
    ]);
  });

  it("a lockfile beside a manifest whose dependencies changed is explained by it", async () => {
    const report = await run({
      roles: { "d.md": deps },
      apply: ["deps"],
      files: ["package.json", "package-lock.json"],
      base: { "package.json": pkg({}) },
      head: { "package.json": pkg({ a: "1.0.0" }) },
    });
    expect(summary(report)).toEqual(["add_dependencies package.json pending"]);
  });

  it("a lockfile beside a manifest that changed only its scripts is still flagged", async () => {
    const report = await run({
      roles: { "d.md": deps },
      apply: ["deps"],
      files: ["package.json", "package-lock.json"],
      base: { "package.json": pkg({ a: "1.0.0" }) },
      head: { "package.json": JSON.stringify({ name: "x", scripts: { t: "x" }, dependencies: { a: "1.0.0" } }) },
    });
    expect(summary(report)).toEqual(["update_dependencies package-lock.json pending"]);
  });

  it("an unreadable manifest is a finding in every requested dependency category", async () => {
    const report = await run({
      roles: { "d.md": deps },
      apply: ["deps"],
      files: ["package.json"],
      base: { "package.json": pkg({}) },
      head: { "package.json": "{ not json" },
    });
    expect(report.findings.map((f) => f.category)).toEqual(["add_dependencies", "remove_dependencies", "update_dependencies"]);
    expect(report.findings[0]!.detail).toMatch(/^could not read package\.json: head does not parse \(.+\); treat as changed$/);
  });

  it("a reader that throws is a finding, not a crash", async () => {
    const roleSet = buildRoleSet([{ layer: "repository", files: [{ path: "d.md", text: deps }] }]);
    const report = await evaluate({
      change: { files: [{ path: "Cargo.toml", status: "modified" }] },
      assignments: [{ id: "deps", source: "t" }],
      roleSet,
      config: defaultConfig(),
      reader: { read: async () => { throw new Error("502 Bad Gateway"); } },
    });
    expect(report.conclusion).toBe("action_required");
    expect(report.findings[0]!.detail).toContain("base not readable (502 Bad Gateway)");
  });
});
