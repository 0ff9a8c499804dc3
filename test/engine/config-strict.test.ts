/**
 * The config is strict (SPEC §3, §4): every unknown key, at any depth, is an
 * error naming its line and the nearest known key; wrong types carry the line;
 * unknown agents list the known ones; malformed patterns and path settings on
 * categories that have no paths are errors; a `categories:` key that neither a
 * built-in nor any role names is reported with the line it is on.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseConfig, parseConfigFile } from "../../src/config/parse.js";
import { ConfigSchema } from "../../src/config/schema.js";
import type { PolicyError } from "../../src/errors.js";
import { KNOWN_AGENTS } from "../../src/policy/agents.js";
import { SPECIAL_CATEGORIES } from "../../src/policy/categories/builtin.js";
import { validatePattern } from "../../src/policy/paths.js";
import { configNameErrors } from "../../src/policy/proposed.js";
import { builtinRoleSource } from "../../src/roles/builtin.js";
import { buildRoleSet } from "../../src/roles/resolve.js";
import { didYouMean, nearMiss, schemaKeysAt } from "../../src/suggest.js";

const FILE = ".github/roleguard.yml";

function errorsOf(text: string): PolicyError[] {
  const parsed = parseConfig(text, FILE);
  if (parsed.ok) throw new Error(`expected errors, the config parsed:\n${text}`);
  return parsed.errors;
}

describe("unknown keys at every depth: field, line and did-you-mean", () => {
  it.each([
    { name: "top level (assing)", text: "request_reviews: true\nassing:\n  - role: x\n    users: [a]\n", field: "assing", line: 2, hint: "did you mean `assign`?" },
    { name: "an assign entry (user)", text: "assign:\n  - role: x\n    user: [a]\n", field: "assign[0].user", line: 3, hint: "did you mean `users`?" },
    { name: "a later assign entry (lables)", text: "assign:\n  - role: x\n    users: [a]\n  - role: y\n    lables: [r]\n", field: "assign[1].lables", line: 5, hint: "did you mean `labels`?" },
    { name: "roles (path)", text: "roles:\n  path: [x/*.md]\n", field: "roles.path", line: 2, hint: "did you mean `paths`?" },
    { name: "a category (approver)", text: "categories:\n  deployment:\n    approver: { users: [a] }\n", field: "categories.deployment.approver", line: 3, hint: "did you mean `approvers`?" },
    { name: "approvers (user)", text: "categories:\n  deployment:\n    approvers:\n      user: [a]\n", field: "categories.deployment.approvers.user", line: 4, hint: "did you mean `users`?" },
    { name: "approvals (min_permision)", text: "approvals:\n  min_permision: write\n", field: "approvals.min_permision", line: 2, hint: "did you mean `min_permission`?" },
    { name: "overrides (minpermission)", text: "overrides:\n  minpermission: admin\n", field: "overrides.minpermission", line: 2, hint: "did you mean `min_permission`?" },
    { name: "a flow map on one line", text: "approvals: { min_permission: write, review: true }\n", field: "approvals.review", line: 1, hint: "did you mean `reviews`?" },
  ])("$name", ({ text, field, line, hint }) => {
    // A mistyped `users` also leaves the entry naming nobody: that follows, after the typo.
    expect(errorsOf(text)[0]).toEqual({ file: FILE, field, line, message: "unknown key", hint });
  });

  it("a key far from every known one lists the keys that are allowed there", () => {
    const [error] = errorsOf("zzzzzzzz: 1\n");
    expect(error).toMatchObject({ field: "zzzzzzzz", line: 1, message: "unknown key" });
    expect(error?.hint).toMatch(/^known keys here: .*\bassign\b.*\bcategories\b/);
  });

  it("knows the keys from the zod schema itself, so a key added to it is known at once", () => {
    const extended = z.strictObject({ ...ConfigSchema.shape, mode: z.enum(["enforce", "observe"]).optional() });
    expect(schemaKeysAt(extended, [])).toContain("mode");
    expect(schemaKeysAt(ConfigSchema, ["assign", 0])).toEqual(["role", "users", "teams", "labels", "agents"]);
    expect(schemaKeysAt(ConfigSchema, ["categories", "anything", "approvers"])).toEqual(["users", "teams"]);
    expect(schemaKeysAt(ConfigSchema, ["case_insensitive"])).toEqual([]);
  });

  it("reports every unknown key of a file at once, each on its own line", () => {
    const errors = errorsOf("assing: []\nroles:\n  path: []\ncategories:\n  deployment:\n    ignor: [x]\n");
    expect(errors.map((error) => [error.field, error.line])).toEqual([
      ["roles.path", 3],
      ["categories.deployment.ignor", 6],
      ["assing", 1],
    ]);
  });
});

describe("wrong types and broken YAML carry the line", () => {
  it.each([
    { name: "a boolean as a string", text: "request_reviews: true\ncase_insensitive: 'yes'\n", field: "case_insensitive", line: 2, message: /expected boolean/ },
    { name: "users as a string", text: "assign:\n  - role: x\n    users: bob\n", field: "assign[0].users", line: 3, message: /expected array/ },
    { name: "a number among users", text: "assign:\n  - role: x\n    users:\n      - bob\n      - 7\n", field: "assign[0].users[1]", line: 5, message: /expected string/ },
    { name: "an entry naming nobody", text: "match_commit_authors: true\nassign:\n  - role: x\n", field: "assign[0]", line: 3, message: /names nobody/ },
    { name: "a bad permission", text: "approvals:\n  min_permission: owner\n", field: "approvals.min_permission", line: 2, message: /read, triage, write, maintain, admin/ },
  ])("$name", ({ text, field, line, message }) => {
    const [error] = errorsOf(text);
    expect(error).toMatchObject({ file: FILE, field, line });
    expect(error?.message).toMatch(message);
  });

  it("broken YAML names the line it breaks on", () => {
    expect(errorsOf("assign:\n  - role: x\n    users: [a, b\ncategories: {}\n")).toEqual([{ file: FILE, line: 4, message: expect.stringMatching(/^invalid YAML/) }]);
  });
});

describe("agents: an unknown name is an error listing the known ones", () => {
  it("agents: [copilt] suggests copilot and lists every known agent", () => {
    const [error] = errorsOf("assign:\n  - role: ai-agent\n    agents: [copilot, copilt]\n");
    expect(error).toMatchObject({ field: "assign[0].agents[1]", line: 3, hint: "did you mean `copilot`?" });
    for (const agent of KNOWN_AGENTS) expect(error?.message).toContain(agent.id);
  });

  it("a name close to nothing still lists the known agents, with no guess", () => {
    const [error] = errorsOf("assign:\n  - role: ai-agent\n    agents: [skynet]\n");
    expect(error?.message).toMatch(/unknown agent skynet; known agents: copilot, devin/);
    expect(error?.hint).toBeUndefined();
  });

  it("known agents pass, in any case (as assign compares them)", () => {
    expect(parseConfig("assign:\n  - role: ai-agent\n    agents: [Copilot, codex, jules]\n").ok).toBe(true);
  });
});

describe("malformed patterns are errors naming the pattern (SPEC §3)", () => {
  it.each([
    // The reasons are the matcher's own (src/policy/patterns/): validation is the real parser, not a second one.
    ["deploy/[abc", /`\[` at character 8 is never closed/],
    ["!", /a lone `!` negates nothing/],
    ["/", /names no file or folder/],
    ["!/", /names no file or folder/],
    ["src/{a,b", /`\{` at character 5 is never closed/],
    ["src/a}", /`\}` at character 6 closes no `\{`/],
    ["file\\", /lone `\\`/],
    ["[[:alfa:]]x", /unknown character class `\[:alfa:\]`/],
    ["x/{1..100000}", /list no alternatives/],
    ["{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}", /more than 256 alternatives/],
  ])("%s", (pattern, reason) => {
    expect(validatePattern(pattern)).toMatch(reason);
    const [error] = errorsOf(`categories:\n  deployment:\n    paths:\n      - ${JSON.stringify(pattern)}\n`);
    expect(error).toMatchObject({ field: "categories.deployment.paths[0]", line: 4 });
    expect(error?.message).toContain(`malformed pattern \`${pattern}\``);
  });

  it("checks ignore lists too", () => {
    const [error] = errorsOf("categories:\n  deployment:\n    ignore: [ok/, 'deploy/[abc']\n");
    expect(error).toMatchObject({ field: "categories.deployment.ignore[1]", line: 3 });
  });

  it.each(["deploy/", "*.env", "!*.env", "/build", "!dir/", "[]a]", "[!a]*", "[^a]", "[[:alpha:]]*.md", "{a,b}/*.ts", "\\[literal\\]", "**/db/migrate/", "a\\}"])(
    "accepts %s",
    (pattern) => {
      expect(validatePattern(pattern)).toBeUndefined();
    },
  );

  it("an empty pattern is an error", () => {
    expect(validatePattern("   ")).toBe("it is only spaces");
    expect(errorsOf("categories:\n  deployment:\n    paths: ['']\n")[0]).toMatchObject({ field: "categories.deployment.paths[0]", message: "must not be empty" });
  });
});

