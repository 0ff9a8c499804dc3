/**
 * `roleguard history` (SPEC §9, issue 12 item 5): the first-parent history
 * replayed through the engine with the policy as it is now, on scratch
 * repositories with merge commits and squash-style linear history, and on
 * this repository's own history.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runHistory } from "../../src/history/run.js";
import type { HistorySummary } from "../../src/history/summary.js";
import { ProgressBar } from "../../src/history/progress.js";
import { runRoleguard } from "../helpers/cli.js";
import { policyFiles } from "../helpers/scenario.js";
import { ScratchRepo } from "../helpers/scratch-repo.js";

const TESTER = "constraints:\n  forbidden_paths:\n    - secrets/\n  requires_approval_for:\n    - add_dependencies\n";
const pkg = (deps: Record<string, string>) => `${JSON.stringify({ name: "app", dependencies: deps }, null, 2)}\n`;

/** main: base; a merged branch adding a dependency; a merged branch touching secrets/; a direct commit to the README. */
function mergedHistory(): { repo: ScratchRepo; shas: Record<string, string> } {
  const repo = ScratchRepo.create();
  repo.write({ "README.md": "# app\n", "package.json": pkg({ express: "^4.19.0" }), ...policyFiles({ tester: TESTER }) });
  const base = repo.commit("base");
  repo.branch("deps").write({ "package.json": pkg({ express: "^4.19.0", lodash: "^4.17.21" }) }).commit("add lodash");
  repo.checkout("main").git("merge", "--quiet", "--no-ff", "-m", "Merge pull request #1 from acme/deps", "deps");
  const deps = repo.head();
  repo.branch("keys").write({ "secrets/prod.key": "k\n" }).commit("add a key");
  repo.checkout("main").git("merge", "--quiet", "--no-ff", "-m", "Merge pull request #2 from acme/keys", "keys");
  const keys = repo.head();
  repo.write({ "README.md": "# app\n\nMore.\n" });
  const readme = repo.commit("docs: README");
  return { repo, shas: { base, deps, keys, readme } };
}

async function historyJson(dir: string, args: string[]): Promise<{ code: number; summary: HistorySummary; stderr: string }> {
  const { code, stdout, stderr } = await runRoleguard(["history", "--format", "json", ...args], dir);
  return { code, summary: JSON.parse(stdout) as HistorySummary, stderr };
}

