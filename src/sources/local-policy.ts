import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { PolicyError } from "../errors.js";
import { isRoleFilePath } from "../policy/proposed.js";
import { builtinRoleSource } from "../roles/builtin.js";
import type { RoleSource } from "../roles/resolve.js";
import type { GitRepository } from "./git.js";
import { assembleConfig, type LoadedPolicy } from "./policy.js";

export interface PolicyOverrides {
  /** `--config FILE`: read this file instead of the one at the base ref. */
  configFile?: string;
  /** `--roles DIR`: role files that take precedence over the repository's. */
  rolesDir?: string;
  /** How errors name the ref ("main" rather than a SHA). */
  label?: string;
}

/**
 * The config and role files as they are at the base ref, like the app reads
 * them from the default branch: a change cannot loosen its own rules.
 */
export async function loadPolicyAtRef(repo: GitRepository, ref: string, overrides: PolicyOverrides = {}): Promise<LoadedPolicy> {
  const errors: PolicyError[] = [];
  let configFile: { file: string; text: string } | undefined;
  if (overrides.configFile) {
    const text = readTextFile(overrides.configFile, errors);
    if (text !== null) configFile = { file: overrides.configFile, text };
  } else {
    for (const path of [".github/roleguard.yml", ".github/roleguard.yaml"]) {
      const text = await repo.readFile(ref, path);
      if (text !== null) {
        configFile = { file: `${overrides.label ?? ref}:${path}`, text };
        break;
      }
    }
  }
  const assembled = assembleConfig(undefined, configFile);
  const config = assembled.config;
  errors.push(...assembled.errors);

  const roleSources: RoleSource[] = [builtinRoleSource()];
  const repoRoleFiles = (await repo.listFiles(ref)).filter((path) => isRoleFilePath(path, config));
  const repoFiles: RoleSource["files"] = [];
  for (const path of repoRoleFiles) {
    const content = await repo.readFile(ref, path);
    if (content !== null) repoFiles.push({ path, text: content });
  }
  roleSources.push({ layer: "repository", files: repoFiles });
  if (overrides.rolesDir) roleSources.push({ layer: "command line", files: readRoleDir(overrides.rolesDir, errors, repo.dir) });
  return { config, roleSources, errors, warnings: assembled.warnings, configSource: assembled.configSource, configFiles: assembled.configFiles };
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
      else if (entry.isFile() && entry.name.endsWith(".md") && entry.name.toLowerCase() !== "readme.md") {
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
