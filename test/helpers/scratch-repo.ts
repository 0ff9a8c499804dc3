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
 *
 * Speed: each git process costs 10-20 ms here, so the helper spawns as few as
 * it can. `git init` runs once per test file and its `.git` is copied;
 * {@link repoWithChange} builds both commits with a single `git fast-import`.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, onTestFinished } from "vitest";

/** Relative POSIX path → file content. */
export type FileTree = Readonly<Record<string, string>>;

export interface CleanupOptions {
  /** "auto" (default): removed when the current test finishes. */
  cleanup?: "auto" | "manual";
}

const AUTHOR = { name: "Scratch Tester", email: "scratch@example.test" };
/** 2024-01-01T00:00:00Z: fixed dates make the same steps give the same SHAs. */
const EPOCH = 1_704_067_200;

const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_DATE: `@${EPOCH} +0000`,
  GIT_COMMITTER_DATE: `@${EPOCH} +0000`,
  GIT_TERMINAL_PROMPT: "0",
  LC_ALL: "C",
};

function runGit(cwd: string, args: readonly string[], input?: Buffer): string {
  try {
    return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], ...(input ? { input } : {}) });
  } catch (error) {
    const stderr = (error as { stderr?: string | Buffer }).stderr;
    throw new Error(`git ${args.join(" ")} failed in ${cwd}: ${String(stderr ?? "").trim()}`);
  }
}

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

let templateRoot: string | undefined;
let templateGitDir: string | undefined;

// Registered when a test file imports this module: the template lives as long as that file's tests.
afterAll(() => {
  if (templateRoot) rmSync(templateRoot, { recursive: true, force: true });
  templateRoot = undefined;
  templateGitDir = undefined;
});

/** A `.git` made by `git init -b main` plus the local config, once per test file; copied into each repository. */
function template(): string {
  if (templateGitDir) return templateGitDir;
  const dir = mkdtempSync(join(tmpdir(), "roleguard-template-"));
  templateRoot = dir;
  runGit(dir, ["init", "--quiet", "--template=", "-b", "main"]);
  appendFileSync(
    join(dir, ".git", "config"),
    `[user]\n\tname = ${AUTHOR.name}\n\temail = ${AUTHOR.email}\n[commit]\n\tgpgsign = false\n[core]\n\tautocrlf = false\n`,
  );
  templateGitDir = join(dir, ".git");
  return templateGitDir;
}

export class ScratchRepo {
  /** Set when commits were made without touching the work tree; the next step checks HEAD out first. */
  private workTreeStale = false;

  private constructor(readonly dir: string) {}

  /** A fresh repository (`git init -b main`, local user config) in a temporary folder. */
  static create(options: CleanupOptions = {}): ScratchRepo {
    const dir = mkdtempSync(join(tmpdir(), "roleguard-repo-"));
    const repo = new ScratchRepo(dir);
    registerCleanup(() => repo.cleanup(), options);
    cpSync(template(), join(dir, ".git"), { recursive: true });
    return repo;
  }

  /** Runs git in the repository and returns its stdout; throws with git's stderr on failure. */
  git(...args: string[]): string {
    return runGit(this.dir, args);
  }

  /** Writes (creates or overwrites) files at nested paths; `commit()` stages them. */
  write(files: FileTree): this {
    this.syncWorkTree();
    writeTree(this.dir, files);
    return this;
  }

  /** Deletes files from the work tree; `commit()` stages the deletion. */
  remove(...paths: string[]): this {
    this.syncWorkTree();
    for (const path of paths) rmSync(join(this.dir, path));
    return this;
  }

  /** Renames a tracked file (`git mv`), creating the target folder. */
  rename(from: string, to: string): this {
    this.syncWorkTree();
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    this.git("mv", "--", from, to);
    return this;
  }

