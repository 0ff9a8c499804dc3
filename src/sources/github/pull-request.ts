import pLimit from "p-limit";
import type { Change, ChangedFile, FileReader, FileStatus } from "../../policy/change.js";
import { FILE_STATUSES } from "../../policy/change.js";
import type { GitHubCache } from "./cache.js";
import { isNotFound, statusOf, type GitHub, type RepoRef } from "./client.js";
import { TreeReader, TruncatedTreeError } from "./trees.js";

/** The pulls-files API lists at most this many files (GITHUB-FACTS.md). */
export const LIST_FILES_LIMIT = 3000;
/**
 * Reads that depend on the PR's number alone, which another source of the same PR may hand over: a one-shot
 * command starts them before the PR's SHAs are known.
 */
const ADOPTABLE_READS = ["comments", "reviews", "commit-listing", "files-listing"] as const;
/** The pulls-files API's largest page. */
const FILES_PER_PAGE = 100;
/** Pages of one PR's file listing asked for at once: a 3,000-file PR in six round trips, not thirty. */
const FILE_PAGE_CONCURRENCY = 5;
/** The pulls-commits API lists at most this many commits. */
export const LIST_COMMITS_LIMIT = 250;
/** Past the pulls-commits cap the compare API pages through the rest; beyond this many, give up (fail closed). */
export const COMPARE_COMMITS_LIMIT = 10_000;

/** What the webhook payload already says about a PR: no request needed for any of it. */
export interface PullRequestInfo {
  number: number;
  headSha: string;
  headRef: string;
  baseSha: string;
  baseRef: string;
  author: string;
  authorIsBot: boolean;
  body: string;
  labels: string[];
  /** Files the PR changes, as GitHub counts them (absent in some payloads). */
  changedFiles?: number;
  requestedReviewers: string[];
  requestedTeams: string[];
  /** On an `unlabeled` delivery: which label, removed by whom (the issue events API may not list it yet). */
  unlabeled?: LabelEvent;
}

/** One entry of a PR's label history. */
export interface LabelEvent {
  event: "labeled" | "unlabeled";
  label: string;
  actor: string;
  actorIsBot: boolean;
}

export interface ReviewInfo {
  id: number;
  login: string;
  isBot: boolean;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING */
  state: string;
  commitId: string;
  submittedAt: string;
}

export interface CommentInfo {
  id: number;
  login: string;
  isBot: boolean;
  body: string;
  createdAt: string;
  appId?: number | undefined;
}

export interface CommitInfo {
  sha: string;
  author?: string;
  committer?: string;
  message: string;
}

function toCommitInfo(commit: { sha: string; author?: { login?: string } | null; committer?: { login?: string } | null; commit: { message: string } }): CommitInfo {
  return {
    sha: commit.sha,
    ...(commit.author?.login ? { author: commit.author.login } : {}),
    ...(commit.committer?.login ? { committer: commit.committer.login } : {}),
    message: commit.commit.message,
  };
}

/**
 * The pulls-files API has no file modes; a submodule (gitlink) shows by its
 * patch, which is git's rendering of a pinned commit: `-Subproject commit
 * <old>` and `+Subproject commit <new>` and nothing else. A text file with
 * exactly that content would read the same; it then gets a dependency finding
 * it would not otherwise have, never loses one.
 */
const SUBMODULE_PATCH = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@[^\n]*\n(?:-Subproject commit ([0-9a-f]{40})\n?)?(?:\+Subproject commit ([0-9a-f]{40})\n?)?$/;

export function submoduleOf(patch: string | undefined): { submodule?: { base?: string; head?: string } } {
  const match = patch === undefined ? null : SUBMODULE_PATCH.exec(patch);
  if (!match || (match[1] === undefined && match[2] === undefined)) return {};
  return { submodule: { ...(match[1] ? { base: match[1] } : {}), ...(match[2] ? { head: match[2] } : {}) } };
}

