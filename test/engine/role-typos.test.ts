/**
 * Role files (SPEC §1): a key one edit (or a word) away from an enforced field
 * is an error with "did you mean", in every place a constraint can be written;
 * an enforced field in the wrong place is an error saying where it belongs;
 * every other unknown field stays allowed. Errors carry the line in the file.
 */
import { describe, expect, it } from "vitest";
import type { PolicyError } from "../../src/errors.js";
import { parseRoleFile } from "../../src/roles/parse.js";

const role = (front: string) => `---\n${front.trim()}\n---\n\nA role written for a test.\n`;

function errorsOf(front: string): PolicyError[] {
  const parsed = parseRoleFile(role(front), "r.md");
  if (parsed.ok) throw new Error(`expected errors, the role loaded:\n${front}`);
  return parsed.errors;
}

describe("typos of enforced fields are errors with the fix", () => {
  it.each([
    { name: "forbidden_path in a constraints map", front: "role: r\nconstraints:\n  forbidden_path: [secrets/]", field: "constraints.forbidden_path", line: 4, hint: "did you mean `forbidden_paths`?" },
    { name: "forbidden_path in the list-of-maps shape", front: "role: r\nconstraints:\n  - requires_approval_for: [commit]\n  - forbidden_path: [secrets/]", field: "constraints.forbidden_path", line: 5, hint: "did you mean `forbidden_paths`?" },
    { name: "requires_approval", front: "role: r\nconstraints:\n  requires_approval: [deployment]", field: "constraints.requires_approval", line: 4, hint: "did you mean `requires_approval_for`?" },
    { name: "allowed_path", front: "role: r\nconstraints:\n  allowed_path: [src/]", field: "constraints.allowed_path", line: 4, hint: "did you mean `allowed_paths`?" },
    { name: "forbiddenPaths (camelCase)", front: "role: r\nconstraints:\n  forbiddenPaths: [x/]", field: "constraints.forbiddenPaths", line: 4, hint: "did you mean `forbidden_paths`?" },
    { name: "inherit at the top", front: "role: r\ninherit: contractor", field: "inherit", line: 3, hint: "did you mean `inherits`?" },
    { name: "constraint (singular) at the top", front: "role: r\nconstraint:\n  forbidden_paths: [x/]", field: "constraint", line: 3, hint: "did you mean `constraints`?" },
    { name: "decision_making.autonomy", front: "role: r\ndecision_making:\n  autonomy: low", field: "decision_making.autonomy", line: 4, hint: "did you mean `autonomy_level`?" },
    { name: "decision_making.escalation_criterion", front: "role: r\ndecision_making:\n  escalation_criterion:\n    - deployment", field: "decision_making.escalation_criterion", line: 4, hint: "did you mean `escalation_criteria`?" },
  ])("$name", ({ front, field, line, hint }) => {
    const errors = errorsOf(front);
    expect(errors).toEqual([{ file: "r.md", field, line, message: expect.stringContaining("ignored"), hint }]);
  });

  it.each([
    { name: "forbidden_paths at the top level", front: "role: r\nforbidden_paths: [secrets/]", field: "forbidden_paths", home: "constraints", hint: "move it under `constraints:`" },
    { name: "forbidden_path at the top level (misplaced and mistyped)", front: "role: r\nforbidden_path: [secrets/]", field: "forbidden_path", home: "constraints", hint: "move it under `constraints:` as `forbidden_paths`" },
    { name: "autonomy_level at the top level", front: "role: r\nautonomy_level: low", field: "autonomy_level", home: "decision_making", hint: "move it under `decision_making:`" },
    { name: "autonomy_level under constraints", front: "role: r\nconstraints:\n  autonomy_level: low", field: "constraints.autonomy_level", home: "decision_making", hint: "move it under `decision_making:`" },
    { name: "forbidden_paths under decision_making", front: "role: r\ndecision_making:\n  forbidden_paths: [x/]", field: "decision_making.forbidden_paths", home: "constraints", hint: "move it under `constraints:`" },
  ])("$name: says where it belongs", ({ front, field, home, hint }) => {
    const [error] = errorsOf(front);
    expect(error).toMatchObject({ field, hint });
    expect(error?.message).toBe(`${field.split(".").pop()} belongs under ${home}: here it is ignored`);
  });

  it("a typo beside the real field is still an error (its list would be dropped)", () => {
    expect(errorsOf("role: r\nconstraints:\n  forbidden_paths: [a/]\n  forbidden_path: [b/]")[0]).toMatchObject({ field: "constraints.forbidden_path", line: 5 });
  });

  it("reports a typo and a type error of the same file together", () => {
    const errors = errorsOf("role: r\ninherit: x\nconstraints:\n  forbidden_paths: 5");
    expect(errors.map((error) => [error.field, error.line])).toEqual([
      ["inherit", 3],
      ["constraints.forbidden_paths", 5],
    ]);
  });
});

