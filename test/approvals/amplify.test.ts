import { describe, expect, it } from "vitest";
import { MAX_COMMANDS, parseCommands } from "../../src/approvals/commands.js";

describe("a comment cannot amplify its commands (SPEC §7)", () => {
  it("1,680 copies of one approve line are one command", () => {
    const parsed = parseCommands(Array(1680).fill("/roleguard approve database_migrations").join("\n"));
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ ok: true, command: { verb: "approve", categories: ["database_migrations"] } });
    expect(parsed[1]).toMatchObject({ ok: false, error: expect.stringContaining("lines after the first 500 were not read") });
  });

  it("past the cap, different commands are counted, not carried out", () => {
    const parsed = parseCommands(Array.from({ length: 40 }, (_, index) => `/roleguard approve category_${index}`).join("\n"));
    expect(parsed.filter((line) => line.ok)).toHaveLength(MAX_COMMANDS);
    expect(parsed.at(-1)).toMatchObject({ ok: false, error: expect.stringContaining("30 more command lines were not read") });
  });

  it("a 10 MB one-line override keeps a 500-character reason and echoes 120 characters, quickly", () => {
    const started = Date.now();
    const parsed = parseCommands(`/roleguard override ${"x".repeat(10 * 1024 * 1024)}`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(parsed).toHaveLength(1);
    const [line] = parsed;
    if (!line?.ok || line.command.verb !== "override") throw new Error("not an override");
    expect(line.command.reason.length).toBe(500);
    expect(line.command.line.length).toBeLessThanOrEqual(120);
  });

  it("a long comment without commands is no command at all", () => {
    expect(parseCommands(Array(2000).fill("just words").join("\n"))).toEqual([]);
  });
});
