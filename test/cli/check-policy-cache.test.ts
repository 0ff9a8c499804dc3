/**
 * `roleguard check` keeps the policy it resolved at a base tree under
 * `.git/roleguard/check-policy.json` (issue 13 item 6): a repeated check on the
 * same base loads none of the policy parsers. Written as what could go wrong:
 * a cache for another tree, a corrupt file, a change that edits the policy,
 * --config, and `_extends` (read from GitHub, so not named by the tree).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { resolvedPolicyCacheFile } from "../../src/sources/resolved-policy.js";
import { checkJson, roleFile } from "../helpers/cli.js";
import { forbidding, scenario } from "../helpers/scenario.js";
import type { ScratchRepo } from "../helpers/scratch-repo.js";

// The unbundled build: a module hook sees each package it imports (the bundle holds them inside its chunks).
const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const cacheOf = (repo: ScratchRepo) => resolvedPolicyCacheFile(join(repo.dir, ".git"));
const baseTree = (repo: ScratchRepo) => repo.git("rev-parse", "main^{tree}").trim();

function guarded(): ScratchRepo {
  return scenario({
    roles: { guarded: forbidding("secrets/") },
    config: 'assign:\n  - role: guarded\n    users: ["*-agent[bot]"]\n',
    change: { write: { "secrets/key.pem": "k\n", "src/a.ts": "a\n" } },
  });
}

/**
 * The built CLI (unbundled) as a process, with a module hook that records
 * every package it imports: what a run loaded, not how long it took.
 */
function checkProcess(repo: ScratchRepo): { status: number | null; stdout: string; packages: Set<string> } {
  const log = join(tmpdir(), `roleguard-imports-${process.pid}-${Math.random().toString(36).slice(2)}.log`);
  const hooks = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const name = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url)?.[1];
  if (name) appendFileSync(${JSON.stringify(log)}, name + "\\n");
  return result;
}`;
  const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)}, ${JSON.stringify(pathToFileURL(CLI).href)});`;
  const main = `const { runCli } = await import(${JSON.stringify(pathToFileURL(CLI).href)}); process.exitCode = await runCli(process.argv.slice(1));`;
  const args = ["check", "--base", "main", "--author", "ops-agent[bot]", "--format", "json"];
  const run = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(register)}`, "--input-type=module", "-e", main, ...args], {
    cwd: repo.dir,
    encoding: "utf8",
  });
  const packages = new Set(existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []);
  return { status: run.status, stdout: run.stdout, packages };
}

describe("check's policy cache under .git/roleguard/", () => {
  it("the first check writes it, keyed by the base tree; the next loads neither YAML nor zod and reports the same", () => {
    const repo = guarded();
    const cold = checkProcess(repo);
    expect(cold.status).toBe(1);
    for (const parser of ["yaml", "zod"]) expect(cold.packages).toContain(parser);
    const stored = JSON.parse(readFileSync(cacheOf(repo), "utf8")) as { key: string };
    expect(stored.key.startsWith(`${baseTree(repo)}:`)).toBe(true);

    const warm = checkProcess(repo);
    expect(warm.status).toBe(1);
    for (const parser of ["yaml", "zod", "gray-matter"]) expect(warm.packages).not.toContain(parser);
    expect(warm.stdout).toBe(cold.stdout);
  });

  it("a cache for another tree that says the role forbids nothing is ignored, and so is a corrupt one", async () => {
    const repo = guarded();
    await checkJson(repo.dir, ["--author", "ops-agent[bot]"]);
    const stored = JSON.parse(readFileSync(cacheOf(repo), "utf8")) as { key: string; value: { roles: { id: string; forbiddenPaths: unknown[] }[] } };
    const loosened = { ...stored, key: `${"0".repeat(40)}:${stored.key.split(":")[1]}`, value: { ...stored.value, roles: stored.value.roles.map((role) => ({ ...role, forbiddenPaths: [] })) } };
    writeFileSync(cacheOf(repo), JSON.stringify(loosened));
    const foreign = await checkJson(repo.dir, ["--author", "ops-agent[bot]"]);
    expect(foreign.report.findings).toContainEqual(expect.objectContaining({ path: "secrets/key.pem", state: "violation" }));
    expect(foreign.code).toBe(1);
    // The run rebuilt it for its own tree.
    expect((JSON.parse(readFileSync(cacheOf(repo), "utf8")) as { key: string }).key).toBe(stored.key);

    for (const corrupt of ["{ not json", JSON.stringify({ ...stored, value: { ...stored.value, roles: "none" } }), JSON.stringify({ ...stored, version: 0 })]) {
      writeFileSync(cacheOf(repo), corrupt);
      const rebuilt = await checkJson(repo.dir, ["--author", "ops-agent[bot]"]);
      expect(rebuilt.report.findings).toContainEqual(expect.objectContaining({ path: "secrets/key.pem", state: "violation" }));
    }
  });

  it("a change that edits a role file is validated as proposed, however warm the cache", async () => {
    const repo = guarded();
    await checkJson(repo.dir, ["--author", "ops-agent[bot]"]);
    expect(existsSync(cacheOf(repo))).toBe(true);
    repo.write({ ".github/roles/guarded.md": roleFile("role: guarded\nconstraints:\n  forbidden_paths: [\"[unclosed\"]") }).commit("loosen my own role");
    const { report } = await checkJson(repo.dir, ["--author", "ops-agent[bot]"]);
    expect(report.errors).toContainEqual(expect.objectContaining({ file: ".github/roles/guarded.md", origin: "proposed" }));
    // Still judged by the base's role: the forbidden file stays a violation.
    expect(report.findings).toContainEqual(expect.objectContaining({ path: "secrets/key.pem", state: "violation" }));
  });

  it("--config reads its file, not the cache", async () => {
    const repo = guarded();
    await checkJson(repo.dir, ["--author", "ops-agent[bot]"]);
    writeFileSync(join(repo.dir, "..", `${repo.dir.split("/").at(-1)}-config.yml`), "assign: []\n");
    const { report } = await checkJson(repo.dir, ["--author", "ops-agent[bot]", "--config", `../${repo.dir.split("/").at(-1)}-config.yml`]);
    expect(report.roles).toEqual([]);
    expect(report.conclusion).toBe("neutral");
  });

  it("a new base tree is a new key: a role tightened on main applies at once", async () => {
    const repo = scenario({
      roles: { guarded: forbidding("vendor/") },
      config: 'assign:\n  - role: guarded\n    users: ["*-agent[bot]"]\n',
      change: { write: { "secrets/key.pem": "k\n" } },
    });
    expect((await checkJson(repo.dir, ["--author", "ops-agent[bot]"])).code).toBe(0);
    repo.checkout("main");
    repo.write({ ".github/roles/guarded.md": roleFile(`role: guarded\n${forbidding("secrets/")}`) }).commit("tighten");
    repo.checkout("feature");
    const { code, report } = await checkJson(repo.dir, ["--author", "ops-agent[bot]"]);
    expect(report.findings).toContainEqual(expect.objectContaining({ path: "secrets/key.pem", state: "violation" }));
    expect(code).toBe(1);
  });
});
