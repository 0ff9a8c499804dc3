/**
 * What the check run says: every conclusion of SPEC §5, renames and deletions
 * (SPEC §2), PRs beyond the pulls-files cap (full inspection by tree diff, fail
 * closed on a truncated tree), GitHub's output limits; who is held to which
 * role and where the policy comes from (SPEC §4); review requests (SPEC §6).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, roleMd, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type FakeCheckRun, type FakePull, type Files, type RequestRecord } from "../helpers/fake-github.js";

/** No Octokit retries: nothing here injects a failure, and its scheduler costs ~5 ms a request. */
const quickProbot = () => testProbot(undefined, { retry: false });

let fake: FakeGitHub;

describe("verdicts", () => {
  const REPO = "acme/shop";
  const CONFIG = [
    "assign:",
    "  - role: guarded",
    '    users: ["*-agent[bot]"]',
    "  - role: tidy",
    '    users: ["tidy-bot"]',
    "",
  ].join("\n");
  const GUARDED = roleMd(
    ["role: guarded", "constraints:", '  forbidden_paths: ["secrets/", "generated/"]', "  requires_approval_for: [database_migrations, delete_files]"].join("\n"),
  );
  const TIDY = roleMd(["role: tidy", "constraints:", '  forbidden_paths: ["secrets/"]'].join("\n"));
  const BASE: Files = {
    ".github/roleguard.yml": CONFIG,
    ".github/roles/guarded.md": GUARDED,
    ".github/roles/tidy.md": TIDY,
    "src/app.ts": "export const app = 1;\n",
    "src/old.ts": "export const old = 1;\n",
  };

  beforeEach(() => {
    fake = startFakeGitHub();
    fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  });

  afterEach(() => stopFakeGitHub(fake));

  async function evaluate(pull: Omit<Parameters<FakeGitHub["pull"]>[1], "number"> & { number?: number }, base: Files = BASE): Promise<{ run: FakeCheckRun; pull: FakePull; report: ReturnType<FakeGitHub["report"]> }> {
    if (!fake.repos.has(REPO)) fake.repo(REPO, { files: base });
    const created = fake.pull(REPO, { number: 7, ...pull });
    const { probot } = quickProbot();
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, created, "opened"));
    const runs = fake.checkRuns(REPO);
    expect(runs).toHaveLength(1);
    const run = runs[0] as FakeCheckRun;
    expect(run).toMatchObject({ name: "roleguard", head_sha: created.head.sha, status: "completed" });
    return { run, pull: created, report: fake.report(run) };
  }

  const brief = (report: ReturnType<FakeGitHub["report"]>) =>
    report.findings.map((f) => [f.category, f.path ?? "-", ...(f.previous_path ? [`from ${String(f.previous_path)}`] : []), f.state].join(" "));

  describe("conclusions (SPEC §5)", () => {
    it("success: a role applies and nothing is pending", async () => {
      const { run, report } = await evaluate({ author: "tidy-bot", head: { ...BASE, "src/app.ts": "export const app = 2;\n" } });
      expect(run.conclusion).toBe("success");
      expect(run.output?.title).toBe("Within role tidy: nothing needs approval");
      expect(report).toMatchObject({ version: 1, conclusion: "success", roles: [{ id: "tidy", source: "assign[1].users: tidy-bot" }], findings: [], errors: [] });
      expect(run.annotations).toEqual([]);
    });

    it("neutral: no role applies, and the title says whose PR it is and why", async () => {
      const { run, report } = await evaluate({ author: "carol", head: { ...BASE, "secrets/key.pem": "k\n" } });
      expect(run.conclusion).toBe("neutral");
      expect(run.output?.title).toBe("Not checked: @carol matches no assign entry and there is no default_role");
      expect(report).toMatchObject({ conclusion: "neutral", roles: [], findings: [] });
    });

    it("action_required: only approvals pending", async () => {
      const { run, report } = await evaluate({ author: "ops-agent[bot]", head: { ...BASE, "db/migrations/001_init.sql": "create table t();\n" } });
      expect(run.conclusion).toBe("action_required");
      expect(run.output?.title).toBe("1 approval needed: database_migrations");
      expect(brief(report)).toEqual(["database_migrations db/migrations/001_init.sql pending"]);
      expect(report.findings[0]).toMatchObject({ resolve: "/roleguard approve database_migrations", roles: ["guarded"] });
      expect(run.output?.summary).toContain("| `/roleguard approve database_migrations` |");
      expect(run.annotations).toEqual([
        expect.objectContaining({ path: "db/migrations/001_init.sql", annotation_level: "warning", title: "database_migrations: pending", start_line: 1, end_line: 1 }),
      ]);
    });

    it("failure: a violation, annotated as a failure on the file", async () => {
      const { run, report } = await evaluate({ author: "ops-agent[bot]", head: { ...BASE, "secrets/key.pem": "k\n" } });
      expect(run.conclusion).toBe("failure");
      expect(run.output?.title).toBe("1 forbidden change: secrets/key.pem");
      expect(report.findings).toEqual([expect.objectContaining({ category: "forbidden_paths", path: "secrets/key.pem", state: "violation", detail: "matches secrets/ of role guarded" })]);
      expect(run.annotations).toEqual([expect.objectContaining({ path: "secrets/key.pem", annotation_level: "failure", title: "forbidden_paths: violation" })]);
      expect(run.output?.summary).toContain("`/roleguard override <reason>`");
    });

    it("failure: broken YAML in the default branch's config names the file and the line", async () => {
      const broken = ["assign:", "  - role: guarded", '    users: ["*-agent[bot]"', "request_reviews: true", ""].join("\n");
      const { run, report } = await evaluate({ author: "ops-agent[bot]", head: { ...BASE, ".github/roleguard.yml": broken, "src/app.ts": "2\n" } }, { ...BASE, ".github/roleguard.yml": broken });
      expect(run.conclusion).toBe("failure");
      expect(report.errors).toEqual([{ file: "main:.github/roleguard.yml", line: 4, message: "invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]" }]);
      expect(run.output?.title).toBe("1 policy error: main:.github/roleguard.yml: (line 4): invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]");
      expect(run.output?.summary).toContain("#### ❌ Policy error: the check fails until it is fixed");
      expect(run.output?.summary).toContain("- **`main:.github/roleguard.yml`**, line 4: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a \\]");
      expect(run.output?.summary).toContain("_Not caused by this PR_");
    });

    it("failure: a config that does not validate names the field", async () => {
      const invalid = ["assign:", "  - role: guarded", '    users: ["*-agent[bot]"]', "approvals:", "  min_permission: owner", ""].join("\n");
      const { run, report } = await evaluate({ author: "ops-agent[bot]", head: { ...BASE, ".github/roleguard.yml": invalid, "src/app.ts": "2\n" } }, { ...BASE, ".github/roleguard.yml": invalid });
      expect(run.conclusion).toBe("failure");
      expect(report.errors).toEqual([{ file: "main:.github/roleguard.yml", field: "approvals.min_permission", line: 5, message: "must be one of read, triage, write, maintain, admin" }]);
      expect(run.output?.title).toBe("1 policy error: main:.github/roleguard.yml: approvals.min_permission (line 5): must be one of read, triage, write, maintain, admin");
    });

    it("failure: an error in a role file under .github/roles/ names the file, the field and the line", async () => {
      const brokenRole = ["---", "role: intern", "constraints:", "  forbidden_paths: [secrets/, infra/", "---", "", "An intern.", ""].join("\n");
      const base = { ...BASE, ".github/roles/intern.md": brokenRole };
      const { run, report } = await evaluate({ author: "ops-agent[bot]", head: { ...base, "src/app.ts": "2\n" } }, base);
      expect(run.conclusion).toBe("failure");
      expect(report.errors).toEqual([{ file: ".github/roles/intern.md", line: 4, message: "invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]" }]);
      expect(run.output?.title).toBe("1 policy error: .github/roles/intern.md: (line 4): invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]");
      expect(run.annotations).toEqual([
        { path: ".github/roles/intern.md", start_line: 4, end_line: 4, annotation_level: "failure", title: "roleguard: policy error", message: "invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]" },
      ]);
    });

    it("failure: a role file with a wrong type names the file and the field", async () => {
      const wrong = roleMd(["role: intern", "constraints:", "  forbidden_paths: 42"].join("\n"));
      const base = { ...BASE, ".github/roles/intern.md": wrong };
      const { run, report } = await evaluate({ author: "ops-agent[bot]", head: { ...base, "src/app.ts": "2\n" } }, base);
      expect(run.conclusion).toBe("failure");
      expect(report.errors).toEqual([{ file: ".github/roles/intern.md", field: "constraints.forbidden_paths", line: 4, message: "Invalid input: expected array, received number" }]);
      expect(run.output?.title).toBe("1 policy error: .github/roles/intern.md: constraints.forbidden_paths (line 4): Invalid input: expected array, received number");
    });

    it("failure: a PR proposing a broken config gets the error on the proposed file, while the verdict still comes from main", async () => {
      const proposed = ["assign:", "  - role: guarded", "    users: [\"*-agent[bot]\"", "default_role: tidy", ""].join("\n");
      const { run, report } = await evaluate({
        author: "ops-agent[bot]",
        head: { ...BASE, ".github/roleguard.yml": proposed, "db/migrations/002.sql": "alter table t;\n" },
      });
      expect(run.conclusion).toBe("failure");
      expect(report.errors).toEqual([{ file: ".github/roleguard.yml", line: 4, origin: "proposed", message: "proposed change: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]" }]);
      // main's config still decides who is held to what, and what they found
      expect(report.roles).toEqual([{ id: "guarded", source: "assign[0].users: ops-agent[bot]" }]);
      expect(brief(report)).toEqual(["database_migrations db/migrations/002.sql pending", "governance .github/roleguard.yml pending"]);
      expect(run.annotations).toEqual([
        { path: ".github/roleguard.yml", start_line: 4, end_line: 4, annotation_level: "failure", title: "roleguard: policy error", message: "proposed change: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]" },
        expect.objectContaining({ path: "db/migrations/002.sql", annotation_level: "warning", title: "database_migrations: pending" }),
        expect.objectContaining({ path: ".github/roleguard.yml", annotation_level: "warning", title: "governance: pending" }),
      ]);
      expect(run.output?.title).toBe("1 policy error: .github/roleguard.yml: (line 4): proposed change: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]");
    });

    it("failure: a PR proposing a broken role file gets the error on that file", async () => {
      const proposed = roleMd(["role: intern", "inherits: nobody", "constraints: {}"].join("\n"));
      const { run, report } = await evaluate({ author: "ops-agent[bot]", head: { ...BASE, ".github/roles/intern.md": proposed } });
      expect(run.conclusion).toBe("failure");
      expect(report.errors).toEqual([
        {
          file: ".github/roles/intern.md",
          field: "inherits",
          origin: "proposed",
          message: "proposed change: role intern inherits nobody, which is not defined in any loaded role file or built-in role",
        },
      ]);
      expect(brief(report)).toEqual(["governance .github/roles/intern.md pending"]);
      expect(run.annotations).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: ".github/roles/intern.md", annotation_level: "failure", title: "roleguard: inherits" })]),
      );
    });

    it("a PR proposing a valid config is not an error", async () => {
      const { run, report } = await evaluate({ author: "ops-agent[bot]", head: { ...BASE, ".github/roleguard.yml": `${CONFIG}request_reviews: false\n` } });
      expect(report.errors).toEqual([]);
      expect(run.conclusion).toBe("action_required");
      expect(run.output?.title).toBe("1 approval needed: governance");
    });
  });

  describe("renames and deletions (SPEC §2, §5)", () => {
    it("a rename out of a forbidden folder is one finding under both paths", async () => {
      const base = { ...BASE, "secrets/token.txt": "t0ken\n" };
      const head: Files = { ...base, "src/token.txt": "t0ken\n" };
      delete head["secrets/token.txt"];
      const { run, report } = await evaluate({ author: "ops-agent[bot]", head, renames: { "src/token.txt": "secrets/token.txt" } }, base);
      expect(run.conclusion).toBe("failure");
      expect(report.findings).toEqual([
        expect.objectContaining({ category: "forbidden_paths", path: "src/token.txt", previous_path: "secrets/token.txt", state: "violation", detail: "matches secrets/ of role guarded (old path secrets/token.txt)" }),
      ]);
      expect(run.output?.title).toBe("1 forbidden change: src/token.txt");
    });

    it("a renamed migration is one database_migrations finding with previous_path, not a deletion plus an addition", async () => {
      const base = { ...BASE, "db/migrations/001.sql": "create table t();\n" };
      const head: Files = { ...base, "db/migrations/001_init.sql": "create table t();\n" };
      delete head["db/migrations/001.sql"];
      const { report } = await evaluate({ author: "ops-agent[bot]", head, renames: { "db/migrations/001_init.sql": "db/migrations/001.sql" } }, base);
      expect(brief(report)).toEqual(["database_migrations db/migrations/001_init.sql from db/migrations/001.sql pending"]);
    });

    it("a deleted file is a delete_files finding", async () => {
      const head: Files = { ...BASE };
      delete head["src/old.ts"];
      const { run, report } = await evaluate({ author: "ops-agent[bot]", head });
      expect(run.conclusion).toBe("action_required");
      expect(run.output?.title).toBe("1 approval needed: delete_files");
      expect(report.findings).toEqual([expect.objectContaining({ category: "delete_files", path: "src/old.ts", state: "pending", detail: "file deleted" })]);
    });
  });

  describe("PRs beyond the pulls-files cap (SPEC §5)", () => {
    const BIG_BASE: Files = {
      ...BASE,
      "src/moved/util.ts": "export const util = 'moved';\n",
      ...Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`lib/keep${i}.ts`, `keep ${i}\n`])),
    };

    it("is inspected in full through the tree diff, renames found by identical blob SHA", async () => {
      fake.listFilesCap = 5;
      const head: Files = {
        ...BIG_BASE,
        ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`src/gen/file${i}.ts`, `export const f${i} = ${i};\n`])),
        "db/migrations/003.sql": "create index i;\n",
        "secrets/new.key": "key\n",
        "lib/keep0.ts": "changed\n",
        "src/util.ts": "export const util = 'moved';\n",
      };
      delete head["src/old.ts"];
      delete head["src/moved/util.ts"];
      const { run, report, pull } = await evaluate({ author: "ops-agent[bot]", head }, BIG_BASE);
      expect(fake.pullFiles(fake.repos.get(REPO)!, pull).length).toBeGreaterThan(fake.listFilesCap);
      expect(run.conclusion).toBe("failure");
      expect(brief(report)).toEqual([
        "forbidden_paths secrets/new.key violation",
        "database_migrations db/migrations/003.sql pending",
        "delete_files src/old.ts pending",
      ]);
      expect(report.errors).toEqual([]);
      expect(run.output?.title).toBe("1 forbidden change: secrets/new.key; 2 approvals needed: database_migrations, delete_files");
      // The tree diff, not the first page, is what found the deletion and the rename (no delete_files for src/moved/util.ts).
      expect(fake.requests.some((request) => /\/git\/trees\/[0-9a-f]{40}$/.test(request.path))).toBe(true);
    });

    it("reports every added file of the tree diff, and a moved file as one rename", async () => {
      // A role forbidding src/ makes every file of the change a finding we can count.
      fake.listFilesCap = 3;
      const strict = roleMd(["role: guarded", "constraints:", '  forbidden_paths: ["src/"]', "  requires_approval_for: [delete_files]"].join("\n"));
      const base = { ...BIG_BASE, ".github/roles/guarded.md": strict };
      const head: Files = {
        ...base,
        ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`src/gen/file${i}.ts`, `export const f${i} = ${i};\n`])),
        "src/util.ts": "export const util = 'moved';\n",
      };
      delete head["src/moved/util.ts"];
      const { report } = await evaluate({ author: "ops-agent[bot]", head }, base);
      expect(brief(report)).toEqual([
        ...Array.from({ length: 6 }, (_, i) => `forbidden_paths src/gen/file${i}.ts violation`),
        "forbidden_paths src/util.ts from src/moved/util.ts violation",
      ]);
    });

    it("fails closed when GitHub truncates a changed folder's tree", async () => {
      fake.listFilesCap = 2;
      const base: Files = { ...BASE, ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`big/f${i}.txt`, `${i}\n`])) };
      fake.repo(REPO, { files: base });
      const created = fake.pull(REPO, { number: 7, author: "ops-agent[bot]", head: { ...base, "big/f0.txt": "changed\n", "big/g.txt": "new\n", "src/app.ts": "2\n" } });
      fake.truncate(REPO, created.head.sha, "big");
      const { probot } = quickProbot();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, created, "opened"));
      const run = fake.checkRuns(REPO)[0];
      expect(run?.conclusion).toBe("failure");
      expect(run?.output?.title).toBe("Could not inspect the whole change: GitHub truncated the listing of big");
      expect(fake.report(run).errors).toEqual([{ file: "(pull request)", message: "could not inspect the whole change: GitHub truncated the listing of big" }]);
    });

    it("fails closed when GitHub truncates the tree of a folder the PR adds", async () => {
      fake.listFilesCap = 2;
      fake.repo(REPO, { files: BASE });
      const created = fake.pull(REPO, {
        number: 7,
        author: "ops-agent[bot]",
        head: { ...BASE, ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`vendor/pkg/f${i}.txt`, `${i}\n`])) },
      });
      fake.truncate(REPO, created.head.sha, "vendor/pkg");
      const { probot } = quickProbot();
      await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, created, "opened"));
      const run = fake.checkRuns(REPO)[0];
      expect(run?.conclusion).toBe("failure");
      expect(run?.output?.title).toMatch(/^Could not inspect the whole change: /);
    });
  });

  describe("GitHub's output limits (SPEC §5)", () => {
    /**
     * 2,500 files added under a forbidden folder (ten per subfolder, so each keeps its own annotation)
     * and 300 deleted from one folder (one shared annotation): evaluated once, asserted on by two tests.
     */
    let thousands: Promise<{ run: FakeCheckRun; report: ReturnType<FakeGitHub["report"]>; requests: RequestRecord[] }> | undefined;
    const thousandsOfFindings = () =>
      (thousands ??= (async () => {
        const removed = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`old/r${String(i).padStart(3, "0")}.txt`, `old ${i}\n`]));
        const added = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`generated/d${String(Math.floor(i / 10)).padStart(3, "0")}/f${String(i).padStart(4, "0")}.txt`, `gen ${i}\n`]));
        const { run, report } = await evaluate({ author: "ops-agent[bot]", head: { ...BASE, ...added } }, { ...BASE, ...removed });
        return { run, report, requests: [...fake.requests] };
      })());

    it("thousands of findings: summary and text fit, the JSON block keeps counts and violations first, annotations go 50 per request", async () => {
      const { run, report, requests } = await thousandsOfFindings();

      expect(run.conclusion).toBe("failure");
      expect(run.output?.title).toBe("2500 forbidden changes: generated/d000/f0000.txt, generated/d000/f0001.txt, generated/d000/f0002.txt, ...; 1 approval needed: delete_files");
      expect(run.output?.summary?.length).toBeLessThanOrEqual(65_535);
      expect(run.output?.text?.length).toBeLessThanOrEqual(65_535);
      // The summary lists what fits its budget and says where the rest is, rather than being cut mid-list.
      expect(run.output?.summary).toMatch(/more, listed in the JSON report/);

      expect(report.truncated).toBe(true);
      expect(report.counts).toEqual({ forbidden_paths: { violation: 2500 }, delete_files: { pending: 300 } });
      expect(report.conclusion).toBe("failure");
      expect(report.findings.length).toBeGreaterThan(50);
      expect(report.findings.length).toBeLessThan(2800);
      expect(report.findings.every((finding) => finding.state === "violation")).toBe(true);
      expect(report.findings[0]).toMatchObject({ category: "forbidden_paths", path: "generated/d000/f0000.txt" });

      // Annotations: capped at 500 (MAX_ANNOTATIONS), sent 50 per request, violations first.
      const writes = requests.filter((request) => request.annotations !== undefined);
      expect(writes.every((request) => (request.annotations as number) <= 50)).toBe(true);
      // The first 50 ride on the one create of the completed run, the rest follow in updates.
      expect(writes.map((request) => `${request.method} ${request.annotations}`)).toEqual(["POST 50", ...Array(9).fill("PATCH 50")]);
      expect(run.annotations).toHaveLength(500);
      expect(run.annotations.every((annotation) => (annotation as { annotation_level: string }).annotation_level === "failure")).toBe(true);
    });

    it("thousands of findings: the summary still says that only the first 500 are annotated on files", async () => {
      const { run } = await thousandsOfFindings();
      expect(run.annotations).toHaveLength(500);
      const summary = run.output?.summary ?? "";
      expect(summary.length).toBeLessThanOrEqual(65_535);
      // 2,500 violations one annotation each, the 300 deletions of old/ share one: 2,501 annotations.
      expect(summary.includes("Only the first 500 of 2501 annotations are shown on files"), `summary ends: …${summary.slice(-300)}`).toBe(true);
    });

    it("a few findings: the JSON block is complete, with no counts and no truncated flag", async () => {
      const { report, run } = await evaluate({ author: "ops-agent[bot]", head: { ...BASE, "secrets/a": "a\n", "db/migrations/1.sql": "x\n" } });
      expect(report.truncated).toBeUndefined();
      expect(report.counts).toBeUndefined();
      expect(brief(report)).toEqual(["forbidden_paths secrets/a violation", "database_migrations db/migrations/1.sql pending"]);
      expect(fake.requests.filter((request) => request.annotations !== undefined).map((request) => `${request.method} ${request.annotations}`)).toEqual(["POST 2"]);
      expect(run.output?.text?.startsWith("```json\n")).toBe(true);
      expect(run.output?.text?.trimEnd().endsWith("```")).toBe(true);
    });
  });
});