describe("roleguard history on a repository with merge commits", () => {
  it("replays each first-parent step: verdicts, exit codes, categories and the flagged changes", async () => {
    const { repo, shas } = mergedHistory();
    const { code, summary, stderr } = await historyJson(repo.dir, ["--role", "tester"]);

    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(summary).toMatchObject({
      version: 1,
      head: shas.readme,
      policy_at: shas.readme,
      roles: ["tester (--role)"],
      changes: 3,
      merges: 2,
      skipped_roots: 1,
      conclusions: { success: 1, neutral: 0, action_required: 1, failure: 1, error: 0 },
      exit_codes: { "0": 1, "1": 2, "2": 0 },
      categories: { add_dependencies: { changes: 1, findings: 1 }, forbidden_paths: { changes: 1, findings: 1 } },
    });
    expect(summary.flagged.map((each) => [each.sha, each.conclusion, each.categories, each.merge])).toEqual([
      [shas.keys, "failure", ["forbidden_paths"], true],
      [shas.deps, "action_required", ["add_dependencies"], true],
    ]);
    expect(summary.flagged[1]?.subject).toBe("Merge pull request #1 from acme/deps");
  });

  it("times each change and git diff --name-status on the same pairs", async () => {
    const { repo } = mergedHistory();
    const { summary } = await historyJson(repo.dir, ["--role", "tester"]);
    const { roleguard_ms: engine, git_diff_name_status_ms: git } = summary.timing;
    for (const spread of [engine, git]) {
      expect(spread.median).toBeGreaterThan(0);
      expect(spread.p95).toBeGreaterThanOrEqual(spread.median);
      expect(spread.total).toBeGreaterThanOrEqual(spread.p95);
    }
    expect(summary.timing.median_ratio).toBeCloseTo(engine.median / git.median, 1);
  });

  it("--max N replays only the newest N", async () => {
    const { repo, shas } = mergedHistory();
    const { summary } = await historyJson(repo.dir, ["--role", "tester", "--max", "2"]);
    expect([summary.changes, summary.skipped_roots, summary.flagged.map((each) => each.sha)]).toEqual([2, 0, [shas.keys]]);
  });

  it("applies the policy as it is now to older changes", async () => {
    const { repo, shas } = mergedHistory();
    // Today the role also forbids the README: yesterday's README commit would now fail.
    repo.write(policyFiles({ tester: `${TESTER.replace("    - secrets/\n", "    - secrets/\n    - README.md\n")}` }));
    const policy = repo.commit("policy: the README is off limits");
    const { summary } = await historyJson(repo.dir, ["--role", "tester"]);
    expect(summary.policy_at).toBe(policy);
    expect(summary.flagged.filter((each) => each.conclusion === "failure").map((each) => each.sha)).toContain(shas.readme);
  });

  it("the text report names the flagged changes and the totals; no progress bar off a terminal", async () => {
    const { repo, shas } = mergedHistory();
    const { code, stdout, stderr } = await runRoleguard(["history", "--role", "tester"], repo.dir);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain("3 changes on the first-parent history");
    expect(stdout).toContain("verdicts: 1 pass, 1 need approval, 1 fail, 0 neutral");
    expect(stdout).toContain("exit codes check would give: 0 × 1, 1 × 2, 2 × 0");
    expect(stdout).toMatch(/would have failed \(1\):\n {2}\w{7} \S+ Merge pull request #2 from acme\/keys\n {6}\S/);
    expect(stdout).toContain(shas.deps?.slice(0, 7));
    expect(stdout).toMatch(/time per change \(3\): roleguard median [\d.]+ ms, p95 [\d.]+ ms; git diff --name-status median [\d.]+ ms/);
  });

  it("without --role: the config's default_role, or neutral when none applies", async () => {
    const { repo } = mergedHistory();
    const neutral = await historyJson(repo.dir, []);
    expect(neutral.summary.conclusions).toMatchObject({ neutral: 3 });
    repo.write({ ".github/roleguard.yml": "default_role: tester\n" });
    repo.commit("config: default role");
    const assigned = await historyJson(repo.dir, []);
    expect(assigned.summary.roles).toEqual(["tester (default_role)"]);
    // The config commit is a change too, and governance holds a role-bound author to it.
    expect(assigned.summary.conclusions).toMatchObject({ success: 1, failure: 1, action_required: 2 });
    expect(assigned.summary.categories).toMatchObject({ governance: { changes: 1, findings: 1 } });
  });

  it("usage errors exit 2 with a message", async () => {
    const { repo } = mergedHistory();
    for (const args of [["--role", "nobody"], ["--max", "0"], ["--max", "many"], ["--format", "yaml"]]) {
      const { code, stderr } = await runRoleguard(["history", ...args], repo.dir);
      expect(code).toBe(2);
      expect(stderr).toMatch(/unknown role nobody|--max must be|yaml/);
    }
  });
});

describe("roleguard history on a squash-merge (linear) history", () => {
  it("each commit is one change", async () => {
    const repo = ScratchRepo.create();
    repo.write({ "README.md": "# app\n", ...policyFiles({ tester: TESTER }) });
    repo.commit("base");
    repo.write({ "package.json": pkg({ zod: "^4.0.0" }) });
    const squashed = repo.commit("Add zod (#3)");
    repo.write({ "src/a.ts": "export {};\n" });
    repo.commit("Add a (#4)");
    const { summary } = await historyJson(repo.dir, ["--role", "tester"]);
    expect([summary.changes, summary.merges, summary.conclusions.action_required, summary.flagged[0]?.sha]).toEqual([2, 0, 1, squashed]);
  });
});

describe("the progress bar", () => {
  it("draws on a terminal's stderr with --format text, and never with --format json", async () => {
    const { repo } = mergedHistory();
    for (const format of ["text", "json"] as const) {
      let stderr = "";
      let stdout = "";
      const code = await runHistory({ max: "10", role: ["tester"], head: "HEAD", format }, { cwd: repo.dir, env: {}, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), stderrIsTTY: true });
      expect(code).toBe(0);
      if (format === "text") expect(stderr).toMatch(/\r\[#+\] 3\/3 \w{7}/);
      else {
        expect(stderr).toBe("");
        expect(() => JSON.parse(stdout)).not.toThrow();
      }
    }
  });

  it("fills up to the total and clears its line when done", () => {
    let out = "";
    const bar = new ProgressBar(2, (text) => (out += text), 4);
    bar.tick("a");
    bar.tick("b");
    bar.done();
    expect(out).toBe("\r[##..] 1/2 a\u001b[K\r[####] 2/2 b\u001b[K\r\u001b[K");
  });
});

// This repository's own history, when the tests run in a clone (a tarball has no .git).
describe.skipIf(!existsSync(new URL("../../.git", import.meta.url)))("roleguard history on roleguard's own history", () => {
  it("replays the newest 15 changes with the built-in contractor role, every one accounted for", async () => {
    const root = new URL("../..", import.meta.url).pathname;
    const { code, summary } = await historyJson(root, ["--role", "contractor", "--max", "15"]);
    expect(code).toBe(0);
    expect(summary.changes + summary.skipped_roots).toBeGreaterThan(0);
    expect(summary.changes).toBeLessThanOrEqual(15);
    const { success, neutral, action_required, failure, error } = summary.conclusions;
    expect(success + neutral + action_required + failure + error).toBe(summary.changes);
    expect(error).toBe(0);
  });
});
