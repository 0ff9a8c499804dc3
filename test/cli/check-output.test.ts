/**
 * `roleguard check` output (SPEC §5 "The report object", §9): the JSON report
 * and nothing else on stdout, readable text and markdown, exit codes by
 * conclusion, and byte-identical output for the same change.
 */
import { describe, expect, it } from "vitest";
import { checkJson, parseReport, runRoleguard, seen } from "../helpers/cli.js";
import { forbidding, requiring, scenario, type Scenario } from "../helpers/scenario.js";
import { repoWithChange } from "../helpers/scratch-repo.js";

const pkg = (dependencies: Record<string, string>) => `${JSON.stringify({ name: "svc", dependencies }, null, 2)}\n`;

/** The situation of SPEC §5's example report. */
const SPEC_EXAMPLE: Scenario = {
  config: [
    "assign:",
    "  - role: software-engineer-typescript-backend",
    '    users: ["backend-agent[bot]", "*-agent[bot]"]',
    "categories:",
    "  add_dependencies:",
    "    approvers: { teams: [acme/platform] }",
    "",
  ].join("\n"),
  base: { "package.json": pkg({ express: "^4.19.0" }), ".github/workflows/ci.yml": "on: push\n" },
  change: {
    write: {
      "package.json": pkg({ express: "^4.19.0", lodash: "^4.17.21" }),
      ".github/workflows/ci.yml": "on: [push, pull_request]\n",
      "db/migrations/002_add_index.sql": "CREATE INDEX orders_created ON orders (created_at);\n",
      "src/orders.ts": "export const orders = [];\n",
    },
  },
};

