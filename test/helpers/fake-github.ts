import { createHash } from "node:crypto";
import nock from "nock";

/**
 * A small, stateful stand-in for the GitHub REST API, served through nock:
 * repositories with branches and commits (real tree and blob SHAs), pull
 * requests, check runs, review requests, team memberships. It counts every
 * request, answers conditional requests with 304, and can be told to fail a
 * route. Tests assert on its state, not on a script of mocked calls.
 */

export type Files = Record<string, string>;

interface TreeObject {
  sha: string;
  entries: { path: string; mode: string; type: "blob" | "tree" | "commit"; sha: string }[];
}

export interface FakePull {
  number: number;
  user: { login: string; type: string };
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  body: string;
  labels: { name: string }[];
  state: "open" | "closed";
  requested_reviewers: { login: string }[];
  requested_teams: { slug: string }[];
  /** Renames to report (new path → old path); anything else comes from diffing base and head. */
  renames: Record<string, string>;
  /** Copies to report (new path → the path it was copied from, which stays). */
  copies: Record<string, string>;
  commits: { sha: string; author?: string; committer?: string; message: string }[];
  /** The issue events API's label history, oldest first. */
  labelEvents: { event: "labeled" | "unlabeled"; label: string; actor: string; actorType?: string }[];
  reviews: { user: string; state: string; commit_id: string }[];
  /** When the PR last changed (opened, pushed to): what the pulls listing and the search API report. */
  updatedAt?: string;
}

export interface FakeComment {
  id: number;
  issue: number;
  user: { login: string; type: string };
  body: string;
  created_at: string;
  updated_at: string;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: unknown[] };
  annotations: unknown[];
  actions?: unknown[];
  updates: number;
  /** When the run was created: when the app first saw its head (GitHub keeps it across updates). */
  started_at: string;
}

interface FakeRepo {
  owner: string;
  name: string;
  defaultBranch: string;
  branches: Map<string, string>;
  commits: Map<string, { tree: string; files: Files }>;
  pulls: Map<number, FakePull>;
  checkRuns: FakeCheckRun[];
  /** The last push to any branch, as the repository listings' `pushed_at` says. */
  pushedAt: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  /** The request carried If-None-Match (a conditional request). */
  conditional?: boolean;
  /** Check-run writes: how many annotations the request's `output` carried. */
  annotations?: number;
  /** Check-run writes: the `status` the request set, if any. */
  checkStatus?: string;
  /** How many requests were waiting for an answer (this one included) when it arrived: > 1 means requests overlapped. */
  inFlight?: number;
}

const GITLINK = "\u0000gitlink ";

/** A submodule in a fake tree: the commit it pins, which the pulls-files API shows as a `Subproject commit` patch. */
export function gitlink(commit: string): string {
  return `${GITLINK}${commit}`;
}

/** GitHub's patch for a gitlink change: one `-Subproject commit` and/or one `+Subproject commit` line. */
function gitlinkPatch(before: string | undefined, after: string | undefined): string | undefined {
  const pin = (text: string | undefined) => (text?.startsWith(GITLINK) ? text.slice(GITLINK.length) : undefined);
  const [from, to] = [pin(before), pin(after)];
  if (from === undefined && to === undefined) return undefined;
  const lines = [from !== undefined ? `-Subproject commit ${from}` : "", to !== undefined ? `+Subproject commit ${to}` : ""].filter(Boolean);
  return `@@ -${from !== undefined ? "1" : "0,0"} +${to !== undefined ? "1" : "0,0"} @@\n${lines.join("\n")}`;
}

const gitHash = (kind: string, body: Buffer | string) => {
  const content = Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
  return createHash("sha1").update(`${kind} ${content.length}\0`).update(content).digest("hex");
};

export const blobSha = (text: string) => gitHash("blob", text);

/** One hunk replacing a file's whole text, as a unified diff writes it (no trailing newline). */
function hunk(before: string | undefined, after: string | undefined): string {
  const lines = (text: string | undefined) => (text === undefined || text === "" ? [] : text.replace(/\n$/, "").split("\n"));
  const [old, now] = [lines(before), lines(after)];
  return [`@@ -${old.length ? 1 : 0},${old.length} +${now.length ? 1 : 0},${now.length} @@`, ...old.map((line) => `-${line}`), ...now.map((line) => `+${line}`)].join("\n");
}

