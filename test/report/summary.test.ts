/**
 * The check-run summary of SPEC §5, read the way a maintainer with thirty
 * seconds reads it: the opening line, the next steps (what, who, the command),
 * what is settled, what was checked, policy errors, and the first command on
 * the first screen of a very large PR.
 */
import { marked, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import type { ChangedFile } from "../../src/policy/change.js";
import type { Report } from "../../src/policy/report.js";
import { buildCheckOutput, OUTPUT_LIMIT } from "../../src/report/check-output.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { renderText } from "../../src/report/text.js";
import { roleFile, run } from "../helpers/engine.js";
import { runRoleguard } from "../helpers/cli.js";
import { requiring, scenario } from "../helpers/scenario.js";

const AGENT = roleFile(`
role: agent
constraints:
  forbidden_paths: ["secrets/", ".github/workflows/"]
  requires_approval_for: [database_migrations, deployment, add_dependencies]
`);
const SOURCE = "assign[0].users: ops-agent[bot]";
const ASSIGNED = [{ id: "agent", source: SOURCE }];
const pkg = (dependencies: Record<string, string>) => `${JSON.stringify({ name: "svc", scripts: { lint: "eslint ." }, dependencies }, null, 2)}\n`;

function nextStepsTable(markdown: string): Tokens.Table {
  const tokens = marked.lexer(markdown);
  const heading = tokens.findIndex((token) => token.type === "heading" && (token as Tokens.Heading).text === "Next steps");
  const table = tokens.slice(heading).find((token) => token.type === "table");
  if (heading < 0 || !table) throw new Error(`no next-steps table in:\n${markdown}`);
  return table as Tokens.Table;
}

const files = (...paths: string[]): ChangedFile[] => paths.map((path) => ({ path, status: "added", sha: `sha-${path}` }));

describe("the opening line", () => {
  it("says the verdict, the role and why, and how many files were inspected in full", async () => {
    const report = await run({ roles: { "a.md": AGENT }, apply: ASSIGNED, files: ["src/a.ts", "src/b.ts", "db/migrations/001.sql"] });
    const first = renderMarkdown(report).split("\n")[0] ?? "";
    expect(first).toContain("⏳ **1 approval needed: database_migrations**");
    expect(first).toContain("role `agent` (applied by `assign[0].users: ops-agent[bot]`)");
    expect(first).toContain("3 changed files inspected in full");
    expect(report.inspected).toMatchObject({ files: 3, complete: true });
  });

  it("names every role when several apply", async () => {
    const other = roleFile("role: other\nconstraints: {}");
    const report = await run({ roles: { "a.md": AGENT, "o.md": other }, apply: [...ASSIGNED, { id: "other", source: "assign[1].labels: role:other" }], files: ["src/a.ts"] });
    const first = renderMarkdown(report).split("\n")[0] ?? "";
    expect(first).toContain("roles `agent` (applied by `assign[0].users: ops-agent[bot]`), `other` (applied by `assign[1].labels: role:other`)");
  });

  it("says why the change was not inspected in full", async () => {
    const report = await run({ roles: { "a.md": AGENT }, apply: ASSIGNED, files: [], incomplete: "GitHub truncated the head tree" });
    const markdown = renderMarkdown(report);
    expect(markdown.split("\n")[0]).toContain("**not inspected in full**: GitHub truncated the head tree");
    expect(markdown).toContain("#### ❌ The change could not be inspected in full");
    // An inspection failure is not a policy error: nothing says "not caused by this PR" about a file.
    expect(markdown).not.toContain("Policy error");
    expect(report.inspected).toMatchObject({ files: 0, complete: false, reason: "GitHub truncated the head tree" });
  });

  it("a neutral check says no role applies", async () => {
    const report = await run({ files: ["src/a.ts"] });
    const markdown = renderMarkdown(report);
    expect(markdown.split("\n")[0]).toContain("· no role applies · 1 changed file inspected in full");
    expect(markdown).toContain("No rule was applied to the 1 changed file: no role applies to this pull request.");
  });
});

describe("next steps: what, who, the command", () => {
  it("every pending row names who may act: the approvers, or the permission level from the config; never blank", async () => {
    const report = await run({
      roles: { "a.md": AGENT },
      apply: ASSIGNED,
      config: {
        categories: { database_migrations: { approvers: { users: ["alice"], teams: ["acme/dba"] } } },
        approvals: { min_permission: "maintain" },
        overrides: { min_permission: "admin" },
      },
      files: ["db/migrations/001.sql", "Dockerfile", "secrets/key.pem"],
    });
    expect(report.permissions).toEqual({ approve: "maintain", override: "admin", reviews: true });
    const table = nextStepsTable(renderMarkdown(report));
    const rows = table.rows.map((row) => row.map((cell) => cell.text));
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.every((cell) => cell.trim() !== "")).toBe(true);
    expect(rows[0]).toEqual([expect.stringContaining("forbidden_paths"), "anyone with **admin** permission or higher", "undo the change, or comment `/roleguard override <reason>`"]);
    expect(rows[1]).toEqual([expect.stringContaining("database_migrations"), "@alice, @acme/dba", "`/roleguard approve database_migrations`"]);
    expect(rows[2]).toEqual([expect.stringContaining("deployment"), "anyone with **maintain** permission or higher", "`/roleguard approve deployment`"]);
    expect(rows[3]).toEqual([expect.stringContaining("both pending categories at once"), expect.any(String), "`/roleguard approve all`"]);
  });

  it("a row names its category and files, the first two and how many more", async () => {
    const report = await run({ roles: { "a.md": AGENT }, apply: ASSIGNED, files: files("db/migrations/001.sql", "db/migrations/002.sql", "db/migrations/003.sql") });
    const what = nextStepsTable(renderMarkdown(report)).rows[0]?.[0]?.text ?? "";
    expect(what).toBe("⏳ **`database_migrations`** · 3 files<br>`db/migrations/001.sql`<br>`db/migrations/002.sql`<br>and 1 more");
  });

  it("a finding about the whole change shows its detail instead of files", async () => {
    const low = roleFile("role: low\ndecision_making:\n  autonomy_level: low");
    const report = await run({ roles: { "l.md": low }, apply: ["low"], files: ["src/a.ts"] });
    const what = nextStepsTable(renderMarkdown(report)).rows[0]?.[0]?.text ?? "";
    expect(what).toContain("**`commit`**<br>every change of this role needs approval");
  });

  it("says who can never approve, and that a review counts when the config lets it", async () => {
    const withReviews = renderMarkdown(await run({ roles: { "a.md": AGENT }, apply: ASSIGNED, files: ["Dockerfile"] }));
    expect(withReviews).toContain("The PR's author, its committers, bots and accounts held to a role cannot approve or override.");
    expect(withReviews).toContain("An approving review of the head commit also approves");
    const without = renderMarkdown(await run({ roles: { "a.md": AGENT }, apply: ASSIGNED, config: { approvals: { reviews: false } }, files: ["Dockerfile"] }));
    expect(without).not.toContain("An approving review");
  });

  it("a report without thresholds (made elsewhere) still names who: the config's defaults", () => {
    const report: Report = {
      version: 1,
      conclusion: "action_required",
      title: "1 approval needed: deployment",
      roles: [{ id: "agent", source: SOURCE }],
      findings: [{ category: "deployment", path: "Dockerfile", state: "pending", roles: ["agent"], key: "k" }],
      checklist: [],
      warnings: [],
      errors: [],
    };
    expect(nextStepsTable(renderMarkdown(report)).rows[0]?.[1]?.text).toBe("anyone with **write** permission or higher");
  });
});