describe("roles and policy", () => {
  const REPO = "acme/shop";
  const ORG = "acme/.github";
  const APP: Files = { "src/app.ts": "export const app = 1;\n", "docs/guide.md": "# guide\n" };

  beforeEach(() => {
    fake = startFakeGitHub();
  });

  afterEach(() => stopFakeGitHub(fake));

  type PullSpec = Omit<Parameters<FakeGitHub["pull"]>[1], "number" | "head"> & { number?: number; head?: Files };

  /** Creates the repositories (org first, when given), opens one PR and returns its check run and report. */
  async function run(setup: { repo: Files; org?: Files }, pull: PullSpec): Promise<{ run: FakeCheckRun; report: ReturnType<FakeGitHub["report"]>; pull: FakePull }> {
    fake.repo(ORG, { files: setup.org ?? { "README.md": "org\n" } });
    fake.repo(REPO, { files: setup.repo });
    const created = fake.pull(REPO, { number: 7, ...pull, head: { ...setup.repo, ...(pull.head ?? { "src/app.ts": "export const app = 2;\n" }) } });
    await deliver(quickProbot().probot, "pull_request", pullRequestEvent(fake, REPO, created, "opened"));
    const runs = fake.checkRuns(REPO);
    expect(runs).toHaveLength(1);
    return { run: runs[0] as FakeCheckRun, report: fake.report(runs[0]), pull: created };
  }

  const config = (...lines: string[]) => ({ ".github/roleguard.yml": `${lines.join("\n")}\n` });
  const brief = (report: ReturnType<FakeGitHub["report"]>) => report.findings.map((f) => `${f.category} ${f.path ?? "-"} ${f.state}`);
  const routes = () => fake.requests.map((request) => `${request.method} ${request.path}`);

  // A role with exactly one forbidden folder and nothing to approve: which role applied shows in one finding.
  const forbidding = (id: string, folder: string) => roleMd(`role: ${id}\nconstraints:\n  forbidden_paths: ["${folder}"]`);

  describe("who is held to which role (SPEC §4)", () => {
    it("a label adds the role", async () => {
      const { run: check, report } = await run(
        { repo: { ...APP, ...config("assign:", "  - role: contractor", '    labels: ["role:contractor"]') } },
        { author: "dave", labels: [{ name: "role:contractor" }], head: { "deploy/app.yaml": "x\n" } },
      );
      expect(report.roles).toEqual([{ id: "contractor", source: "assign[0].labels: role:contractor" }]);
      expect(check.conclusion).toBe("failure");
      expect(brief(report)).toEqual(["forbidden_paths deploy/app.yaml violation", "deployment deploy/app.yaml pending"]);
      expect(check.output?.summary).toContain("role `contractor` (applied by `assign[0].labels: role:contractor`)");
    });

    it("without the label the same PR is not checked", async () => {
      const { run: check } = await run(
        { repo: { ...APP, ...config("assign:", "  - role: contractor", '    labels: ["role:contractor"]') } },
        { author: "dave", labels: [{ name: "bug" }], head: { "deploy/app.yaml": "x\n" } },
      );
      expect(check.conclusion).toBe("neutral");
      expect(check.output?.title).toBe("Not checked: @dave matches no assign entry and there is no default_role");
    });

    it("team membership adds the role", async () => {
      fake.team("acme/ai-agents", ["robo-dev"]);
      const { report } = await run(
        { repo: { ...APP, ...config("assign:", "  - role: contractor", '    teams: ["acme/ai-agents"]') } },
        { author: "robo-dev", head: { "deploy/app.yaml": "x\n" } },
      );
      expect(report.roles).toEqual([{ id: "contractor", source: "assign[0].teams: robo-dev is in acme/ai-agents" }]);
      expect(routes()).toContain("GET /orgs/acme/teams/ai-agents/memberships/robo-dev");
    });

    it("someone outside the team is not held to it", async () => {
      fake.team("acme/ai-agents", ["robo-dev"]);
      const { run: check, report } = await run(
        { repo: { ...APP, ...config("assign:", "  - role: contractor", '    teams: ["acme/ai-agents"]') } },
        { author: "dave", head: { "deploy/app.yaml": "x\n" } },
      );
      expect(report.roles).toEqual([]);
      expect(check.conclusion).toBe("neutral");
    });

    it("a team lookup GitHub refuses (403: no members permission) does not silently let the PR through as neutral", async () => {
      fake.team("acme/ai-agents", ["robo-dev"]);
      fake.fail(/^GET \/orgs\/acme\/teams\/ai-agents\/memberships\/robo-dev$/, 403, 1);
      const { run: check } = await run(
        { repo: { ...APP, ...config("assign:", "  - role: contractor", '    teams: ["acme/ai-agents"]') } },
        { author: "robo-dev", head: { "deploy/app.yaml": "x\n" } },
      );
      // SPEC §5/§10: what cannot be established fails closed, saying why; "no role applies" would be a guess.
      expect(check.conclusion).toBe("failure");
    });

    it("match_commit_authors: a bot's commit pushed into a person's PR brings the bot's role", async () => {
      const { run: check, report } = await run(
        { repo: { ...APP, ...config("assign:", "  - role: contractor", '    users: ["*-agent[bot]"]', "match_commit_authors: true") } },
        {
          author: "dave",
          head: { "deploy/app.yaml": "x\n" },
          commits: [
            { sha: "a".repeat(40), author: "dave", committer: "dave", message: "start" },
            { sha: "b".repeat(40), author: "ops-agent[bot]", committer: "ops-agent[bot]", message: "deploy tweak" },
          ],
        },
      );
      expect(report.roles).toEqual([{ id: "contractor", source: "assign[0].users: commit author ops-agent[bot]" }]);
      expect(check.conclusion).toBe("failure");
    });

    it("match_commit_authors: false leaves the person's PR unchecked: a commit author brings no role", async () => {
      const { run: check, report } = await run(
        { repo: { ...APP, ...config("assign:", "  - role: contractor", '    users: ["*-agent[bot]"]', "match_commit_authors: false") } },
        {
          author: "dave",
          head: { "deploy/app.yaml": "x\n" },
          commits: [{ sha: "b".repeat(40), author: "ops-agent[bot]", committer: "ops-agent[bot]", message: "deploy tweak" }],
        },
      );
      expect(report.roles).toEqual([]);
      expect(check.conclusion).toBe("neutral");
      // The commits are still read, once, for `Roleguard-Role:` trailers an agent may declare (issue 14).
      expect(routes().filter((route) => route === "GET /repos/acme/shop/pulls/7/commits")).toHaveLength(1);
    });

    it.each<[string, PullSpec, string]>([
      ["copilot", { author: "dave", headRef: "copilot/fix-login" }, "assign[0].agents: copilot (head branch copilot/fix-login)"],
      ["codex", { author: "dave", headRef: "codex/task-42" }, "assign[0].agents: codex (head branch codex/task-42)"],
      [
        "claude",
        { author: "dave", commits: [{ sha: "c".repeat(40), author: "dave", committer: "dave", message: "Fix the login\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n" }] },
        "assign[0].agents: claude (Co-authored-by: Claude <noreply@anthropic.com>)",
      ],
    ])("agents: [%s] matches its fingerprint on a PR under a person's login", async (agent, traits, source) => {
      const { run: check, report } = await run(
        { repo: { ...APP, ...config("assign:", "  - role: contractor", `    agents: [${agent}]`) } },
        { ...traits, head: { "deploy/app.yaml": "x\n" } },
      );
      expect(report.roles).toEqual([{ id: "contractor", source }]);
      expect(check.output?.summary).toContain(`role \`contractor\` (applied by \`${source}\`)`);
      expect(check.conclusion).toBe("failure");
    });

    it("an agent entry does not match another agent's fingerprint", async () => {
      const { run: check } = await run(
        { repo: { ...APP, ...config("assign:", "  - role: contractor", "    agents: [claude]") } },
        { author: "dave", headRef: "copilot/fix-login", head: { "deploy/app.yaml": "x\n" } },
      );
      expect(check.conclusion).toBe("neutral");
    });

    it("default_role holds everyone no entry matches", async () => {
      const { report } = await run(
        { repo: { ...APP, ...config("assign:", "  - role: ai-agent", '    users: ["*-agent[bot]"]', "default_role: contractor") } },
        { author: "dave", head: { "deploy/app.yaml": "x\n" } },
      );
      expect(report.roles).toEqual([{ id: "contractor", source: "default_role (dave matches no assign entry)" }]);
    });

    it("several rules: the PR is held to all of them", async () => {
      const { report } = await run(
        {
          repo: {
            ...APP,
            ".github/roles/docs-only.md": forbidding("docs-only", "docs/"),
            ...config("assign:", "  - role: contractor", '    users: ["dave"]', "  - role: docs-only", '    labels: ["role:docs"]'),
          },
        },
        { author: "dave", labels: [{ name: "role:docs" }], head: { "docs/guide.md": "changed\n", "deploy/app.yaml": "x\n" } },
      );
      expect(report.roles).toEqual([
        { id: "contractor", source: "assign[0].users: dave" },
        { id: "docs-only", source: "assign[1].labels: role:docs" },
      ]);
      expect(brief(report)).toEqual(["forbidden_paths deploy/app.yaml violation", "forbidden_paths docs/guide.md violation", "deployment deploy/app.yaml pending"]);
    });
  });

  describe("the organisation's .github repository (SPEC §4)", () => {
    const ORG_CONFIG = config(
      "assign:",
      "  - role: guarded",
      '    users: ["*-agent[bot]"]',
      "categories:",
      "  database_migrations:",
      '    approvers: { users: ["dba-lead"] }',
      "request_reviews: false",
    );
    const GUARDED = roleMd(["role: guarded", "constraints:", '  forbidden_paths: ["secrets/"]', "  requires_approval_for: [database_migrations, deployment]"].join("\n"));
    const ORG: Files = { "README.md": "org\n", ...ORG_CONFIG, "roles/guarded.md": GUARDED };
    const CHANGE: Files = { "secrets/x.key": "k\n", "db/migrations/001.sql": "create table t();\n" };

    it("a repository without a config of its own gets the org's config and roles", async () => {
      const { run: check, report } = await run({ repo: APP, org: ORG }, { author: "ops-agent[bot]", head: CHANGE });
      expect(report.roles).toEqual([{ id: "guarded", source: "assign[0].users: ops-agent[bot]" }]);
      expect(report.errors).toEqual([]);
      expect(brief(report)).toEqual(["forbidden_paths secrets/x.key violation", "database_migrations db/migrations/001.sql pending"]);
      expect(report.findings[1]).toMatchObject({ approvers: ["@dba-lead"] });
      expect(check.output?.title).toBe("1 forbidden change: secrets/x.key; 1 approval needed: database_migrations");
    });

    it("a repository's own config cannot lower the floor: its ignore is not applied, the org's assign still holds", async () => {
      const repoConfig = config(
        "assign:",
        "  - role: contractor",
        '    users: ["dave"]',
        "approvals:",
        "  min_permission: read",
        "categories:",
        "  database_migrations:",
        '    ignore: ["db/migrations/**"]',
      );
      const { report } = await run({ repo: { ...APP, ...repoConfig }, org: ORG }, { author: "ops-agent[bot]", head: CHANGE });
      expect(report.roles).toEqual([{ id: "guarded", source: "assign[0].users: ops-agent[bot]" }]);
      expect(report.warnings).toContain("categories.database_migrations.ignore in the repository is not applied: the organisation's config is a floor");
      expect(brief(report)).toEqual(["forbidden_paths secrets/x.key violation", "database_migrations db/migrations/001.sql pending"]);
      expect(report.findings[1]).toMatchObject({ approvers: ["@dba-lead"] });
    });

    it("(control) without an org config the same repository ignore does apply", async () => {
      const repoConfig = config("assign:", "  - role: guarded", '    users: ["*-agent[bot]"]', "categories:", "  database_migrations:", '    ignore: ["db/migrations/**"]');
      const repo = { ...APP, ...repoConfig, ".github/roles/guarded.md": GUARDED };
      const { report } = await run({ repo }, { author: "ops-agent[bot]", head: CHANGE });
      expect(report.warnings).toEqual([]);
      expect(brief(report)).toEqual(["forbidden_paths secrets/x.key violation"]);
    });

    it("a repository cannot narrow a category the org leaves at its defaults either", async () => {
      const repoConfig = config("categories:", "  deployment:", '    ignore: ["Dockerfile"]', "    defaults: false");
      const { report } = await run({ repo: { ...APP, ...repoConfig }, org: ORG }, { author: "ops-agent[bot]", head: { Dockerfile: "FROM node\n" } });
      expect(report.warnings).toContain("categories.deployment: the repository's ignore / defaults: false are not applied under an organisation config");
      expect(brief(report)).toEqual(["deployment Dockerfile pending"]);
    });

    it("the repository's assign entries add to the org's", async () => {
      const repoConfig = config("assign:", "  - role: contractor", '    users: ["dave"]');
      const { report } = await run({ repo: { ...APP, ...repoConfig }, org: ORG }, { author: "dave", head: { "deploy/app.yaml": "x\n" } });
      expect(report.roles).toEqual([{ id: "contractor", source: "assign[1].users: dave" }]);
    });

    it("an org role file replaces the built-in role of the same id", async () => {
      const org = { ...ORG, ...config("assign:", "  - role: contractor", '    users: ["dave"]'), "roles/contractor.md": forbidding("contractor", "docs/") };
      const { report } = await run({ repo: APP, org }, { author: "dave", head: { "docs/guide.md": "changed\n", "deploy/app.yaml": "x\n" } });
      // The built-in contractor forbids deploy/ and needs approval for deployment; the org's forbids docs/ only.
      expect(brief(report)).toEqual(["forbidden_paths docs/guide.md violation"]);
      expect(report.findings[0]).toMatchObject({ detail: "matches docs/ of role contractor" });
    });

    it("a repository role file with an org role's id is merged into it, never replaces it (SPEC §1)", async () => {
      const org = { ...ORG, ...config("assign:", "  - role: contractor", '    users: ["dave"]'), "roles/contractor.md": forbidding("contractor", "docs/") };
      const repo = { ...APP, ".github/roles/contractor.md": forbidding("contractor", "src/") };
      const { report } = await run({ repo, org }, { author: "dave", head: { "docs/guide.md": "changed\n", "src/app.ts": "changed\n" } });
      expect(brief(report)).toEqual(["forbidden_paths docs/guide.md violation", "forbidden_paths src/app.ts violation"]);
    });

    it("a broken org config fails the check and names the org's file", async () => {
      const org = { ...ORG, ".github/roleguard.yml": "assign: [\n" };
      const { run: check, report } = await run({ repo: APP, org }, { author: "ops-agent[bot]", head: CHANGE });
      expect(check.conclusion).toBe("failure");
      expect((report.errors as { file: string }[]).map((error) => error.file)).toEqual(["acme/.github:.github/roleguard.yml"]);
    });

    it("a repository with no org .github repository uses its own config", async () => {
      fake.repo(REPO, { files: { ...APP, ...config("assign:", "  - role: contractor", '    users: ["dave"]') } });
      const created = fake.pull(REPO, { number: 7, author: "dave", head: { ...APP, "deploy/app.yaml": "x\n" } });
      await deliver(quickProbot().probot, "pull_request", pullRequestEvent(fake, REPO, created, "opened"));
      const report = fake.report(fake.checkRuns(REPO)[0]);
      expect(report.roles).toEqual([{ id: "contractor", source: "assign[0].users: dave" }]);
      expect(report.errors).toEqual([]);
    });
  });
});

