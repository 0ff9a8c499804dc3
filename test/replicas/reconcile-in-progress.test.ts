import { afterEach, beforeEach, expect, it } from "vitest";
import { newAppState } from "../../src/app/state.js";
import { reconcileOnce } from "../../src/app/sweep.js";
import type { GitHub } from "../../src/sources/github/client.js";
import { testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type Files } from "../helpers/fake-github.js";

/**
 * A replica that died between marking a check in progress and completing it
 * (SIGKILL, an OOM, a node drained) leaves the run `in_progress`; GitHub never
 * finishes it. The next reconciliation pass — on whichever replica's turn it
 * is, with no memory of the head — evaluates that PR and completes the run.
 */
const CONFIG = 'assign:\n  - role: gated\n    users: ["*-agent[bot]"]\n';
const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n---\n";
const BASE: Files = { ".github/roleguard.yml": CONFIG, ".github/roles/gated.md": ROLE, "src/a.ts": "1\n" };

let fake: FakeGitHub;
beforeEach(() => {
  fake = startFakeGitHub();
  fake.repo("acme/api", { files: BASE });
  fake.repo("acme/.github", { files: { "README.md": "org\n" } });
});
afterEach(() => stopFakeGitHub(fake));

it("a check left in_progress by a replica that died is completed by the next reconciliation pass, updated in place", async () => {
  fake.installations.set(7, ["acme/api"]);
  const pull = fake.pull("acme/api", { number: 1, author: "ops-agent[bot]", head: { ...BASE, "secrets/key": "k\n" } });
  // What the dead replica wrote: the run, in progress, and nothing after.
  fake.route("POST", "/repos/acme/api/check-runs", JSON.stringify({ name: "roleguard", head_sha: pull.head.sha, status: "in_progress" }), {});
  expect(fake.checkRuns("acme/api")).toMatchObject([{ status: "in_progress" }]);

  const { probot } = testProbot();
  const state = newAppState();
  const result = await reconcileOnce(probot, (gh: GitHub) => ({ gh, log: probot.log, state }));
  expect(result.evaluated).toBe(1);
  const runs = fake.checkRuns("acme/api");
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ status: "completed", conclusion: "failure" });
  expect(fake.report(runs[0]).findings.map((finding) => finding.category)).toContain("forbidden_paths");
  // Judged now: the next pass leaves it alone.
  expect((await reconcileOnce(probot, (gh: GitHub) => ({ gh, log: probot.log, state: newAppState() }))).evaluated).toBe(0);
});