export class FakeGitHub {
  readonly repos = new Map<string, FakeRepo>();
  readonly trees = new Map<string, TreeObject>();
  readonly blobs = new Map<string, string>();
  readonly teams = new Map<string, Set<string>>();
  readonly requests: RequestRecord[] = [];
  readonly reviewRequests: { repo: string; pull: number; reviewers: string[]; teams: string[] }[] = [];
  /** Logins GitHub refuses as reviewers (422), as it does for non-collaborators. */
  readonly unrequestable = new Set<string>();
  private failures: { match: RegExp; status: number; times: number }[] = [];
  private delays: { match: RegExp; ms: number }[] = [];
  /** Requests answered through nock that are still waiting for their answer (only delayed ones wait). */
  inFlight = 0;
  /** The most requests that were waiting for an answer at once. */
  peakInFlight = 0;
  /**
   * Sequential round trips: delayed requests that arrived while none was waiting for its answer.
   * With every route delayed alike, it is the length of the longest chain of requests that waited on each other.
   */
  roundTrips = 0;
  private nextCheckRunId = 1000;
  private commitCounter = 0;
  /** PR conversation comments, by repository (lower-cased) and issue number. */
  readonly comments = new Map<string, FakeComment[]>();
  readonly reactions: { repo: string; commentId: number; content: string }[] = [];
  /** Repository roles by "owner/repo:login" (lower-cased): admin, maintain, write, triage, read or a custom name. */
  readonly permissions = new Map<string, { role_name: string; permission: string }>();
  /** Commit messages between a merge group's base and head, by head SHA (the compare API's commits). */
  readonly mergeCommits = new Map<string, string[]>();
  /** Installation id → repositories it covers (for the installations listing). */
  readonly installations = new Map<number, string[]>();
  /** false: answer 404 for the git trees API, as some GitHub stand-ins do. */
  treesServed = true;
  /** Installation ids the app exchanged a JWT for a token for. */
  readonly tokensIssued: number[] = [];
  /** Who the app's own comments are posted as. */
  botLogin = "roleguard[bot]";
  private nextCommentId = 5000;
  /**
   * GitHub's clock for comments and check runs: one second per event, so the
   * order of a comment and a push's first check run is what the test did.
   * Tests of late deliveries read or move it.
   */
  clock = Date.UTC(2026, 10, 24, 12, 0, 0);
  /** The pulls-files API's cap (3,000 on GitHub); tests lower it to exercise the tree fallback cheaply. */
  listFilesCap = 3000;
  /** How many of a PR's commits the compare API will page through (GitHub's is far higher; lower it to test the gap). */
  compareCommitsCap = Infinity;
  /** Tree SHAs GitHub answers with `truncated: true` (and only part of their entries). */
  readonly truncatedTrees = new Set<string>();
  /** A recursive tree listing longer than this comes back truncated (GitHub's is 100,000 entries); each folder's own listing is still whole. */
  recursiveTreeLimit = Infinity;

  constructor(readonly baseUrl = "https://api.github.com") {}

  // ---- building state -------------------------------------------------------

  repo(fullName: string, options: { defaultBranch?: string; files?: Files } = {}): string {
    const [owner, name] = fullName.split("/") as [string, string];
    const repo: FakeRepo = { owner, name, defaultBranch: options.defaultBranch ?? "main", branches: new Map(), commits: new Map(), pulls: new Map(), checkRuns: [], pushedAt: new Date().toISOString() };
    this.repos.set(fullName.toLowerCase(), repo);
    return this.commit(fullName, repo.defaultBranch, options.files ?? { "README.md": "# repo\n" });
  }

  /** Commits a whole tree to a branch and returns the commit SHA. */
  commit(fullName: string, branch: string, files: Files): string {
    const repo = this.mustRepo(fullName);
    const tree = this.writeTree(files);
    const sha = gitHash("commit", `tree ${tree}\ncounter ${++this.commitCounter}\n`);
    repo.commits.set(sha, { tree, files: { ...files } });
    repo.branches.set(branch, sha);
    repo.pushedAt = new Date().toISOString();
    return sha;
  }

  filesAt(fullName: string, ref: string): Files {
    const repo = this.mustRepo(fullName);
    const sha = repo.branches.get(ref) ?? ref;
    const commit = repo.commits.get(sha);
    if (!commit) throw new Error(`no commit ${ref} in ${fullName}`);
    return commit.files;
  }

  /** Opens a PR; `sameHeadAs` opens it on another PR's head commit (one branch proposed to two bases). */
  pull(fullName: string, pull: Omit<Partial<FakePull>, "head" | "base"> & { number: number; author: string; head: Files; headRef?: string; base?: string; sameHeadAs?: FakePull }): FakePull {
    const repo = this.mustRepo(fullName);
    const baseRef = pull.base ?? repo.defaultBranch;
    const baseSha = repo.branches.get(baseRef) as string;
    const headRef = pull.sameHeadAs?.head.ref ?? pull.headRef ?? `feature-${pull.number}`;
    const headSha = pull.sameHeadAs?.head.sha ?? this.commit(fullName, headRef, pull.head);
    const record: FakePull = {
      number: pull.number,
      user: { login: pull.author, type: pull.author.endsWith("[bot]") ? "Bot" : "User" },
      head: { ref: headRef, sha: headSha },
      base: { ref: baseRef, sha: baseSha },
      body: pull.body ?? "",
      labels: pull.labels ?? [],
      state: "open",
      requested_reviewers: pull.requested_reviewers ?? [],
      requested_teams: pull.requested_teams ?? [],
      renames: pull.renames ?? {},
      copies: pull.copies ?? {},
      labelEvents: pull.labelEvents ?? [],
      commits: pull.commits ?? [{ sha: headSha, author: pull.author, committer: pull.author, message: "change" }],
      reviews: pull.reviews ?? [],
      updatedAt: new Date().toISOString(),
    };
    repo.pulls.set(pull.number, record);
    return record;
  }

  /** Pushes a new head to a PR (a `synchronize`). */
  push(fullName: string, number: number, files: Files): FakePull {
    const pull = this.mustRepo(fullName).pulls.get(number) as FakePull;
    pull.head = { ...pull.head, sha: this.commit(fullName, pull.head.ref, files) };
    pull.commits = [...pull.commits, { sha: pull.head.sha, author: pull.user.login, committer: pull.user.login, message: "more" }];
    pull.updatedAt = new Date().toISOString();
    return pull;
  }

