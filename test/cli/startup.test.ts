/**
 * The CLI starts fast (issue 13 item 6): each command loads what it needs
 * when it runs. Asserted on the built files' static import graphs — what
 * importing a module loads before any of its code runs — not on a clock
 * (start-up times are in bench/RESULTS.md).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { packagesLoadedBy } from "../helpers/import-graph.js";

const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));

describe("what each command loads (issue 13 item 6)", () => {
  it("the command line itself loads commander and nothing else: no YAML, zod, gray-matter, micromatch or engine", () => {
    expect([...packagesLoadedBy(dist("bin.js"))]).toEqual([]);
    expect([...packagesLoadedBy(dist("cli.js"))]).toEqual(["commander"]);
  });

  it("the hook stays clear of zod and commander", () => {
    const loaded = packagesLoadedBy(dist("hook/run.js"));
    for (const heavy of ["zod", "commander", "yaml", "gray-matter", "probot"]) expect(loaded).not.toContain(heavy);
  });

  it("check --pr runs on @octokit/rest with the retry and throttling plugins, never Probot", () => {
    const loaded = packagesLoadedBy(dist("pr-check.js"));
    expect(loaded).toContain("@octokit/rest");
    expect(loaded).toContain("@octokit/plugin-retry");
    expect(loaded).toContain("@octokit/plugin-throttling");
    expect(loaded).not.toContain("probot");
  });

  it("the engine loads the XML and Dockerfile parsers at the first such manifest, not at start-up", () => {
    const loaded = packagesLoadedBy(dist("policy/evaluate.js"));
    expect(loaded).not.toContain("fast-xml-parser");
    expect(loaded).not.toContain("dockerfile-ast");
  });

  it("--version answers from package.json", () => {
    const version = execFileSync(process.execPath, [dist("bin.js"), "--version"], { encoding: "utf8" }).trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
