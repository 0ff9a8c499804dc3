/**
 * Independent reads of one evaluation overlap (issue 13 item 2): the policy
 * from the default branch, the PR's commits and its files; the open PRs
 * sharing the head; comments and reviews. Measured as counts on a fake GitHub
 * that delays every answer alike — requests in flight at once and sequential
 * round trips — never as wall time. The verdict is the same as without delays.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { startFakeGitHub, stopFakeGitHub, type FakeGitHub, type Files } from "../helpers/fake-github.js";

const REPO = "acme/shop";
const CONFIG = ["assign:", "  - role: guarded", '    users: ["*-agent[bot]"]', ""].join("\n");
const GUARDED = roleMd(["role: guarded", "constraints:", '  forbidden_paths: ["secrets/"]', "  requires_approval_for: [database_migrations]"].join("\n"));
const BASE: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/guarded.md": GUARDED, "src/app.ts": "export const app = 1;\n" };
const twenty = (tag: string): Files => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`src/feature/f${i}.ts`, `export const f${i} = "${tag}";\n`]));
/** Every answer waits this long: long enough that requests sent together are in flight together. */
const DELAY_MS = 40;

let fake: FakeGitHub;

describe("reads in parallel (issue 13 item 2)", () => {
  beforeEach(() => {
    fake = startFakeGitHub();
    fake.repo(REPO, { files: BASE });
    fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  });

  afterEach(() => stopFakeGitHub(fake));

  it("a warm opened and a synchronize overlap their independent reads, with the same verdicts", async () => {
    const { probot } = testProbot(undefined, { retry: false });
    const warm = fake.pull(REPO, { number: 1, author: "ops-agent[bot]", head: { ...BASE, "src/warm.ts": "warm\n" } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, warm, "opened"));
    fake.delay(/./, DELAY_MS);

    fake.resetCounts();
    const pull = fake.pull(REPO, { number: 2, author: "ops-agent[bot]", head: { ...BASE, ...twenty("one"), "db/migrations/1.sql": "x\n" } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    const opened = { requests: fake.requests.length, peak: fake.peakInFlight, roundTrips: fake.roundTrips };
    expect(fake.report(fake.checkRuns(REPO).find((run) => run.head_sha === pull.head.sha)).findings.map((f) => `${f.category} ${f.path} ${f.state}`)).toEqual([
      "database_migrations db/migrations/1.sql pending",
    ]);

    fake.resetCounts();
    fake.push(REPO, 2, { ...BASE, ...twenty("two"), "db/migrations/1.sql": "x\n", "secrets/key": "k\n" });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
    const pushed = { requests: fake.requests.length, peak: fake.peakInFlight, roundTrips: fake.roundTrips };
    // Comments and reviews were waiting for their answers together (the later one arrived with 2 in flight).
    const decisionReads = fake.requests.filter((request) => /\/issues\/2\/comments$|\/pulls\/2\/reviews$/.test(request.path));
    expect(decisionReads).toHaveLength(2);
    expect(Math.max(...decisionReads.map((request) => request.inFlight ?? 0))).toBe(2);
    expect(fake.report(fake.checkRuns(REPO).find((run) => run.head_sha === pull.head.sha)).findings.map((f) => `${f.category} ${f.path} ${f.state}`)).toEqual([
      "forbidden_paths secrets/key violation",
      "database_migrations db/migrations/1.sql pending",
    ]);

    // Read in turn, each request was its own round trip (opened 7 of 7, synchronize 9 of 9). Now: the policy load,
    // the head's other PRs, commits and files go together (4 in flight), then comments with reviews.
    expect({ opened: opened.requests, pushed: pushed.requests }).toEqual({ opened: 7, pushed: 9 });
    expect(opened.peak).toBeGreaterThanOrEqual(3);
    expect(pushed.peak).toBeGreaterThanOrEqual(3);
    expect(opened.roundTrips).toBeLessThanOrEqual(opened.requests - 3);
    expect(pushed.roundTrips).toBeLessThanOrEqual(pushed.requests - 3);
    // The org snapshot and the repository's branch are read together too: 3 round trips when opened, 4 per push.
    expect([opened.roundTrips, pushed.roundTrips]).toEqual([3, 4]);
  });
});
