import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { startFakeGitHub, stopFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import { newAppState } from "../../src/app/state.js";

/**
 * A delivery run a second time on another replica (its first attempt's
 * replica died after creating the check run, before it could share the run's
 * id) is a live `opened`, yet its head already has a run: it must be looked
 * up and updated, not created again (issue 11: one check run per commit).
 */
const REPO = "acme/shop";
let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  fake.repo(REPO, { files: { ".github/roleguard.yml": 'assign:\n  - role: agent\n    users: ["*-agent[bot]"]\n', ".github/roles/agent.md": roleMd("role: agent\nconstraints:\n  forbidden_paths: [secrets/]") } });
});
afterEach(() => stopFakeGitHub(fake));

describe("a delivery run again", () => {
  it("by a replica that knows it is a re-run: the run the first attempt created is updated, not doubled", async () => {
    const pull = fake.pull(REPO, { number: 3, author: "ops-agent[bot]", head: { "secrets/k": "x\n" } });
    const id = randomUUID();
    const event = pullRequestEvent(fake, REPO, pull, "opened");
    await deliver(testProbot().probot, "pull_request", event, id);
    const survivor = newAppState();
    survivor.reruns.set(id, true);
    await deliver(testProbot(survivor).probot, "pull_request", event, id);
    expect(fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha)).toHaveLength(1);
  });

  it("the same delivery taken for a first one on a fresh replica would add a run: what the marker prevents", async () => {
    const pull = fake.pull(REPO, { number: 4, author: "ops-agent[bot]", head: { "secrets/k": "x\n" } });
    const id = randomUUID();
    const event = pullRequestEvent(fake, REPO, pull, "opened");
    await deliver(testProbot().probot, "pull_request", event, id);
    await deliver(testProbot().probot, "pull_request", event, id);
    expect(fake.checkRuns(REPO).filter((run) => run.head_sha === pull.head.sha)).toHaveLength(2);
  });
});
