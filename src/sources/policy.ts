import { mergeOrgFloor } from "../config/merge.js";
import { parseConfigFile as parseConfigText, type ParsedConfigFile } from "../config/parse.js";
import { ParseCache } from "../roles/files.js";

/** Config files parsed once per content (git's blob SHA) per process: each evaluation read them twice before (`_extends`). */
const parsedConfigs = new ParseCache<ReturnType<typeof parseConfigText>>(2_000);
const parseConfigFile = (text: string, file: string) => parsedConfigs.get(file, text, parseConfigText);
import { defaultConfig, type Config } from "../config/schema.js";
import type { PolicyError } from "../errors.js";
import type { RoleSource } from "../roles/resolve.js";

/** The policy an evaluation runs under: config, role files by layer, and what went wrong loading them. */
export interface LoadedPolicy {
  config: Config;
  /** Lowest precedence first: built-in, organisation, repository, command line. */
  roleSources: RoleSource[];
  errors: PolicyError[];
  warnings: string[];
  /** Where the config came from, for the summary ("acme/.github + .github/roleguard.yml", "defaults"). */
  configSource: string;
  /** Each config file that parsed (org, extended, repository), with its lines: later checks name the file and line a key is on. */
  configFiles: ParsedConfigFile[];
}

export interface ConfigFile {
  /** How errors name it: "acme/.github:.github/roleguard.yml". */
  file: string;
  text: string;
}

/**
 * Parses the org-wide and the repository config, and merges them with the org
 * as a floor (SPEC §4). A file that does not parse is an error (the check
 * fails) and counts as absent, so the other file's rules still stand.
 */
export function assembleConfig(
  org: ConfigFile | undefined,
  repo: ConfigFile | undefined,
  extended?: ConfigFile,
): Pick<LoadedPolicy, "config" | "errors" | "warnings" | "configSource" | "configFiles"> {
  const errors: PolicyError[] = [];
  const configFiles: ParsedConfigFile[] = [];
  const parse = (file: ConfigFile | undefined, shared = true): Config | undefined => {
    if (!file) return undefined;
    const parsed = parseConfigFile(file.text, file.file);
    if (parsed.ok) {
      configFiles.push({ ...parsed.file, shared });
      return parsed.file.config;
    }
    errors.push(...parsed.errors);
    // Not applied (the file failed), but its names are still checked against the roles, in this same run.
    if (parsed.names) configFiles.push({ ...parsed.names, shared });
    return undefined;
  };
  const orgConfig = parse(org);
  const extendedConfig = parse(extended);
  const ownConfig = parse(repo, false);
  // `_extends` names a file the repository builds on: like the org file, it can be added to, not lowered.
  const extendedMerge = extendedConfig && ownConfig ? mergeOrgFloor(extendedConfig, ownConfig) : undefined;
  const repoConfig = extendedMerge?.config ?? ownConfig;
  if (!orgConfig && !repoConfig) {
    return { config: defaultConfig(), errors, warnings: [], configSource: "defaults (no roleguard.yml)", configFiles };
  }
  const merged = mergeOrgFloor(orgConfig, repoConfig);
  const sources = [orgConfig && org?.file, extendedMerge && extended?.file, repoConfig && repo?.file].filter(Boolean);
  return { config: merged.config, errors, warnings: [...(extendedMerge?.warnings ?? []), ...merged.warnings], configSource: sources.join(" + "), configFiles };
}

/** A config's `_extends` (Probot's convention: `repo`, `owner/repo` or `owner/repo:path`), with its line; undefined when it has none or does not parse. */
export function extendsOf(file: ConfigFile): { target: string; line?: number } | undefined {
  const parsed = parseConfigFile(file.text, file.file);
  const target = parsed.ok ? parsed.file.config._extends : undefined;
  if (!parsed.ok || !target) return undefined;
  const line = parsed.file.lineOf(["_extends"]);
  return { target: target.trim(), ...(line !== undefined ? { line } : {}) };
}
