import pLimit, { type LimitFunction } from "p-limit";
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
 * Tree listings of one diff in flight at once: the folders of a level are
 * fetched together, well under GitHub's 100 concurrent requests.
 */
const TREE_CONCURRENCY = 8;

interface Changes {
  added: TreeEntry[];
  removed: TreeEntry[];
  modified: ChangedFile[];
}

/**
 * Git trees of one repository. Trees by SHA never change and are cached without
 * asking again; a branch's root tree is revalidated with a conditional request.
 */
export class TreeReader {
  private readonly limit: LimitFunction = pLimit(TREE_CONCURRENCY);
  private readonly blobsInFlight = new Map<string, Promise<string>>();

  private readonly repo: RepoRef;

  constructor(
    private readonly gh: GitHub,
    repo: RepoRef,
    private readonly cache: GitHubCache,
  ) {
    // Only the two names: anything else on the object would be sent as a query parameter.
    this.repo = { owner: repo.owner, repo: repo.repo };
  }

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

  /**
   * A tree by SHA (a commit SHA resolves to its root tree). A folder's own
   * listing is derived from a recursive listing of it already held, so a
   * folder read both ways costs one request.
   */
  async tree(sha: string, recursive = false): Promise<Tree> {
    const key = `${this.key(sha)}${recursive ? "/r" : ""}`;
    const cached = this.cache.trees.get(key);
    if (cached) return cached;
    const whole = this.cache.trees.get(`${this.key(sha)}/r`) ?? this.withinListing(sha);
    if (whole && !whole.truncated) return recursive ? whole : { sha: whole.sha, truncated: false, entries: whole.entries.filter((entry) => !entry.path.includes("/")) };
    const { data } = await this.limit(() =>
      this.gh.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
        ...this.repo,
        tree_sha: sha,
        ...(recursive ? { recursive: "1" } : {}),
      }),
    );
    const tree = toTree(data as TreeResponse);
    this.cache.trees.set(key, tree);
    // A commit SHA's answer is its root tree's: keep it under the tree's own SHA too.
    const own = `${this.key(tree.sha)}${recursive ? "/r" : ""}`;
    this.cache.trees.set(own, tree);
    if (recursive && !tree.truncated) {
      for (const entry of tree.entries) if (entry.type === "tree") this.cache.treeParents.set(this.key(entry.sha), { listing: own, path: entry.path });
    }
    return tree;
  }

  /** A folder's recursive listing cut out of a recursive listing of a folder above it, when one is held. */
  private withinListing(sha: string): Tree | undefined {
    const parent = this.cache.treeParents.get(this.key(sha));
    const listing = parent && this.cache.trees.get(parent.listing);
    if (!parent || !listing || listing.truncated) return undefined;
    const prefix = `${parent.path}/`;
    const entries = listing.entries.filter((entry) => entry.path.startsWith(prefix)).map((entry) => ({ ...entry, path: entry.path.slice(prefix.length) }));
    return { sha, truncated: false, entries };
  }

  /** Lists the folder `dir` of a root tree recursively, once, so that every later read below it is answered from that listing. */
  async prefetch(root: Tree, dir: string): Promise<void> {
    const segments = dir.split("/").filter(Boolean);
    const name = segments.pop();
    if (name === undefined) return void (await this.tree(root.sha, true));
    const parent = await this.subtree(root, segments.join("/"));
    const entry = parent?.entries.find((each) => each.path === name && each.type === "tree");
    if (entry) await this.tree(entry.sha, true);
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

  /**
   * Every blob below the folder `dir` of a root tree, with paths from the
   * repository root: the folder is listed once, recursively, without first
   * listing it on its own. Empty when there is no such folder.
   */
  async blobsAt(root: Tree, dir: string): Promise<TreeEntry[]> {
    const segments = dir.split("/").filter(Boolean);
    const name = segments.pop();
    if (name === undefined) return this.blobsUnder(root.sha, "");
    const parent = await this.subtree(root, segments.join("/"));
    const entry = parent?.entries.find((each) => each.path === name && each.type === "tree");
    return entry ? this.blobsUnder(entry.sha, segments.concat(name).join("/")) : [];
  }

  /** Every blob (and submodule) below a tree, with paths relative to the repository root. */
  async blobsUnder(sha: string, prefix: string): Promise<TreeEntry[]> {
    return (await this.flatten(sha, prefix)).filter((entry) => entry.type !== "tree");
  }

  /** A blob's text, once: a read asked for while the same blob is on its way waits for that answer. */
  blobText(sha: string): Promise<string> {
    const key = this.key(sha);
    const cached = this.cache.blobs.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.blobsInFlight.get(key);
    if (!pending) {
      pending = this.fetchBlob(sha).finally(() => this.blobsInFlight.delete(key));
      this.blobsInFlight.set(key, pending);
    }
    return pending;
  }

  private async fetchBlob(sha: string): Promise<string> {
    const { data } = await this.gh.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { ...this.repo, file_sha: sha });
    const blob = data as { content: string; encoding: string };
    const text = blob.encoding === "base64" ? Buffer.from(blob.content, "base64").toString("utf8") : blob.content;
    this.cache.blobs.set(this.key(sha), text);
    return text;
  }

  /**
   * The full change between two commits: both trees listed recursively (two
   * requests, side by side) and compared in one pass. Only where GitHub
   * truncates a recursive listing are that folder's levels walked one by one,
   * descending only into folders whose SHA differs, siblings side by side.
   * Used when a PR is larger than the pulls-files API lists (3,000 files). A
   * removed and an added blob with the same SHA are one rename, counted once
   * under both paths.
   */
  async diff(baseCommit: string, headCommit: string): Promise<ChangedFile[]> {
    const changes: Changes = { added: [], removed: [], modified: [] };
    await this.diffFolder(baseCommit, headCommit, "", changes);
    const { added, removed, modified } = changes;

    const removedBySha = new Map<string, TreeEntry[]>();
    const files: ChangedFile[] = [...modified];
    // A submodule (gitlink, type "commit") pins a commit, not content: added or removed as itself, never a rename.
    for (const entry of removed.sort(byPath)) {
      if (entry.type === "commit") files.push({ path: entry.path, status: "removed", submodule: { base: entry.sha } });
      else removedBySha.set(entry.sha, [...(removedBySha.get(entry.sha) ?? []), entry]);
    }
    for (const entry of added.sort(byPath)) {
      if (entry.type === "commit") {
        files.push({ path: entry.path, status: "added", sha: entry.sha, submodule: { head: entry.sha } });
        continue;
      }
      const origin = removedBySha.get(entry.sha)?.shift();
      files.push(origin ? { path: entry.path, previousPath: origin.path, status: "renamed", sha: entry.sha } : { path: entry.path, status: "added", sha: entry.sha });
    }
    for (const rest of removedBySha.values()) for (const entry of rest) files.push({ path: entry.path, status: "removed" });
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }

  /** The changes below one folder (a SHA on either side; `undefined` where the folder does not exist). */
  private async diffFolder(baseSha: string | undefined, headSha: string | undefined, prefix: string, out: Changes): Promise<void> {
    const [base, head] = await Promise.all([baseSha ? this.tree(baseSha, true) : undefined, headSha ? this.tree(headSha, true) : undefined]);
    if (!base?.truncated && !head?.truncated) {
      diffListings(base?.entries ?? [], head?.entries ?? [], prefix, out);
      return;
    }
    // Too big for one listing: this level on its own, then each differing folder below it, side by side.
    const [baseLevel, headLevel] = await Promise.all([baseSha ? this.tree(baseSha) : undefined, headSha ? this.tree(headSha) : undefined]);
    for (const tree of [baseLevel, headLevel]) {
      if (tree?.truncated) throw new TruncatedTreeError(`GitHub truncated the listing of ${prefix || "the root folder"}`);
    }
    const before = new Map((baseLevel?.entries ?? []).map((entry) => [entry.path, entry]));
    const after = new Map((headLevel?.entries ?? []).map((entry) => [entry.path, entry]));
    const folders: Promise<void>[] = [];
    for (const name of new Set([...before.keys(), ...after.keys()])) {
      const old = before.get(name);
      const now = after.get(name);
      if (old && now && old.sha === now.sha && old.type === now.type) continue;
      const path = join(prefix, name);
      const oldFolder = old?.type === "tree" ? old.sha : undefined;
      const newFolder = now?.type === "tree" ? now.sha : undefined;
      if (oldFolder || newFolder) folders.push(this.diffFolder(oldFolder, newFolder, path, out));
      if (old && old.type !== "tree" && now && now.type !== "tree") out.modified.push(modification(path, old, now));
      else {
        if (old && old.type !== "tree") out.removed.push({ ...old, path });
        if (now && now.type !== "tree") out.added.push({ ...now, path });
      }
    }
    await Promise.all(folders);
  }

  /** A tree's entries at every depth, paths from the repository root; walked level by level where GitHub truncates. */
  private async flatten(sha: string, prefix: string): Promise<TreeEntry[]> {
    const out: Changes = { added: [], removed: [], modified: [] };
    await this.diffFolder(undefined, sha, prefix, out);
    return out.added;
  }
}

