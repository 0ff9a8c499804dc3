/**
 * Two holes in how roles combine (SPEC §1, §3; issue 9), each written as the
 * attack it stops: a repository file that redefines an org role, and a
 * pattern repeated through inheritance around a `!`.
 */
import { describe, expect, it } from "vitest";
import { buildRoleSet } from "../../src/roles/resolve.js";
import { roleFile } from "../helpers/engine.js";
import { PathPatternList } from "../../src/policy/paths.js";

describe("an org role is a floor", () => {
  const org = roleFile("role: agent\nconstraints:\n  forbidden_paths: [secrets/, billing/]\n  requires_approval_for: [commit]\ndecision_making:\n  autonomy_level: low");

  it("a repository role with an org role's id is merged into it, never replaces it, and the merge is a warning", () => {
    const set = buildRoleSet([
      { layer: "organisation", files: [{ path: "acme/.github:roles/agent.md", text: org }] },
      { layer: "repository", files: [{ path: ".github/roles/agent.md", text: roleFile("role: agent\nconstraints:\n  forbidden_paths: [docs/]\n  requires_approval_for: [deployment]\ndecision_making:\n  autonomy_level: high") }] },
    ]);
    const agent = set.roles.get("agent")!;
    expect(agent.forbiddenPaths.map((entry) => entry.value)).toEqual(["secrets/", "billing/", "docs/"]);
    expect(agent.requiresApprovalFor.map((entry) => entry.value)).toEqual(["commit", "deployment"]);
    expect(agent.autonomyLevel).toBe("low");
    expect(set.layerOf.get("agent")).toBe("organisation");
    expect(set.warnings).toContainEqual(expect.stringContaining(".github/roles/agent.md redefines the organisation's role agent"));
  });

  it("the attack: a repository file that re-allows everything still forbids what the org forbids", () => {
    const set = buildRoleSet([
      { layer: "organisation", files: [{ path: "acme/.github:roles/agent.md", text: org }] },
      { layer: "repository", files: [{ path: ".github/roles/agent.md", text: roleFile('role: agent\nconstraints:\n  forbidden_paths: ["!secrets/", "!**"]\ndecision_making:\n  autonomy_level: high') }] },
    ]);
    const agent = set.roles.get("agent")!;
    expect(new PathPatternList(agent.forbiddenPaths.map((entry) => entry.value)).test("secrets/key.pem")).toBe(true);
    expect(set.warnings).toContainEqual(expect.stringContaining("its re-allowing patterns !secrets/, !** are not applied"));
  });

  it("a repository role still replaces a built-in role of the same id", () => {
    const set = buildRoleSet([
      { layer: "built-in", files: [{ path: "built-in:roles/agent.md", text: org }] },
      { layer: "repository", files: [{ path: ".github/roles/agent.md", text: roleFile("role: agent\nconstraints:\n  forbidden_paths: [docs/]") }] },
    ]);
    expect(set.roles.get("agent")!.forbiddenPaths.map((entry) => entry.value)).toEqual(["docs/"]);
  });
});

describe("a pattern repeated through inheritance is never dropped", () => {
  it("the attack: parent *.env, child !*.env, grandchild *.env — prod.env is forbidden under the grandchild", () => {
    const set = buildRoleSet([
      {
        layer: "repository",
        files: [
          { path: "p.md", text: roleFile('role: parent\nconstraints:\n  forbidden_paths: ["*.env"]') },
          { path: "c.md", text: roleFile('role: child\ninherits: parent\nconstraints:\n  forbidden_paths: ["!*.env"]') },
          { path: "g.md", text: roleFile('role: grandchild\ninherits: child\nconstraints:\n  forbidden_paths: ["*.env"]') },
        ],
      },
    ]);
    const patterns = (id: string) => set.roles.get(id)!.forbiddenPaths.map((entry) => entry.value);
    expect(patterns("grandchild")).toEqual(["!*.env", "*.env"]);
    expect(new PathPatternList(patterns("grandchild")).test("prod.env")).toBe(true);
    expect(new PathPatternList(patterns("child")).test("prod.env")).toBe(false);
  });
});
