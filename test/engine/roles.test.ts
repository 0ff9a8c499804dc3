import { describe, expect, it } from "vitest";
import { builtinRoleSource } from "../../src/roles/builtin.js";
import { parseRoleFile, splitFrontMatter } from "../../src/roles/parse.js";
import { buildRoleSet, type RoleSource } from "../../src/roles/resolve.js";

const role = (front: string, body = "Body text.") => `---\n${front.trim()}\n---\n\n${body}\n`;
const layer = (files: Record<string, string>, name: RoleSource["layer"] = "repository"): RoleSource => ({
  layer: name,
  files: Object.entries(files).map(([path, text]) => ({ path, text })),
});

describe("built-in roles", () => {
  const set = buildRoleSet([builtinRoleSource()]);

  it("load without errors or warnings", () => {
    expect(set.errors).toEqual([]);
    expect(set.warnings).toEqual([]);
    expect([...set.roles.keys()].sort()).toEqual(["ai-agent", "contractor", "software-engineer-typescript", "software-engineer-typescript-backend"]);
  });

  it("are replaced by a repository role of the same id", () => {
    const replacement = role("role: contractor\nconstraints:\n  forbidden_paths: [only-this/]");
    const replaced = buildRoleSet([builtinRoleSource(), layer({ ".github/roles/contractor.md": replacement })]);
    expect(replaced.errors).toEqual([]);
    expect(replaced.roles.get("contractor")!.forbiddenPaths.map((p) => p.value)).toEqual(["only-this/"]);
    expect(replaced.layerOf.get("contractor")).toBe("repository");
  });
});

describe("inheritance", () => {
  it("unions every list constraint of all ancestors; the child's scalars win", () => {
    const set = buildRoleSet([
      layer({
        "base.md": role("role: base\ndescription: base\nconstraints:\n  forbidden_paths: [a/]\n  requires_approval_for: [commit]\ndecision_making:\n  autonomy_level: low\n  escalation_criteria: [Think twice]"),
        "ops.md": role("role: ops\nconstraints:\n  forbidden_paths: [b/]\n  allowed_paths: [src/]"),
        "child.md": role("role: child\ninherits: [base, ops]\ndescription: child\nconstraints:\n  - forbidden_paths: [c/, a/]\ndecision_making:\n  autonomy_level: high"),
      }),
    ]);
    expect(set.errors).toEqual([]);
    const child = set.roles.get("child")!;
    // A repeated pattern keeps its last position: the last match decides, so only the last copy can matter.
    expect(child.forbiddenPaths).toEqual([
      { value: "b/", from: "ops" },
      { value: "c/", from: "child" },
      { value: "a/", from: "child" },
    ]);
    expect(child.allowedPaths).toEqual([{ value: "src/", from: "ops" }]);
    expect(child.requiresApprovalFor).toEqual([{ value: "commit", from: "base" }]);
    expect(child.escalationCriteria.map((c) => c.value)).toEqual(["Think twice"]);
    expect(child.autonomyLevel).toBe("high");
    expect(child.description).toBe("child");
    expect(child.ancestors).toEqual(["base", "ops"]);
  });

  it("inherits scalars from the nearest ancestor that sets them, through several generations", () => {
    const set = buildRoleSet([
      layer({
        "a.md": role("role: a\ndecision_making:\n  autonomy_level: low\nconstraints:\n  forbidden_paths: [x/]"),
        "b.md": role("role: b\ninherits: a"),
        "c.md": role("role: c\ninherits: b"),
      }),
    ]);
    const c = set.roles.get("c")!;
    expect(c.autonomyLevel).toBe("low");
    expect(c.ancestors).toEqual(["b", "a"]);
    expect(c.forbiddenPaths).toEqual([{ value: "x/", from: "a" }]);
  });

  it("reports a cycle with the whole chain and the files, and resolves neither role", () => {
    const set = buildRoleSet([layer({ "a.md": role("role: a\ninherits: b"), "b.md": role("role: b\ninherits: a") })]);
    expect(set.roles.size).toBe(0);
    expect(set.errors.map((e) => [e.file, e.field, e.message])).toEqual([
      ["a.md", "inherits", "inheritance cycle: a (a.md) → b (b.md) → a (a.md)"],
      ["b.md", "inherits", "inheritance cycle: a (a.md) → b (b.md) → a (a.md)"],
    ]);
  });

  it("reports a role that inherits itself", () => {
    const set = buildRoleSet([layer({ "a.md": role("role: a\ninherits: a") })]);
    expect(set.errors.map((e) => e.message)).toEqual(["inheritance cycle: a (a.md) → a (a.md)"]);
  });

  it("fails a descendant of a broken role with its own error, keeps unrelated roles", () => {
    const set = buildRoleSet([
      layer({ "a.md": role("role: a\ninherits: ghost"), "b.md": role("role: b\ninherits: a"), "c.md": role("role: c") }),
    ]);
    expect([...set.roles.keys()]).toEqual(["c"]);
    expect(set.errors.map((e) => `${e.file}: ${e.message}`)).toEqual([
      "a.md: role a inherits ghost, which is not defined in any loaded role file or built-in role",
      "b.md: role b cannot be resolved: its parent a has errors",
    ]);
  });

  it("rejects duplicate ids within one source, naming both files", () => {
    const set = buildRoleSet([layer({ "one.md": role("role: twin"), "two.md": role("role: twin") })]);
    expect(set.errors).toEqual([{ file: "two.md", field: "role", message: "duplicate role id twin: also defined in one.md" }]);
    expect(set.roles.get("twin")!.file).toBe("one.md");
  });
});

