/**
 * When git itself cannot be used, `roleguard check` says so (issue 15): git
 * missing from PATH, or git refusing a checkout owned by another user (its
 * safe.directory check, as in a container whose uid differs from the mount's).
 * Before, both read as "unknown git ref main". Driven as a user meets them: the
 * built CLI with a PATH that lacks git, a stand-in `git` that answers exactly
 * as git 2.39 does when it refuses, and (as root) a real repository owned by
 * another uid.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GitError, gitUnavailable, GitUnavailableError } from "../../src/sources/git.js";
import { scenario } from "../helpers/scenario.js";
import { tempDir, type ScratchRepo } from "../helpers/scratch-repo.js";

const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

/** git 2.39's words and exit code when a repository's owner is not the caller (setup.c, die()). */
const dubiousOwnership = (dir: string) =>
  `fatal: detected dubious ownership in repository at '${dir}'\nTo add an exception for this directory, call:\n\n\tgit config --global --add safe.directory ${dir}\n`;

function blockedRepo(): ScratchRepo {
  return scenario({
    roles: { agent: 'constraints:\n  forbidden_paths: ["secrets/"]' },
    config: 'assign:\n  - role: agent\n    users: ["*-agent[bot]"]\n',
    base: { "src/app.ts": "1\n" },
    change: { write: { "secrets/token": "x\n" } },
  });
}

