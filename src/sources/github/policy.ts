import { DEFAULT_ROLE_PATHS } from "../../config/schema.js";
import type { PolicyError } from "../../errors.js";
import { CONFIG_FILES } from "../../policy/policy-files.js";
import { builtinRoleSource } from "../../roles/builtin.js";
import { isRoleFileIn, isRoleFileName } from "../../roles/files.js";
import type { RoleSource } from "../../roles/resolve.js";
import { assembleConfig, extendsOf, type ConfigFile, type LoadedPolicy } from "../policy.js";
import { openBranch, type BranchFiles } from "./branch-files.js";
import type { GitHubCache } from "./cache.js";
import { isNotFound, type GitHub, type RepoRef } from "./client.js";
import { openOrgBranch, ORG_POLICY_REPO, readPolicyOverGraphql } from "./policy-graphql.js";

/** The org-wide policy lives in the organisation's `.github` repository. */
export { ORG_POLICY_REPO };
/** Role files of the org-wide policy, in that repository. */
export const ORG_ROLE_PATHS = ["roles/**/*.md"];

interface PolicySnapshot {
  config?: ConfigFile;
  roles: RoleSource["files"];
}

/**
 * Loads the config and role files from the repository's **default branch**
 * and the organisation's `.github` repository — never from a PR's head. With a
 * warm cache and unchanged branches this costs only conditional requests (304,
 * no rate limit); changed files are fetched by blob SHA, once.
 */
export async function loadPolicyFromGitHub(
  gh: GitHub,
  repo: RepoRef & { defaultBranch: string },
  cache: GitHubCache,
): Promise<LoadedPolicy> {
  const isOrgRepo = repo.repo === ORG_POLICY_REPO;
  const repoFiles = () => openBranch(gh, repo, repo.defaultBranch, cache);
  // A one-shot command has nothing cached to revalidate: both repositories' policy folders in one query.
  const snapshots = cache.policyOverGraphql
    ? await (cache.policyReads.get(`${repo.owner}/${repo.repo}`.toLowerCase()) ??
        readPolicyOverGraphql(gh, repo, !isOrgRepo && !cache.missing.has(`${repo.owner}/${ORG_POLICY_REPO}`), cache, { repo: repoFiles, org: () => openOrgBranch(gh, repo.owner, cache) }))
    : undefined;
  // The org's snapshot and the repository's branch do not depend on each other: one round trip, not two.
  const [org, files] = snapshots
    ? [isOrgRepo ? undefined : await readOrgSnapshot(gh, repo.owner, cache, snapshots.org), snapshots.repo]
    : await Promise.all([isOrgRepo ? undefined : readOrgSnapshot(gh, repo.owner, cache), repoFiles().then(prefetchPolicyFolder)]);
  const repoConfig = files ? await readConfig(files, `${repo.defaultBranch}:`) : undefined;
  const extended = repoConfig ? await readExtendedConfig(gh, repoConfig, { owner: repo.owner, reader: "the app" }, cache) : undefined;

  const assembled = assembleConfig(org?.config, repoConfig, extended?.file);
  if (extended?.error) assembled.errors.push(extended.error);
  // Role paths come from the merged config: the org may name folders every repository must honour.
  const repoRolePaths = assembled.config.roles.paths.length > 0 ? assembled.config.roles.paths : DEFAULT_ROLE_PATHS;
  // In the org's own `.github` repository, `roles/` holds every repository's org-wide roles: they are this
  // repository's role files too, so an edit to them is `governance` and a proposed one is validated (SPEC §2).
  const rolePaths = isOrgRepo ? [...new Set([...repoRolePaths, ...ORG_ROLE_PATHS])] : repoRolePaths;
  const config = { ...assembled.config, roles: { paths: rolePaths } };
  const repoRoles = files ? await readFilesMatching(files, rolePaths) : [];

  const roleSources: RoleSource[] = [builtinRoleSource()];
  if (org) roleSources.push({ layer: "organisation", files: org.roles });
  roleSources.push({ layer: "repository", files: repoRoles });
  return { ...assembled, config, roleSources };
}

/**
 * The config and the default role folder are both under `.github`: one
 * recursive listing of it, not one per level; and the role files in it are
 * read beside the config (which could name other role folders, read after it).
 */
