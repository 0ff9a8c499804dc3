import type { GitHubCache, Tree } from "./cache.js";
import { isNotFound, type GitHub, type RepoRef } from "./client.js";
import { TreeReader } from "./trees.js";

export interface BranchEntry {
  path: string;
  sha: string;
}

/** Files of one branch as the policy loader needs them: a file by path, and the blobs below a folder. */
export interface BranchFiles {
  read(path: string): Promise<string | undefined>;
  list(dir: string): Promise<BranchEntry[]>;
  text(entry: BranchEntry): Promise<string>;
  /** Lists a folder ("" for all) in one request ahead of reads below it, where that is how files are read. */
  prefetch(dir: string): Promise<void>;
}

/**
 * A branch's files, through git trees (one conditional request when nothing
 * changed, blobs by SHA once) — or, where the trees API is not served (some
 * GitHub stand-ins answer 404 for it), through the contents API. Undefined
 * when the branch has no files at all (an empty repository).
 */
export async function openBranch(gh: GitHub, named: RepoRef, branch: string, cache: GitHubCache): Promise<BranchFiles | undefined> {
  // Only the two names: anything else on the object would be sent as a query parameter.
  const repo = { owner: named.owner, repo: named.repo };
  const trees = new TreeReader(gh, repo, cache);
  try {
    return new TreeFiles(trees, await trees.rootOfBranch(branch));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const contents = new ContentsFiles(gh, repo, branch, cache);
  return (await contents.exists()) ? contents : undefined;
}

class TreeFiles implements BranchFiles {
  constructor(
    private readonly trees: TreeReader,
    private readonly root: Tree,
  ) {}

  async read(path: string): Promise<string | undefined> {
    const folder = await this.trees.subtree(this.root, path.split("/").slice(0, -1).join("/"));
    const entry = folder?.entries.find((each) => each.path === path.split("/").at(-1) && each.type === "blob");
    return entry ? this.trees.blobText(entry.sha) : undefined;
  }

  async list(dir: string): Promise<BranchEntry[]> {
    // One recursive listing of the folder, not its own listing first and then the recursive one.
    return (await this.trees.blobsAt(this.root, dir)).filter((entry) => entry.type === "blob");
  }

  text(entry: BranchEntry): Promise<string> {
    return this.trees.blobText(entry.sha);
  }

  prefetch(dir: string): Promise<void> {
    return this.trees.prefetch(this.root, dir);
  }
}

interface ContentItem {
  type: string;
  path: string;
  sha: string;
}

class ContentsFiles implements BranchFiles {
  constructor(
    private readonly gh: GitHub,
    private readonly repo: RepoRef,
    private readonly ref: string,
    private readonly cache: GitHubCache,
  ) {}

  /** The contents API lists one folder a request: nothing to gain ahead of time. */
  async prefetch(): Promise<void> {}

  async exists(): Promise<boolean> {
    return (await this.listing("")) !== undefined;
  }

  private async listing(path: string): Promise<ContentItem[] | undefined> {
    try {
      const data = await this.cache.getConditional<ContentItem[] | ContentItem>(this.gh, "GET /repos/{owner}/{repo}/contents/{path}", { ...this.repo, path, ref: this.ref });
      return Array.isArray(data) ? data : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async read(path: string): Promise<string | undefined> {
    try {
      const data = await this.cache.getConditional<unknown>(this.gh, "GET /repos/{owner}/{repo}/contents/{path}", { ...this.repo, path, ref: this.ref, mediaType: { format: "raw" } });
      return typeof data === "string" ? data : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(dir: string): Promise<BranchEntry[]> {
    const items = (await this.listing(dir)) ?? [];
    const out: BranchEntry[] = [];
    for (const item of items) {
      if (item.type === "dir") out.push(...(await this.list(item.path)));
      else if (item.type === "file") out.push({ path: item.path, sha: item.sha });
    }
    return out;
  }

  async text(entry: BranchEntry): Promise<string> {
    const key = `${this.repo.owner}/${this.repo.repo}@${entry.sha}`;
    const cached = this.cache.blobs.get(key);
    if (cached !== undefined) return cached;
    const text = (await this.read(entry.path)) ?? "";
    this.cache.blobs.set(key, text);
    return text;
  }
}
