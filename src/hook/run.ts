import { execFile } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { loginMatches } from "../policy/logins.js";
import { gitUnavailable } from "../sources/git.js";
import { PathPatternList } from "../policy/paths.js";
import { installedVersion } from "../version.js";
import { readCachedPolicy, writeCachedPolicy, type HookPolicy } from "./cache.js";
import { HookInputError, parseToolCall } from "./protocol.js";

const run = promisify(execFile);

/** Only exit 2 blocks a tool call (any other failure lets it through), so every failure is 2. */
export const HOOK_EXIT = { allow: 0, deny: 2 } as const;

export interface HookIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: () => Promise<string>;
  stderr: (text: string) => void;
}

interface HookOptions {
  roles: string[];
  author?: string;
  base?: string;
}

class HookRefusal extends Error {}

/**
 * `roleguard hook`: stops a write the agent's role forbids before it happens
 * (SPEC §9). Reads are allowed at once; shell commands are not parsed (the PR
 * check stays the backstop). Deliberately light: this module loads the path
 * matcher and nothing else unless the policy cache misses.
 */
export async function runHook(argv: readonly string[], io: HookIo): Promise<number> {
  try {
    const options = parseArguments(argv, io.env);
    const call = parseToolCall(await io.stdin());
    if (call.kind === "read-only") return HOOK_EXIT.allow;

    const cwd = call.cwd ?? io.cwd;
    const { root, gitDir } = await repository(cwd);
    const target = realTarget(resolve(cwd, call.path));
    const path = relative(root, target);
    // Outside the repository: not the repository's policy to judge.
    if (path === "" || path.startsWith(`..${sep}`) || path === ".." || isAbsolute(path)) return HOOK_EXIT.allow;
    const repoPath = path.split(sep).join("/");
    if (target === gitDir || target.startsWith(`${gitDir}${sep}`)) {
      throw new HookRefusal(`${repoPath} is inside git's own data (${relative(root, gitDir) || ".git"}); the hook does not let an agent write there`);
    }

    const policy = await policyAtBase(root, gitDir, options.base);
    if (policy.errors.length > 0) {
      throw new HookRefusal(`the policy at the base ref has ${policy.errors.length === 1 ? "an error" : `${policy.errors.length} errors`}, so no write is allowed until it is fixed: ${policy.errors[0]}`);
    }
    const roles = options.author ? rolesOfAuthor(policy, options.author) : options.roles;
    if (roles.length === 0) {
      throw new HookRefusal(options.author ? `${options.author} matches no assign entry and there is no default_role: pass --role ID` : "no role: pass --role ID or set ROLEGUARD_ROLE");
    }
    for (const id of roles) {
      const role = policy.roles[id];
      if (!role) throw new HookRefusal(`unknown role ${id}; known roles: ${Object.keys(policy.roles).sort().join(", ")}`);
      const matchOptions = { caseInsensitive: policy.caseInsensitive };
      const pattern = new PathPatternList(role.forbidden, matchOptions).match(repoPath);
      if (pattern !== undefined) {
        io.stderr(`roleguard: ${repoPath} is forbidden for role ${id} (matches ${pattern}). Do not write it: leave the file as it is, or open a pull request that asks a maintainer to make this change.\n`);
        return HOOK_EXIT.deny;
      }
      if (role.allowed && !new PathPatternList(role.allowed, matchOptions).test(repoPath)) {
        io.stderr(`roleguard: ${repoPath} is outside the allowed_paths of role ${id}. Do not write it: keep to ${role.allowed.join(", ")}, or open a pull request that asks a maintainer.\n`);
        return HOOK_EXIT.deny;
      }
    }
    return HOOK_EXIT.allow;
  } catch (error) {
    const reason = error instanceof HookRefusal || error instanceof HookInputError ? error.message : `the hook failed (${(error as Error).message?.split("\n")[0] ?? String(error)}), so the write is not allowed`;
    io.stderr(`roleguard: ${reason}\n`);
    return HOOK_EXIT.deny;
  }
}

