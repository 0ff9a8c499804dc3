import { openBranch, type BranchEntry, type BranchFiles } from "./branch-files.js";
import type { GitHubCache } from "./cache.js";
import { isNotFound, type GitHub, type RepoRef } from "./client.js";
import { TreeReader } from "./trees.js";

/** The organisation's own repository whose `.github/` and `roles/` are every repository's floor. */
export const ORG_POLICY_REPO = ".github";

/** The organisation's `.github` repository's default branch; undefined when there is none (or the app cannot see it), remembered as missing. */
export async function openOrgBranch(gh: GitHub, owner: string, cache: GitHubCache): Promise<BranchFiles | undefined> {
  const orgRepo = { owner, repo: ORG_POLICY_REPO };
  try {
    const info = await cache.getConditional<{ default_branch: string }>(gh, "GET /repos/{owner}/{repo}", orgRepo);
    return await openBranch(gh, orgRepo, info.default_branch, cache);
  } catch (error) {
    // No org-wide policy repository, or the app is not installed on it: no floor.
    if (isNotFound(error)) {
      cache.missing.set(`${owner}/${ORG_POLICY_REPO}`, true);
      return undefined;
    }
    throw error;
  }
}

/**
 * Starts the one-query policy read of a repository before its default branch
 * is known (only the REST fallback needs it): `check --pr` sends it beside
 * the PR's own request. loadPolicyFromGitHub takes the answer from the cache.
 */
export function startPolicyRead(gh: GitHub, repo: RepoRef, defaultBranch: Promise<string>, cache: GitHubCache): void {
  const read = readPolicyOverGraphql(gh, repo, repo.repo !== ORG_POLICY_REPO && !cache.missing.has(`${repo.owner}/${ORG_POLICY_REPO}`), cache, {
    repo: async () => openBranch(gh, repo, await defaultBranch, cache),
    org: () => openOrgBranch(gh, repo.owner, cache),
  });
  read.catch(() => undefined);
  cache.policyReads.set(`${repo.owner}/${repo.repo}`.toLowerCase(), read);
}

/**
 * The policy folders of a repository and of its organisation's `.github`
 * repository in one GraphQL query: what a one-shot command (`check --pr`,
 * with nothing cached to revalidate) would otherwise read in six or more REST
 * requests one level after another. Every folder a role or config file can be
 * in by default is asked for, four levels deep; what lies deeper, a file whose
 * text GraphQL leaves out (binary, truncated) and a folder the config names
 * elsewhere are read over REST as before.
 */

/** Folders read for the repository, and for the organisation's `.github` repository. */
export const REPOSITORY_POLICY_FOLDERS = [".github", ".ai/roles", ".valora/agents"] as const;
export const ORGANISATION_POLICY_FOLDERS = [".github", "roles"] as const;

const BLOB = "... on Blob { text isBinary isTruncated }";
/** Four levels of a folder (GraphQL fragments cannot recurse); the last level names its subfolders only. */
const ENTRIES = `entries { name type oid object { ${BLOB} ... on Tree { entries { name type oid object { ${BLOB} ... on Tree { entries { name type oid object { ${BLOB} ... on Tree { entries { name type oid object { ${BLOB} } } } } } } } } } } }`;

export const POLICY_QUERY = `query RoleguardPolicy($owner: String!, $name: String!, $withOrg: Boolean!, $repo0: String!, $repo1: String!, $repo2: String!, $org0: String!, $org1: String!) {
  repo: repository(owner: $owner, name: $name) {
    f0: object(expression: $repo0) { ... on Tree { ${ENTRIES} } }
    f1: object(expression: $repo1) { ... on Tree { ${ENTRIES} } }
    f2: object(expression: $repo2) { ... on Tree { ${ENTRIES} } }
  }
  org: repository(owner: $owner, name: "${ORG_POLICY_REPO}") @include(if: $withOrg) {
    f0: object(expression: $org0) { ... on Tree { ${ENTRIES} } }
    f1: object(expression: $org1) { ... on Tree { ${ENTRIES} } }
  }
}`;

interface GraphEntry {
  name?: string;
  type?: string;
  oid?: string;
  object?: { text?: string | null; isBinary?: boolean | null; isTruncated?: boolean | null; entries?: GraphEntry[] } | null;
}

type GraphFolder = { entries?: GraphEntry[] } | null | undefined;

interface PolicyAnswer {
  repo?: Record<string, GraphFolder> | null;
  org?: Record<string, GraphFolder> | null;
}

export interface PolicySnapshots {
  repo: BranchFiles;
  /** The organisation's `.github` repository's files; null when it does not exist (or the app cannot see it). */
  org: BranchFiles | null;
}

/**
 * Both repositories' policy folders, or undefined when the query could not
 * answer (GraphQL unavailable, the repository not found, an unexpected
 * shape): the caller then reads over REST, which says precisely what failed.
 */
