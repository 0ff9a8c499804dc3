import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mergeOrgFloor } from "../../src/config/merge.js";
import { parseConfig } from "../../src/config/parse.js";
import { ConfigSchema, defaultConfig, type Config, type ConfigInput } from "../../src/config/schema.js";

const config = (input: ConfigInput): Config => ConfigSchema.parse(input);

describe("config schema (SPEC §4)", () => {
  it("fills every default", () => {
    expect(defaultConfig()).toEqual({
      mode: "enforce",
      roles: { paths: [".github/roles/**/*.md", ".ai/roles/**/*.md", ".valora/agents/**/*.md"] },
      assign: [],
      default_role: [],
      match_commit_authors: true,
      categories: {},
      approvals: { min_permission: "write", reviews: true },
      overrides: { min_permission: "maintain" },
      request_reviews: true,
      case_insensitive: false,
    });
  });

  it("reads the SPEC's example file", () => {
    const text = readFileSync(new URL("../fixtures/config/spec-example.yml", import.meta.url), "utf8");
    const parsed = parseConfig(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.config.assign[1]).toEqual({ role: "contractor", users: [], teams: ["acme/contractors"], labels: [], agents: [] });
    expect(parsed.config.categories.database_migrations).toEqual({
      paths: ["db/changes/**"],
      ignore: ["db/changes/README.md"],
      defaults: true,
      approvers: { users: ["alice"], teams: ["acme/dba"] },
      required: 1,
    });
    expect(parsed.config.categories.add_dependencies!.approvers).toEqual({ users: [], teams: ["acme/platform"] });
    expect(parsed.config.categories.add_dependencies!.required).toBe(2);
    expect(parsed.config.default_role).toEqual([]);
  });

  it("treats an empty file as the defaults", () => {
    expect(parseConfig("")).toEqual({ ok: true, config: defaultConfig() });
    expect(parseConfig("# only a comment\n")).toEqual({ ok: true, config: defaultConfig() });
  });

  it("accepts default_role as one id or several", () => {
    expect(config({ default_role: "contractor" }).default_role).toEqual(["contractor"]);
    expect(config({ default_role: ["a", "b"] }).default_role).toEqual(["a", "b"]);
  });

  const bad: [string, string, { field?: string; line?: number; message: RegExp }][] = [
    ["broken YAML", "assign:\n  - role: x\n    users: [a\ncategories: {}\n", { line: 4, message: /invalid YAML/ }],
    ["a list at the top", "- a\n- b\n", { message: /must be a YAML map/ }],
    ["assign is a number", "assign: 5\n", { field: "assign", message: /expected array/ }],
    ["unknown top-level key", "assing: []\n", { field: "assing", message: /unknown key/ }],
    ["unknown key in an entry", "assign:\n  - role: x\n    user: [a]\n", { field: "assign[0].user", message: /unknown key/ }],
    ["entry naming nobody", "assign:\n  - role: x\n", { field: "assign[0]", message: /names nobody/ }],
    ["users not strings", "assign:\n  - role: x\n    users: [1]\n", { field: "assign[0].users[0]", message: /expected string/ }],
    ["team without org", "assign:\n  - role: x\n    teams: [platform]\n", { field: "assign[0].teams[0]", message: /org\/team/ }],
    ["bad permission", "approvals:\n  min_permission: owner\n", { field: "approvals.min_permission", message: /read, triage, write, maintain, admin/ }],
    ["boolean as string", "case_insensitive: 'yes'\n", { field: "case_insensitive", message: /expected boolean/ }],
    ["bad category id", "categories:\n  'Bad Id': {}\n", { field: "categories.Bad Id", message: /category id/ }],
    ["category paths wrong type", "categories:\n  deployment:\n    paths: deploy/\n", { field: "categories.deployment.paths", message: /expected array/ }],
    ["duplicate key", "request_reviews: true\nrequest_reviews: false\n", { line: 2, message: /unique/ }],
    ["binary", "a\u0000b", { message: /not a text file/ }],
  ];

  it.each(bad)("%s: an error naming the file and field", (_name, text, expected) => {
    const parsed = parseConfig(text, ".github/roleguard.yml");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const error = parsed.errors[0]!;
    expect(error.file).toBe(".github/roleguard.yml");
    expect(error.message).toMatch(expected.message);
    if (expected.field) expect(error.field).toBe(expected.field);
    if (expected.line) expect(error.line).toBe(expected.line);
  });
});