describe("everything else stays allowed (SPEC §1)", () => {
  it("version, tone, expertise, capabilities, context_requirements and unknown constraints load", () => {
    const parsed = parseRoleFile(
      role(
        "role: r\nversion: 1.0.0\ntone: concise\nexpertise: [TDD]\ncapabilities:\n  can_write_code: true\ncontext_requirements:\n  requires_dependencies_list: true\nconstraints:\n  max_files: 3\n  forbidden_paths: [x/]\ndecision_making:\n  autonomy_level: low\n  notes: be careful",
      ),
      "r.md",
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.role.forbiddenPaths).toEqual(["x/"]);
    expect(parsed.role.warnings).toEqual(["not enforced: unknown constraint max_files"]);
  });
});

describe("patterns and types carry the line, in both constraint shapes", () => {
  it("deploy/[abc in forbidden_paths (a map) is an error naming the pattern", () => {
    const [error] = errorsOf("role: r\nconstraints:\n  forbidden_paths:\n    - ok/\n    - deploy/[abc");
    expect(error).toMatchObject({ field: "constraints.forbidden_paths[1]", line: 6 });
    expect(error?.message).toMatch(/malformed pattern `deploy\/\[abc`: `\[` at character 8 is never closed/);
  });

  it("in the list-of-maps shape, the index is the merged list's and the line the file's", () => {
    const [error] = errorsOf("role: r\nconstraints:\n  - forbidden_paths: [a/, b/]\n  - requires_approval_for: [commit]\n  - forbidden_paths:\n      - c/\n      - '!'");
    expect(error).toMatchObject({ field: "constraints.forbidden_paths[3]", line: 8 });
    expect(error?.message).toMatch(/a lone `!` negates nothing/);
  });

  it("allowed_paths are checked too", () => {
    expect(errorsOf("role: r\nconstraints:\n  allowed_paths: ['src/{a,b']")[0]).toMatchObject({ field: "constraints.allowed_paths[0]", line: 4 });
  });

  it("a wrong type in the list shape points at the item that has it", () => {
    expect(errorsOf("role: r\nconstraints:\n  - forbidden_paths: [a/]\n  - requires_approval_for: deployment")[0]).toMatchObject({ field: "constraints.requires_approval_for", line: 5 });
  });
});

describe("unknown categories are kept, with where they are, for roles lint", () => {
  it("names each non-built-in category with its field, line and the built-in it may be a typo of", () => {
    const parsed = parseRoleFile(role("role: r\nconstraints:\n  - requires_approval_for:\n    - deployment\n    - database_migration\n    - production_data_access"), "r.md");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.role.unknownCategories).toEqual([
      { id: "database_migration", field: "constraints.requires_approval_for[1]", line: 6, hint: "did you mean `database_migrations`?" },
      { id: "production_data_access", field: "constraints.requires_approval_for[2]", line: 7 },
    ]);
  });
});
