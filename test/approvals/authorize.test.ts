import { describe, expect, it } from "vitest";
import { approvalRefusal, overrideRefusal, permissionFrom, type ActorFacts } from "../../src/approvals/authorize.js";
import { ConfigSchema } from "../../src/config/schema.js";

const config = ConfigSchema.parse({
  approvals: { min_permission: "write" },
  overrides: { min_permission: "maintain" },
  categories: { database_migrations: { approvers: { users: ["alice"], teams: ["acme/dba"] } } },
});
const pull = { author: "agent[bot]", commitAccounts: new Set(["agent[bot]", "carol"]) };
const actor = (login: string, over: Partial<ActorFacts> = {}): ActorFacts => ({
  login,
  isBot: false,
  permission: "write",
  roleBound: false,
  isTeamMember: async (team) => team === "acme/dba" && login === "dave",
  ...over,
});

describe("who may approve and override (SPEC §7)", () => {
  it.each([
    ["a write collaborator", actor("erin"), undefined],
    ["the PR author", actor("agent[bot]"), "the author of a pull request cannot approve or override it"],
    ["a co-committer", actor("carol", { permission: "admin" }), "an account that authored or committed a commit in this pull request cannot approve or override it"],
    ["a bot", actor("helper[bot]", { isBot: true, permission: "admin" }), "bot accounts cannot approve or override"],
    ["a role-bound account", actor("ops", { roleBound: true, permission: "admin" }), "an account that is itself held to a role cannot approve or override"],
    ["a triage collaborator", actor("ted", { permission: "triage" }), "approving needs write permission or more; @ted has triage"],
    ["a stranger", actor("sam", { permission: "none" }), "approving needs write permission or more; @sam has none"],
  ])("%s approving deployment", async (_who, who, expected) => {
    expect(await approvalRefusal("deployment", config, who, pull)).toBe(expected);
  });

  it("a category's approvers replace the permission rule", async () => {
    expect(await approvalRefusal("database_migrations", config, actor("alice", { permission: "read" }), pull)).toBeUndefined();
    expect(await approvalRefusal("database_migrations", config, actor("dave"), pull)).toBeUndefined();
    expect(await approvalRefusal("database_migrations", config, actor("erin", { permission: "admin" }), pull)).toBe("only @alice, @acme/dba may approve `database_migrations`");
  });

  it("overrides need overrides.min_permission", () => {
    expect(overrideRefusal(config, actor("erin", { permission: "write" }), pull)).toBe("overriding needs maintain permission or more; @erin has write");
    expect(overrideRefusal(config, actor("mia", { permission: "maintain" }), pull)).toBeUndefined();
    expect(overrideRefusal(config, actor("agent[bot]", { permission: "admin" }), pull)).toBe("the author of a pull request cannot approve or override it");
  });

  it("reads role_name first (maintain, triage), then the base permission for custom roles", () => {
    expect(permissionFrom("maintain", "write")).toBe("maintain");
    expect(permissionFrom("triage", "read")).toBe("triage");
    expect(permissionFrom("security-reviewer", "write")).toBe("write");
    expect(permissionFrom(undefined, "none")).toBe("none");
    expect(permissionFrom(undefined, undefined)).toBe("none");
  });
});
