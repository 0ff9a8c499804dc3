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

  it("check --pr's evaluation loads neither the worker pool (piscina) nor prom-client: one PR runs in-process and counts nothing", () => {
    const modules = ["pr-check.js", "app/decisions.js", "app/payload.js", "app/pull-evaluation.js", "app/state.js", "policy/dependencies/index.js"];
    const loaded = new Set(modules.flatMap((module) => [...packagesLoadedBy(dist(module))]));
    expect(loaded).not.toContain("piscina");
    expect(loaded).not.toContain("prom-client");
  });

  it("the engine loads no parser package at start-up: TOML, YAML, XML and Dockerfiles at the first such manifest, zod never", () => {
    const loaded = packagesLoadedBy(dist("policy/evaluate.js"));
    for (const parser of ["fast-xml-parser", "dockerfile-ast", "smol-toml", "yaml", "zod", "gray-matter"]) expect(loaded).not.toContain(parser);
  });

  it("a local check on a cached policy loads the git reader, the engine and the text report, and none of the policy parsers", () => {
    // What cli.ts's check imports before it knows whether the cache answers; the parsers load behind resolvePolicyAtRef.
    const modules = ["sources/git.js", "policy/policy-files.js", "sources/resolved-policy.js", "policy/assign.js", "policy/declared.js", "policy/evaluate.js", "errors.js", "report/text.js"];
    const loaded = new Set(modules.flatMap((module) => [...packagesLoadedBy(dist(module))]));
    for (const parser of ["zod", "yaml", "gray-matter", "smol-toml", "commander"]) expect(loaded).not.toContain(parser);
  });

  it("--version answers from package.json", () => {
    const version = execFileSync(process.execPath, [dist("bin.js"), "--version"], { encoding: "utf8" }).trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