describe("settled: who approved or overrode, when, why", () => {
  it("lists every approval and override with its author, time, channel and the override's reason", async () => {
    const report = await run({
      roles: { "a.md": AGENT },
      apply: ASSIGNED,
      files: ["db/migrations/001.sql", "Dockerfile", "secrets/key.pem"],
      approvals: [
        { categories: ["database_migrations"], by: "alice", at: "2025-05-14T09:12:00Z", via: "comment" },
        { categories: ["deployment"], by: "bob", at: "2025-05-14T09:20:30Z", via: "review" },
      ],
      overrides: [{ by: "carol", at: "2025-05-14T10:05:00Z", via: "comment", reason: "hotfix for INC-42, agreed in #ops" }],
    });
    expect(report.conclusion).toBe("success");
    const markdown = renderMarkdown(report);
    expect(markdown).toContain("#### Settled");
    expect(markdown).toContain("- ✅ @alice approved `database_migrations` (1 finding) · 2025-05-14 09:12 UTC · comment");
    expect(markdown).toContain("- ✅ @bob approved `deployment` (1 finding) · 2025-05-14 09:20 UTC · review");
    expect(markdown).toContain("- ⚠️ @carol overrode 1 violation · 2025-05-14 10:05 UTC · comment<br>Reason: “hotfix for INC-42, agreed in \\#ops”");
    expect(markdown).not.toContain("#### Next steps");
  });

  it("an approval that no longer covers anything says so", async () => {
    const report = await run({
      roles: { "a.md": AGENT },
      apply: ASSIGNED,
      files: ["Dockerfile"],
      approvals: [{ categories: ["deployment"], by: "alice", at: "2025-05-14T09:12:00Z", covers: ["a key of an older push"] }],
    });
    expect(renderMarkdown(report)).toContain("@alice approved `deployment` (covers nothing now: what it covered has changed since)");
  });
});

