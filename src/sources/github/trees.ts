import type { ChangedFile } from "../../policy/change.js";
import type { GitHubCache, Tree, TreeEntry } from "./cache.js";
import type { GitHub, RepoRef } from "./client.js";

interface TreeResponse {
  sha: string;
  truncated?: boolean;
  tree: { path?: string; mode?: string; type?: string; sha?: string }[];
}

/** Thrown when GitHub truncates a single folder's listing: the change cannot be seen in full. */
export class TruncatedTreeError extends Error {
  override name = "TruncatedTreeError";
}

/**
 * Git trees of one repository. Trees by SHA never change and are cached without
 * asking again; a branch's root tree is revalidated with a conditional request.
 */
export class TreeReader {
  constructor(
    private readonly gh: GitHub,
    private readonly repo: RepoRef,
    private readonly cache: GitHubCache,
  ) {}

  private key(sha: string): string {
    return `${this.repo.owner}/${this.repo.repo}@${sha}`;
  }

  /** The root tree of a branch, as it is now (304 when unchanged: no rate limit spent). */
  async rootOfBranch(branch: string): Promise<Tree> {
    const data = await this.cache.getConditional<TreeResponse>(this.gh, "GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      ...this.repo,
      tree_sha: branch,
    });
    const tree = toTree(data);
    this.cache.trees.set(this.key(tree.sha), tree);
    return tree;
  }

  /** A tree by SHA (a commit SHA resolves to its root tree). */
  async tree(sha: string, recursive = false): Promise<Tree> {
    const key = `${this.key(sha)}${recursive ? "/r" : ""}`;
    const cached = this.cache.trees.get(key);
    if (cached) return cached;
    const { data } = await this.gh.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      ...this.repo,
      tree_sha: sha,
      ...(recursive ? { recursive: "1" } : {}),
    });
    const tree = toTree(data as TreeResponse);
    this.cache.trees.set(key, tree);
    if (!recursive) this.cache.trees.set(this.key(tree.sha), tree);
    return tree;
  }

  /** The subtree at `dir` ("" is the root), or null when there is no such folder. */
  async subtree(root: Tree, dir: string): Promise<Tree | null> {
    let current = root;
    for (const segment of dir.split("/").filter(Boolean)) {
      const entry = current.entries.find((each) => each.path === segment && each.type === "tree");
      if (!entry) return null;
      current = await this.tree(entry.sha);
    }
    return current;
  }

  /** Every blob below a tree, with paths relative to the repository root. */
  async blobsUnder(tree: Tree, prefix: string): Promise<TreeEntry[]> {
    const recursive = await this.tree(tree.sha, true);
    if (!recursive.truncated) {
      return recursive.entries.filter((entry) => entry.type !== "tree").map((entry) => ({ ...entry, path: join(prefix, entry.path) }));
    }
    // Too big for one listing: walk folder by folder, each listing on its own.
    if (tree.truncated) throw new TruncatedTreeError(`GitHub truncated the listing of ${prefix || "the root folder"}`);
    const out: TreeEntry[] = [];
    for (const entry of tree.entries) {
      const path = join(prefix, entry.path);
      if (entry.type === "tree") out.push(...(await this.blobsUnder(await this.tree(entry.sha), path)));
      else out.push({ ...entry, path });
    }
    return out;
  }

  async blobText(sha: string): Promise<string> {
    const key = this.key(sha);
    const cached = this.cache.blobs.get(key);
    if (cached !== undefined) return cached;
    const { data } = await this.gh.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { ...this.repo, file_sha: sha });
    const blob = data as { content: string; encoding: string };
    const text = blob.encoding === "base64" ? Buffer.from(blob.content, "base64").toString("utf8") : blob.content;
    this.cache.blobs.set(key, text);
    return text;
  }

  /**
   * The full change between two commits by comparing their trees level by
   * level, descending only into folders whose SHA differs. Used when a PR is
   * larger than the pulls-files API lists (3,000 files). A removed and an added
   * blob with the same SHA are one rename, counted once under both paths.
   */
  async diff(baseCommit: string, headCommit: string): Promise<ChangedFile[]> {
    const [base, head] = await Promise.all([this.tree(baseCommit), this.tree(headCommit)]);
    const added: TreeEntry[] = [];
    const removed: TreeEntry[] = [];
    const modified: ChangedFile[] = [];
    await this.diffLevel(base, head, "", added, removed, modified);

    const removedBySha = new Map<string, TreeEntry[]>();
    for (const entry of removed) removedBySha.set(entry.sha, [...(removedBySha.get(entry.sha) ?? []), entry]);
    const files: ChangedFile[] = [...modified];
    for (const entry of added) {
      const origin = removedBySha.get(entry.sha)?.shift();
      files.push(origin ? { path: entry.path, previousPath: origin.path, status: "renamed", sha: entry.sha } : { path: entry.path, status: "added", sha: entry.sha });
    }
    for (const rest of removedBySha.values()) for (const entry of rest) files.push({ path: entry.path, status: "removed" });
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }

  private async diffLevel(base: Tree, head: Tree, prefix: string, added: TreeEntry[], removed: TreeEntry[], modified: ChangedFile[]): Promise<void> {
    for (const tree of [base, head]) {
      if (tree.truncated) throw new TruncatedTreeError(`GitHub truncated the listing of ${prefix || "the root folder"}`);
    }
    const before = new Map(base.entries.map((entry) => [entry.path, entry]));
    const after = new Map(head.entries.map((entry) => [entry.path, entry]));
    for (const [name, old] of before) {
      const now = after.get(name);
      const path = join(prefix, name);
      if (now && now.sha === old.sha && now.type === old.type) continue;
      if (now && now.type === "tree" && old.type === "tree") {
        await this.diffLevel(await this.tree(old.sha), await this.tree(now.sha), path, added, removed, modified);
      } else if (now && now.type !== "tree" && old.type !== "tree") {
        modified.push({ path, status: "modified", sha: now.sha });
      } else {
        removed.push(...(old.type === "tree" ? await this.blobsUnder(await this.tree(old.sha), path) : [{ ...old, path }]));
        if (now) added.push(...(now.type === "tree" ? await this.blobsUnder(await this.tree(now.sha), path) : [{ ...now, path }]));
      }
    }
    for (const [name, now] of after) {
      if (before.has(name)) continue;
      const path = join(prefix, name);
      added.push(...(now.type === "tree" ? await this.blobsUnder(await this.tree(now.sha), path) : [{ ...now, path }]));
    }
  }
}

function toTree(data: TreeResponse): Tree {
  return {
    sha: data.sha,
    truncated: data.truncated === true,
    entries: data.tree.flatMap((entry) =>
      entry.path && entry.sha && (entry.type === "blob" || entry.type === "tree" || entry.type === "commit")
        ? [{ path: entry.path, mode: entry.mode ?? "", type: entry.type, sha: entry.sha }]
        : [],
    ),
  };
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}/${name}` : name;
}