async function prefetchPolicyFolder(files: BranchFiles | undefined): Promise<BranchFiles | undefined> {
  if (!files) return undefined;
  await files.prefetch(".github");
  const roles = await files.list(".github/roles");
  for (const entry of roles) if (isRoleFileName(entry.path)) files.text(entry).catch(() => undefined);
  return files;
}

/** The org's floor; `opened` is its files when they were read already (null: the repository does not exist). */
async function readOrgSnapshot(gh: GitHub, owner: string, cache: GitHubCache, opened?: BranchFiles | null): Promise<PolicySnapshot | undefined> {
  if (opened === null) {
    cache.missing.set(`${owner}/${ORG_POLICY_REPO}`, true);
    return undefined;
  }
  if (opened === undefined && cache.missing.has(`${owner}/${ORG_POLICY_REPO}`)) return undefined;
  const files = opened ?? (await openOrgBranch(gh, owner, cache));
  if (!files) return undefined; // no such repository, or an empty one
  const config = await readConfig(files, `${owner}/${ORG_POLICY_REPO}:`);
  const roles = await readFilesMatching(files, ORG_ROLE_PATHS, `${owner}/${ORG_POLICY_REPO}:`);
  return { ...(config ? { config } : {}), roles };
}

/**
 * Probot's `_extends: repo`, `owner/repo` or `owner/repo:path/to/file.yml`: the file `config` builds on,
 * from that repository's default branch. One level only; a missing file is an error, never a silent default.
 * The app and the CLI (with GITHUB_TOKEN) both read it here; `reader` says who could not read it.
 */
export async function readExtendedConfig(
  gh: GitHub,
  config: ConfigFile,
  context: { owner?: string; reader: string },
  cache: GitHubCache,
): Promise<{ file?: ConfigFile; error?: PolicyError } | undefined> {
  const extended = extendsOf(config);
  if (!extended) return undefined;
  const { target } = extended;
  const fail = (message: string, hint?: string) => ({
    error: { file: config.file, field: "_extends", ...(extended.line !== undefined ? { line: extended.line } : {}), message, ...(hint ? { hint } : {}) },
  });
  const match = /^(?:([\w.-]+)\/)?([\w.-]+)(?::(.+))?$/.exec(target);
  if (!match?.[2]) return fail(`not a repository: ${target}`, "use repo, owner/repo or owner/repo:path");
  const owner = match[1] ?? context.owner;
  if (!owner) return fail(`${target} names no owner, and this repository's owner is not known (no GitHub remote named origin)`, `write \`_extends: OWNER/${target}\``);
  const source = { owner, repo: match[2] };
  const path = match[3] ?? ".github/roleguard.yml";
  const label = `${source.owner}/${source.repo}:${path}`;
  try {
    const info = await cache.getConditional<{ default_branch: string }>(gh, "GET /repos/{owner}/{repo}", source);
    const files = await openBranch(gh, source, info.default_branch, cache);
    const text = files ? await files.read(path) : undefined;
    if (text === undefined) return fail(`${label} does not exist`);
    return { file: { file: label, text } };
  } catch (error) {
    if (isNotFound(error)) return fail(`${source.owner}/${source.repo} is not readable by ${context.reader}`);
    throw error;
  }
}

async function readConfig(files: BranchFiles, label: string): Promise<ConfigFile | undefined> {
  for (const path of CONFIG_FILES) {
    const text = await files.read(path);
    if (text !== undefined) return { file: `${label}${path}`, text };
  }
  return undefined;
}

/**
 * Files of a branch matching globs, listing only each glob's static prefix
 * (`.github/roles` for `.github/roles/**\/*.md`), not the whole tree.
 */
async function readFilesMatching(files: BranchFiles, globs: readonly string[], label = ""): Promise<RoleSource["files"]> {
  const prefixes = [...new Set(globs.map(staticPrefix))];
  const seen = new Set<string>();
  const out: RoleSource["files"] = [];
  for (const prefix of prefixes) {
    for (const entry of await files.list(prefix)) {
      if (seen.has(entry.path) || !isRoleFileIn(entry.path, globs)) continue;
      seen.add(entry.path);
      out.push({ path: `${label}${entry.path}`, text: await files.text(entry) });
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** The folder part of a glob before its first wildcard: where to start looking. */
export function staticPrefix(glob: string): string {
  const segments = glob.replace(/^\/+/, "").split("/");
  const fixed: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?[\]{}()!+@]/.test(segment)) break;
    fixed.push(segment);
  }
  return fixed.join("/");
}