describe("org-floor merge (SPEC §4)", () => {
  const org = config({
    roles: { paths: ["org-roles/*.md"] },
    assign: [{ role: "ai-agent", agents: ["copilot"] }],
    default_role: "contractor",
    match_commit_authors: true,
    categories: {
      database_migrations: { paths: ["db/changes/"], ignore: ["db/changes/README.md"], approvers: { users: ["alice"], teams: ["acme/dba"] } },
    },
    approvals: { min_permission: "maintain", reviews: true },
    overrides: { min_permission: "admin" },
    request_reviews: true,
  });

  it("a repository with no file of its own gets the org file unchanged", () => {
    expect(mergeOrgFloor(org, undefined)).toEqual({ config: org, warnings: [] });
  });

  it("a repository alone stands as it is", () => {
    const repo = config({ categories: { deployment: { defaults: false, paths: ["ship/"] } } });
    expect(mergeOrgFloor(undefined, repo)).toEqual({ config: repo, warnings: [] });
  });

  it("unions lists and takes the stricter threshold on each side", () => {
    const repo = config({
      roles: { paths: [".github/roles/*.md"] },
      assign: [{ role: "contractor", teams: ["acme/contractors"] }],
      default_role: "ai-agent",
      categories: { database_migrations: { paths: ["sql/"], approvers: { users: ["bob", "alice"] } }, add_dependencies: { approvers: { teams: ["acme/platform"] } } },
      approvals: { min_permission: "write", reviews: false },
      overrides: { min_permission: "maintain" },
      case_insensitive: true,
    });
    const { config: merged, warnings } = mergeOrgFloor(org, repo);
    expect(warnings).toEqual([
      "approvals.min_permission: write in the repository is not applied: the organisation's config is a floor",
      "overrides.min_permission: maintain in the repository is not applied: the organisation's config is a floor",
    ]);
    expect(merged.roles.paths).toEqual(["org-roles/*.md", ".github/roles/*.md"]);
    expect(merged.assign.map((entry) => entry.role)).toEqual(["ai-agent", "contractor"]);
    expect(merged.default_role).toEqual(["contractor", "ai-agent"]);
    expect(merged.categories.database_migrations).toEqual({
      paths: ["db/changes/", "sql/"],
      ignore: ["db/changes/README.md"],
      defaults: true,
      approvers: { users: ["alice", "bob"], teams: ["acme/dba"] },
      required: 1,
    });
    expect(merged.categories.add_dependencies!.approvers.teams).toEqual(["acme/platform"]);
    expect(merged.approvals).toEqual({ min_permission: "maintain", reviews: false });
    expect(merged.overrides.min_permission).toBe("admin");
    expect(merged.case_insensitive).toBe(true);
  });

  it("a repository cannot lower the floor: thresholds, booleans, ignore lists, defaults", () => {
    const repo = config({
      match_commit_authors: false,
      request_reviews: false,
      approvals: { min_permission: "read" },
      overrides: { min_permission: "write" },
      categories: {
        database_migrations: { ignore: ["**"], defaults: false },
        deployment: { ignore: ["Dockerfile"] },
        security_changes: { defaults: false, paths: ["sec/"] },
      },
    });
    const { config: merged, warnings } = mergeOrgFloor(org, repo);
    expect(merged.match_commit_authors).toBe(true);
    expect(merged.request_reviews).toBe(true);
    expect(merged.approvals.min_permission).toBe("maintain");
    expect(merged.overrides.min_permission).toBe("admin");
    expect(merged.categories.database_migrations!.ignore).toEqual(["db/changes/README.md"]);
    expect(merged.categories.database_migrations!.defaults).toBe(true);
    expect(merged.categories.deployment).toMatchObject({ ignore: [], defaults: true });
    expect(merged.categories.security_changes).toMatchObject({ defaults: true, paths: ["sec/"] });
    expect(warnings).toHaveLength(7);
    expect(warnings).toContain("approvals.min_permission: read in the repository is not applied: the organisation's config is a floor");
    expect(warnings).toContain("overrides.min_permission: write in the repository is not applied: the organisation's config is a floor");
    expect(warnings).toContain("match_commit_authors: false in the repository is not applied: the organisation's config is a floor");
    expect(warnings.join("\n")).toMatch(/database_migrations\.ignore/);
    expect(warnings.join("\n")).toMatch(/database_migrations\.defaults: false/);
  });

  it("a stricter repository stays stricter", () => {
    const { config: merged } = mergeOrgFloor(config({}), config({ approvals: { min_permission: "admin" }, case_insensitive: true }));
    expect(merged.approvals.min_permission).toBe("admin");
    expect(merged.case_insensitive).toBe(true);
  });
});
