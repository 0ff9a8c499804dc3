/**
 * Scratch git repositories for black-box CLI tests.
 *
 * Every repository lives in its own temporary folder, is configured locally
 * (user, no signing, no autocrlf) and never reads the machine's global or
 * system git config, so a developer's `~/.gitconfig` cannot change a result.
 * Commit dates are fixed, so the same steps give the same commit SHAs.
 *
 * Created inside a test, a repository (or temp folder) is removed when that
 * test finishes; pass `{ cleanup: "manual" }` to manage it yourself.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { onTestFinished } from "vitest";

/** Relative POSIX path → file content. */
export type FileTree = Readonly<Record<string, string>>;

export interface CleanupOptions {
  /** "auto" (default): removed when the current test finishes. */
  cleanup?: "auto" | "manual";
}

const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Scratch Tester",
  GIT_AUTHOR_EMAIL: "scratch@example.test",
  GIT_COMMITTER_NAME: "Scratch Tester",
  GIT_COMMITTER_EMAIL: "scratch@example.test",
  GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
  GIT_TERMINAL_PROMPT: "0",
  LC_ALL: "C",
};

function registerCleanup(remove: () => void, options: CleanupOptions): void {
  if (options.cleanup === "manual") return;
  onTestFinished(remove);
}

/** A temporary folder (not a repository), removed after the current test. */
export function tempDir(prefix = "roleguard-tmp-", options: CleanupOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  registerCleanup(() => rmSync(dir, { recursive: true, force: true }), options);
  return dir;
}

/** Writes every file of `tree` below `root`, creating folders as needed. */
export function writeTree(root: string, tree: FileTree): void {
  for (const [path, content] of Object.entries(tree)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

export class ScratchRepo {
  private constructor(readonly dir: string) {}

  /** `git init -b main` in a fresh temporary folder, with a local identity. */
  static create(options: CleanupOptions = {}): ScratchRepo {
    const dir = mkdtempSync(join(tmpdir(), "roleguard-repo-"));
    const repo = new ScratchRepo(dir);
    registerCleanup(() => repo.cleanup(), options);
    repo.git("init", "--quiet", "-b", "main");
    repo.git("config", "user.name", "Scratch Tester");
    repo.git("config", "user.email", "scratch@example.test");
    repo.git("config", "commit.gpgsign", "false");
    repo.git("config", "core.autocrlf", "false");
    return repo;
  }

  /** Runs git in the repository and returns its stdout; throws with git's stderr on failure. */
  git(...args: string[]): string {
    try {
      return execFileSync("git", args, { cwd: this.dir, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      const stderr = (error as { stderr?: string | Buffer }).stderr;
      throw new Error(`git ${args.join(" ")} failed in ${this.dir}: ${String(stderr ?? "").trim()}`);
    }
  }

  /** Writes (creates or overwrites) files at nested paths and stages them. */
  write(files: FileTree): this {
    writeTree(this.dir, files);
    const paths = Object.keys(files);
    if (paths.length > 0) this.git("add", "--", ...paths);
    return this;
  }

  /** Deletes tracked files (`git rm`). */
  remove(...paths: string[]): this {
    if (paths.length > 0) this.git("rm", "--quiet", "--", ...paths);
    return this;
  }

  /** Renames a tracked file (`git mv`), creating the target folder. */
  rename(from: string, to: string): this {
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    this.git("mv", "--", from, to);
    return this;
  }

  /** Commits everything staged (or nothing) and returns the new commit's SHA. */
  commit(message = "change"): string {
    this.git("commit", "--quiet", "--allow-empty", "--no-verify", "-m", message);
    return this.head();
  }

  /** Creates a branch at the current commit and switches to it. */
  branch(name: string): this {
    this.git("checkout", "--quiet", "-b", name);
    return this;
  }

  checkout(ref: string): this {
    this.git("checkout", "--quiet", ref);
    return this;
  }

  head(): string {
    return this.git("rev-parse", "HEAD").trim();
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), "utf8");
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What a branch does to the base tree. Applied in this order: write, remove, rename. */
export interface ChangeSteps {
  write?: FileTree;
  remove?: readonly string[];
  rename?: readonly (readonly [from: string, to: string])[];
}

/**
 * The usual scenario: `base` committed on `main`, then a branch `feature`
 * (checked out, so it is HEAD) with one commit applying `change`.
 */
export function repoWithChange(base: FileTree, change: ChangeSteps, options: CleanupOptions = {}): ScratchRepo {
  const repo = ScratchRepo.create(options);
  repo.write({ "README.md": "# scratch\n", ...base });
  repo.commit("base");
  repo.branch("feature");
  if (change.write) repo.write(change.write);
  if (change.remove) repo.remove(...change.remove);
  for (const [from, to] of change.rename ?? []) repo.rename(from, to);
  repo.commit("feature");
  return repo;
}