describe("paths, ignore and defaults on a category that has no paths are errors", () => {
  it.each(SPECIAL_CATEGORIES.flatMap((id) => ["paths: [docs/]", "ignore: [docs/]", "defaults: false"].map((setting) => [id, setting] as const)))("%s: %s", (id, setting) => {
    const key = setting.split(":")[0] as string;
    const errors = errorsOf(`categories:\n  ${id}:\n    approvers: { users: [alice] }\n    ${setting}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: FILE, field: `categories.${id}.${key}`, line: 4, hint: `remove \`${key}\`; only \`approvers\` can be set for ${id}` });
    expect(errors[0]?.message).toContain("would do nothing");
  });

  it("approvers stay allowed there, and path categories keep paths, ignore and defaults", () => {
    expect(parseConfig("categories:\n  delete_files:\n    approvers: { teams: [acme/leads] }\n  add_dependencies:\n    approvers: { users: [bob] }\n").ok).toBe(true);
    expect(parseConfig("categories:\n  governance:\n    paths: [policies/]\n    ignore: [policies/README.md]\n  deployment:\n    defaults: false\n    paths: [ops/]\n").ok).toBe(true);
  });
});

describe("categories: keys must be built-in or named by a loaded role", () => {
  const parsed = (text: string, shared = false) => {
    const result = parseConfigFile(text, FILE);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return { ...result.file, shared };
  };
  const builtins = buildRoleSet([builtinRoleSource()]);

  it("database_migration (a typo) is an error with its line and the built-in it meant", () => {
    const file = parsed("assign:\n  - role: contractor\n    users: [bob]\ncategories:\n  database_migration:\n    approvers: { users: [alice] }\n");
    expect(configNameErrors([file], builtins)).toEqual([
      { file: FILE, field: "categories.database_migration", line: 5, message: expect.stringContaining("unknown category database_migration"), hint: "did you mean `database_migrations`?" },
    ]);
  });

  it("a custom category that a loaded role names is fine; the same one with no role naming it is not", () => {
    const text = "categories:\n  policy_changes:\n    paths: [policies/]\n";
    const withRole = buildRoleSet([builtinRoleSource(), { layer: "repository", files: [{ path: "r.md", text: "---\nrole: r\nconstraints:\n  requires_approval_for: [policy_changes]\n---\n" }] }]);
    expect(configNameErrors([parsed(text)], withRole)).toEqual([]);
    const [error] = configNameErrors([parsed(text)], builtins);
    expect(error).toMatchObject({ field: "categories.policy_changes", line: 2 });
    expect(error?.hint).toMatch(/^built-in categories: /);
  });

  it("an organisation's file, which serves other repositories' roles too, is held only to near-misses of built-ins", () => {
    expect(configNameErrors([parsed("categories:\n  policy_changes:\n    paths: [policies/]\n", true)], builtins)).toEqual([]);
    expect(configNameErrors([parsed("categories:\n  deploymnet:\n    approvers: { users: [a] }\n", true)], builtins)[0]).toMatchObject({ hint: "did you mean `deployment`?" });
  });

  it("an assigned role that nothing defines names its line and the nearest role", () => {
    const [error] = configNameErrors([parsed("request_reviews: true\nassign:\n  - role: contractr\n    users: [bob]\n")], builtins);
    expect(error).toMatchObject({ field: "assign[0].role", line: 3, hint: "did you mean `contractor`?" });
  });
});