describe("malformed role files", () => {
  const cases: [string, string, { field?: string; line?: number; message: RegExp }][] = [
    ["broken YAML", "---\nrole: x\nconstraints: [a\nfoo: 1\n---\n", { line: 4, message: /invalid YAML/ }],
    ["bad indentation", "---\nrole: x\n  inherits: y\n---\n", { line: 2, message: /invalid YAML/ }],
    ["no front matter", "# Just markdown\n", { message: /no YAML front matter/ }],
    ["empty front matter", "---\n---\nbody\n", { message: /empty front matter/ }],
    ["front matter is a list", "---\n- a\n- b\n---\n", { message: /must be a YAML map/ }],
    ["missing role", "---\ndescription: x\n---\n", { field: "role", message: /required/ }],
    ["bad role id", "---\nrole: Bad Id\n---\n", { field: "role", message: /must match/ }],
    ["forbidden_paths not a list", "---\nrole: x\nconstraints:\n  forbidden_paths: data/\n---\n", { field: "constraints.forbidden_paths", message: /expected array/ }],
    ["a number in forbidden_paths", "---\nrole: x\nconstraints:\n  forbidden_paths: [data/, 7]\n---\n", { field: "constraints.forbidden_paths[1]", message: /expected string/ }],
    ["constraints a string", "---\nrole: x\nconstraints: none\n---\n", { field: "constraints", message: /map or a list/ }],
    ["bad autonomy", "---\nrole: x\ndecision_making:\n  autonomy_level: extreme\n---\n", { field: "decision_making.autonomy_level", message: /low/ }],
    ["inherits a number", "---\nrole: x\ninherits: 5\n---\n", { field: "inherits", message: /./ }],
    ["binary", "---\nrole: x\u0000\n---\n", { message: /not a text file/ }],
  ];

  it.each(cases)("%s: names the file, field and line", (_name, text, expected) => {
    const parsed = parseRoleFile(text, "bad.md");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const [error] = parsed.errors;
    expect(error!.file).toBe("bad.md");
    expect(error!.message).toMatch(expected.message);
    if (expected.field) expect(error!.field).toBe(expected.field);
    if (expected.line) expect(error!.line).toBe(expected.line);
  });

  it("accepts null lists (a key with nothing after it) as empty", () => {
    const parsed = parseRoleFile("---\nrole: x\nconstraints:\n  forbidden_paths:\n  requires_approval_for:\ndecision_making:\n---\n", "x.md");
    expect(parsed.ok && parsed.role.forbiddenPaths).toEqual([]);
  });

  it("warns about constraint keys it does not enforce, and about duplicate keys", () => {
    const parsed = parseRoleFile("---\nrole: x\nrole: y\nconstraints:\n  max_files: 3\n---\n", "x.md");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.role.id).toBe("y");
    expect(parsed.role.warnings).toEqual([expect.stringMatching(/unique.*line 3.*later value is used/), "not enforced: unknown constraint max_files"]);
  });

  it("does not blow up on a YAML alias bomb", () => {
    const bomb = ["---", "role: x", "a: &a [x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`), "---", ""].join("\n");
    const parsed = parseRoleFile(bomb, "bomb.md");
    expect(parsed.ok).toBe(false);
  });
});

describe("the front matter split (as gray-matter made it, without loading it)", () => {
  it("ends at the first line that starts with ---, and the body follows that line", () => {
    expect(splitFrontMatter("---\nrole: x\n---\n\n# Body\n--- not a delimiter now\n")).toEqual({ frontMatter: "\nrole: x", body: "\n# Body\n--- not a delimiter now\n" });
    // Windows line breaks: the \r stays with the YAML (which ignores it) and leaves the body.
    expect(splitFrontMatter("---\r\nrole: x\r\n---\r\nBody\r\n")).toEqual({ frontMatter: "\r\nrole: x\r", body: "Body\r\n" });
    // Without a closing line, everything after the opening one is front matter.
    expect(splitFrontMatter("---\nrole: x\n")).toEqual({ frontMatter: "\nrole: x\n", body: "" });
  });

  it("a --- inside a YAML value is not a delimiter; one at the start of a line is, even in a block scalar", () => {
    const quoted = parseRoleFile('---\nrole: x\ndescription: "a --- b"\n---\nBody\n', "x.md");
    expect(quoted.ok && [quoted.role.description, quoted.role.body]).toEqual(["a --- b", "Body"]);
    // gray-matter ended the front matter here too: the rest of the block is body, and the YAML before it still parses.
    const block = parseRoleFile("---\nrole: x\ndescription: |\n  one\n---\n  two\n", "x.md");
    expect(block.ok && [block.role.description, block.role.body]).toEqual(["one\n", "two"]);
  });

  it("blank or comment-only front matter is empty; a comment line keeps the lines of what follows", () => {
    expect(parseRoleFile("---\n# just a note\n\n---\nBody\n", "x.md")).toMatchObject({ ok: false, errors: [{ message: expect.stringMatching(/empty front matter/) }] });
    const parsed = parseRoleFile("---\n# note\nrole: x\nconstraints:\n  forbidden_paths: 3\n---\n", "x.md");
    expect(parsed).toMatchObject({ ok: false, errors: [{ field: "constraints.forbidden_paths", line: 5 }] });
  });

  it("a megabyte of dashes and line breaks is split in one pass", () => {
    const huge = `---\nrole: x\n${"-- \n".repeat(250_000)}---\nBody\n`;
    const started = performance.now();
    const parsed = parseRoleFile(huge, "huge.md");
    expect(parsed.ok).toBe(false); // 250,000 lines of "-- " are not YAML a role accepts
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
