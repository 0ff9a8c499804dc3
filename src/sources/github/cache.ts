import { LRUCache } from "lru-cache";
import type { GitHub } from "./client.js";
import { statusOf } from "./client.js";

export interface TreeEntry {
  path: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
}

export interface Tree {
  sha: string;
  entries: TreeEntry[];
  truncated: boolean;
}

/**
 * What roleguard keeps between evaluations, per process. Git objects are
 * immutable, so trees and blobs fetched by SHA are kept without revalidation;
 * a branch's root tree is revalidated with If-None-Match, and a 304 costs no
 * rate limit. Bounded, so memory stays flat however many repositories it sees.
 */
export class GitHubCache {
  readonly trees = new LRUCache<string, Tree>({ max: 20_000 });
  readonly blobs = new LRUCache<string, string>({ max: 20_000, maxSize: 64 * 1024 * 1024, sizeCalculation: (text) => Math.max(1, text.length) });
  readonly conditional = new LRUCache<string, { etag: string; data: unknown }>({ max: 20_000 });
  /** Short-lived "this does not exist" answers (an org without a .github repository), to spare a 404 per evaluation. */
  readonly missing = new LRUCache<string, true>({ max: 10_000, ttl: 5 * 60_000 });

  /** GET with If-None-Match; the cached body when GitHub says 304 Not Modified. */
  async getConditional<T>(gh: GitHub, route: string, params: Record<string, unknown>): Promise<T> {
    const key = `${route} ${JSON.stringify(params)}`;
    const cached = this.conditional.get(key);
    try {
      const response = await gh.request(route, { ...params, ...(cached ? { headers: { "if-none-match": cached.etag } } : {}) });
      const etag = response.headers.etag;
      if (etag) this.conditional.set(key, { etag, data: response.data });
      return response.data as T;
    } catch (error) {
      if (statusOf(error) === 304 && cached) return cached.data as T;
      throw error;
    }
  }
}
