/**
 * `roleguard roles lint` and `roleguard roles show` (SPEC §1, §9), on role
 * files in the seed's shapes (test/fixtures/roles/) and on role files written
 * for a test. The same lint tests run on the real-world corpus in the extra
 * suite (test-extra/), which CI runs beside the shared role corpus.
 */
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkJson, roleFile, runRoleguard, seen } from "../helpers/cli.js";
import { describeRoleFolderLint, lineFor, lines } from "../helpers/role-folder-suite.js";
import { policyFiles } from "../helpers/scenario.js";
import { repoWithChange, tempDir, writeTree } from "../helpers/scratch-repo.js";

const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/roles/", import.meta.url));

interface ShownRole {
  role: string;
  inherits: string[];
  autonomy_level: string | null;
  forbidden_paths: string[];
  requires_approval_for: string[];
  escalation_criteria: string[];
}

function parseShown(stdout: string): ShownRole {
  const value = JSON.parse(stdout) as ShownRole;
  expect(typeof value.role).toBe("string");
  expect(Array.isArray(value.forbidden_paths)).toBe(true);
  return value;
}

describeRoleFolderLint({
  name: "role files in the seed's shapes (test/fixtures/roles)",
  dir: FIXTURES_DIR,
  loadable: ["api-developer.md", "contributor.md", "developer.md", "docs-writer.md", "reviewer-bot.md"],
  orphans: [
    { file: "data-steward.md", parent: "platform-lead" },
    { file: "web-developer.md", parent: "frontend-base" },
  ],
  skipped: ["_template.md", "_meta/conventions.md", "README.md"],
});

describe("roles lint with no paths", () => {
  it("with no paths it lints the built-in roles: four ok lines, exit 0", async () => {
    const { code, stdout } = await runRoleguard(["roles", "lint"], process.cwd());

    expect(lines(stdout)).toHaveLength(4);
    for (const id of ["ai-agent", "contractor", "software-engineer-typescript", "software-engineer-typescript-backend"]) {
      expect(lineFor(stdout, `${id}.md`)).toMatch(/^ok\b/);
    }
    expect(code).toBe(0);
  });
});