/** One pass over two complete recursive listings (paths relative to `prefix`): what was added, removed and modified. */
function diffListings(base: readonly TreeEntry[], head: readonly TreeEntry[], prefix: string, out: Changes): void {
  const before = new Map<string, TreeEntry>();
  for (const entry of base) if (entry.type !== "tree") before.set(entry.path, entry);
  for (const entry of head) {
    if (entry.type === "tree") continue;
    const path = join(prefix, entry.path);
    const old = before.get(entry.path);
    if (!old) out.added.push({ ...entry, path });
    else {
      before.delete(entry.path);
      if (old.sha !== entry.sha || old.type !== entry.type) out.modified.push(modification(path, old, entry));
    }
  }
  for (const old of before.values()) out.removed.push({ ...old, path: join(prefix, old.path) });
}

/** A path changed in place; where either side is a submodule, the commits it pins (SPEC §2: a moved pin is an update). */
function modification(path: string, old: TreeEntry, now: TreeEntry): ChangedFile {
  const pins = old.type === "commit" || now.type === "commit" ? { submodule: { ...(old.type === "commit" ? { base: old.sha } : {}), ...(now.type === "commit" ? { head: now.sha } : {}) } } : {};
  return { path, status: "modified", sha: now.sha, ...pins };
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

const byPath = (a: TreeEntry, b: TreeEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
