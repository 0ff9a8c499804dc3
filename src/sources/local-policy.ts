import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import pLimit from "p-limit";
import type { PolicyError } from "../errors.js";
import type { Config } from "../config/schema.js";
import { CONFIG_FILES, isRoleFilePath } from "../policy/policy-files.js";
import { builtinRoleSource } from "../roles/builtin.js";
import { isRoleFileName } from "../roles/files.js";
import type { RoleSource } from "../roles/resolve.js";
import type { GitRepository } from "./git.js";
import { assembleConfig, extendsOf, type ConfigFile, type LoadedPolicy } from "./policy.js";

export interface PolicyOverrides {
  /** `--config FILE`: read this file instead of the one at the base ref. */
  configFile?: string;
  /** `--roles DIR`: role files that take precedence over the repository's. */
  rolesDir?: string;
  /** How errors name the ref ("main" rather than a SHA). */
  label?: string;
  /**
   * The environment: with GITHUB_TOKEN, a config's `_extends` is read from
   * GitHub exactly as the app reads it; without one it is an error saying so.
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * The config and role files as they are at the base ref, like the app reads
 * them from the default branch: a change cannot loosen its own rules.
 */
export async function loadPolicyAtRef(repo: GitRepository, ref: string, overrides: PolicyOverrides = {}): Promise<LoadedPolicy & { readsGitHub: boolean }> {
  const errors: PolicyError[] = [];
  let configFile: { file: string; text: string } | undefined;
  if (overrides.configFile) {
    const text = readTextFile(overrides.configFile, errors);
    if (text !== null) configFile = { file: overrides.configFile, text };
  } else {
    for (const path of CONFIG_FILES) {
      const text = await repo.readFile(ref, path);
      if (text !== null) {
        configFile = { file: `${overrides.label ?? ref}:${path}`, text };
        break;
      }
    }
  }
  const extended = configFile ? await readExtendedForCli(repo, configFile, overrides.env ?? {}) : undefined;
  const assembled = assembleConfig(undefined, configFile, extended?.file);
  const config = assembled.config;
  errors.push(...assembled.errors, ...(extended?.error ? [extended.error] : []));

  const roleSources: RoleSource[] = [builtinRoleSource()];
  const repoRoleFiles = (await repo.listFiles(ref)).filter((path) => isRoleFilePath(path, config));
  // A git process per file, eight at a time, kept in listing order.
  const reading = pLimit(8);
  const texts = await Promise.all(repoRoleFiles.map((path) => reading(() => repo.readFile(ref, path))));
  const repoFiles: RoleSource["files"] = repoRoleFiles.flatMap((path, index) => {
    const text = texts[index];
    return text === null || text === undefined ? [] : [{ path, text }];
  });
  roleSources.push({ layer: "repository", files: repoFiles });
  if (overrides.rolesDir) roleSources.push({ layer: "command line", files: readRoleDir(overrides.rolesDir, errors, repo.dir) });
  return {
    config,
    roleSources,
    errors,
    warnings: assembled.warnings,
    configSource: assembled.configSource,
    configFiles: assembled.configFiles,
    readsGitHub: extended !== undefined,
  };
}

/**
 * `_extends` for the CLI: the same reading as the app's (one level, from the
 * named repository's default branch), through the API with GITHUB_TOKEN. The
 * GitHub client is loaded only when a config extends another.
 */
async function readExtendedForCli(repo: GitRepository, configFile: ConfigFile, env: NodeJS.ProcessEnv): Promise<{ file?: ConfigFile; error?: PolicyError } | undefined> {
  const extended = extendsOf(configFile);
  if (!extended) return undefined;
  const [{ githubFromEnv }, { readExtendedConfig }, { GitHubCache }, { describeGitHubError }] = await Promise.all([
    import("./github/token-client.js"),
    import("./github/policy.js"),
    import("./github/cache.js"),
    import("./github/client.js"),
  ]);
  const error = (message: string, hint: string): { error: PolicyError } => ({
    error: { file: configFile.file, field: "_extends", ...(extended.line !== undefined ? { line: extended.line } : {}), message, hint },
  });
  const client = githubFromEnv(env);
  if (!client) {
    return error(
      `extends ${extended.target}, which is read from GitHub as the app reads it, and there is no token`,
      "set GITHUB_TOKEN to a token that can read that repository, or pass --config FILE with a config that does not extend",
    );
  }
  const owner = await originOwner(repo);
  try {
    return await readExtendedConfig(client.gh, configFile, { ...(owner ? { owner } : {}), reader: "GITHUB_TOKEN" }, new GitHubCache());
  } catch (failure) {
    return error(`could not read ${extended.target}: ${describeGitHubError(failure)}`, "check GITHUB_TOKEN and GITHUB_API_URL, or pass --config FILE");
  }
}

/** The owner of the `origin` remote when it looks like a GitHub repository URL (https or ssh), for `_extends: repo`. */
async function originOwner(repo: GitRepository): Promise<string | undefined> {
  const url = (await repo.git(["remote", "get-url", "origin"], { allowFailure: true })).trim();
  return /[:/]([\w.-]+)\/[\w.-]+?(?:\.git)?\/?$/.exec(url)?.[1];
}

/** Every `.md` file below a folder (or the file itself), in a stable order. */
export function readRoleDir(path: string, errors: PolicyError[], displayFrom: string = process.cwd()): RoleSource["files"] {
  const display = (full: string) => relative(displayFrom, full) || full;
  let stat;
  try {
    stat = statSync(path);
  } catch {
    errors.push({ file: display(path), message: "no such file or folder" });
    return [];
  }
  if (stat.isFile()) {
    const text = readTextFile(path, errors);
    return text === null ? [] : [{ path: display(path), text }];
  }
  const files: RoleSource["files"] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && isRoleFileName(relative(path, full))) {
        const text = readTextFile(full, errors);
        if (text !== null) files.push({ path: display(full), text });
      }
    }
  };
  walk(path);
  return files;
}

function readTextFile(path: string, errors: PolicyError[]): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    errors.push({ file: path, message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    return null;
  }
}
