import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseConfig } from "../config/parse.js";
import { defaultConfig, type Config } from "../config/schema.js";
import type { PolicyError } from "../errors.js";
import { isRoleFilePath } from "../policy/proposed.js";
import { builtinRoleSource } from "../roles/builtin.js";
import type { RoleSource } from "../roles/resolve.js";
import type { GitRepository } from "./git.js";

export interface LoadedPolicy {
  config: Config;
  /** Lowest precedence first: built-in, repository, command line. */
  roleSources: RoleSource[];
  errors: PolicyError[];
  /** Where the config came from, for the report ("main:.github/roleguard.yml", "defaults"). */
  configSource: string;
}

export interface PolicyOverrides {
  /** `--config FILE`: read this file instead of the one at the base ref. */
  configFile?: string;
  /** `--roles DIR`: role files that take precedence over the repository's. */
  rolesDir?: string;
}

/**
 * The config and role files as they are at the base ref, like the app reads
 * them from the default branch: a change cannot loosen its own rules.
 */
export async function loadPolicyAtRef(repo: GitRepository, ref: string, overrides: PolicyOverrides = {}): Promise<LoadedPolicy> {
  const errors: PolicyError[] = [];
  let config = defaultConfig();
  let configSource = "defaults (no .github/roleguard.yml)";
  let text: string | null = null;
  let file = `${ref}:.github/roleguard.yml`;
  if (overrides.configFile) {
    file = overrides.configFile;
    text = readTextFile(overrides.configFile, errors);
  } else {
    text = await repo.readFile(ref, ".github/roleguard.yml");
    if (text === null) {
      text = await repo.readFile(ref, ".github/roleguard.yaml");
      file = `${ref}:.github/roleguard.yaml`;
    }
  }
  if (text !== null) {
    const parsed = parseConfig(text, file);
    if (parsed.ok) {
      config = parsed.config;
      configSource = file;
    } else errors.push(...parsed.errors);
  }

  const roleSources: RoleSource[] = [builtinRoleSource()];
  const repoRoleFiles = (await repo.listFiles(ref)).filter((path) => isRoleFilePath(path, config));
  const repoFiles: RoleSource["files"] = [];
  for (const path of repoRoleFiles) {
    const content = await repo.readFile(ref, path);
    if (content !== null) repoFiles.push({ path, text: content });
  }
  roleSources.push({ layer: "repository", files: repoFiles });
  if (overrides.rolesDir) roleSources.push({ layer: "command line", files: readRoleDir(overrides.rolesDir, errors) });
  return { config, roleSources, errors, configSource };
}

/** Every `.md` file below a folder (or the file itself), in a stable order. */
export function readRoleDir(path: string, errors: PolicyError[]): RoleSource["files"] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    errors.push({ file: path, message: "no such file or folder" });
    return [];
  }
  if (stat.isFile()) {
    const text = readTextFile(path, errors);
    return text === null ? [] : [{ path, text }];
  }
  const files: RoleSource["files"] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith(".md") && entry.name.toLowerCase() !== "readme.md") {
        const text = readTextFile(full, errors);
        if (text !== null) files.push({ path: relative(process.cwd(), full) || full, text });
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
