/**
 * `roleguard roles lint` and `roleguard roles show` (SPEC §1, §9), on the
 * real-world role files of ../shared/roles-corpus/ (read in place) and on
 * role files written for a test.
 */
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkJson, ROLES_CORPUS, roleFile, runRoleguard, seen } from "../helpers/cli.js";
import { policyFiles } from "../helpers/scenario.js";
import { repoWithChange, tempDir, writeTree } from "../helpers/scratch-repo.js";

const CORPUS_DIR = fileURLToPath(ROLES_CORPUS);
const corpusFile = (name: string) => fileURLToPath(new URL(name, ROLES_CORPUS));
const CORPUS_FILES = [
  "asserter.md",
  "product-manager.md",
  "secops-engineer.md",
  "software-engineer-typescript-backend.md",
  "software-engineer-typescript-frontend-react.md",
  "software-engineer-typescript.md",
];
const LOADABLE = ["asserter.md", "product-manager.md", "software-engineer-typescript-backend.md", "software-engineer-typescript.md"];

/**
 * One entry per file: its status line (`ok    <path>: <id>` or `error <path>`)
 * with the indented lines below it (that file's errors and warnings).
 */
function lines(stdout: string): string[] {
  const blocks: string[] = [];
  for (const line of stdout.split("\n").filter((each) => each.trim() !== "")) {
    if (/^\s/.test(line) && blocks.length > 0) blocks[blocks.length - 1] += `\n${line}`;
    else blocks.push(line);
  }
  return blocks;
}

/**
 * The one entry that reports `file`: its status line names a path ending with
 * the file's base name (other lines may mention it, e.g. in a cycle's chain).
 * Fails unless there is exactly one.
 */
function lineFor(stdout: string, file: string): string {
  const name = basename(file);
  const matching = lines(stdout).filter((block) => {
    const subject = /^\S+\s+(.*?)(?::(?:\s|$)|$)/.exec(block.split("\n")[0] ?? "")?.[1] ?? "";
    return subject === name || subject.endsWith(`/${name}`);
  });
  expect(matching, `lines naming ${file} in:\n${stdout}`).toHaveLength(1);
  return matching[0] as string;
}

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

describe("roles lint over the real-world corpus", () => {
  it("reports every file on its own line; the two with a missing parent fail naming it; exit 2", async () => {
    const { code, stdout } = await runRoleguard(["roles", "lint", CORPUS_DIR], process.cwd());

    expect(lines(stdout)).toHaveLength(CORPUS_FILES.length);
    for (const file of LOADABLE) expect(lineFor(stdout, file)).toMatch(/^ok\b/);
    const secops = lineFor(stdout, "secops-engineer.md");
    expect(secops).toMatch(/^error\b/);
    expect(secops).toContain("platform-engineer");
    const react = lineFor(stdout, "software-engineer-typescript-frontend-react.md");
    expect(react).toMatch(/^error\b/);
    expect(react).toContain("software-engineer-typescript-frontend");
    expect(stdout).not.toContain("README");
    expect(code).toBe(2);
  });

  it("each ok line names the role id it loaded", async () => {
    const { stdout } = await runRoleguard(["roles", "lint", ...LOADABLE.map(corpusFile)], process.cwd());

    expect(lineFor(stdout, "asserter.md")).toContain("asserter");
    expect(lineFor(stdout, "product-manager.md")).toContain("product-manager");
    expect(lineFor(stdout, "software-engineer-typescript-backend.md")).toContain("software-engineer-typescript-backend");
  });

  it("the four loadable files, passed as file paths, exit 0", async () => {
    const { code, stdout } = await runRoleguard(["roles", "lint", ...LOADABLE.map(corpusFile)], process.cwd());

    expect(lines(stdout)).toHaveLength(4);
    for (const line of lines(stdout)) expect(line).toMatch(/^ok\b/);
    expect(code).toBe(0);
  });

  it.each([
    { file: "secops-engineer.md", parent: "platform-engineer" },
    { file: "software-engineer-typescript-frontend-react.md", parent: "software-engineer-typescript-frontend" },
  ])("$file alone fails naming $parent", async ({ file, parent }) => {
    const { code, stdout } = await runRoleguard(["roles", "lint", corpusFile(file)], process.cwd());

    expect(lines(stdout)).toHaveLength(1);
    expect(lines(stdout)[0]).toMatch(/^error\b/);
    expect(lines(stdout)[0]).toContain(parent);
    expect(code).toBe(2);
  });

  it("a missing parent supplied beside the file makes it load", async () => {
    const dir = tempDir();
    writeTree(dir, { "platform-engineer.md": roleFile("role: platform-engineer\nconstraints:\n  forbidden_paths: [prod/]") });
    const { code, stdout } = await runRoleguard(["roles", "lint", corpusFile("secops-engineer.md"), `${dir}/platform-engineer.md`], process.cwd());

    expect(lineFor(stdout, "secops-engineer.md")).toMatch(/^ok\b/);
    expect(code).toBe(0);
  });

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

  it("--roles DIR shows a corpus role: asserter's constraints map and high autonomy", async () => {
    const { code, stdout } = await runRoleguard(["roles", "show", "asserter", "--roles", CORPUS_DIR, "--format", "json"], process.cwd());
    const shown = parseShown(stdout);

    expect(code).toBe(0);
    expect(shown.autonomy_level).toBe("high");
    expect(shown.requires_approval_for).toEqual(["commit", "deployment", "security_changes"]);
    expect(shown.forbidden_paths).toEqual([".valora/", "data/", ".git/", "node_modules/"]);
    expect(shown.inherits).toEqual([]);
  });

  it("--roles DIR shows product-manager's bare folder and file names", async () => {
    const { stdout } = await runRoleguard(["roles", "show", "product-manager", "--roles", CORPUS_DIR, "--format", "json"], process.cwd());
    const shown = parseShown(stdout);

    expect(shown.forbidden_paths).toEqual(expect.arrayContaining(["infrastructure", "package.json", "tsconfig.json", "workspace/"]));
  });

  it("an unknown id exits 2 and names it", async () => {
    const { code, stdout, stderr } = await runRoleguard(["roles", "show", "no-such-role"], process.cwd());

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("no-such-role");
  });
});

