/**
 * The extra suite: the real-world role files of ../shared/roles-corpus/ (six
 * files from windagency/valora.ai, read in place, never copied). `.ci/run`
 * runs it with `npm run test:corpus` when that folder exists; `npm test` does
 * not need it (its fixtures are test/fixtures/roles/). ROLEGUARD_CORPUS points
 * elsewhere.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { builtinRoleSource } from "../src/roles/builtin.js";
import { parseRoleFile } from "../src/roles/parse.js";
import { buildRoleSet, type RoleSource } from "../src/roles/resolve.js";
import { checkJson, roleFile, runRoleguard, seen } from "../test/helpers/cli.js";
import { describeRoleFolderLint } from "../test/helpers/role-folder-suite.js";
import { policyFiles } from "../test/helpers/scenario.js";
import { repoWithChange } from "../test/helpers/scratch-repo.js";

const CORPUS_DIR = `${resolve(process.env.ROLEGUARD_CORPUS ?? fileURLToPath(new URL("../../shared/roles-corpus/", import.meta.url)))}/`;
if (!existsSync(CORPUS_DIR)) throw new Error(`no role corpus at ${CORPUS_DIR}: set ROLEGUARD_CORPUS, or run npm test (which needs none)`);

const corpusFiles = readdirSync(CORPUS_DIR)
  .filter((name) => name.endsWith(".md") && name !== "README.md")
  .sort()
  .map((name) => ({ path: name, text: readFileSync(`${CORPUS_DIR}${name}`, "utf8") }));

const role = (front: string, body = "Body text.") => roleFile(front, body);
const layer = (files: Record<string, string>, name: RoleSource["layer"] = "repository"): RoleSource => ({
  layer: name,
  files: Object.entries(files).map(([path, text]) => ({ path, text })),
});

interface ShownRole {
  inherits: string[];
  autonomy_level: string | null;
  forbidden_paths: string[];
  requires_approval_for: string[];
}
const parseShown = (stdout: string) => JSON.parse(stdout) as ShownRole;

describe("the real-world corpus", () => {
  it("has the six files the task names", () => {
    expect(corpusFiles.map((file) => file.path)).toEqual([
      "asserter.md",
      "product-manager.md",
      "secops-engineer.md",
      "software-engineer-typescript-backend.md",
      "software-engineer-typescript-frontend-react.md",
      "software-engineer-typescript.md",
    ]);
  });

  it.each(corpusFiles)("$path parses and validates on its own", ({ path, text }) => {
    const parsed = parseRoleFile(text, path);
    expect(parsed.ok).toBe(true);
  });

  it("reads both constraint shapes: a list of single-key maps and a map", () => {
    const backend = parseRoleFile(corpusFiles.find((f) => f.path === "software-engineer-typescript-backend.md")!.text, "b.md");
    const asserter = parseRoleFile(corpusFiles.find((f) => f.path === "asserter.md")!.text, "a.md");
    if (!backend.ok || !asserter.ok) throw new Error("corpus did not parse");
    expect(backend.role.requiresApprovalFor).toEqual(["delete_files", "database_migrations", "commit", "deployment", "infrastructure_changes", "security_changes"]);
    expect(backend.role.forbiddenPaths).toContain("workspace/frontend/");
    expect(asserter.role.requiresApprovalFor).toEqual(["commit", "deployment", "security_changes"]);
    expect(asserter.role.forbiddenPaths).toEqual([".valora/", "data/", ".git/", "node_modules/"]);
    expect(asserter.role.autonomyLevel).toBe("high");
  });

  it("reads the parent's 4-space indented lists", () => {
    const parent = parseRoleFile(corpusFiles.find((f) => f.path === "software-engineer-typescript.md")!.text, "p.md");
    if (!parent.ok) throw new Error(JSON.stringify(parent.errors));
    expect(parent.role.forbiddenPaths).toEqual([".ai/", ".devcontainer/", ".git/", ".github/", "infrastructure/", "node_modules/"]);
    expect(parent.role.escalationCriteria).toContain("Confidence < 70%");
  });

  it("keeps unknown fields and the body", () => {
    const parsed = parseRoleFile(corpusFiles.find((f) => f.path === "product-manager.md")!.text, "pm.md");
    if (!parsed.ok) throw new Error("did not parse");
    expect(parsed.role.frontMatter.tone).toBe("concise-technical");
    expect(parsed.role.frontMatter.context_requirements).toMatchObject({ requires_project_history: true });
    expect(parsed.role.body).toMatch(/^# /);
  });

  it("loads as a set: only the two files with a missing parent fail, each naming it", () => {
    const set = buildRoleSet([builtinRoleSource(), layer(Object.fromEntries(corpusFiles.map((f) => [f.path, f.text])))]);
    expect([...set.roles.keys()].filter((id) => corpusFiles.some((f) => f.text.includes(`role: ${id}\n`))).sort()).toEqual([
      "asserter",
      "product-manager",
      "software-engineer-typescript",
      "software-engineer-typescript-backend",
    ]);
    expect(set.errors).toEqual([
      expect.objectContaining({ file: "secops-engineer.md", field: "inherits", message: expect.stringContaining("platform-engineer") }),
      expect.objectContaining({
        file: "software-engineer-typescript-frontend-react.md",
        field: "inherits",
        message: expect.stringContaining("software-engineer-typescript-frontend,"),
      }),
    ]);
  });

  it("secops-engineer loads once platform-engineer is supplied, with its custom categories", () => {
    const platform = role("role: platform-engineer\nconstraints:\n  forbidden_paths: [secrets/]");
    const secops = corpusFiles.find((f) => f.path === "secops-engineer.md")!;
    const set = buildRoleSet([layer({ "platform-engineer.md": platform, [secops.path]: secops.text })]);
    expect(set.errors).toEqual([]);
    const resolved = set.roles.get("secops-engineer")!;
    expect(resolved.forbiddenPaths.map((p) => p.value)).toEqual(["secrets/", ".valora/", "data/", ".git/", "node_modules/"]);
    expect(resolved.forbiddenPaths[0]).toEqual({ value: "secrets/", from: "platform-engineer" });
    expect(resolved.requiresApprovalFor.map((c) => c.value)).toContain("policy_changes");
  });
});

describe("built-in roles against the corpus", () => {
  it("carry the same front-matter constraints as the corpus files of the same id", () => {
    for (const id of ["software-engineer-typescript", "software-engineer-typescript-backend"]) {
      const corpus = parseRoleFile(corpusFiles.find((f) => f.path === `${id}.md`)!.text, id);
      const builtin = parseRoleFile(builtinRoleSource().files.find((f) => f.path.endsWith(`/${id}.md`))!.text, id);
      if (!corpus.ok || !builtin.ok) throw new Error("did not parse");
      for (const key of ["forbiddenPaths", "requiresApprovalFor", "escalationCriteria", "parents", "autonomyLevel"] as const) {
        expect(builtin.role[key], `${id} ${key}`).toEqual(corpus.role[key]);
      }
    }
  });

});

describeRoleFolderLint({
  name: "the real-world corpus",
  dir: CORPUS_DIR,
  loadable: ["asserter.md", "product-manager.md", "software-engineer-typescript-backend.md", "software-engineer-typescript.md"],
  orphans: [
    { file: "secops-engineer.md", parent: "platform-engineer" },
    { file: "software-engineer-typescript-frontend-react.md", parent: "software-engineer-typescript-frontend" },
  ],
  skipped: ["README.md"],
});

describe("roles show on corpus roles", () => {
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