/**
 * One pull request as the engine needs it, fetched lazily and memoised for the
 * length of one evaluation (the pattern of policy-bot's pull.Context): every
 * GitHub call is made at most once however many rules ask.
 */
export class PullRequestSource {
  private readonly memo = new Map<string, Promise<unknown>>();
  readonly trees: TreeReader;
  readonly repo: RepoRef;

  constructor(
    private readonly gh: GitHub,
    repo: RepoRef,
    readonly pr: PullRequestInfo,
    cache: GitHubCache,
  ) {
    // Only the two names: anything else on the object (a default branch) would be sent as a query parameter.
    this.repo = { owner: repo.owner, repo: repo.repo };
    this.trees = new TreeReader(gh, this.repo, cache);
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let pending = this.memo.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = load();
      this.memo.set(key, pending);
    }
    return pending;
  }

  /** Drops one memoised answer after this evaluation changed it on GitHub (the app's own ledger comment). */
  forget(key: "comments" | "reviews"): void {
    this.memo.delete(key);
  }

  /**
   * Every changed file. Up to the pulls-files API's 3,000, its listing (pages
   * fetched side by side when the payload says how many files there are);
   * a listing of exactly 3,000 is trusted only when the payload's
   * `changed_files` says 3,000. Above the cap, or when the listing falls
   * short, by diffing the merge base's and the head's trees.
   */
  change(): Promise<Change> {
    return this.once("change", async () => {
      const known = this.pr.changedFiles;
      if (known === undefined || known <= LIST_FILES_LIMIT) {
        const files = await this.listedFiles();
        const complete = known === undefined ? files.length < LIST_FILES_LIMIT : files.length >= known;
        if (complete) return { files, body: this.pr.body, headSha: this.pr.headSha };
      }
      try {
        const files = await this.trees.diff(await this.mergeBase(), this.pr.headSha);
        return { files, body: this.pr.body, headSha: this.pr.headSha };
      } catch (error) {
        if (error instanceof TruncatedTreeError) return { files: [], body: this.pr.body, headSha: this.pr.headSha, incomplete: error.message };
        throw error;
      }
    });
  }

  /**
   * The pulls-files listing. With the file count known, every page is asked
   * for at once (a few in flight at a time) instead of following each page's
   * `next` link in turn; should the PR have grown since the payload, the
   * links past the last expected page are still followed.
   */
  /** The pulls-files listing (up to the API's cap), read once. */
  listedFiles(): Promise<ChangedFile[]> {
    return this.once("files-listing", () => this.listFiles(this.pr.changedFiles));
  }

  /**
   * Takes over reads another source of the same PR already made or started
   * (its comments, reviews, commits and file listing): a one-shot command
   * starts them before the PR's payload is in, knowing only its number.
   */
  adopt(other: PullRequestSource): void {
    if (other.pr.number !== this.pr.number || other.repo.owner !== this.repo.owner || other.repo.repo !== this.repo.repo) return;
    for (const key of ADOPTABLE_READS) {
      const read = other.memo.get(key);
      if (read && !this.memo.has(key)) this.memo.set(key, read);
    }
  }

  private async listFiles(known: number | undefined): Promise<ChangedFile[]> {
    const params = { ...this.repo, pull_number: this.pr.number, per_page: FILES_PER_PAGE };
    let raw: Awaited<ReturnType<GitHub["rest"]["pulls"]["listFiles"]>>["data"];
    const limit = pLimit(FILE_PAGE_CONCURRENCY);
    const pagesFrom = async (first: number, last: number) => {
      const answers = await Promise.all(Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => limit(() => this.gh.rest.pulls.listFiles({ ...params, page: first + index }))));
      return { files: answers.flatMap((answer) => answer.data), more: /rel="next"/.test(answers.at(-1)?.headers.link ?? "") };
    };
    if (known === undefined) {
      // The count unknown (a command that has only the PR's number yet): the first page's `last` link says how many follow.
      const first = await this.gh.rest.pulls.listFiles({ ...params, page: 1 });
      const link = first.headers.link ?? "";
      const last = Math.min(Number(/[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(link)?.[1] ?? 1), LIST_FILES_LIMIT / FILES_PER_PAGE);
      const rest = last > 1 ? await pagesFrom(2, last) : { files: [], more: /rel="next"/.test(link) };
      raw = [...first.data, ...rest.files];
      if (rest.more) raw.push(...(await this.gh.paginate(this.gh.rest.pulls.listFiles, { ...params, page: Math.max(2, last + 1) })));
    } else if (known <= FILES_PER_PAGE) {
      raw = await this.gh.paginate(this.gh.rest.pulls.listFiles, params);
    } else {
      const pages = Math.ceil(Math.min(known, LIST_FILES_LIMIT) / FILES_PER_PAGE);
      const listed = await pagesFrom(1, pages);
      raw = listed.files;
      if (listed.more) raw.push(...(await this.gh.paginate(this.gh.rest.pulls.listFiles, { ...params, page: pages + 1 })));
    }
    return raw.map((file) => {
      const status: FileStatus = (FILE_STATUSES as readonly string[]).includes(file.status) ? (file.status as FileStatus) : "changed";
      return {
        path: file.filename,
        status,
        ...(file.previous_filename ? { previousPath: file.previous_filename } : {}),
        ...(status !== "removed" && file.sha ? { sha: file.sha } : {}),
        ...submoduleOf(file.patch),
      };
    });
  }

  /** The commit the PR's diff starts from: files at the base are read there, not at the base branch's tip. */
  mergeBase(): Promise<string> {
    return this.once("merge-base", async () => {
      const { data } = await this.gh.rest.repos.compareCommitsWithBasehead({ ...this.repo, basehead: `${this.pr.baseSha}...${this.pr.headSha}`, per_page: 1 });
      return data.merge_base_commit.sha;
    });
  }

  /** Reads files at the merge base and the head (only manifests and proposed policy files are ever read). */
  reader(): FileReader {
    return {
      read: (side, path) =>
        this.once(`file:${side}:${path}`, async () => this.readAt(side === "base" ? await this.mergeBase() : this.pr.headSha, path)),
    };
  }

  private async readAt(ref: string, path: string): Promise<string | null> {
    try {
      const { data } = await this.gh.rest.repos.getContent({ ...this.repo, path, ref, mediaType: { format: "raw" } });
      return typeof data === "string" ? data : Buffer.from(data as unknown as ArrayBuffer).toString("utf8");
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /**
   * The PR's commits, with the logins GitHub linked to their authors and
   * committers. The pulls API lists at most 250; a longer PR is read in full
   * through the compare API (which pages past 250), since one commit beyond
   * the cap can be the one an agent pushed (SPEC §4). `complete` is false only
   * when even that could not list them all.
   */
  commits(): Promise<{ commits: CommitInfo[]; complete: boolean; total?: number }> {
    return this.once("commits", async () => {
      const listed = await this.commitListing();
      if (listed.length < LIST_COMMITS_LIMIT) return { commits: listed, complete: true };
      return this.commitsByCompare();
    });
  }

  /** The pulls API's list of the PR's commits (at most 250): it needs only the PR's number. */
  commitListing(): Promise<CommitInfo[]> {
    return this.once("commit-listing", async () => (await this.gh.paginate(this.gh.rest.pulls.listCommits, { ...this.repo, pull_number: this.pr.number, per_page: 100 })).map(toCommitInfo));
  }

  private async commitsByCompare(): Promise<{ commits: CommitInfo[]; complete: boolean; total?: number }> {
    const commits: CommitInfo[] = [];
    let total = Infinity;
    for (let page = 1; commits.length < total && commits.length < COMPARE_COMMITS_LIMIT; page++) {
      const { data } = await this.gh.rest.repos.compareCommitsWithBasehead({ ...this.repo, basehead: `${this.pr.baseSha}...${this.pr.headSha}`, per_page: 100, page });
      total = data.total_commits;
      if (data.commits.length === 0) break;
      commits.push(...data.commits.map(toCommitInfo));
    }
    return { commits, complete: commits.length >= total, ...(Number.isFinite(total) ? { total } : {}) };
  }

  /**
   * The PR's label history, oldest first, from the issue events API, with the
   * webhook's own `unlabeled` event added when the API does not list it yet:
   * who removed a label decides whether the role it brought stays (SPEC §4).
   */
  labelEvents(): Promise<LabelEvent[]> {
    return this.once("label-events", async () => {
      const raw = await this.gh.paginate(this.gh.rest.issues.listEvents, { ...this.repo, issue_number: this.pr.number, per_page: 100 });
      const events = raw.flatMap((each): LabelEvent[] => {
        const event = each as { event?: string; label?: { name?: string } | null; actor?: { login?: string; type?: string } | null };
        if ((event.event !== "labeled" && event.event !== "unlabeled") || !event.label?.name || !event.actor?.login) return [];
        return [{ event: event.event, label: event.label.name, actor: event.actor.login, actorIsBot: event.actor.type === "Bot" }];
      });
      const own = this.pr.unlabeled;
      const last = events.filter((each) => each.label.toLowerCase() === own?.label.toLowerCase()).at(-1);
      if (own && last?.event !== "unlabeled") events.push(own);
      return events;
    });
  }

  /** Team membership (child teams count); a 404 means "not a member". */
  isTeamMember(teamSlug: string, login: string): Promise<boolean> {
    return this.once(`team:${teamSlug}:${login.toLowerCase()}`, async () => {
      const [org, team] = teamSlug.split("/");
      if (!org || !team) return false;
      try {
        const { data } = await this.gh.rest.teams.getMembershipForUserInOrg({ org, team_slug: team, username: login });
        return data.state === "active";
      } catch (error) {
        if (isNotFound(error)) return false;
        // 403: the app cannot see team membership (Members: read missing). Not knowing must not mean "not held to a role".
        if (statusOf(error) === 403) throw new Error(`cannot read membership of team ${teamSlug} (GitHub answered 403): grant the app "Members: read"`);
        throw error;
      }
    });
  }

  /** Every review on the PR, oldest first. */
  reviews(): Promise<ReviewInfo[]> {
    return this.once("reviews", async () => {
      const reviews = await this.gh.paginate(this.gh.rest.pulls.listReviews, { ...this.repo, pull_number: this.pr.number, per_page: 100 });
      return reviews.flatMap((review) =>
        review.user?.login
          ? [{ id: review.id, login: review.user.login, isBot: review.user.type === "Bot", state: review.state, commitId: review.commit_id ?? "", submittedAt: review.submitted_at ?? "" }]
          : [],
      );
    });
  }

  /** Logins that have already submitted a review on this PR. */
  async reviewers(): Promise<Set<string>> {
    return new Set((await this.reviews()).map((review) => review.login.toLowerCase()));
  }

  /** The PR's conversation comments, oldest first. */
  comments(): Promise<CommentInfo[]> {
    return this.once("comments", async () => {
      const comments = await this.gh.paginate(this.gh.rest.issues.listComments, { ...this.repo, issue_number: this.pr.number, per_page: 100 });
      return comments.map((comment) => ({
        id: comment.id,
        login: comment.user?.login ?? "",
        isBot: comment.user?.type === "Bot",
        body: comment.body ?? "",
        createdAt: comment.created_at,
        appId: comment.performed_via_github_app?.id,
      }));
    });
  }

  /** The account's role on the repository: `role_name` (maintain, triage and custom roles included), else `permission`. */
  permissionOf(login: string): Promise<{ roleName?: string; permission?: string }> {
    return this.once(`permission:${login.toLowerCase()}`, async () => {
      try {
        const { data } = await this.gh.rest.repos.getCollaboratorPermissionLevel({ ...this.repo, username: login });
        return { roleName: (data as { role_name?: string }).role_name, permission: data.permission };
      } catch (error) {
        if (isNotFound(error)) return { permission: "none" };
        throw error;
      }
    });
  }
}