describe("review requests (SPEC §6)", () => {
  const REPO = "acme/shop";

  beforeEach(() => {
    fake = startFakeGitHub();
    fake.repo("acme/.github", { files: { "README.md": "org\n" } });
  });

  afterEach(() => stopFakeGitHub(fake));

  const GUARDED = roleMd(["role: guarded", "constraints:", "  requires_approval_for: [database_migrations, delete_files]"].join("\n"));
  const policy = (approvers: { users?: string[]; teams?: string[] }, extra: string[] = []): Files => ({
    ".github/roles/guarded.md": GUARDED,
    ".github/roleguard.yml": [
      "assign:",
      "  - role: guarded",
      '    users: ["*-agent[bot]"]',
      '    labels: ["role:guarded"]',
      "categories:",
      "  database_migrations:",
      `    approvers: { users: ${JSON.stringify(approvers.users ?? [])}, teams: ${JSON.stringify(approvers.teams ?? [])} }`,
      "  delete_files:",
      '    approvers: { users: ["alice"] }',
      "  add_dependencies:",
      '    approvers: { users: ["deps-owner"] }',
      ...extra,
      "",
    ].join("\n"),
    "src/app.ts": "export const app = 1;\n",
    "src/old.ts": "old\n",
  });
  const MIGRATION = { "db/migrations/001.sql": "create table t();\n" };
  const requestStatuses = () => fake.requests.filter((request) => request.path.endsWith("/requested_reviewers")).map((request) => request.status);

  function open(base: Files, pull: { author?: string; labels?: { name: string }[]; reviews?: { user: string; state: string; commit_id: string }[]; head?: Files } = {}) {
    fake.repo(REPO, { files: base });
    const head: Files = { ...base, ...MIGRATION, ...pull.head };
    delete head["src/old.ts"];
    return fake.pull(REPO, { number: 7, author: pull.author ?? "ops-agent[bot]", head, ...(pull.labels ? { labels: pull.labels } : {}), ...(pull.reviews ? { reviews: pull.reviews } : {}) });
  }

  it("asks the approvers of each pending category once per PR and person or team, across events, pushes and restarts", async () => {
    const pull = open(policy({ users: ["alice", "bob"], teams: ["acme/dba"] }));
    const { probot } = quickProbot();
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "labeled"));
    fake.push(REPO, 7, { ...fake.filesAt(REPO, pull.head.sha), "db/migrations/002.sql": "alter table t;\n" });
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "synchronize"));
    // A restarted app has no memory; the PR's requested reviewers say who was asked.
    await deliver(quickProbot().probot, "pull_request", pullRequestEvent(fake, REPO, pull, "reopened"));
    // alice approves two pending categories: still one request naming her once; deps-owner's category is not pending.
    expect(fake.reviewRequests).toEqual([{ repo: REPO, pull: 7, reviewers: ["alice", "bob"], teams: ["dba"] }]);
    expect(fake.report(fake.checkRuns(REPO)[0]).findings.map((f) => `${f.category} ${f.path} ${String(f.approvers)}`)).toEqual([
      "database_migrations db/migrations/001.sql @alice,@bob,@acme/dba",
      "delete_files src/old.ts @alice",
    ]);
  });

  it("never asks the PR's author", async () => {
    const pull = open(policy({ users: ["alice", "bob"], teams: ["acme/dba"] }), { author: "alice", labels: [{ name: "role:guarded" }] });
    await deliver(quickProbot().probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    expect(fake.checkRuns(REPO)[0]?.conclusion).toBe("action_required");
    expect(fake.reviewRequests).toEqual([{ repo: REPO, pull: 7, reviewers: ["bob"], teams: ["dba"] }]);
    expect(requestStatuses()).toEqual([201]);
  });

  it("never asks someone who already reviewed", async () => {
    const base = policy({ users: ["alice", "bob"], teams: ["acme/dba"] });
    const pull = open(base, { reviews: [{ user: "Bob", state: "COMMENTED", commit_id: "0".repeat(40) }] });
    await deliver(quickProbot().probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    expect(fake.reviewRequests).toEqual([{ repo: REPO, pull: 7, reviewers: ["alice"], teams: ["dba"] }]);
  });

  it("does not ask a team of another organisation, and says so in the summary", async () => {
    const pull = open(policy({ users: ["bob"], teams: ["acme/dba", "other-org/dba"] }));
    await deliver(quickProbot().probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    expect(fake.reviewRequests).toEqual([{ repo: REPO, pull: 7, reviewers: ["bob", "alice"], teams: ["dba"] }]);
    expect(fake.checkRuns(REPO)[0]?.output?.summary).toContain("> Review not requested from @other-org/dba: only teams of acme can review its pull requests.");
  });

  it("a reviewer GitHub refuses (422) is reported in the summary; the others are still asked; the refused one is not asked again", async () => {
    fake.unrequestable.add("carol");
    const pull = open(policy({ users: ["carol", "bob"], teams: ["acme/dba"] }));
    const { probot } = quickProbot();
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    expect(fake.reviewRequests).toEqual([
      { repo: REPO, pull: 7, reviewers: ["bob"], teams: [] },
      { repo: REPO, pull: 7, reviewers: ["alice"], teams: [] },
      { repo: REPO, pull: 7, reviewers: [], teams: ["dba"] },
    ]);
    const run = fake.checkRuns(REPO)[0];
    expect(run?.conclusion).toBe("action_required");
    expect(run?.output?.summary).toContain("> Review not requested from @carol: GitHub answered 422: Reviews may only be requested from collaborators.");
    const before = requestStatuses();
    expect(before).toEqual([422, 422, 201, 201, 201]);
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "labeled"));
    expect(requestStatuses()).toEqual(before);
  });

  it("a refused reviewer is still reported after the same commit is evaluated again", async () => {
    fake.unrequestable.add("carol");
    const pull = open(policy({ users: ["carol"] }));
    const { probot } = quickProbot();
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    await deliver(probot, "pull_request", pullRequestEvent(fake, REPO, pull, "labeled"));
    expect(fake.checkRuns(REPO)).toHaveLength(1);
    expect(fake.checkRuns(REPO)[0]?.output?.summary).toContain("Review not requested from @carol");
  });

  it("request_reviews: false asks nobody", async () => {
    const pull = open(policy({ users: ["alice", "bob"], teams: ["acme/dba"] }, ["request_reviews: false"]));
    await deliver(quickProbot().probot, "pull_request", pullRequestEvent(fake, REPO, pull, "opened"));
    expect(fake.checkRuns(REPO)[0]?.conclusion).toBe("action_required");
    expect(fake.reviewRequests).toEqual([]);
    expect(fake.requests.filter((request) => /requested_reviewers|\/reviews$/.test(request.path))).toEqual([]);
  });
});