describe("check with real-world roles from the corpus", () => {
  it("product-manager: bare folder name and plain file names are enforced", async () => {
    const repo = repoWithChange(
      {},
      { write: { "infrastructure/main.tf": "tf\n", "packages/web/package.json": "{}\n", "docs/prd/epic-1.md": "# Epic\n", "src/tsconfig.json": "{}\n" } },
    );
    const { report } = await checkJson(repo.dir, ["--role", "product-manager", "--roles", CORPUS_DIR]);

    // The corpus folder also holds two roles whose parents are missing: an error the check must report.
    expect(report.errors.map((error) => basename(error.file)).sort()).toEqual(["secops-engineer.md", "software-engineer-typescript-frontend-react.md"]);
    const violations = report.findings.filter((finding) => finding.state === "violation").map((finding) => finding.path).sort();
    expect(violations).toEqual(["infrastructure/main.tf", "packages/web/package.json", "src/tsconfig.json"]);
  });

  it("secops-engineer with its parent supplied: custom categories warn unless the config gives them paths", async () => {
    const repo = repoWithChange(
      {
        ...policyFiles({
          "platform-engineer": "constraints:\n  forbidden_paths: [prod-secrets/]",
          "software-engineer-typescript-frontend": "constraints:\n  forbidden_paths: [server/]",
        }),
        ".github/roleguard.yml": 'categories:\n  policy_changes:\n    paths: ["policies/"]\n',
      },
      { write: { "policies/opa.rego": "package opa\n", "prod-secrets/k": "k\n", "node_modules/x/i.js": "x\n" } },
    );
    const { code, report } = await checkJson(repo.dir, ["--role", "secops-engineer", "--roles", CORPUS_DIR]);

    expect(report.errors).toEqual([]);
    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "node_modules/x/i.js", state: "violation" },
      { category: "forbidden_paths", path: "prod-secrets/k", state: "violation" },
      { category: "policy_changes", path: "policies/opa.rego", state: "pending" },
    ]);
    for (const category of ["access_control_modifications", "security_control_disablement", "encryption_key_operations", "production_data_access", "penetration_testing_production"]) {
      expect(report.warnings.filter((warning) => warning.includes(category) && warning.includes("not enforced"))).toHaveLength(1);
      expect(report.checklist.filter((item) => item.includes(category))).toHaveLength(1);
    }
    expect(report.warnings.some((warning) => warning.includes("policy_changes"))).toBe(false);
    expect(code).toBe(1);
  });
});
