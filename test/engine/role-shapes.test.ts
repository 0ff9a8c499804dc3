/**
 * Role files in the shapes real ones take (test/fixtures/roles/, written for
 * this project): both constraint shapes, three generations of inheritance,
 * categories outside the built-in ones, missing parents, and the files a role
 * folder holds that are not roles. The real-world corpus is an extra suite
 * (test-extra/roles-corpus.test.ts) that CI runs beside the shared role corpus.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isRoleFileName } from "../../src/roles/files.js";
import { parseRoleFile } from "../../src/roles/parse.js";
import { buildRoleSet, type RoleSource } from "../../src/roles/resolve.js";
import { builtinRoleSource } from "../../src/roles/builtin.js";
import { readRoleDir } from "../../src/sources/local-policy.js";
import type { PolicyError } from "../../src/errors.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/roles/", import.meta.url));

function fixtures(): RoleSource["files"] {
  const errors: PolicyError[] = [];
  const files = readRoleDir(FIXTURES, errors, FIXTURES);
  expect(errors).toEqual([]);
  return files;
}

function parsed(name: string) {
  const file = fixtures().find((each) => each.path === name);
  if (!file) throw new Error(`no fixture ${name}`);
  const result = parseRoleFile(file.text, file.path);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.role;
}

describe("role files in the seed's shapes", () => {
  it("a role folder's template, _meta/ notes and README are not read as roles", () => {
    expect(fixtures().map((file) => file.path)).toEqual([
      "api-developer.md",
      "contributor.md",
      "data-steward.md",
      "developer.md",
      "docs-writer.md",
      "reviewer-bot.md",
      "web-developer.md",
    ]);
  });

  it.each([
    ["_template.md", false],
    ["roles/_draft.md", false],
    ["roles/_meta/notes.md", false],
    [".github/roles/README.md", false],
    [".github/roles/readme.MD", false],
    [".github/roles/notes.txt", false],
    [".github/roles/backend.md", true],
    [".github/roles/meta/backend.md", true],
    [".github/roles/team_a/backend.md", true],
  ])("isRoleFileName(%s) is %s", (path, expected) => {
    expect(isRoleFileName(path)).toBe(expected);
  });

  it("reads constraints as a list of single-key maps, items indented four spaces", () => {
    const developer = parsed("developer.md");
    expect(developer.requiresApprovalFor).toEqual(["database_migrations", "deployment"]);
    expect(developer.forbiddenPaths).toEqual([".ai/", ".github/", "infrastructure/"]);
    expect(developer.parents).toEqual(["contributor"]);
  });

  it("reads the same shape with items indented six spaces, keeping unknown fields and the body", () => {
    const api = parsed("api-developer.md");
    expect(api.requiresApprovalFor).toEqual(["api_contract_changes", "security_changes", "commit"]);
    expect(api.forbiddenPaths).toEqual(["web/", "mobile/", ".devcontainer/"]);
    expect(api.escalationCriteria).toContain("Confidence < 80%");
    expect(api.frontMatter.expertise).toEqual(["REST and OpenAPI", "Postgres", "Queues"]);
    expect(api.frontMatter.output_format).toEqual({ format: "code-only" });
    expect(api.body).toMatch(/^# API developer/);
  });

  it("reads constraints as a map", () => {
    const bot = parsed("reviewer-bot.md");
    expect(bot.requiresApprovalFor).toEqual(["commit", "security_changes"]);
    expect(bot.forbiddenPaths).toEqual(["data/", "node_modules/"]);
    expect(bot.autonomyLevel).toBe("high");
  });

  it("reads a role with no constraints and no decision_making as constraining nothing itself", () => {
    const web = parsed("web-developer.md");
    expect(web.forbiddenPaths).toEqual([]);
    expect(web.requiresApprovalFor).toEqual([]);
    expect(web.escalationCriteria).toEqual([]);
    expect(web.autonomyLevel).toBeUndefined();
  });

  it("keeps bare folder names and plain file names as written", () => {
    expect(parsed("docs-writer.md").forbiddenPaths).toEqual(["src", "infrastructure", "package.json", "tsconfig.json"]);
  });

  it("resolves three generations: the child holds every ancestor's lists, its own scalars win", () => {
    const set = buildRoleSet([{ layer: "repository", files: fixtures() }]);
    const api = set.roles.get("api-developer")!;
    expect(api.ancestors).toEqual(["developer", "contributor"]);
    expect(api.forbiddenPaths.map((entry) => entry.value)).toEqual([".git/", "secrets/", ".ai/", ".github/", "infrastructure/", "web/", "mobile/", ".devcontainer/"]);
    expect(api.forbiddenPaths.find((entry) => entry.value === "secrets/")?.from).toBe("contributor");
    expect(api.requiresApprovalFor.map((entry) => entry.value)).toEqual([
      "delete_files",
      "database_migrations",
      "deployment",
      "api_contract_changes",
      "security_changes",
      "commit",
    ]);
    expect(api.autonomyLevel).toBe("medium");
    expect(api.escalationCriteria.map((entry) => entry.value)).toContain("Anything that touches billing");
  });

  it("as a set, only the two roles with a missing parent fail, each naming the parent", () => {
    const set = buildRoleSet([builtinRoleSource(), { layer: "repository", files: fixtures() }]);
    expect([...set.roles.keys()].filter((id) => !set.layerOf.get(id)?.startsWith("built")).sort()).toEqual([
      "api-developer",
      "contributor",
      "developer",
      "docs-writer",
      "reviewer-bot",
    ]);
    expect(set.errors).toEqual([
      expect.objectContaining({ file: "data-steward.md", field: "inherits", message: expect.stringContaining("inherits platform-lead,") }),
      expect.objectContaining({ file: "web-developer.md", field: "inherits", message: expect.stringContaining("inherits frontend-base,") }),
    ]);
  });

  it("a missing parent supplied beside it makes the role load, with its own categories", () => {
    const lead = { path: "platform-lead.md", text: "---\nrole: platform-lead\nconstraints:\n  forbidden_paths: [billing/]\n---\n" };
    const steward = fixtures().find((file) => file.path === "data-steward.md")!;
    const set = buildRoleSet([{ layer: "repository", files: [lead, steward] }]);
    expect(set.errors).toEqual([]);
    const resolved = set.roles.get("data-steward")!;
    expect(resolved.forbiddenPaths[0]).toEqual({ value: "billing/", from: "platform-lead" });
    expect(resolved.requiresApprovalFor.map((entry) => entry.value)).toEqual(["schema_governance", "pii_access", "retention_policy_changes"]);
  });
});