describe("roles lint: errors name the file, the field and the line", () => {
  it("broken YAML reports the line in the file", async () => {
    const dir = tempDir();
    writeTree(dir, { "broken.md": "---\nrole: broken\ndescription: fine\nconstraints: forbidden_paths: [x]\n---\nbody\n" });
    const { code, stdout } = await runRoleguard(["roles", "lint", `${dir}/broken.md`], process.cwd());

    const line = lineFor(stdout, "broken.md");
    expect(line).toMatch(/^error\b/);
    expect(line).toMatch(/line 4\b/);
    expect(code).toBe(2);
  });

  it.each([
    { name: "a wrong type", front: "role: typed\nconstraints:\n  forbidden_paths: 5", field: "constraints.forbidden_paths" },
    { name: "an invalid id", front: "role: Not_Valid", field: "role" },
    { name: "a missing id", front: "description: no id", field: "role" },
    { name: "a bad autonomy level", front: "role: auto\ndecision_making:\n  autonomy_level: total", field: "decision_making.autonomy_level" },
  ])("$name names the field ($field)", async ({ front, field }) => {
    const dir = tempDir();
    writeTree(dir, { "bad.md": roleFile(front) });
    const { code, stdout } = await runRoleguard(["roles", "lint", `${dir}/bad.md`], process.cwd());

    const line = lineFor(stdout, "bad.md");
    expect(line).toMatch(/^error\b/);
    expect(line).toContain(field);
    expect(code).toBe(2);
  });

  it("a file with no front matter is an error", async () => {
    const dir = tempDir();
    writeTree(dir, { "plain.md": "# Just a heading\n" });
    const { code, stdout } = await runRoleguard(["roles", "lint", `${dir}/plain.md`], process.cwd());

    expect(lineFor(stdout, "plain.md")).toMatch(/^error\b/);
    expect(code).toBe(2);
  });

  it("an inheritance cycle names the chain, and no member of it is reported ok", async () => {
    const dir = tempDir();
    writeTree(dir, {
      "alpha.md": roleFile("role: alpha\ninherits: beta"),
      "beta.md": roleFile("role: beta\ninherits: alpha"),
      "fine.md": roleFile("role: fine"),
    });
    const { code, stdout } = await runRoleguard(["roles", "lint", dir], process.cwd());

    expect(lines(stdout)).toHaveLength(3);
    expect(stdout).toMatch(/alpha[^\n]*→[^\n]*beta[^\n]*→[^\n]*alpha|beta[^\n]*→[^\n]*alpha[^\n]*→[^\n]*beta/);
    expect(lineFor(stdout, "alpha.md")).toMatch(/^error\b/);
    expect(lineFor(stdout, "beta.md")).toMatch(/^error\b/);
    expect(lineFor(stdout, "fine.md")).toMatch(/^ok\b/);
    expect(code).toBe(2);
  });

  it("a role inheriting itself is a cycle", async () => {
    const dir = tempDir();
    writeTree(dir, { "ouroboros.md": roleFile("role: ouroboros\ninherits: ouroboros") });
    const { code, stdout } = await runRoleguard(["roles", "lint", dir], process.cwd());

    const line = lineFor(stdout, "ouroboros.md");
    expect(line).toMatch(/^error\b/);
    expect(line).toContain("cycle");
    expect(code).toBe(2);
  });

  it("duplicate ids are reported, naming both files", async () => {
    const dir = tempDir();
    writeTree(dir, { "one.md": roleFile("role: twin"), "two.md": roleFile("role: twin") });
    const { code, stdout } = await runRoleguard(["roles", "lint", dir], process.cwd());

    expect(lines(stdout)).toHaveLength(2);
    const errors = lines(stdout).filter((line) => line.startsWith("error"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("duplicate");
    expect(errors[0]).toContain("twin");
    expect(errors[0]).toContain("one.md");
    expect(errors[0]).toContain("two.md");
    expect(code).toBe(2);
  });

  it("a path that does not exist is an error, exit 2", async () => {
    const { code, stdout, stderr } = await runRoleguard(["roles", "lint", "/nonexistent/roles/x.md"], process.cwd());

    expect(`${stdout}${stderr}`).toContain("/nonexistent/roles/x.md");
    expect(code).toBe(2);
  });

  it("a relative path is resolved against the command's working directory", async () => {
    const dir = tempDir();
    writeTree(dir, { "roles/local.md": roleFile("role: local") });
    const { code, stdout } = await runRoleguard(["roles", "lint", "roles/local.md"], dir);

    expect(lineFor(stdout, "local.md")).toMatch(/^ok\b/);
    expect(code).toBe(0);
  });
});

describe("roles show", () => {
  it("software-engineer-typescript-backend shows paths inherited from its parent", async () => {
    const { code, stdout } = await runRoleguard(["roles", "show", "software-engineer-typescript-backend"], process.cwd());

    expect(code).toBe(0);
    expect(stdout).toContain("software-engineer-typescript-backend");
    const aiLine = stdout.split("\n").find((line) => line.includes(".ai/"));
    expect(aiLine).toBeDefined();
    expect(aiLine).toContain("software-engineer-typescript");
    expect(stdout).toContain("workspace/frontend/");
  });

  it("--format json parses and holds the resolved role", async () => {
    const { code, stdout } = await runRoleguard(["roles", "show", "software-engineer-typescript-backend", "--format", "json"], process.cwd());
    const shown = parseShown(stdout);

    expect(code).toBe(0);
    expect(shown.role).toBe("software-engineer-typescript-backend");
    expect(shown.inherits).toEqual(["software-engineer-typescript"]);
    expect(shown.autonomy_level).toBe("medium");
    const ai = shown.forbidden_paths.filter((entry) => entry.startsWith(".ai/"));
    expect(ai).toHaveLength(1);
    expect(ai[0]).toContain("software-engineer-typescript");
    expect(shown.forbidden_paths.some((entry) => entry.startsWith("workspace/frontend/"))).toBe(true);
    expect(shown.requires_approval_for.some((entry) => entry.startsWith("commit"))).toBe(true);
  });

  it("--roles DIR shows a role whose constraints are a map, with high autonomy", async () => {
    const { code, stdout } = await runRoleguard(["roles", "show", "reviewer-bot", "--roles", FIXTURES_DIR, "--format", "json"], process.cwd());
    const shown = parseShown(stdout);

    expect(code).toBe(0);
    expect(shown.autonomy_level).toBe("high");
    expect(shown.requires_approval_for).toEqual(["commit", "security_changes"]);
    expect(shown.forbidden_paths).toEqual(["data/", "node_modules/"]);
    expect(shown.inherits).toEqual([]);
  });

  it("--roles DIR shows bare folder and file names as written", async () => {
    const { stdout } = await runRoleguard(["roles", "show", "docs-writer", "--roles", FIXTURES_DIR, "--format", "json"], process.cwd());
    const shown = parseShown(stdout);

    expect(shown.forbidden_paths).toEqual(["src", "infrastructure", "package.json", "tsconfig.json"]);
  });

  it("an unknown id exits 2 and names it", async () => {
    const { code, stdout, stderr } = await runRoleguard(["roles", "show", "no-such-role"], process.cwd());

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("no-such-role");
  });
});

describe("check with role files in the seed's shapes", () => {
  it("bare folder names and plain file names are enforced; the folder's orphans are errors", async () => {
    const repo = repoWithChange(
      {},
      { write: { "infrastructure/main.tf": "tf\n", "packages/web/package.json": "{}\n", "docs/guide.md": "# Guide\n", "src/tsconfig.json": "{}\n" } },
    );
    const { report } = await checkJson(repo.dir, ["--role", "docs-writer", "--roles", FIXTURES_DIR]);

    expect(report.errors.map((error) => basename(error.file)).sort()).toEqual(["data-steward.md", "web-developer.md"]);
    const violations = report.findings.filter((finding) => finding.state === "violation").map((finding) => finding.path).sort();
    expect(violations).toEqual(["infrastructure/main.tf", "packages/web/package.json", "src/tsconfig.json"]);
  });

  it("a role with categories of its own: they warn unless the config gives them paths", async () => {
    const repo = repoWithChange(
      {
        ...policyFiles({
          "platform-lead": "constraints:\n  forbidden_paths: [prod-secrets/]",
          "frontend-base": "constraints:\n  forbidden_paths: [server/]",
        }),
        ".github/roleguard.yml": 'categories:\n  pii_access:\n    paths: ["data/customers/"]\n',
      },
      { write: { "data/customers/export.csv": "id\n", "prod-secrets/k": "k\n", "data/raw/dump.csv": "x\n" } },
    );
    const { code, report } = await checkJson(repo.dir, ["--role", "data-steward", "--roles", FIXTURES_DIR]);

    expect(report.errors).toEqual([]);
    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "data/raw/dump.csv", state: "violation" },
      { category: "forbidden_paths", path: "prod-secrets/k", state: "violation" },
      { category: "pii_access", path: "data/customers/export.csv", state: "pending" },
    ]);
    for (const category of ["schema_governance", "retention_policy_changes"]) {
      expect(report.warnings.filter((warning) => warning.includes(category) && warning.includes("not enforced"))).toHaveLength(1);
      expect(report.checklist.filter((item) => item.includes(category))).toHaveLength(1);
    }
    expect(report.warnings.some((warning) => warning.includes("pii_access"))).toBe(false);
    expect(code).toBe(1);
  });
});
