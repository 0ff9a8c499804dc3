/**
 * `mode: observe` (SPEC §4, §5): everything is reported, the conclusion is
 * neutral (which passes a required check), the title says what enforcing would
 * conclude; a broken policy still fails; the org's enforce is a floor.
 */
import { describe, expect, it } from "vitest";
import { mergeOrgFloor } from "../../src/config/merge.js";
import { ConfigSchema } from "../../src/config/schema.js";
import { roleFile, run } from "../helpers/engine.js";

const ROLES = { "guarded.md": roleFile("role: guarded\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [database_migrations]") };

describe("mode: observe", () => {
  it("a forbidden change is reported in full and concludes neutral, the title saying enforcing would fail", async () => {
    const enforced = await run({ roles: ROLES, apply: ["guarded"], files: ["secrets/key.pem"] });
    const observed = await run({ roles: ROLES, apply: ["guarded"], files: ["secrets/key.pem"], config: { mode: "observe" } });

    expect(enforced.conclusion).toBe("failure");
    expect(enforced.mode).toBeUndefined();
    expect(observed.conclusion).toBe("neutral");
    expect(observed.mode).toBe("observe");
    expect(observed.would_conclude).toBe("failure");
    expect(observed.title).toBe(`Observe mode, enforcing would fail: ${enforced.title}`);
    expect(observed.findings).toEqual(enforced.findings);
  });

  it("pending approvals conclude neutral; the title says enforcing would need approval", async () => {
    const observed = await run({ roles: ROLES, apply: ["guarded"], files: ["db/migrations/001.sql"], config: { mode: "observe" } });
    expect(observed).toMatchObject({ conclusion: "neutral", would_conclude: "action_required" });
    expect(observed.title).toBe("Observe mode, enforcing would need approval: 1 approval needed: database_migrations");
    expect(observed.findings.map((finding) => finding.state)).toEqual(["pending"]);
  });

  it("a clean change says it would pass", async () => {
    const observed = await run({ roles: ROLES, apply: ["guarded"], files: ["src/app.ts"], config: { mode: "observe" } });
    expect(observed).toMatchObject({ conclusion: "neutral", would_conclude: "success" });
    expect(observed.title).toMatch(/^Observe mode, enforcing would pass: Within role guarded/);
  });

  it("a change that could not be fully inspected is observed too: that is about the PR, not the policy", async () => {
    const observed = await run({ roles: ROLES, apply: ["guarded"], files: ["src/app.ts"], incomplete: "the tree was truncated", config: { mode: "observe" } });
    expect(observed).toMatchObject({ conclusion: "neutral", would_conclude: "failure" });
  });

  it("a broken policy still fails in observe mode: a rollout must see that its policy does not load", async () => {
    const broken = { "guarded.md": roleFile("role: guarded\ninherits: nobody") };
    const observed = await run({ roles: broken, apply: ["guarded"], files: ["src/app.ts"], config: { mode: "observe" } });
    expect(observed.conclusion).toBe("failure");
    expect(observed.mode).toBe("observe");
    expect(observed.would_conclude).toBeUndefined();
  });

  it("rejects a mode that is neither enforce nor observe", () => {
    const result = ConfigSchema.safeParse({ mode: "warn" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("must be one of enforce, observe");
  });
});

describe("mode under the org floor", () => {
  const config = (mode: "enforce" | "observe") => ConfigSchema.parse({ mode });

  it("a repository cannot turn the org's enforce into observe, and is told so", () => {
    const merged = mergeOrgFloor(config("enforce"), config("observe"));
    expect(merged.config.mode).toBe("enforce");
    expect(merged.warnings).toEqual(["mode: observe in the repository is not applied: the organisation's config is a floor"]);
  });

  it("an org file that says nothing about mode enforces: the default is the floor", () => {
    const merged = mergeOrgFloor(ConfigSchema.parse({}), config("observe"));
    expect(merged.config.mode).toBe("enforce");
  });

  it("a repository may enforce what the org observes", () => {
    expect(mergeOrgFloor(config("observe"), config("enforce"))).toMatchObject({ config: { mode: "enforce" }, warnings: [] });
    expect(mergeOrgFloor(config("observe"), config("observe")).config.mode).toBe("observe");
    expect(mergeOrgFloor(config("observe"), undefined).config.mode).toBe("observe");
  });
});