  /**
   * Marks the folder `dir` of a commit (branch or SHA) as too big to list:
   * its tree, and any recursive listing that includes it, come back with
   * `truncated: true` and only part of the entries, as GitHub does.
   */
  truncate(fullName: string, ref: string, dir: string): string {
    const repo = this.mustRepo(fullName);
    const commit = repo.commits.get(repo.branches.get(ref) ?? ref);
    if (!commit) throw new Error(`no commit ${ref} in ${fullName}`);
    let tree = this.trees.get(commit.tree) as TreeObject;
    for (const segment of dir.split("/").filter(Boolean)) {
      const entry = tree.entries.find((each) => each.path === segment && each.type === "tree");
      if (!entry) throw new Error(`no folder ${dir} at ${ref}`);
      tree = this.trees.get(entry.sha) as TreeObject;
    }
    this.truncatedTrees.add(tree.sha);
    return tree.sha;
  }

  team(slug: string, members: string[]): void {
    this.teams.set(slug.toLowerCase(), new Set(members.map((member) => member.toLowerCase())));
  }

  /** The next `times` requests whose "METHOD path" matches fail with `status`. */
  fail(match: RegExp, status: number, times = 1): void {
    this.failures.push({ match, status, times });
  }

  /** Every later request whose "METHOD path" matches waits `ms` before it is answered, as a distant GitHub would (/./ delays all). */
  delay(match: RegExp, ms: number): void {
    this.delays.push({ match, ms });
  }

  checkRuns(fullName: string): FakeCheckRun[] {
    return this.mustRepo(fullName).checkRuns;
  }

  /** The JSON report at the end of a check run's text. */
  report(run: FakeCheckRun | undefined): Record<string, unknown> & { conclusion: string; findings: Record<string, unknown>[] } {
    const text = run?.output?.text ?? "";
    const match = /```json\n([\s\S]*)\n```/.exec(text);
    if (!match?.[1]) throw new Error(`no JSON report in check run: ${text.slice(0, 200)}`);
    return JSON.parse(match[1]);
  }

  /** Requests that cost rate limit: everything but 304 Not Modified. */
  get billable(): RequestRecord[] {
    return this.requests.filter((request) => request.status !== 304);
  }

  resetCounts(): void {
    this.requests.length = 0;
    this.peakInFlight = 0;
    this.roundTrips = 0;
  }

  // ---- conversation: comments, reactions, permissions ---------------------------

  /** A comment as a person (or bot) posts it; returns it so tests can build the webhook. */
  comment(fullName: string, issue: number, login: string, body: string, type = login.endsWith("[bot]") ? "Bot" : "User"): FakeComment {
    const now = this.tick();
    const comment: FakeComment = { id: this.nextCommentId++, issue, user: { login, type }, body, created_at: now, updated_at: now };
    const key = `${fullName.toLowerCase()}#${issue}`;
    this.comments.set(key, [...(this.comments.get(key) ?? []), comment]);
    return comment;
  }

  /** The clock's next second, as GitHub writes times. */
  tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  commentsOf(fullName: string, issue: number): FakeComment[] {
    return this.comments.get(`${fullName.toLowerCase()}#${issue}`) ?? [];
  }

  findComment(fullName: string, id: number): FakeComment | undefined {
    for (const [key, list] of this.comments) if (key.startsWith(`${fullName.toLowerCase()}#`)) for (const comment of list) if (comment.id === id) return comment;
    return undefined;
  }

  deleteComment(fullName: string, id: number): FakeComment | undefined {
    for (const [key, list] of this.comments) {
      const index = list.findIndex((comment) => comment.id === id);
      if (key.startsWith(`${fullName.toLowerCase()}#`) && index >= 0) return list.splice(index, 1)[0];
    }
    return undefined;
  }

  permission(fullName: string, login: string, roleName: string): void {
    const base = roleName === "maintain" ? "write" : roleName === "triage" ? "read" : ["admin", "write", "read"].includes(roleName) ? roleName : "write";
    this.permissions.set(`${fullName}:${login}`.toLowerCase(), { role_name: roleName, permission: base });
  }

