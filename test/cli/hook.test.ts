/**
 * `roleguard hook` (SPEC §9, issue 14): the PreToolUse protocol. Written as
 * what an agent does: writes by every tool shape, relative, absolute and `..`
 * paths, a working tree that loosened its own role first, malformed input.
 * Only exit 2 blocks a tool call, so every failure must be 2, never 1.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runHook } from "../../src/hook/run.js";
import { cacheFile } from "../../src/hook/cache.js";
import { roleFile } from "../helpers/cli.js";
import { scenario } from "../helpers/scenario.js";
import type { ScratchRepo } from "../helpers/scratch-repo.js";

const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

function agentRepo(): ScratchRepo {
  return scenario({
    roles: {
      agent: 'constraints:\n  forbidden_paths: [".github/", "secrets/", "*.pem"]',
      docs: 'constraints:\n  allowed_paths: ["docs/"]',
    },
    config: "assign:\n  - role: agent\n    users: [\"*-agent[bot]\"]\n",
    base: { "src/app.ts": "1\n", "docs/a.md": "a\n" },
    change: { write: { "src/more.ts": "2\n" } },
  });
}

async function hook(repo: ScratchRepo, input: unknown, args: string[] = ["--role", "agent"], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  let stderr = "";
  const code = await runHook(args, {
    cwd: options.cwd ?? repo.dir,
    env: options.env ?? {},
    stdin: async () => (typeof input === "string" ? input : JSON.stringify(input)),
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stderr };
}

const write = (file_path: string, cwd?: string) => ({ hook_event_name: "PreToolUse", tool_name: "Write", tool_input: { file_path, content: "x" }, ...(cwd ? { cwd } : {}) });

describe("roleguard hook: writes the role forbids are denied with the reason", () => {
  it.each([
    ["Write, a relative path", { tool_name: "Write", tool_input: { file_path: ".github/workflows/ci.yml", content: "x" } }, ".github/workflows/ci.yml", ".github/"],
    ["Edit", { tool_name: "Edit", tool_input: { file_path: "secrets/token", old_string: "a", new_string: "b" } }, "secrets/token", "secrets/"],
    ["MultiEdit, a path through ..", { tool_name: "MultiEdit", tool_input: { file_path: "src/../.github/CODEOWNERS", edits: [] } }, ".github/CODEOWNERS", ".github/"],
    ["NotebookEdit", { tool_name: "NotebookEdit", tool_input: { notebook_path: "keys/server.pem", new_source: "" } }, "keys/server.pem", "*.pem"],
  ])("%s", async (_shape, input, path, pattern) => {
    const repo = agentRepo();
    const { code, stderr } = await hook(repo, input);
    expect(code).toBe(2);
    expect(stderr).toBe(`roleguard: ${path} is forbidden for role agent (matches ${pattern}). Do not write it: leave the file as it is, or open a pull request that asks a maintainer to make this change.\n`);
  });

  it("an absolute path, and a cwd below the root with a .. path", async () => {
    const repo = agentRepo();
    expect((await hook(repo, write(join(repo.dir, "secrets", "a")))).code).toBe(2);
    expect((await hook(repo, write("../.github/x.yml", join(repo.dir, "src")))).code).toBe(2);
  });

  it("allowed writes exit 0 with nothing on stderr", async () => {
    const repo = agentRepo();
    expect(await hook(repo, write("src/new.ts"))).toEqual({ code: 0, stderr: "" });
    expect(await hook(repo, write(join(repo.dir, "README.md")))).toEqual({ code: 0, stderr: "" });
  });

  it("a path outside the repository is not the repository's to judge", async () => {
    const repo = agentRepo();
    expect((await hook(repo, write("/tmp/roleguard-elsewhere.txt"))).code).toBe(0);
    expect((await hook(repo, write("../outside/.github/x")))).toEqual({ code: 0, stderr: "" });
  });

  it("read-only tools and shell commands pass at once, whatever they touch", async () => {
    const repo = agentRepo();
    for (const tool_name of ["Read", "Glob", "Grep", "Bash", "WebFetch"]) {
      expect(await hook(repo, { tool_name, tool_input: { file_path: ".github/workflows/ci.yml", command: "rm -rf .github" } })).toEqual({ code: 0, stderr: "" });
    }
  });

  it("the role comes from the base ref: a working tree that loosened its own role file gains nothing", async () => {
    const repo = agentRepo();
    repo.write({ ".github/roles/agent.md": roleFile("role: agent\nconstraints:\n  forbidden_paths: []") });
    expect((await hook(repo, write(".github/workflows/ci.yml"))).code).toBe(2);
  });

  it("allowed_paths: a write outside them is denied", async () => {
    const repo = agentRepo();
    expect((await hook(repo, write("docs/b.md"), ["--role", "docs"])).code).toBe(0);
    const outside = await hook(repo, write("src/x.ts"), ["--role", "docs"]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("src/x.ts is outside the allowed_paths of role docs");
  });

  it("ROLEGUARD_ROLE and --author (through assign) name the role", async () => {
    const repo = agentRepo();
    expect((await hook(repo, write(".github/a"), [], { env: { ROLEGUARD_ROLE: "agent" } })).code).toBe(2);
    expect((await hook(repo, write(".github/a"), ["--author", "ops-agent[bot]"])).code).toBe(2);
    expect((await hook(repo, write("src/a.ts"), ["--author", "ops-agent[bot]"])).code).toBe(0);
  });

  it("git's own data is never written", async () => {
    const repo = agentRepo();
    const { code, stderr } = await hook(repo, write(".git/hooks/pre-commit"));
    expect(code).toBe(2);
    expect(stderr).toContain("inside git's own data");
  });
});

describe("roleguard hook fails closed: every failure is exit 2 with a reason", () => {
  it.each([
    ["not JSON", "{tool_name: Write", /not JSON/],
    ["a JSON array", "[]", /must be a JSON object/],
    ["no tool_name", { tool_input: {} }, /no tool_name/],
    ["a write without a path", { tool_name: "Write", tool_input: { content: "x" } }, /tool_input\.file_path must be a file path/],
    ["tool_input not an object", { tool_name: "Edit", tool_input: "secrets/a" }, /tool_input must be an object/],
    ["a NUL in the path", { tool_name: "Write", tool_input: { file_path: "a\u0000b" } }, /must be a file path/],
  ])("%s", async (_what, input, reason) => {
    const { code, stderr } = await hook(agentRepo(), input);
    expect(code).toBe(2);
    expect(stderr).toMatch(reason);
  });

  it("an unknown role lists the known ones; no role at all says how to give one", async () => {
    const repo = agentRepo();
    const unknown = await hook(repo, write("src/a.ts"), ["--role", "agnet"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown role agnet; known roles: .*agent/);
    const none = await hook(repo, write("src/a.ts"), []);
    expect(none).toEqual({ code: 2, stderr: "roleguard: no role: pass --role ID or set ROLEGUARD_ROLE\n" });
  });

  it("a broken policy at the base ref allows no write", async () => {
    const repo = scenario({ roles: { agent: "inherits: nobody" }, change: { write: { "a.txt": "a\n" } } });
    const { code, stderr } = await hook(repo, write("src/a.ts"));
    expect(code).toBe(2);
    expect(stderr).toMatch(/the policy at the base ref has an error.*nobody/);
  });

  it("a cwd that is not a git repository", async () => {
    const { code, stderr } = await hook(agentRepo(), write("a.txt"), ["--role", "agent"], { cwd: "/" });
    expect(code).toBe(2);
    expect(stderr).toMatch(/not in a git repository/);
  });
});

describe("roleguard hook's policy cache", () => {
  it("is written under .git/, keyed by the base tree; a corrupt or foreign cache is rebuilt, never trusted", async () => {
    const repo = agentRepo();
    const gitDir = join(repo.dir, ".git");
    expect((await hook(repo, write(".github/a"))).code).toBe(2);
    const file = cacheFile(gitDir);
    expect(existsSync(file)).toBe(true);
    const cached = JSON.parse(readFileSync(file, "utf8")) as { key: string; value: { roles: Record<string, { forbidden: string[] }> } };
    expect(cached.key.startsWith(execFileSync("git", ["rev-parse", "main^{tree}"], { cwd: repo.dir, encoding: "utf8" }).trim())).toBe(true);

    writeFileSync(file, "{ not json");
    expect((await hook(repo, write(".github/a"))).code).toBe(2);
    // A cache that claims the agent forbids nothing, under another tree's key, is ignored.
    writeFileSync(file, JSON.stringify({ ...cached, key: "0".repeat(40), value: { ...cached.value, roles: { agent: { forbidden: [] } } } }));
    expect((await hook(repo, write(".github/a"))).code).toBe(2);
  });
});

describe("roleguard hook as a process", () => {
  it("denies with exit 2 and one line on stderr, allows with exit 0, prints nothing on stdout", () => {
    const repo = agentRepo();
    const denied = spawnSync(process.execPath, [BIN, "hook", "--role", "agent"], { cwd: repo.dir, input: JSON.stringify(write(".github/ci.yml")), encoding: "utf8" });
    expect([denied.status, denied.stdout, denied.stderr.split("\n").filter(Boolean).length]).toEqual([2, "", 1]);
    const allowed = spawnSync(process.execPath, [BIN, "hook", "--role", "agent"], { cwd: repo.dir, input: JSON.stringify(write("src/x.ts")), encoding: "utf8" });
    expect([allowed.status, allowed.stdout, allowed.stderr]).toEqual([0, "", ""]);
  });
});