function parseArguments(argv: readonly string[], env: NodeJS.ProcessEnv): HookOptions {
  const roles: string[] = [];
  let author: string | undefined;
  let base: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    const value = () => {
      const next = argv[++index];
      if (next === undefined || next.startsWith("--")) throw new HookRefusal(`${arg} needs a value`);
      return next;
    };
    if (arg === "--role") roles.push(...value().split(","));
    else if (arg === "--author") author = value();
    else if (arg === "--base") base = value();
    else throw new HookRefusal(`unknown option ${arg} (roleguard hook [--role ID ...] [--author LOGIN] [--base REF])`);
  }
  if (roles.length === 0 && !author && env.ROLEGUARD_ROLE) roles.push(...env.ROLEGUARD_ROLE.split(","));
  if (roles.length > 0 && author) throw new HookRefusal("give --role or --author, not both");
  return { roles: roles.map((id) => id.trim()).filter(Boolean), ...(author ? { author } : {}), ...(base ? { base } : {}) };
}

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run("git", args, { cwd, encoding: "utf8" })).stdout.trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && existsSync(cwd)) throw new HookRefusal("git is not installed: the hook reads the policy from the base ref with git");
    // Git refusing the repository (another user's checkout) is said as such, not as "not in a git repository".
    const unavailable = gitUnavailable(error, cwd);
    if (unavailable) throw new HookRefusal(unavailable.message);
    return undefined;
  }
}

async function repository(cwd: string): Promise<{ root: string; gitDir: string }> {
  if (!existsSync(cwd)) throw new HookRefusal(`the hook's cwd ${cwd} does not exist`);
  const out = await git(cwd, ["rev-parse", "--show-toplevel", "--absolute-git-dir"]);
  const [root, gitDir] = out?.split("\n") ?? [];
  if (!root || !gitDir) throw new HookRefusal(`${cwd} is not in a git repository, so there is no policy to read`);
  return { root: realpathSync(root), gitDir: realpathSync(gitDir) };
}

/** The real path of a file that may not exist yet: its nearest existing folder resolved, the rest appended. */
function realTarget(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) return path;
    rest.unshift(existing.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    existing = parent;
  }
  return join(realpathSync(existing), ...rest);
}

/** The base ref as `check` picks it (the upstream, else main, else master) and the policy there, from the cache when it can. */
async function policyAtBase(root: string, gitDir: string, base: string | undefined): Promise<HookPolicy> {
  const candidates = base ? [base] : ["@{upstream}", "main", "master"];
  let ref: string | undefined;
  let ids: string[] = [];
  for (const candidate of candidates) {
    if (candidate.startsWith("-")) throw new HookRefusal(`not a git ref: ${candidate}`);
    const out = await git(root, ["rev-parse", `${candidate}^{commit}`, `${candidate}^{tree}`]);
    if (out) {
      ref = candidate;
      ids = out.split("\n");
      break;
    }
  }
  const [commit, tree] = ids;
  if (!ref || !commit || !tree) throw new HookRefusal(base ? `unknown git ref ${base}` : "no base ref: neither an upstream branch, main nor master exists; pass --base REF");
  // The built-in roles ship with roleguard: another version may resolve the same tree differently.
  const key = `${tree}:${installedVersion()}`;
  const cached = readCachedPolicy(gitDir, key);
  if (cached) return cached;
  const { resolveHookPolicy } = await import("./policy.js");
  const policy = await resolveHookPolicy(root, commit, ref === "@{upstream}" ? "upstream" : ref);
  writeCachedPolicy(gitDir, key, policy);
  return policy;
}

/** `--author LOGIN` through the `assign` entries' users, as the app does (teams and labels need GitHub: the PR check applies them). */
function rolesOfAuthor(policy: HookPolicy, login: string): string[] {
  const matched = policy.assign.filter((entry) => entry.users.some((pattern) => loginMatches(pattern, login))).map((entry) => entry.role);
  return [...new Set(matched.length > 0 ? matched : policy.defaultRole)];
}