  private conversationRoute(fullName: string, repo: FakeRepo, method: string, rest: string, body: Record<string, unknown>): nock.ReplyFnResult | undefined {
    let m: RegExpExecArray | null;
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      if (method === "GET") return [200, this.commentsOf(fullName, issue) as unknown as nock.Body];
      if (method === "POST") return [201, this.comment(fullName, issue, this.botLogin, String(body.body), "Bot") as unknown as nock.Body];
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest)) && method === "PATCH") {
      const comment = this.findComment(fullName, Number(m[1]));
      if (!comment) return [404, { message: "Not Found" }];
      comment.body = String(body.body);
      comment.updated_at = new Date().toISOString();
      return [200, comment as unknown as nock.Body];
    }
    if ((m = /^\/issues\/comments\/(\d+)\/reactions$/.exec(rest)) && method === "POST") {
      this.reactions.push({ repo: fullName, commentId: Number(m[1]), content: String(body.content) });
      return [201, { id: this.reactions.length, content: body.content }];
    }
    if ((m = /^\/issues\/(\d+)$/.exec(rest)) && method === "GET") {
      // A PR read as an issue (its labels, its conversation's state).
      const pull = repo.pulls.get(Number(m[1]));
      if (!pull) return [404, { message: "Not Found" }];
      return [200, { number: pull.number, title: `PR ${pull.number}`, state: pull.state, user: pull.user, labels: pull.labels, body: pull.body, pull_request: { url: `${this.baseUrl}/repos/${fullName}/pulls/${pull.number}` } }];
    }
    if ((m = /^\/issues\/(\d+)\/events$/.exec(rest)) && method === "GET") {
      const pull = repo.pulls.get(Number(m[1]));
      if (!pull) return [404, { message: "Not Found" }];
      const events = pull.labelEvents.map((each, index) => ({
        id: index + 1,
        event: each.event,
        label: { name: each.label },
        actor: { login: each.actor, type: each.actorType ?? (each.actor.endsWith("[bot]") ? "Bot" : "User") },
        created_at: new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString(),
      }));
      return [200, events as unknown as nock.Body];
    }
    if ((m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest)) && method === "GET") {
      const found = this.permissions.get(`${fullName}:${m[1]}`.toLowerCase());
      return [200, { permission: found?.permission ?? "read", role_name: found?.role_name ?? "read", user: { login: m[1] } }];
    }
    void repo;
    return undefined;
  }

  // ---- serving ----------------------------------------------------------------

  start(): void {
    const scope = nock(this.baseUrl).persist();
    const handle = (method: string) =>
      function (this: nock.ReplyFnContext, uri: string, body: nock.Body): nock.ReplyFnResult | Promise<nock.ReplyFnResult> {
        const headers = this.req.headers as Record<string, string | string[] | undefined>;
        const path = decodeURIComponent(new URL(uri, fake.baseUrl).pathname.replace(/^\/api\/v3/, ""));
        const wait = fake.delays.find((each) => each.match.test(`${method} ${path}`))?.ms;
        if (wait === undefined) return fake.route(method, uri, body, headers);
        // Answered after the wait, with the state as it is then; counted in flight from arrival to answer.
        if (fake.inFlight === 0) fake.roundTrips++;
        const inFlight = ++fake.inFlight;
        fake.peakInFlight = Math.max(fake.peakInFlight, inFlight);
        return new Promise((resolve) => setTimeout(resolve, wait)).then(() => {
          fake.inFlight--;
          const result = fake.route(method, uri, body, headers);
          const record = fake.requests.at(-1);
          if (record) record.inFlight = inFlight;
          return result;
        });
      };
    const fake = this;
    for (const method of ["get", "post", "patch", "put", "delete"] as const) scope[method](/.*/).reply(handle(method.toUpperCase()));
  }

  stop(): void {
    nock.cleanAll();
  }

  /** Answers one request; public so a real HTTP server (the load bench) can serve the same fake. */
  route(method: string, uri: string, body: nock.Body, headers: Record<string, string | string[] | undefined>): nock.ReplyFnResult {
    const url = new URL(uri, this.baseUrl);
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v3/, ""));
    const failure = this.failures.find((each) => each.times > 0 && each.match.test(`${method} ${path}`));
    let result: nock.ReplyFnResult;
    if (failure) {
      failure.times--;
      result = [failure.status, { message: `injected ${failure.status}` }];
    } else {
      try {
        result = this.dispatch(method, path, url.searchParams, typeof body === "string" && body ? JSON.parse(body) : (body as Record<string, unknown>), headers);
      } catch (error) {
        result = [500, { message: `fake GitHub: ${(error as Error).message}` }];
      }
    }
    const record: RequestRecord = { method, path, status: result[0] as number };
    if (headers["if-none-match"] !== undefined) record.conditional = true;
    if (/\/check-runs(\/\d+)?$/.test(path) && (method === "POST" || method === "PATCH")) {
      const parsed = typeof body === "string" && body ? (JSON.parse(body) as Record<string, unknown>) : (body as Record<string, unknown> | undefined);
      const output = parsed?.output as { annotations?: unknown[] } | undefined;
      record.annotations = output?.annotations?.length ?? 0;
      if (typeof parsed?.status === "string") record.checkStatus = parsed.status;
    }
    this.requests.push(record);
    return result;
  }

  private dispatch(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>, headers: Record<string, string | string[] | undefined>): nock.ReplyFnResult {
    const notFound: nock.ReplyFnResult = [404, { message: "Not Found" }];
    // Installations: which repositories each one holds (tests map installation ids to repositories).
    // Conditional requests: the ETag names the answer and the token asking (GitHub's vary by Authorization),
    // so a token renewed since may not get its 304.
    const etagged = (data: unknown, link?: string): nock.ReplyFnResult => {
      const etag = `"${createHash("sha1").update(JSON.stringify(data)).update(String(headers.authorization ?? "")).digest("hex")}"`;
      if (headers["if-none-match"] === etag) return [304, ""];
      return [200, data as nock.Body, { etag, ...(link ? { link } : {}) }];
    };
    const page = Math.max(1, Number(query.get("page") ?? 1));
    const perPage = Math.max(1, Number(query.get("per_page") ?? 30));
    /** One page of a listing, with GitHub's `next` link when there is more. */
    const pageOf = <T>(items: T[]): { items: T[]; link?: string } => {
      const more = page * perPage < items.length;
      const next = new URL(`${this.baseUrl}${path}`);
      for (const [key, value] of query) next.searchParams.set(key, value);
      next.searchParams.set("page", String(page + 1));
      return { items: items.slice((page - 1) * perPage, page * perPage), ...(more ? { link: `<${next.toString()}>; rel="next"` } : {}) };
    };
    if (path === "/app/installations" && method === "GET") {
      const listed = pageOf([...this.installations.keys()].map((id) => ({ id, account: { login: "acme", type: "Organization" } })));
      return etagged(listed.items, listed.link);
    }
    if (path === "/installation/repositories" && method === "GET") {
      // A token names its installation (`ghs_installation_<id>_…`); any other token (tests' "test") sees every installation's repositories.
      const installation = /ghs_installation_(\d+)/.exec(String(headers.authorization ?? ""))?.[1];
      const names = installation !== undefined ? (this.installations.get(Number(installation)) ?? []) : [...this.installations.values()].flat();
      const all = names.map((name) => this.mustRepo(name));
      const listed = pageOf(all.map((repo) => ({ ...this.repositoryPayload(`${repo.owner}/${repo.name}`), pushed_at: repo.pushedAt, updated_at: repo.pushedAt })));
      return etagged({ total_count: all.length, repositories: listed.items }, listed.link);
    }
    if (path === "/search/issues" && method === "GET") return this.searchIssues(query.get("q") ?? "", page, perPage);
    if ((path === "/graphql" || path === "/api/graphql") && method === "POST") return this.graphql(body);
    // The app's own endpoints: a JWT-authenticated app exchanges it for installation tokens.
    if (path === "/app" && method === "GET") return [200, { id: 1, slug: "roleguard", name: "roleguard" }];
    const token = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (token && method === "POST") {
      this.tokensIssued.push(Number(token[1]));
      // A fresh token each time (as GitHub issues them): conditional requests made with an older one may not answer 304.
      return [201, { token: `ghs_installation_${token[1]}_${this.tokensIssued.length}`, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {}, repository_selection: "all" }];
    }
    const team = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path);
    if (team && method === "GET") {
      const members = this.teams.get(`${team[1]}/${team[2]}`.toLowerCase());
      return members?.has((team[3] as string).toLowerCase()) ? [200, { state: "active", role: "member" }] : notFound;
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) return notFound;
    const fullName = `${match[1]}/${match[2]}`;
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) return notFound;
    const rest = match[3] ?? "";

    if (rest === "" && method === "GET") return etagged({ name: repo.name, full_name: fullName, default_branch: repo.defaultBranch, owner: { login: repo.owner } });

    let m: RegExpExecArray | null;
    if (/^\/git\/trees\//.test(rest) && !this.treesServed) return notFound;
    if ((m = /^\/git\/trees\/(.+)$/.exec(rest)) && method === "GET") {
      const ref = m[1] as string;
      const commitSha = repo.branches.get(ref) ?? ref;
      const treeSha = repo.commits.get(commitSha)?.tree ?? ref;
      const tree = this.trees.get(treeSha);
      if (!tree) return notFound;
      let listing = query.get("recursive") ? this.listRecursive(tree) : this.listOne(tree);
      if (query.get("recursive") && listing.entries.length > this.recursiveTreeLimit) listing = { entries: listing.entries.slice(0, this.recursiveTreeLimit), truncated: true };
      const data = { sha: tree.sha, truncated: listing.truncated, tree: listing.entries.map((entry) => ({ ...entry, url: "" })) };
      return repo.branches.has(ref) ? etagged(data) : [200, data];
    }
    if ((m = /^\/git\/blobs\/([0-9a-f]+)$/.exec(rest)) && method === "GET") {
      const text = this.blobs.get(m[1] as string);
      return text === undefined ? notFound : [200, { sha: m[1], content: Buffer.from(text).toString("base64"), encoding: "base64" }];
    }
    if ((m = /^\/contents\/?(.*)$/.exec(rest)) && method === "GET") {
      const ref = query.get("ref") ?? repo.defaultBranch;
      const sha = repo.branches.get(ref) ?? ref;
      const files = repo.commits.get(sha)?.files ?? {};
      const path = (m[1] ?? "").replace(/\/$/, "");
      const text = files[path];
      // A file: its raw text when asked for in the raw media type (as roleguard asks), else GitHub's JSON with the text in base64.
      if (text !== undefined && (/raw/.test(String(headers.accept ?? "")) || !headers.accept)) return [200, text];
      if (text !== undefined) return [200, { type: "file", name: path.split("/").at(-1), path, sha: blobSha(text), encoding: "base64", content: Buffer.from(text).toString("base64") }];
      // A folder: its entries, as the contents API lists them (files with their blob SHA, folders once).
      const prefix = path ? `${path}/` : "";
      const below = Object.keys(files).filter((file) => file.startsWith(prefix));
      if (below.length === 0) return notFound;
      const entries = new Map<string, Record<string, unknown>>();
      for (const file of below) {
        const [name = "", ...deeper] = file.slice(prefix.length).split("/");
        const entryPath = `${prefix}${name}`;
        entries.set(entryPath, deeper.length > 0 ? { type: "dir", name, path: entryPath, sha: "0".repeat(40) } : { type: "file", name, path: entryPath, sha: blobSha(files[file] as string) });
      }
      return [200, [...entries.values()] as unknown as nock.Body];
    }
    if ((m = /^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest)) && method === "GET") {
      // A PR's head: its commits, paged as the compare API pages them past 250; else a merge group's messages.
      const pull = [...repo.pulls.values()].find((each) => each.head.sha === m?.[2]);
      const all = pull
        ? pull.commits.map((commit) => ({ sha: commit.sha, author: commit.author ? { login: commit.author } : null, committer: commit.committer ? { login: commit.committer } : null, commit: { message: commit.message } }))
        : (this.mergeCommits.get(m[2] as string) ?? []).map((message) => ({ sha: "0".repeat(40), commit: { message } }));
      const perPage = Number(query.get("per_page") ?? 250);
      const page = Number(query.get("page") ?? 1);
      const commits = all.slice(0, pull ? this.compareCommitsCap : Infinity).slice((page - 1) * perPage, page * perPage);
      return [200, { merge_base_commit: { sha: m[1] }, files: [], total_commits: all.length, commits }];
    }
    const conversation = this.conversationRoute(fullName, repo, method, rest, body);
    if (conversation) return conversation;
    if (rest === "/pulls" && method === "GET") {
      const open = [...repo.pulls.values()].filter((pull) => pull.state === "open" && (query.get("state") ?? "open") === "open");
      // As listed, a PR was updated when it last changed (a delivery's payload says "just now" instead).
      const listed = pageOf(open.map((pull) => ({ ...this.pullPayload(repo, pull), updated_at: pull.updatedAt })));
      return etagged(listed.items, listed.link);
    }
    if ((m = /^\/pulls\/(\d+)(\/.*)?$/.exec(rest))) {
      const pull = repo.pulls.get(Number(m[1]));
      if (!pull) return notFound;
      // The PR as a unified diff, when asked for in that media type (as danger-js reads a PR).
      if (!m[2] && method === "GET" && /diff/.test(String(headers.accept ?? ""))) return [200, this.pullDiff(repo, pull)];
      return this.pullRoute(fullName, repo, pull, method, m[2] ?? "", query, body);
    }
    if ((m = /^\/commits\/([0-9a-f]{40})\/pulls$/.exec(rest)) && method === "GET") {
      // The PRs whose head is this commit (GitHub also lists merged PRs that brought it in; none here).
      const sha = m[1];
      return [200, [...repo.pulls.values()].filter((pull) => pull.head.sha === sha).map((pull) => this.pullPayload(repo, pull)) as unknown as nock.Body];
    }
    if ((m = /^\/commits\/([^/]+)\/check-runs$/.exec(rest)) && method === "GET") {
      const name = query.get("check_name");
      const runs = repo.checkRuns.filter((run) => run.head_sha === m?.[1] && (!name || run.name === name));
      return [200, { total_count: runs.length, check_runs: runs.map((run) => ({ ...run, app: { id: 1 } })) }];
    }
    if (rest === "/check-runs" && method === "POST") {
      const run: FakeCheckRun = { id: this.nextCheckRunId++, name: String(body.name), head_sha: String(body.head_sha), status: String(body.status ?? "queued"), annotations: [], updates: 0, started_at: this.tick() };
      this.applyCheckRun(run, body);
      repo.checkRuns.push(run);
      return [201, run];
    }
    if ((m = /^\/check-runs\/(\d+)$/.exec(rest)) && method === "PATCH") {
      const run = repo.checkRuns.find((each) => each.id === Number(m?.[1]));
      if (!run) return notFound;
      run.updates++;
      this.applyCheckRun(run, body);
      return [200, run];
    }
    return notFound;
  }

  /**
   * The search API's issues search, for the qualifiers reconciliation uses:
   * `is:pr`, `is:open`, `org:`/`user:` and `updated:>=` / `updated:>` a time.
   * Paged like GitHub's (without its `next` links); its 1,000-result ceiling is not modelled.
   */
  private searchIssues(q: string, page: number, perPage: number): nock.ReplyFnResult {
    const terms = q.split(/\s+/).filter(Boolean);
    const owner = terms.find((term) => /^(org|user):/.test(term))?.replace(/^(org|user):/, "").toLowerCase();
    const since = terms.find((term) => term.startsWith("updated:"))?.replace(/^updated:/, "");
    const after = since ? Date.parse(since.replace(/^>=?/, "")) : -Infinity;
    const strict = since?.startsWith(">") && !since.startsWith(">=");
    const items: Record<string, unknown>[] = [];
    for (const repo of this.repos.values()) {
      if (owner && repo.owner.toLowerCase() !== owner) continue;
      for (const pull of repo.pulls.values()) {
        if (terms.includes("is:open") && pull.state !== "open") continue;
        const updated = Date.parse(pull.updatedAt ?? "");
        if (strict ? !(updated > after) : !(updated >= after)) continue;
        items.push({ number: pull.number, state: pull.state, updated_at: pull.updatedAt, repository_url: `${this.baseUrl}/repos/${repo.owner}/${repo.name}`, pull_request: { url: "" } });
      }
    }
    return [200, { total_count: items.length, incomplete_results: false, items: items.slice((page - 1) * perPage, page * perPage) }];
  }

  /** GitHub's GraphQL API, for the one query roleguard sends (`RoleguardPolicy`: policy folders of a repository and its org's `.github`). */
  private graphql(body: Record<string, unknown>): nock.ReplyFnResult {
    const query = String(body.query ?? "");
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    if (!/query RoleguardPolicy\b/.test(query)) return [400, { message: "fake GitHub: only the RoleguardPolicy query is served" }];
    const owner = String(variables.owner);
    const errors: { type: string; path: string[]; message: string }[] = [];
    const folders = (fullName: string, prefix: string, alias: string) => {
      const repo = this.repos.get(fullName.toLowerCase());
      if (!repo) {
        errors.push({ type: "NOT_FOUND", path: [alias], message: `Could not resolve to a Repository with the name '${fullName}'.` });
        return null;
      }
      const out: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(variables)) {
        if (!name.startsWith(prefix) || typeof value !== "string") continue;
        out[`f${name.slice(prefix.length)}`] = this.graphFolder(repo, value.replace(/^HEAD:/, ""));
      }
      return out;
    };
    const data: Record<string, unknown> = { repo: folders(`${owner}/${String(variables.name)}`, "repo", "repo") };
    if (variables.withOrg) data.org = folders(`${owner}/.github`, "org", "org");
    return [200, errors.length > 0 ? { data, errors } : { data }];
  }

  /** A folder of a repository's default branch as the RoleguardPolicy query selects it: four levels, then subfolders by name only. */
  private graphFolder(repo: FakeRepo, folder: string): Record<string, unknown> | null {
    let tree = this.trees.get(repo.commits.get(repo.branches.get(repo.defaultBranch) as string)?.tree ?? "");
    for (const segment of folder.split("/").filter(Boolean)) {
      const entry = tree?.entries.find((each) => each.path === segment && each.type === "tree");
      tree = entry ? this.trees.get(entry.sha) : undefined;
    }
    if (!tree) return null;
    const level = (node: TreeObject, depth: number): Record<string, unknown>[] =>
      node.entries.map((entry) => {
        let object: Record<string, unknown>;
        if (entry.type === "blob") {
          const text = this.blobs.get(entry.sha) ?? "";
          const binary = text.includes("\u0000");
          object = { text: binary ? null : text, isBinary: binary, isTruncated: false };
        } else object = depth < 4 ? { entries: level(this.trees.get(entry.sha) as TreeObject, depth + 1) } : {};
        return { name: entry.path, type: entry.type, oid: entry.sha, object };
      });
    return { entries: level(tree, 1) };
  }

  private pullRoute(fullName: string, repo: FakeRepo, pull: FakePull, method: string, sub: string, query: URLSearchParams, body: Record<string, unknown>): nock.ReplyFnResult {
    const page = Number(query.get("page") ?? 1);
    const perPage = Number(query.get("per_page") ?? 30);
    const paginate = (items: unknown[], cap = Infinity): nock.ReplyFnResult => {
      const capped = items.slice(0, cap);
      const slice = capped.slice((page - 1) * perPage, page * perPage);
      const last = Math.max(1, Math.ceil(capped.length / perPage));
      const url = (to: number) => `<${this.baseUrl}/repos/${fullName}/pulls/${pull.number}${sub}?per_page=${perPage}&page=${to}>`;
      // As GitHub links pages: `next`, and `last` naming the last page.
      const link = page < last ? { link: `${url(page + 1)}; rel="next", ${url(last)}; rel="last"` } : undefined;
      return link ? [200, slice as nock.Body, link] : [200, slice as nock.Body];
    };
    if (sub === "" && method === "GET") return [200, this.pullPayload(repo, pull)];
    if (sub === "/requested_reviewers" && method === "GET") return [200, { users: pull.requested_reviewers, teams: pull.requested_teams }];
    if (sub === "/files" && method === "GET") return paginate(this.pullFiles(repo, pull), this.listFilesCap);
    if (sub === "/commits" && method === "GET") {
      return paginate(
        pull.commits.map((commit, index) => ({
          sha: commit.sha,
          url: `${this.baseUrl}/repos/${fullName}/commits/${commit.sha}`,
          parents: [{ sha: index > 0 ? (pull.commits[index - 1]?.sha as string) : pull.base.sha }],
          author: commit.author ? { login: commit.author } : null,
          committer: commit.committer ? { login: commit.committer } : null,
          commit: {
            message: commit.message,
            author: { name: commit.author ?? "unknown", email: `${commit.author ?? "unknown"}@users.noreply.github.com`, date: new Date(this.clock).toISOString() },
            committer: { name: commit.committer ?? "unknown", email: `${commit.committer ?? "unknown"}@users.noreply.github.com`, date: new Date(this.clock).toISOString() },
            tree: { sha: repo.commits.get(commit.sha)?.tree ?? "", url: "" },
          },
        })),
        250,
      );
    }
    if (sub === "/reviews" && method === "GET") return paginate(pull.reviews.map((review, index) => ({ id: index + 1, user: { login: review.user }, state: review.state, commit_id: review.commit_id })));
    if (sub === "/requested_reviewers" && method === "POST") {
      const reviewers = (body.reviewers as string[] | undefined) ?? [];
      const teams = (body.team_reviewers as string[] | undefined) ?? [];
      if (reviewers.some((login) => login.toLowerCase() === pull.user.login.toLowerCase() || this.unrequestable.has(login.toLowerCase()))) {
        return [422, { message: "Reviews may only be requested from collaborators." }];
      }
      this.reviewRequests.push({ repo: fullName, pull: pull.number, reviewers, teams });
      pull.requested_reviewers.push(...reviewers.map((login) => ({ login })));
      pull.requested_teams.push(...teams.map((slug) => ({ slug })));
      return [201, this.pullPayload(repo, pull)];
    }
    return [404, { message: "Not Found" }];
  }

  pullPayload(repo: FakeRepo | string, pull: FakePull): Record<string, unknown> {
    const record = typeof repo === "string" ? this.mustRepo(repo) : repo;
    return {
      number: pull.number,
      state: pull.state,
      user: pull.user,
      head: { ...pull.head, repo: { name: record.name, full_name: `${record.owner}/${record.name}`, owner: { login: record.owner } } },
      base: { ...pull.base, repo: { name: record.name, full_name: `${record.owner}/${record.name}`, owner: { login: record.owner }, default_branch: record.defaultBranch } },
      body: pull.body,
      labels: pull.labels,
      changed_files: this.pullFiles(record, pull).length,
      // A live delivery's PR was updated just now; tests of redeliveries set an older time.
      updated_at: new Date().toISOString(),
      requested_reviewers: pull.requested_reviewers,
      requested_teams: pull.requested_teams,
    };
  }

  repositoryPayload(fullName: string): Record<string, unknown> {
    const repo = this.mustRepo(fullName);
    return { name: repo.name, full_name: fullName, owner: { login: repo.owner, type: "Organization" }, default_branch: repo.defaultBranch, private: true };
  }

  /** The PR's change as `git diff` prints it: whole files, one hunk each (enough for a diff parser). */
  pullDiff(repo: FakeRepo, pull: FakePull): string {
    const base = repo.commits.get(pull.base.sha)?.files ?? {};
    const head = repo.commits.get(pull.head.sha)?.files ?? {};
    let out = "";
    for (const path of [...new Set([...Object.keys(base), ...Object.keys(head)])].sort()) {
      const before = base[path];
      const after = head[path];
      if (before === after) continue;
      out += `diff --git a/${path} b/${path}\n`;
      if (before === undefined) out += "new file mode 100644\n";
      if (after === undefined) out += "deleted file mode 100644\n";
      out += `--- ${before === undefined ? "/dev/null" : `a/${path}`}\n+++ ${after === undefined ? "/dev/null" : `b/${path}`}\n${hunk(before, after)}\n`;
    }
    return out;
  }

  /** The PR's files as the pulls-files API lists them: diff of base and head, renames as configured. */
  pullFiles(repo: FakeRepo, pull: FakePull): Record<string, unknown>[] {
    const base = repo.commits.get(pull.base.sha)?.files ?? {};
    const head = repo.commits.get(pull.head.sha)?.files ?? {};
    const renamedFrom = new Set(Object.values(pull.renames));
    const files: Record<string, unknown>[] = [];
    for (const path of [...new Set([...Object.keys(base), ...Object.keys(head)])].sort()) {
      if (renamedFrom.has(path) && !(path in head)) continue;
      const before = base[path];
      const after = head[path];
      if (before === after) continue;
      const previous = pull.renames[path];
      const copiedFrom = pull.copies[path];
      if (previous !== undefined) files.push({ filename: path, previous_filename: previous, status: "renamed", sha: blobSha(after ?? "") });
      else if (copiedFrom !== undefined && before === undefined) files.push({ filename: path, previous_filename: copiedFrom, status: "copied", sha: blobSha(after as string) });
      else if (before === undefined) files.push({ filename: path, status: "added", sha: blobSha(after as string) });
      else if (after === undefined) files.push({ filename: path, status: "removed", sha: blobSha(before) });
      else files.push({ filename: path, status: "modified", sha: blobSha(after) });
      // The hunk GitHub gives in `patch` (danger-js builds its diff from it); a submodule's is its gitlink line.
      (files.at(-1) as Record<string, unknown>).patch = gitlinkPatch(before, after) ?? hunk(before, after);
    }
    return files;
  }

  private applyCheckRun(run: FakeCheckRun, body: Record<string, unknown>): void {
    if (body.status) run.status = String(body.status);
    if (body.conclusion) {
      run.conclusion = String(body.conclusion);
      run.status = "completed";
    }
    if (body.actions) run.actions = body.actions as unknown[];
    const output = body.output as FakeCheckRun["output"] | undefined;
    if (output) {
      run.output = { ...run.output, ...output };
      run.annotations.push(...(output.annotations ?? []));
    }
  }

  private writeTree(files: Files): string {
    const root: Record<string, unknown> = {};
    for (const [path, text] of Object.entries(files)) {
      const parts = path.split("/");
      let node = root;
      for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      node[parts.at(-1) as string] = text;
    }
    return this.writeNode(root);
  }

  private writeNode(node: Record<string, unknown>): string {
    const entries = Object.keys(node)
      .sort()
      .map((name) => {
        const value = node[name];
        // A submodule is a gitlink in its tree, as in git's: type commit, mode 160000, the pinned commit's SHA.
        if (typeof value === "string" && value.startsWith(GITLINK)) return { path: name, mode: "160000", type: "commit" as const, sha: value.slice(GITLINK.length) };
        if (typeof value === "string") {
          const sha = blobSha(value);
          this.blobs.set(sha, value);
          return { path: name, mode: "100644", type: "blob" as const, sha };
        }
        return { path: name, mode: "040000", type: "tree" as const, sha: this.writeNode(value as Record<string, unknown>) };
      });
    const sha = gitHash("tree", entries.map((entry) => `${entry.mode} ${entry.path} ${entry.sha}`).join("\n"));
    this.trees.set(sha, { sha, entries });
    return sha;
  }

  private listOne(tree: TreeObject): { entries: TreeObject["entries"]; truncated: boolean } {
    if (!this.truncatedTrees.has(tree.sha)) return { entries: tree.entries, truncated: false };
    return { entries: tree.entries.slice(0, Math.ceil(tree.entries.length / 2)), truncated: true };
  }

  private listRecursive(tree: TreeObject, prefix = ""): { entries: TreeObject["entries"]; truncated: boolean } {
    const own = this.listOne(tree);
    let truncated = own.truncated;
    const entries = own.entries.flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry.path}` : entry.path;
      const self = { ...entry, path };
      if (entry.type !== "tree") return [self];
      const below = this.listRecursive(this.trees.get(entry.sha) as TreeObject, path);
      truncated ||= below.truncated;
      return [self, ...below.entries];
    });
    return { entries, truncated };
  }

  private mustRepo(fullName: string): FakeRepo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`no fake repo ${fullName}`);
    return repo;
  }
}

/** A fake GitHub answering at `baseUrl`, with every other host unreachable: the set-up each app test starts with. */
export function startFakeGitHub(baseUrl?: string): FakeGitHub {
  nock.disableNetConnect();
  const fake = new FakeGitHub(baseUrl);
  fake.start();
  return fake;
}

export function stopFakeGitHub(fake: FakeGitHub): void {
  fake.stop();
  nock.enableNetConnect();
}
