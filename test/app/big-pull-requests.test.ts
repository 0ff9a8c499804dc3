/**
 * Big PRs in a few requests (issue 13 item 3, SPEC §5): a PR of exactly
 * 3,000 files is read from the pulls-files listing, its pages side by side,
 * and trusted because the payload's `changed_files` says 3,000; above the
 * cap, the merge base's and the head's trees are listed recursively and
 * diffed in one pass, walking folders one level at a time only where GitHub
 * truncates a recursive listing. Counted on the fake GitHub — requests and
 * sequential round trips — never timed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { startFakeGitHub, stopFakeGitHub, type FakeGitHub, type Files } from "../helpers/fake-github.js";

const REPO = "acme/monorepo";
const CONFIG = ["assign:", "  - role: guarded", '    users: ["*-agent[bot]"]', ""].join("\n");
const GUARDED = roleMd(["role: guarded", "constraints:", '  forbidden_paths: ["secrets/"]', "  requires_approval_for: [database_migrations, delete_files]"].join("\n"));
const POLICY: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/guarded.md": GUARDED };

/** `folders` folders of ten files each, under `top`. */
function spread(folders: number, tag: string, top = "pkg"): Files {
  const files: Files = {};
  for (let folder = 0; folder < folders; folder++) {
    for (let file = 0; file < 10; file++) files[`${top}/d${String(folder).padStart(3, "0")}/f${file}.ts`] = `export const v = "${tag} ${folder} ${file}";\n`;
  }
  return files;
}

let fake: FakeGitHub;

/** Tree listings by SHA (the branch's root, revalidated by name, is the policy's). */
const treeRequests = () => fake.requests.filter((request) => /\/git\/trees\/[0-9a-f]{40}$/.test(request.path));
const fileListings = () => fake.requests.filter((request) => request.path.endsWith("/files"));
const findings = () => fake.report(fake.checkRuns(REPO).at(-1)).findings.map((finding) => `${finding.category} ${finding.path} ${finding.state}`);

async function open(head: Files, base: Files, options: { withoutCount?: boolean } = {}): Promise<void> {
  fake.repo(REPO, { files: base });
  const pull = fake.pull(REPO, { number: 1, author: "ops-agent[bot]", head });
  // Every answer waits a little, so requests sent together are counted as one round trip.
  fake.delay(/./, 20);
  fake.resetCounts();
  const { probot } = testProbot(undefined, { retry: false });
  const event = pullRequestEvent(fake, REPO, pull, "opened");
  if (options.withoutCount) delete (event.pull_request as Record<string, unknown>).changed_files;
  await deliver(probot, "pull_request", event);
}

describe("big pull requests (issue 13 item 3)", () => {
  beforeEach(() => {
    fake = startFakeGitHub();
    fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  });
  afterEach(() => stopFakeGitHub(fake));

  it("3,000 files over 300 folders, cold: the listing's 30 pages side by side, trusted at exactly 3,000, no tree diff", async () => {
    const base = { ...POLICY, ...spread(300, "old") };
    const head = { ...POLICY, ...spread(300, "new") };
    // Two of the 3,000 are what the role cares about: one forbidden, one needing approval.
    delete head["pkg/d000/f0.ts"];
    delete head["pkg/d000/f1.ts"];
    delete base["pkg/d000/f0.ts"];
    delete base["pkg/d000/f1.ts"];
    head["secrets/key.pem"] = "k\n";
    head["db/migrations/001.sql"] = "create table t();\n";
    await open(head, base);

    expect(fake.pullFiles(fake.repos.get(REPO)!, fake.repos.get(REPO)!.pulls.get(1)!).length).toBe(3000);
    expect(findings()).toEqual(["forbidden_paths secrets/key.pem violation", "database_migrations db/migrations/001.sql pending"]);
    expect(fileListings()).toHaveLength(30);
    expect(treeRequests().filter((request) => /\/git\/trees\/[0-9a-f]{40}$/.test(request.path) && request.path.includes(fake.repos.get(REPO)!.pulls.get(1)!.head.sha))).toEqual([]);
    // Was 645 requests one after another (30 pages, then a folder-by-folder tree diff).
    expect(fake.requests.length).toBeLessThanOrEqual(60);
    // 30 pages, the policy (root, .github listed once, two blobs), the org's, the commits, the head's PRs, the check run: 39, in 7 round trips
    // (5 pages in flight at a time). A loaded machine can split a round in two; an evaluation slower than the
    // one-write budget (2 s) first marks the run in progress, and then completes it with one more write.
    const markedInProgress = fake.requests.some((request) => request.method === "PATCH" && /\/check-runs\/\d+$/.test(request.path));
    expect(fake.requests.length).toBe(markedInProgress ? 40 : 39);
    expect(fake.roundTrips).toBeLessThanOrEqual(10);
  });

  it("without a file count in the payload, the first page's `last` link says how many pages follow, and they go out side by side", async () => {
    const base = { ...POLICY, ...spread(250, "old") };
    const head = { ...POLICY, ...spread(250, "new"), "secrets/key.pem": "k\n" };
    await open(head, base, { withoutCount: true });
    expect(findings()).toEqual(["forbidden_paths secrets/key.pem violation"]);
    expect(fileListings()).toHaveLength(26);
    // Page 1, then the other 25 five at a time: 6 round trips for the listing, not 26.
    expect(fake.roundTrips).toBeLessThanOrEqual(12);
  });

  it("6,000 files over 600 folders: the merge base's and the head's trees listed recursively, diffed in one pass", async () => {
    const base = { ...POLICY, ...spread(600, "old"), "src/removed.ts": "gone\n", "src/moved.ts": "moved\n" };
    const head: Files = { ...POLICY, ...spread(600, "new"), "secrets/key.pem": "k\n", "db/migrations/001.sql": "create table t();\n", "lib/moved.ts": "moved\n" };
    await open(head, base);

    expect(findings()).toEqual(["forbidden_paths secrets/key.pem violation", "database_migrations db/migrations/001.sql pending", "delete_files src/removed.ts pending"]);
    const report = fake.report(fake.checkRuns(REPO).at(-1));
    expect(report.errors).toEqual([]);
    // The payload says 6,003 files: no page of the listing is asked for.
    expect(fileListings()).toEqual([]);
    // Two for the diff (base and head, recursively), one for the policy (.github, recursively).
    expect(treeRequests()).toHaveLength(2 + 1);
    expect(fake.requests.length).toBe(12);
    expect(fake.roundTrips).toBeLessThanOrEqual(9);
  });

  it("walks folder by folder only where GitHub truncates a recursive listing", async () => {
    fake.recursiveTreeLimit = 2500;
    // Three top folders of 2,000 files (2,200 entries each, under the limit); the whole tree is over it.
    const base = { ...POLICY, ...spread(200, "old", "a"), ...spread(200, "old", "b"), ...spread(200, "old", "c") };
    const head: Files = { ...POLICY, ...spread(200, "new", "a"), ...spread(200, "new", "b"), ...spread(200, "old", "c"), "secrets/key.pem": "k\n" };
    await open(head, base);

    expect(findings()).toEqual(["forbidden_paths secrets/key.pem violation"]);
    // Root recursively (truncated) and alone, on both sides; then a and b recursively on both sides,
    // secrets/ on the head's side; c is unchanged and never listed. One more for the policy (.github, recursively).
    expect(treeRequests()).toHaveLength(4 + 4 + 1 + 1);
    expect(fake.requests.length).toBeLessThanOrEqual(25);
  });
});
