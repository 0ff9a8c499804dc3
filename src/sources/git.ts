import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import type { Change, ChangedFile, FileReader, FileStatus } from "../policy/change.js";

const run = promisify(execFile);

/** Git's own limit is far above any manifest; this only stops a runaway blob from eating memory. */
const MAX_BUFFER = 256 * 1024 * 1024;

export class GitError extends Error {
  override name = "GitError";
}

/**
 * Git itself cannot be used: it is not installed, or it will not open the
 * repository. Thrown even where a failing git command is otherwise expected
 * (`allowFailure`), because an empty answer would then read as "no such ref"
 * and hide the real cause behind "unknown git ref main".
 */
export class GitUnavailableError extends GitError {
  override name = "GitUnavailableError";
}

/**
 * Why git cannot run in `dir` at all, from a failed `execFile("git", ...)`,
 * or undefined when git ran and merely answered no (an unknown ref, not a repository).
 */
export function gitUnavailable(error: unknown, dir: string): GitUnavailableError | undefined {
  const failure = error as { code?: unknown; syscall?: unknown; stderr?: unknown };
  if (failure.code === "ENOENT" && String(failure.syscall ?? "").startsWith("spawn")) {
    // Node reports a missing working directory as `spawn git ENOENT` too.
    if (!existsSync(dir)) return new GitUnavailableError(`the folder ${dir} does not exist`);
    return new GitUnavailableError("git is not installed or not on PATH: roleguard reads the repository with the git command; install git (the roleguard container image has it)");
  }
  const stderr = typeof failure.stderr === "string" ? failure.stderr : "";
  // Git >= 2.35.2 refuses a repository owned by another user (CVE-2022-24765) unless safe.directory lists it.
  const dubious = /detected dubious ownership in repository at '([^'\n]*)'/.exec(stderr);
  if (dubious) {
    const at = dubious[1] ?? dir;
    return new GitUnavailableError(
      `git refuses the repository at ${at}: it is owned by another user (git's safe.directory check); ` +
        `run roleguard as the repository's owner, or trust it with: git config --global --add safe.directory ${at}`,
    );
  }
  return undefined;
}

/**
 * How many files git's exhaustive rename and copy search may compare (`-l`).
 * Git's default (1,000) silently drops renames on big ranges; past this one
 * the report says so. A lost rename is a deletion plus an addition, which is
 * stricter, never laxer, but a reviewer should know why.
 */
export const RENAME_LIMIT = 20_000;

const NOT_A_REPOSITORY = /not a git repository/i;

/** A local checkout, asked through the `git` command: the CLI's source of changes and files. */
export class GitRepository {
  constructor(
    readonly dir: string,
    private readonly options: { renameLimit?: number } = {},
  ) {}

  async git(args: readonly string[], options: { allowFailure?: boolean } = {}): Promise<string> {
    return (await this.exec(args, options)).stdout;
  }

  private async exec(args: readonly string[], options: { allowFailure?: boolean } = {}): Promise<{ stdout: string; stderr: string; failed: boolean }> {
    try {
      const { stdout, stderr } = await run("git", ["-c", "core.quotepath=off", ...args], {
        cwd: this.dir,
        maxBuffer: MAX_BUFFER,
        encoding: "utf8",
      });
      return { stdout, stderr, failed: false };
    } catch (error) {
      const unavailable = gitUnavailable(error, this.dir);
      if (unavailable) throw unavailable;
      const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
      if (options.allowFailure) return { stdout: "", stderr, failed: true };
      throw new GitError(`git ${args.join(" ")} failed${stderr ? `: ${stderr.split("\n")[0]}` : ""}`);
    }
  }

  async resolve(ref: string): Promise<string> {
    const { stdout, stderr } = await this.exec(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { allowFailure: true });
    const sha = stdout.trim();
    if (sha) return sha;
    // `--quiet` silences an unknown ref, not git's fatal errors: say which it was.
    if (NOT_A_REPOSITORY.test(stderr)) throw this.notARepository();
    throw new GitError(`unknown git ref ${ref}`);
  }

  /**
   * The commits of `base` and `head`, the tree of `base` (what keys the policy
   * cache) and git's own folder, from one `git rev-parse`: every git process
   * costs its start-up, and `check` runs a few. A ref that does not resolve is
   * named as {@link resolve} names it.
   */
  async resolveRange(base: string, head: string): Promise<{ baseSha: string; headSha: string; baseTree: string; gitDir: string }> {
    if (!base.startsWith("-") && !head.startsWith("-")) {
      const lines = (await this.git(["rev-parse", "--absolute-git-dir", `${base}^{commit}`, `${head}^{commit}`, `${base}^{tree}`], { allowFailure: true }))
        .split("\n")
        .filter(Boolean);
      const [gitDir, baseSha, headSha, baseTree] = lines;
      if (lines.length === 4 && gitDir && baseSha && headSha && baseTree) return { baseSha, headSha, baseTree, gitDir };
    }
    const [baseSha, headSha] = await Promise.all([this.resolve(base), this.resolve(head)]);
    const [gitDir, baseTree] = (await this.git(["rev-parse", "--absolute-git-dir", `${baseSha}^{tree}`])).split("\n");
    return { baseSha, headSha, baseTree: baseTree ?? "", gitDir: gitDir ?? "" };
  }

  private notARepository(): GitError {
    return new GitError(`${this.dir} is not in a git repository: run roleguard inside a checkout (in a container, mount it and set the working directory with -w)`);
  }