describe("a pass says what was checked", () => {
  it("files, role, path rules and the categories looked for", async () => {
    const report = await run({ roles: { "a.md": AGENT }, apply: ASSIGNED, files: ["src/a.ts", "src/b.ts"] });
    expect(report.conclusion).toBe("success");
    expect(report.inspected).toEqual({ files: 2, complete: true, categories: ["add_dependencies", "database_migrations", "deployment", "governance"], path_rules: 2 });
    const markdown = renderMarkdown(report);
    expect(markdown).toContain(
      "**Checked:** 2 changed files against role `agent`: 2 forbidden or allowed path patterns and 4 categories that need approval (`add_dependencies`, `database_migrations`, `deployment`, `governance`). Nothing matched.",
    );
    expect(markdown).not.toContain("Next steps");
  });
});

describe("policy errors", () => {
  const base = { roles: { "a.md": AGENT }, apply: ASSIGNED, files: ["src/a.ts"] };

  it("an error in the policy in force says file, line, field, the fix, and that the PR did not cause it", async () => {
    const report = await run(base);
    const broken: Report = {
      ...report,
      conclusion: "failure",
      errors: [{ file: "main:.github/roleguard.yml", line: 7, field: "categories.database_migration", message: "unknown category", hint: "did you mean `database_migrations`?" }],
    };
    const markdown = renderMarkdown(broken);
    expect(markdown).toContain("#### ❌ Policy error: the check fails until it is fixed");
    expect(markdown).toContain(
      "- **`main:.github/roleguard.yml`**, line 7, field `categories.database_migration`: unknown category<br>**Fix:** did you mean `database_migrations`?<br>_Not caused by this PR_",
    );
  });

  it("an error this PR introduces says so instead", async () => {
    const report = await run(base);
    const markdown = renderMarkdown({ ...report, errors: [{ file: ".github/roleguard.yml", line: 2, origin: "proposed", message: "proposed change: unknown key" }] });
    expect(markdown).toContain("_Introduced by this PR_: fix the file in this PR.");
    expect(markdown).not.toContain("Not caused by this PR");
  });

  it("errors come before the next steps", async () => {
    const report = await run({ ...base, files: ["Dockerfile"] });
    const markdown = renderMarkdown({ ...report, errors: [{ file: ".github/roles/x.md", message: "broken" }] });
    expect(markdown.indexOf("Policy error")).toBeLessThan(markdown.indexOf("Next steps"));
  });
});