describe("did-you-mean helpers", () => {
  it("suggests only what is near", () => {
    expect(didYouMean("assing", ["assign", "roles"])).toBe("assign");
    expect(didYouMean("database_migration", ["database_migrations", "deployment"])).toBe("database_migrations");
    expect(didYouMean("zebra", ["assign", "categories"])).toBeUndefined();
  });

  it("nearMiss: one edit, another spelling, or the first words of a field; not an unrelated field", () => {
    const fields = ["forbidden_paths", "requires_approval_for", "allowed_paths"];
    for (const [key, field] of [
      ["forbidden_path", "forbidden_paths"],
      ["forbiddenPaths", "forbidden_paths"],
      ["Forbidden-Paths", "forbidden_paths"],
      ["requires_approval", "requires_approval_for"],
      ["require_approval_for", "requires_approval_for"],
      ["allowed_path", "allowed_paths"],
    ]) {
      expect(nearMiss(key as string, fields), key).toBe(field);
    }
    expect(nearMiss("escalation_criterion", ["autonomy_level", "escalation_criteria"])).toBe("escalation_criteria");
    expect(nearMiss("autonomy", ["autonomy_level", "escalation_criteria"])).toBe("autonomy_level");
    expect(nearMiss("inherit", ["inherits", "constraints", "decision_making"])).toBe("inherits");
    for (const key of ["version", "tone", "expertise", "capabilities", "responsibilities", "context_requirements", "output_format", "specialization", "max_files", "forbidden_files"]) {
      expect(nearMiss(key, [...fields, "inherits", "constraints", "decision_making", "autonomy_level", "escalation_criteria"]), key).toBeUndefined();
    }
  });
});

describe("roles.paths are patterns too", () => {
  it("a malformed role-file location is an error at load, not a crash when governance compiles it", () => {
    const [error] = errorsOf("roles:\n  paths: ['.github/roles/[abc']\n");
    expect(error).toMatchObject({ field: "roles.paths[0]", line: 2 });
    expect(error?.message).toContain("malformed pattern `.github/roles/[abc`");
  });
});