describe("check --format json: the report object of SPEC §5", () => {
  it("reproduces SPEC §5's example: roles with their source, findings with state, detail and approvers", async () => {
    const repo = scenario(SPEC_EXAMPLE);
    const { code, report, stdout, stderr } = await checkJson(repo.dir, ["--author", "backend-agent[bot]"]);

    expect(report.version).toBe(1);
    expect(report.roles).toEqual([{ id: "software-engineer-typescript-backend", source: "assign[0].users: backend-agent[bot]" }]);
    expect(seen(report.findings)).toEqual([
      { category: "add_dependencies", path: "package.json", state: "pending", detail: "lodash ^4.17.21" },
      { category: "commit", state: "pending", detail: expect.any(String) },
      { category: "database_migrations", path: "db/migrations/002_add_index.sql", state: "pending", detail: expect.any(String) },
      {
        category: "forbidden_paths",
        path: ".github/workflows/ci.yml",
        state: "violation",
        detail: "matches .github/ of role software-engineer-typescript-backend",
      },
      // ci.yml is a workflow file: security_changes, which the backend role requires.
      { category: "security_changes", path: ".github/workflows/ci.yml", state: "pending", detail: expect.any(String) },
    ]);
    expect(report.findings.find((finding) => finding.category === "add_dependencies")?.approvers).toEqual(["@acme/platform"]);
    expect(report.checklist).toEqual(["High-level architectural changes", "Breaking changes in the codebase", expect.stringContaining("70%")]);
    expect(report.warnings).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(report.conclusion).toBe("failure");
    expect(code).toBe(1);
    // stdout is the JSON document and nothing else; nothing is logged for a clean run.
    expect(stdout.trimStart().startsWith("{")).toBe(true);
    expect(stdout.trimEnd().endsWith("}")).toBe(true);
    expect(stderr).toBe("");
  });

  it("every finding states its roles, and a pending one the command that resolves it", async () => {
    const repo = scenario(SPEC_EXAMPLE);
    const { report } = await checkJson(repo.dir, ["--author", "backend-agent[bot]"]);

    for (const finding of report.findings) {
      expect(finding.roles).toEqual(["software-engineer-typescript-backend"]);
      if (finding.state === "pending") expect(finding.resolve).toBe(`/roleguard approve ${finding.category}`);
    }
  });

  it.each<{ name: string; roles: Record<string, string>; write: Record<string, string>; conclusion: string; code: number }>([
    { name: "success → exit 0", roles: { tester: requiring("deployment") }, write: { "src/a.ts": "a\n" }, conclusion: "success", code: 0 },
    { name: "action_required → exit 1", roles: { tester: requiring("deployment") }, write: { Dockerfile: "FROM x\n" }, conclusion: "action_required", code: 1 },
    { name: "failure (violation) → exit 1", roles: { tester: forbidding("src/") }, write: { "src/a.ts": "a\n" }, conclusion: "failure", code: 1 },
  ])("$name", async ({ roles, write, conclusion, code }) => {
    const repo = scenario({ roles, change: { write } });
    const result = await checkJson(repo.dir, ["--role", "tester"]);

    expect(result.report.conclusion).toBe(conclusion);
    expect(result.code).toBe(code);
  });

  it("the title states the verdict in one line", async () => {
    const repo = scenario({
      roles: { tester: requiring("deployment", "database_migrations") },
      change: { write: { Dockerfile: "FROM x\n", "db/migrations/001.sql": "sql\n" } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.title).not.toContain("\n");
    expect(report.title).toMatch(/^2 approvals needed: (deployment, database_migrations|database_migrations, deployment)$/);
  });
});

describe("check --format text and markdown", () => {
  it.each(["text", "markdown"] as const)("--format %s mentions the title and every finding's path", async (format) => {
    const repo = scenario(SPEC_EXAMPLE);
    const json = await checkJson(repo.dir, ["--author", "backend-agent[bot]"]);
    const out = await runRoleguard(["check", "--base", "main", "--author", "backend-agent[bot]", "--format", format], repo.dir);

    expect(out.code).toBe(json.code);
    expect(out.stdout).toContain(json.report.title);
    for (const finding of json.report.findings) {
      if (finding.path) expect(out.stdout).toContain(finding.path);
      expect(out.stdout).toContain(finding.category);
    }
    expect(out.stdout).toContain("software-engineer-typescript-backend");
    expect(out.stdout).toContain("/roleguard approve");
    expect(out.stdout).toContain("High-level architectural changes");
    expect(() => JSON.parse(out.stdout) as unknown).toThrow();
  });

  it("text is the default format", async () => {
    const repo = scenario(SPEC_EXAMPLE);
    const explicit = await runRoleguard(["check", "--base", "main", "--author", "backend-agent[bot]", "--format", "text"], repo.dir);
    const implicit = await runRoleguard(["check", "--base", "main", "--author", "backend-agent[bot]"], repo.dir);

    expect(implicit.stdout).toBe(explicit.stdout);
    expect(implicit.code).toBe(explicit.code);
  });

  it("markdown shows config errors with their file", async () => {
    const repo = scenario({ config: "assing: []\n", change: { write: { "src/a.ts": "a\n" } } });
    const out = await runRoleguard(["check", "--base", "main", "--author", "bot", "--format", "markdown"], repo.dir);

    expect(out.code).toBe(2);
    expect(out.stdout).toContain("roleguard.yml");
    expect(out.stdout).toContain("assing");
  });

  it("a rename is shown with both of its paths", async () => {
    const long = Array.from({ length: 12 }, (_, i) => `line ${i} of a long enough file`).join("\n");
    const repo = scenario({ roles: { tester: forbidding("secrets/") }, base: { "secrets/notes.md": long }, change: { rename: [["secrets/notes.md", "docs/notes.md"]] } });
    for (const format of ["text", "markdown"]) {
      const out = await runRoleguard(["check", "--base", "main", "--role", "tester", "--format", format], repo.dir);
      expect(out.stdout).toContain("secrets/notes.md");
      expect(out.stdout).toContain("docs/notes.md");
    }
  });
});

describe("check: determinism", () => {
  it("the same check twice gives byte-identical JSON", async () => {
    const repo = scenario(SPEC_EXAMPLE);
    const args = ["check", "--base", "main", "--author", "backend-agent[bot]", "--format", "json"];
    const first = await runRoleguard(args, repo.dir);
    const second = await runRoleguard(args, repo.dir);

    expect(second.stdout).toBe(first.stdout);
    expect(second.code).toBe(first.code);
    parseReport(first.stdout);
  });

  it("two repositories built from the same steps give byte-identical JSON", async () => {
    const args = ["check", "--base", "main", "--author", "backend-agent[bot]", "--format", "json"];
    const one = scenario(SPEC_EXAMPLE);
    const two = scenario(SPEC_EXAMPLE);
    const [a, b] = [await runRoleguard(args, one.dir), await runRoleguard(args, two.dir)];

    expect(b.stdout).toBe(a.stdout);
  });

  it("the order in which files were written does not change the report", async () => {
    const files = { "secrets/b.txt": "b\n", "secrets/a.txt": "a\n", Dockerfile: "FROM x\n", "db/migrations/001.sql": "sql\n" };
    const reversed = Object.fromEntries(Object.entries(files).reverse());
    const roles = { tester: `${forbidding("secrets/")}\n  requires_approval_for: [deployment, database_migrations]` };
    const one = repoWithChange({ ".github/roles/tester.md": `---\nrole: tester\n${roles.tester}\n---\nx\n` }, { write: files });
    const two = repoWithChange({ ".github/roles/tester.md": `---\nrole: tester\n${roles.tester}\n---\nx\n` }, { write: reversed });
    const args = ["check", "--base", "main", "--role", "tester", "--format", "json"];

    expect((await runRoleguard(args, two.dir)).stdout).toBe((await runRoleguard(args, one.dir)).stdout);
  });
});