/** The built CLI in `cwd`; node by its absolute path, so PATH decides only where git comes from. */
function roleguard(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: "utf8", timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A folder holding only a `git` that prints git's refusal for the repository it is run in, and exits 128. */
function refusingGit(): string {
  const bin = tempDir("roleguard-fake-git-");
  const script = join(bin, "git");
  // An unquoted here-document: the shell puts in the folder it was run in, as git names the repository.
  writeFileSync(script, `#!/bin/sh\ncat >&2 <<EOF\n${dubiousOwnership("$(pwd)")}EOF\nexit 128\n`);
  chmodSync(script, 0o755);
  return bin;
}

const isolatedGit = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", LC_ALL: "C" };

describe("gitUnavailable: git's failures that mean it cannot be used at all", () => {
  const spawnMissing = Object.assign(new Error("spawn git ENOENT"), { code: "ENOENT", syscall: "spawn git", path: "git" });

  it("spawn git ENOENT in an existing folder is git missing from PATH", () => {
    const error = gitUnavailable(spawnMissing, tempDir());
    expect(error).toBeInstanceOf(GitUnavailableError);
    expect(error).toBeInstanceOf(GitError);
    expect(error?.message).toMatch(/^git is not installed or not on PATH/);
  });

  it("the same error for a folder that does not exist names the folder, not git", () => {
    const missing = join(tempDir(), "gone");
    expect(gitUnavailable(spawnMissing, missing)?.message).toBe(`the folder ${missing} does not exist`);
  });

  it("git's dubious-ownership refusal names the repository and the safe.directory fix", () => {
    const error = gitUnavailable({ code: 128, stderr: dubiousOwnership("/repo") }, "/repo/sub");
    expect(error?.message).toBe(
      "git refuses the repository at /repo: it is owned by another user (git's safe.directory check); run roleguard as the repository's owner, or trust it with: git config --global --add safe.directory /repo",
    );
  });

  it.each([
    ["an unknown ref", { code: 1, stderr: "" }],
    ["not a repository", { code: 128, stderr: "fatal: not a git repository (or any of the parent directories): .git\n" }],
    ["another spawn failure", Object.assign(new Error("spawn git EACCES"), { code: "EACCES", syscall: "spawn git" })],
    ["a file git cannot find", { code: 128, stderr: "fatal: path 'x' does not exist in 'HEAD'\n", syscall: "spawn git" }],
  ])("%s is an ordinary answer, not git unavailable", (_case, error) => {
    expect(gitUnavailable(error, tempDir())).toBeUndefined();
  });
});

describe("roleguard check when git is missing or refuses the repository", () => {
  it("the host's own verdict first: the scratch change is blocked (exit 1) with git on PATH", () => {
    const repo = blockedRepo();
    const result = roleguard(["check", "--base", "main", "--author", "x-agent[bot]"], repo.dir, { ...process.env, ...isolatedGit });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
  });

  it("no git on PATH: exit 2 and 'git is not installed', never 'unknown git ref main'", () => {
    const repo = blockedRepo();
    const noGit = tempDir("roleguard-empty-path-");
    for (const args of [["check", "--base", "main"], ["check"], ["roles", "show", "agent"]]) {
      const result = roleguard(args, repo.dir, { ...isolatedGit, PATH: noGit, HOME: noGit });
      expect(result.stdout, args.join(" ")).toBe("");
      expect(result.stderr, args.join(" ")).toBe(
        "roleguard: git is not installed or not on PATH: roleguard reads the repository with the git command; install git (the roleguard container image has it)\n",
      );
      expect(result.code, args.join(" ")).toBe(2);
    }
  });

  it("git refusing the repository (dubious ownership, exit 128): exit 2 and the safe.directory fix", () => {
    const repo = blockedRepo();
    const env = { ...process.env, ...isolatedGit, PATH: `${refusingGit()}:${process.env.PATH ?? ""}` };
    for (const args of [["check", "--base", "main"], ["check"], ["roles", "show", "agent"]]) {
      const result = roleguard(args, repo.dir, env);
      expect(result.stderr, args.join(" ")).toBe(
        `roleguard: git refuses the repository at ${repo.dir}: it is owned by another user (git's safe.directory check); run roleguard as the repository's owner, or trust it with: git config --global --add safe.directory ${repo.dir}\n`,
      );
      expect(result.code, args.join(" ")).toBe(2);
    }
  });

  it("the hook says git refuses the repository, not 'not in a git repository', and denies the write", () => {
    const repo = blockedRepo();
    const env = { ...process.env, ...isolatedGit, PATH: `${refusingGit()}:${process.env.PATH ?? ""}` };
    const input = JSON.stringify({ hook_event_name: "PreToolUse", tool_name: "Write", tool_input: { file_path: join(repo.dir, "src/app.ts"), content: "x" } });
    const result = spawnSync(process.execPath, [BIN, "hook", "--role", "agent"], { cwd: repo.dir, env, input, encoding: "utf8", timeout: 20_000 });
    expect(result.stderr).toContain(`git refuses the repository at ${repo.dir}: it is owned by another user`);
    expect(result.stderr).not.toContain("not in a git repository");
    expect(result.status).toBe(2);
  });

  it("outside any repository: exit 2 and 'not in a git repository', not an unknown ref or a missing main", () => {
    const plain = tempDir("roleguard-not-a-repo-");
    for (const args of [["check", "--base", "main"], ["check"]]) {
      const result = roleguard(args, plain, { ...process.env, ...isolatedGit, GIT_CEILING_DIRECTORIES: plain });
      expect(result.stderr, args.join(" ")).toBe(`roleguard: ${plain} is not in a git repository: run roleguard inside a checkout (in a container, mount it and set the working directory with -w)\n`);
      expect(result.code, args.join(" ")).toBe(2);
    }
  });

  // Only root can give a folder to another uid; git then refuses it for real (git >= 2.35.2).
  const isRoot = process.getuid?.() === 0;
  describe.skipIf(!isRoot)("a real repository owned by another uid (as root)", () => {
    function giveAway(dir: string, uid: number): void {
      chownSync(dir, uid, uid);
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) giveAway(path, uid);
        else chownSync(path, uid, uid);
      }
    }

    it("git refuses it, and check says so with exit 2", () => {
      const repo = blockedRepo();
      repo.git("checkout", "--quiet", "feature");
      giveAway(repo.dir, 4242);
      const result = roleguard(["check", "--base", "main", "--author", "x-agent[bot]"], repo.dir, { ...process.env, ...isolatedGit });
      expect(result.stderr).toMatch(/^roleguard: git refuses the repository at .+: it is owned by another user \(git's safe\.directory check\)/);
      expect(result.code).toBe(2);
    });

    it("trusted with safe.directory '*' (what the image sets system-wide), the same verdict as its owner gets", () => {
      const repo = blockedRepo();
      repo.git("checkout", "--quiet", "feature");
      giveAway(repo.dir, 4242);
      const global = join(tempDir(), "gitconfig");
      writeFileSync(global, "[safe]\n\tdirectory = *\n");
      const result = roleguard(["check", "--base", "main", "--author", "x-agent[bot]"], repo.dir, { ...process.env, ...isolatedGit, GIT_CONFIG_GLOBAL: global });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("secrets/token");
    });
  });
});