export async function readPolicyOverGraphql(gh: GitHub, repo: RepoRef, withOrg: boolean, cache: GitHubCache, fallback: { repo: () => Promise<BranchFiles | undefined>; org: () => Promise<BranchFiles | undefined> }): Promise<PolicySnapshots | undefined> {
  const variables = {
    owner: repo.owner,
    name: repo.repo,
    withOrg,
    ...Object.fromEntries(REPOSITORY_POLICY_FOLDERS.map((folder, index) => [`repo${index}`, `HEAD:${folder}`])),
    ...Object.fromEntries(ORGANISATION_POLICY_FOLDERS.map((folder, index) => [`org${index}`, `HEAD:${folder}`])),
  };
  let answer: PolicyAnswer;
  try {
    answer = await gh.graphql<PolicyAnswer>(POLICY_QUERY, variables);
  } catch (error) {
    // Partial data: the organisation has no `.github` repository (NOT_FOUND on `org`) is an answer, anything else is not.
    const partial = error as { data?: PolicyAnswer; errors?: { type?: string; path?: (string | number)[] }[] };
    const onlyOrgMissing = partial.data?.repo && (partial.errors ?? []).length > 0 && (partial.errors ?? []).every((each) => each.type === "NOT_FOUND" && each.path?.[0] === "org");
    if (!onlyOrgMissing) return undefined;
    answer = partial.data as PolicyAnswer;
  }
  if (!answer.repo) return undefined;
  const repoFiles = new SnapshotFiles(new TreeReader(gh, repo, cache), fallback.repo);
  REPOSITORY_POLICY_FOLDERS.forEach((folder, index) => repoFiles.add(folder, answer.repo?.[`f${index}`]));
  let orgFiles: SnapshotFiles | null = null;
  if (withOrg && answer.org) {
    orgFiles = new SnapshotFiles(new TreeReader(gh, { owner: repo.owner, repo: ORG_POLICY_REPO }, cache), fallback.org);
    ORGANISATION_POLICY_FOLDERS.forEach((folder, index) => orgFiles?.add(folder, answer.org?.[`f${index}`]));
  }
  return { repo: repoFiles, org: orgFiles };
}

/** A branch's files as one query returned them; anything it did not cover is read through `fallback` (REST). */
class SnapshotFiles implements BranchFiles {
  private readonly files = new Map<string, { sha: string; text?: string }>();
  private readonly covered: string[] = [];
  private readonly deeper: string[] = [];
  private rest: Promise<BranchFiles | undefined> | undefined;

  constructor(
    private readonly trees: TreeReader,
    private readonly fallback: () => Promise<BranchFiles | undefined>,
  ) {}

  /** Records one folder's answer (null: the folder does not exist, which covers it too: there is nothing in it). */
  add(folder: string, answer: GraphFolder): void {
    if (answer !== null && answer !== undefined && !Array.isArray(answer.entries)) return; // not a folder: leave it to REST
    this.covered.push(folder);
    this.walk(folder, answer?.entries ?? []);
  }

  private walk(dir: string, entries: GraphEntry[]): void {
    for (const entry of entries) {
      if (!entry.name || !entry.oid) continue;
      const path = `${dir}/${entry.name}`;
      if (entry.type === "tree") {
        if (Array.isArray(entry.object?.entries)) this.walk(path, entry.object.entries);
        else this.deeper.push(path);
      } else if (entry.type === "blob") {
        const object = entry.object;
        const usable = object && typeof object.text === "string" && !object.isBinary && !object.isTruncated;
        this.files.set(path, { sha: entry.oid, ...(usable ? { text: object.text as string } : {}) });
      }
    }
  }

  private covers(path: string): boolean {
    const within = (dir: string) => path === dir || path.startsWith(`${dir}/`);
    return this.covered.some(within) && !this.deeper.some(within);
  }

  private viaRest(): Promise<BranchFiles | undefined> {
    this.rest ??= this.fallback();
    return this.rest;
  }

  async read(path: string): Promise<string | undefined> {
    if (!this.covers(path)) return (await this.viaRest())?.read(path);
    const file = this.files.get(path);
    if (!file) return undefined;
    return file.text ?? this.trees.blobText(file.sha);
  }

  async list(dir: string): Promise<BranchEntry[]> {
    // A folder with a part the query did not reach is listed over REST as a whole.
    const partial = this.deeper.some((deep) => deep.startsWith(`${dir}/`));
    if (!this.covers(dir) || partial) return (await this.viaRest())?.list(dir) ?? [];
    return [...this.files].filter(([path]) => path.startsWith(`${dir}/`)).map(([path, file]) => ({ path, sha: file.sha }));
  }

  async text(entry: BranchEntry): Promise<string> {
    const file = this.files.get(entry.path);
    if (file?.sha === entry.sha && file.text !== undefined) return file.text;
    if (this.covers(entry.path)) return this.trees.blobText(entry.sha);
    const rest = await this.viaRest();
    return rest ? rest.text(entry) : this.trees.blobText(entry.sha);
  }

  async prefetch(): Promise<void> {}
}
