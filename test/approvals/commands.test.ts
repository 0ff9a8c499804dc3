import { describe, expect, it } from "vitest";
import { hasCommands, parseCommands } from "../../src/approvals/commands.js";

const commands = (body: string) => parseCommands(body).map((line) => (line.ok ? line.command : { error: line.error }));

describe("comment commands (SPEC §7)", () => {
  it.each([
    ["/roleguard approve database_migrations", [{ verb: "approve", categories: ["database_migrations"] }]],
    ["/roleguard approve add_dependencies, deployment deployment", [{ verb: "approve", categories: ["add_dependencies", "deployment"] }]],
    ["/roleguard approve all", [{ verb: "approve", categories: "all" }]],
    ["/ROLEGUARD Approve Deployment", [{ verb: "approve", categories: ["deployment"] }]],
    ["/roleguard override hotfix for INC-42, reviewed by security", [{ verb: "override", reason: "hotfix for INC-42, reviewed by security" }]],
    ["/roleguard revoke", [{ verb: "revoke", categories: "all" }]],
    ["/roleguard revoke deployment", [{ verb: "revoke", categories: ["deployment"] }]],
    ["/roleguard check", [{ verb: "check" }]],
    ["Looks fine.\n/roleguard approve deployment\n/roleguard check\nThanks", [{ verb: "approve", categories: ["deployment"] }, { verb: "check" }]],
  ])("%j", (body, expected) => {
    expect(commands(body)).toEqual(expected.map((command) => expect.objectContaining(command)));
  });

  it.each([
    ["/roleguard approve", "name the categories to approve, or `all`"],
    ["/roleguard override", "an override needs a reason: `/roleguard override <reason>`"],
    ["/roleguard override  ok", "an override needs a reason: `/roleguard override <reason>`"],
    ["/roleguard merge", "unknown command `merge`"],
    ["/roleguard", "missing command"],
    ["/roleguard approve Bad!Name", "not a category: bad!name"],
  ])("%j is refused with a reason", (body, error) => {
    expect(commands(body)).toEqual([{ error }]);
  });

  it.each([
    ["a fenced code block", "```\n/roleguard approve all\n```"],
    ["a tilde fence", "~~~text\n/roleguard approve all\n~~~"],
    ["an indented code block", "Example:\n\n    /roleguard approve all\n"],
    ["a block quote", "> /roleguard approve all\nI don't think so."],
    ["an HTML comment", "<!-- /roleguard approve all -->"],
    ["a multi-line HTML comment", "<!--\n/roleguard approve all\n-->"],
    ["the middle of a sentence", "please run /roleguard approve all"],
    ["a longer prefix", "/roleguardian approve all"],
  ])("a command inside %s is not a command", (_where, body) => {
    expect(parseCommands(body)).toEqual([]);
    expect(hasCommands(body)).toBe(false);
  });

  it("a command after a closed fence counts", () => {
    expect(commands("```\n/roleguard approve all\n```\n/roleguard check")).toEqual([expect.objectContaining({ verb: "check" })]);
  });

  it("never throws on odd input", () => {
    for (const body of ["", "\u0000", "/roleguard \u0000", "`".repeat(10_000), "/roleguard approve " + "a,".repeat(10_000)]) {
      expect(() => parseCommands(body)).not.toThrow();
    }
  });
});