  /** The upstream of the current branch, else `main`, else `master`. */
  async defaultBase(): Promise<string> {
    const { stdout, stderr } = await this.exec(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], { allowFailure: true });
    const upstream = stdout.trim();
    if (upstream) return upstream;
    if (NOT_A_REPOSITORY.test(stderr)) throw this.notARepository();
    for (const candidate of ["main", "master"]) {
      if ((await this.git(["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`], { allowFailure: true })).trim()) return candidate;
    }
    throw new GitError("no base given and neither an upstream branch, main nor master exists: pass --base REF");
  }

  async mergeBase(base: string, head: string): Promise<string> {
    const sha = (await this.git(["merge-base", base, head], { allowFailure: true })).trim();
    if (!sha) throw new GitError(`${base} and ${head} have no common ancestor`);
    return sha;
  }

  /** Every file changed from `from` to `to`, renames and copies with both paths (SPEC §5). */
  async diff(from: string, to: string): Promise<Change> {
    const limit = this.options.renameLimit ?? RENAME_LIMIT;
    const { stdout, stderr } = await this.exec(["diff", "--raw", "-z", "-M", "-C", `-l${limit}`, "--no-abbrev", from, to]);
    // Git warns on stderr ("exhaustive rename detection was skipped due to too many files") and goes on.
    const skipped = /rename detection was skipped/i.test(stderr);
    return {
      files: parseRawDiff(stdout),
      ...(skipped
        ? { warnings: [`renames and copies were matched only partly: the change has more files than git's rename limit (${limit}); an undetected rename shows as a deletion and an addition`] }
        : {}),
    };
  }

  /** Each commit's message from `from` (excluded) to `to`, where an agent may declare its role. */
  async commitMessages(from: string, to: string): Promise<{ where: string; text: string }[]> {
    const raw = await this.git(["log", "--format=%H%x00%B%x00", `${from}..${to}`]);
    const fields = raw.split("\0");
    const messages: { where: string; text: string }[] = [];
    for (let index = 0; index + 1 < fields.length; index += 2) {
      const sha = (fields[index] as string).trim();
      if (sha) messages.push({ where: `commit ${sha.slice(0, 7)}`, text: fields[index + 1] as string });
    }
    return messages;
  }

  /** The text of `path` at `rev`, or null when the file is not there. */
  async readFile(rev: string, path: string): Promise<string | null> {
    // One process: git fails when the path is missing, a folder or a submodule at `rev`.
    const { stdout, failed } = await this.exec(["cat-file", "blob", `${rev}:${path}`], { allowFailure: true });
    return failed ? null : stdout;
  }

  /** Files added or edited in the working tree (and the index) since `baseSha`, untracked ones included. */
  async workTreeEdits(baseSha: string): Promise<string[]> {
    const split = (text: string) => text.split("\0").filter(Boolean);
    const [edited, untracked] = await Promise.all([
      this.git(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=AM", baseSha, "--"], { allowFailure: true }),
      this.git(["ls-files", "-z", "--others", "--exclude-standard", "--full-name"], { allowFailure: true }),
    ]);
    return [...split(edited), ...split(untracked)];
  }

  async listFiles(rev: string): Promise<string[]> {
    return (await this.git(["ls-tree", "-r", "-z", "--name-only", rev])).split("\0").filter(Boolean);
  }

  /** Reads manifests at the merge base and the head commit for the engine. */
  reader(base: string, head: string): FileReader {
    return { read: (side, path) => this.readFile(side === "base" ? base : head, path) };
  }
}

const STATUS: Record<string, FileStatus> = { A: "added", D: "removed", M: "modified", R: "renamed", C: "copied", T: "changed", U: "changed" };

const GITLINK_MODE = "160000";

function gitlinkPins(oldMode: string, oldSha: string, newMode: string, newSha: string): { base?: string; head?: string } {
  return {
    ...(oldMode === GITLINK_MODE && !/^0+$/.test(oldSha) ? { base: oldSha } : {}),
    ...(newMode === GITLINK_MODE && !/^0+$/.test(newSha) ? { head: newSha } : {}),
  };
}

/**
 * `git diff --raw -z` output: ":<mode> <mode> <sha> <sha> <status>\0<path>\0"
 * with a second path after renames and copies.
 */
export function parseRawDiff(raw: string): ChangedFile[] {
  const fields = raw.split("\0");
  const files: ChangedFile[] = [];
  for (let index = 0; index < fields.length; ) {
    const header = fields[index++];
    if (!header) continue;
    const match = /^:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/.exec(header);
    if (!match) throw new GitError(`unexpected git diff line: ${header.slice(0, 80)}`);
    const [, oldMode, newMode, oldSha, newSha, letter] = match as unknown as [string, string, string, string, string, string];
    const status = STATUS[letter] ?? "changed";
    const first = fields[index++] ?? "";
    const sha = /^0+$/.test(newSha) ? undefined : newSha;
    // A gitlink (mode 160000) is a submodule: its "blob" SHAs are the commits it pins.
    const submodule = oldMode === GITLINK_MODE || newMode === GITLINK_MODE ? { submodule: gitlinkPins(oldMode, oldSha, newMode, newSha) } : {};
    if (status === "renamed" || status === "copied") {
      const second = fields[index++] ?? "";
      files.push({ path: second, previousPath: first, status, ...(sha ? { sha } : {}), ...submodule });
    } else {
      files.push({ path: first, status, ...(sha ? { sha } : {}), ...submodule });
    }
  }
  return files;
}