describe("order: opening, errors, next steps, settled, findings, checked, checklist, warnings", () => {
  it("keeps the sections in that order", async () => {
    const report = await run({
      roles: { "a.md": roleFile("role: agent\nconstraints:\n  requires_approval_for: [deployment, database_migrations, mystery]\ndecision_making:\n  escalation_criteria: [High-level architectural changes]") },
      apply: ASSIGNED,
      files: ["Dockerfile", "db/migrations/001.sql"],
      approvals: [{ categories: ["database_migrations"], by: "alice", at: "2025-05-14T09:12:00Z" }],
    });
    const markdown = renderMarkdown(report);
    const order = ["Next steps", "Settled", "Findings by category", "**Checked:**", "Reviewer checklist", "Warnings"].map((heading) => markdown.indexOf(heading));
    expect(order.every((position) => position > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe("large pull requests: the first command is on the first screen", () => {
  /** Where the first command a maintainer could type starts: the line number and the character offset. */
  function firstCommand(markdown: string): { line: number; offset: number } {
    const offset = markdown.search(/\/roleguard (approve|override)/);
    return { line: markdown.slice(0, offset).split("\n").length, offset };
  }

  it("a 3,000-file PR: the first command is within the first 12 lines and 1,500 characters; the long list is folded", async () => {
    const change = [
      ...Array.from({ length: 2_400 }, (_, i) => `src/generated/model_${String(i).padStart(4, "0")}.ts`),
      ...Array.from({ length: 300 }, (_, i) => `db/migrations/${String(i).padStart(4, "0")}_backfill.sql`),
      ...Array.from({ length: 300 }, (_, i) => `secrets/generated/key_${i}.pem`),
    ];
    const report = await run({ roles: { "a.md": AGENT }, apply: ASSIGNED, files: files(...change) });
    expect(report.inspected?.files).toBe(3_000);
    const { summary } = buildCheckOutput(report);
    expect(summary.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    expect(summary.split("\n")[0]).toContain("3,000 changed files inspected in full");
    const first = firstCommand(summary);
    expect(first.line).toBeLessThanOrEqual(12);
    expect(first.offset).toBeLessThan(1_500);
    expect(summary).toContain("<details><summary>Show the 300 findings of database_migrations</summary>");
    expect(summary).toContain("<details><summary>Show the 300 findings of forbidden_paths</summary>");
    expect((summary.match(/<details>/g) ?? []).length).toBe((summary.match(/<\/details>/g) ?? []).length);
  });

  it("a 300-migration PR through the CLI: the first command comes before any migration is listed", async () => {
    const migrations = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`db/migrations/${String(i).padStart(4, "0")}_step.sql`, `-- step ${i}\n`]));
    const repo = scenario({ roles: { dba: requiring("database_migrations") }, change: { write: migrations } });
    const out = await runRoleguard(["check", "--base", "main", "--role", "dba", "--format", "markdown"], repo.dir);
    expect(out.code).toBe(1);
    const first = firstCommand(out.stdout);
    expect(first.line).toBeLessThanOrEqual(12);
    // The table names two migrations; the third is only listed, folded, after the command.
    expect(out.stdout.indexOf("db/migrations/0002_step.sql")).toBeGreaterThan(first.offset);
    expect(out.stdout).toContain("<details><summary>Show the 300 findings of database_migrations</summary>");
  });

  it("lists stop within a budget and say where the rest is; the summary always fits", async () => {
    const long = (i: number) => `src/${"deep/".repeat(40)}${i}.ts`;
    const report = await run({ roles: { "a.md": roleFile('role: agent\nconstraints:\n  forbidden_paths: ["src/"]') }, apply: ASSIGNED, files: files(...Array.from({ length: 3_000 }, (_, i) => long(i))) });
    const withNoise: Report = { ...report, warnings: Array.from({ length: 200 }, (_, i) => `warning ${i} ${"w".repeat(500)}`), checklist: Array.from({ length: 200 }, (_, i) => `item ${i} ${"c".repeat(500)}`) };
    const { summary } = buildCheckOutput(withNoise);
    expect(summary.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    expect(summary).toMatch(/more, listed in the JSON report/);
    expect(summary).toContain("summary cut to fit GitHub's limit");
    expect((summary.match(/<details>/g) ?? []).length).toBe((summary.match(/<\/details>/g) ?? []).length);
    expect(firstCommand(summary).line).toBeLessThanOrEqual(12);
  });

  it("a summary cut inside a folded list closes it, so the note after it still shows", async () => {
    const report = await run({ roles: { "a.md": roleFile('role: agent\nconstraints:\n  forbidden_paths: ["src/"]') }, apply: ASSIGNED, files: files(...Array.from({ length: 3_000 }, (_, i) => `src/${"deep/".repeat(40)}${i}.ts`)) });
    // 45 long policy errors push the folded findings list across GitHub's limit.
    const errors = Array.from({ length: 45 }, (_, i) => ({ file: `.github/roles/r${i}.md`, message: `broken ${"m".repeat(590)}`, hint: `fix ${"h".repeat(590)}` }));
    const { summary } = buildCheckOutput({ ...report, conclusion: "failure", errors });
    expect(summary.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    const cut = summary.lastIndexOf("summary cut to fit");
    expect(cut).toBeGreaterThan(0);
    expect(summary.lastIndexOf("<details>")).toBeGreaterThan(0);
    expect(summary.lastIndexOf("</details>")).toBeGreaterThan(summary.lastIndexOf("<details>"));
    expect(summary.lastIndexOf("</details>")).toBeLessThan(cut);
    const rendered = await marked.parse(summary, { gfm: true });
    expect(rendered).toMatch(/<\/details>[\s\S]*summary cut to fit/);
  });
});

describe("the CLI's text report", () => {
  it("ends with the next steps: each command and who may type it", async () => {
    const report = await run({
      roles: { "a.md": AGENT },
      apply: ASSIGNED,
      config: { categories: { database_migrations: { approvers: { users: ["alice"], teams: ["acme/dba"] } } } },
      files: ["db/migrations/001.sql", "Dockerfile", "secrets/key.pem"],
    });
    const text = renderText(report);
    expect(text).toContain("Inspected: 3 changed files in full");
    const steps = text.slice(text.indexOf("Next steps"));
    expect(steps).toMatch(/undo the forbidden changes, or \/roleguard override <reason> +anyone with maintain permission or higher/);
    expect(steps).toMatch(/\/roleguard approve database_migrations +@alice or @acme\/dba/);
    expect(steps).toMatch(/\/roleguard approve deployment +anyone with write permission or higher/);
    expect(steps).toMatch(/\/roleguard approve all +each approver, for their categories/);
  });

  it("an error in the policy in force is marked as not caused by the change", async () => {
    const report = await run({ roles: { "a.md": AGENT }, apply: ASSIGNED, files: ["src/a.ts"] });
    const text = renderText({ ...report, errors: [{ file: ".github/roleguard.yml", field: "assing", message: "unknown key", hint: "did you mean `assign`?" }] });
    expect(text).toContain("✗ .github/roleguard.yml: assing: unknown key (did you mean `assign`?)  (policy in force: not caused by this change)");
  });
});

describe("the dependency's line", () => {
  it("is carried on the finding and shown with the file", async () => {
    const report = await run({
      roles: { "a.md": AGENT },
      apply: ASSIGNED,
      files: [{ path: "package.json", status: "modified", sha: "s" }],
      base: { "package.json": pkg({ express: "^4.19.0" }) },
      head: { "package.json": pkg({ eslint: "^9.0.0", express: "^4.19.0" }) },
    });
    // "lint": "eslint ." in scripts (line 4) is not the dependency; its declaration (line 7) is.
    expect(report.findings).toEqual([expect.objectContaining({ category: "add_dependencies", path: "package.json", line: 7, detail: "eslint ^9.0.0" })]);
    expect(renderMarkdown(report)).toContain("- ⏳ `package.json` line 7 — eslint ^9.0.0");
  });
});