  /** Stages every change of the work tree (`git add -A`), commits it (even if empty) and returns the commit's SHA. */
  commit(message = "change"): string {
    this.syncWorkTree();
    this.git("add", "--all");
    this.git("commit", "--quiet", "--allow-empty", "--no-verify", "-m", message);
    return this.head();
  }

  /** Creates a branch at the current commit and switches to it. */
  branch(name: string): this {
    this.syncWorkTree();
    this.git("checkout", "--quiet", "-b", name);
    return this;
  }

  checkout(ref: string): this {
    this.syncWorkTree();
    this.git("checkout", "--quiet", ref);
    return this;
  }

  head(): string {
    return this.git("rev-parse", "HEAD").trim();
  }

  /** A file of the checked-out commit. */
  read(path: string): string {
    this.syncWorkTree();
    return readFileSync(join(this.dir, path), "utf8");
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Checks HEAD out into the index and work tree if commits were imported behind its back. */
  syncWorkTree(): this {
    if (this.workTreeStale) {
      this.workTreeStale = false;
      this.git("reset", "--quiet", "--hard");
    }
    return this;
  }

  /**
   * Imports commits with `git fast-import` (stream built by the caller), then
   * points HEAD at `headRef`; the work tree follows lazily.
   */
  static fromFastImport(stream: Buffer, headRef: string, options: CleanupOptions = {}): ScratchRepo {
    const repo = ScratchRepo.create(options);
    runGit(repo.dir, ["fast-import", "--quiet", "--done"], stream);
    writeFileSync(join(repo.dir, ".git", "HEAD"), `ref: ${headRef}\n`);
    repo.workTreeStale = true;
    return repo;
  }
}

/** What a branch does to the base tree. Applied in this order: write, remove, rename. */
export interface ChangeSteps {
  write?: FileTree;
  remove?: readonly string[];
  rename?: readonly (readonly [from: string, to: string])[];
}

/**
 * The usual scenario: `base` (plus a README) committed on `main`, then a
 * branch `feature`, checked out (HEAD), with one commit applying `change`.
 *
 * Built with one `git fast-import`: the same history `add`/`commit`/
 * `checkout -b`/`rm`/`mv` would make. The work tree and index are filled
 * lazily, on the first ScratchRepo step that needs them (roleguard itself
 * only reads commits).
 */
export function repoWithChange(base: FileTree, change: ChangeSteps, options: CleanupOptions = {}): ScratchRepo {
  const chunks: Buffer[] = [];
  const text = (line: string) => chunks.push(Buffer.from(line, "utf8"));
  const data = (content: string) => {
    const bytes = Buffer.from(content, "utf8");
    text(`data ${bytes.length}\n`);
    chunks.push(bytes);
    text("\n");
  };
  const header = (ref: string, mark: number, message: string) => {
    text(`commit ${ref}\nmark :${mark}\n`);
    text(`author ${AUTHOR.name} <${AUTHOR.email}> ${EPOCH} +0000\n`);
    text(`committer ${AUTHOR.name} <${AUTHOR.email}> ${EPOCH} +0000\n`);
    data(message);
  };
  const put = (tree: FileTree) => {
    for (const [path, content] of Object.entries(tree)) {
      text(`M 100644 inline ${quotePath(path)}\n`);
      data(content);
    }
  };

  header("refs/heads/main", 1, "base");
  put({ "README.md": "# scratch\n", ...base });
  header("refs/heads/feature", 2, "feature");
  text("from :1\n");
  put(change.write ?? {});
  for (const path of change.remove ?? []) text(`D ${quotePath(path)}\n`);
  for (const [from, to] of change.rename ?? []) text(`R ${quotePath(from)} ${quotePath(to)}\n`);
  text("done\n");

  return ScratchRepo.fromFastImport(Buffer.concat(chunks), "refs/heads/feature", options);
}

/** fast-import's quoted path syntax (C-style), always quoted so spaces are safe. */
function quotePath(path: string): string {
  return `"${path.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
