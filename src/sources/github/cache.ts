import { LRUCache } from "lru-cache";
import type { GitHub } from "./client.js";
import { statusOf } from "./client.js";
import { boundedCache } from "../../bounded-cache.js";

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

/** What the last reconciliation pass learnt of one repository (SPEC §10): enough to skip it when nothing changed. */
export interface RepositorySweep {
  /** The repository's `pushed_at` as the installation's listing said. */
  pushedAt?: string;
  /** Open PRs it had. */
  openPulls: number;
  /** Of those, how many had no completed verdict when the pass ended (tried again next pass). */
  unjudged: number;
  /** The newest `updated_at` among them: a search naming an older change has nothing new to say. */
  latestUpdate?: string;
}

/** An installation's reconciliation passes: when the last complete one started (epoch ms), and how many there were. */
export interface InstallationSweep {
  startedAt: number;
  passes: number;
}

/** A listing read page by page with If-None-Match. */
export interface ConditionalListing<T> {
  items: T[];
  /** false when every page answered 304 Not Modified (no rate limit spent). */
  changed: boolean;
}

/**
 * What roleguard keeps between evaluations, per process. Git objects are
 * immutable, so trees and blobs fetched by SHA are kept without revalidation;
 * a branch's root tree is revalidated with If-None-Match, and a 304 costs no
 * rate limit. Bounded, so memory stays flat however many repositories it sees.
 */
export class GitHubCache {
  readonly trees = boundedCache<string, Tree>(20_000);
  /**
   * Where a folder's tree sits inside a recursive listing already held (the listing's key and the folder's path
   * in it): its own listings are derived from that one instead of asked for. One small entry per folder.
   */
  readonly treeParents = boundedCache<string, { listing: string; path: string }>(200_000);
  readonly blobs = new LRUCache<string, string>({ max: 20_000, maxSize: 64 * 1024 * 1024, sizeCalculation: (text) => Math.max(1, text.length) });
  readonly conditional = boundedCache<string, { etag: string; data: unknown }>(20_000);
  /** Pages of listings (installations, repositories, open PRs), with their ETags and `next` links. */
  readonly pages = boundedCache<string, { etag: string; data: unknown; next: boolean }>(50_000);
  /** Reconciliation's memory, by repository (`owner/repo`, lower-cased). */
  readonly sweeps = boundedCache<string, RepositorySweep>(200_000);
  /** Each installation's reconciliation passes, by installation id. */
  readonly sweepPasses = boundedCache<string, InstallationSweep>(50_000);
  /**
   * Read the policy folders in one GraphQL query instead of revalidating trees: for one-shot commands
   * (`check --pr`), which have nothing cached; the app keeps its conditional requests, which cost nothing.
   */
  policyOverGraphql = false;
  /** Policy reads over GraphQL already on their way, by repository (`owner/repo`, lower-cased). */
  readonly policyReads = new Map<string, Promise<import("./policy-graphql.js").PolicySnapshots | undefined>>();
  /** Short-lived "this does not exist" answers (an org without a .github repository), to spare a 404 per evaluation. */
  readonly missing = boundedCache<string, true>(10_000, { ttl: 5 * 60_000 });

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

  /**
   * Every page of a paginated listing, each asked for with If-None-Match:
   * a listing that did not change since it was last read costs nothing.
   * `items` picks the list out of a page (`repositories` of the installation
   * listing, the array itself elsewhere).
   */
  async listConditional<T>(gh: GitHub, route: string, params: Record<string, unknown>, items: (data: unknown) => T[] = (data) => data as T[]): Promise<ConditionalListing<T>> {
    const out: T[] = [];
    let changed = false;
    for (let page = 1; ; page++) {
      const key = `${route} ${JSON.stringify(params)} page ${page}`;
      const cached = this.pages.get(key);
      let answer: { data: unknown; next: boolean };
      try {
        const response = await gh.request(route, { ...params, per_page: 100, page, ...(cached ? { headers: { "if-none-match": cached.etag } } : {}) });
        answer = { data: response.data, next: /rel="next"/.test(response.headers.link ?? "") };
        changed = true;
        if (response.headers.etag) this.pages.set(key, { etag: response.headers.etag, ...answer });
      } catch (error) {
        if (statusOf(error) !== 304 || !cached) throw error;
        answer = cached;
      }
      out.push(...items(answer.data));
      if (!answer.next) return { items: out, changed };
    }
  }
}
