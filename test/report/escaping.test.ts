/**
 * SPEC §5: every string that comes from a PR, a branch, a login, a role or a
 * commit is escaped so it cannot add table cells, links, HTML or fake rows,
 * and the JSON block's fence is longer than any run of backticks inside it.
 * The summary is rendered with marked (GitHub-flavoured Markdown, as GitHub
 * renders it) and the resulting tokens and HTML are inspected.
 */
import { marked, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import type { Report } from "../../src/policy/report.js";
import { buildCheckOutput, jsonBlock } from "../../src/report/check-output.js";
import { code, html, prose, text } from "../../src/report/escape.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { roleFile, run } from "../helpers/engine.js";
import { runRoleguard } from "../helpers/cli.js";
import { forbidding, requiring, scenario } from "../helpers/scenario.js";

const FAKE_ROW = ".github/x`|✅ approved by @a-maintainer|`.md";
const HOSTILE = [
  FAKE_ROW,
  "docs/```\n| fake | row |\n```.md",
  "docs/<img src=x onerror=alert(1)>.md",
  "docs/[click](javascript:alert(1)).md",
  "docs/x](javascript:alert(1)).md",
  "docs/\u202Egpj.exe",
  "docs/zero\u200Bwidth\u200D\uFEFF.md",
  "docs/<details><summary>open</summary>.md",
  "docs/**bold** _em_ ~~strike~~ $x$ #1 @everyone.md",
  "docs/https://evil.example/www.evil.example",
  "docs/a\\|b.md",
];

/** Role `tester` forbids docs/ and .github/: every hostile name is a violation; approvals pend on migrations. */
const TESTER = roleFile(`
role: tester
constraints:
  forbidden_paths: ["docs/", ".github/"]
  requires_approval_for: [database_migrations]
`);

async function hostileReport(): Promise<Report> {
  return run({
    roles: { "tester.md": TESTER },
    apply: [{ id: "tester", source: "assign[0].labels: role:`|x|`<b>" }],
    files: [...HOSTILE, "db/migrations/001_<script>.sql"],
    approvals: [],
    overrides: [],
  });
}

function tables(markdown: string): Tokens.Table[] {
  const found: Tokens.Table[] = [];
  marked.walkTokens(marked.lexer(markdown), (token) => {
    if (token.type === "table") found.push(token as Tokens.Table);
  });
  return found;
}

describe("escape helpers", () => {
  it("text: markup characters are backslash-escaped, line breaks become spaces", () => {
    expect(text("a|b")).toBe("a\\|b");
    expect(text("[x](javascript:alert(1))")).toBe("\\[x\\](javascript:alert(1))");
    expect(text("<img src=x>")).toBe("\\<img src=x\\>");
    expect(text("line\nbreak")).toBe("line break");
    expect(text("@everyone #1")).toBe("\\@everyone \\#1");
    expect(text("see https://x.example and www.x.example")).toBe("see https:\\/\\/x.example and www\\.x.example");
    expect(text("- item")).toBe("\\- item");
    expect(text("1. item")).toBe("1\\. item");
    expect(text("add_dependencies")).toBe("add_dependencies");
    expect(text("_em_")).toBe("\\_em\\_");
  });

  it("code: the fence outgrows any backtick run, `|` is escaped in table cells only", () => {
    expect(code("plain")).toBe("`plain`");
    expect(code("a`b")).toBe("``a`b``");
    expect(code("```")).toBe("```` ``` ````");
    expect(code("a|b", { cell: true })).toBe("`a\\|b`");
    expect(code("a|b")).toBe("`a|b`");
    expect(code("")).toBe("(empty)");
  });

  it("invisible characters are shown, not passed through", () => {
    for (const escape of [text, html, (value: string) => code(value)]) {
      const out = escape("a\u202Eb\u200Bc\uFEFFd\u0000e");
      expect(out).not.toMatch(/[\u202E\u200B\uFEFF\u0000]/);
      expect(out).toContain("u202E");
      expect(out).toContain("u200B");
    }
  });

  it("html: the five HTML specials become entities", () => {
    expect(html(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("prose: backtick-quoted names become code spans, the rest is escaped text", () => {
    expect(prose("did you mean `database_migrations`? <b>")).toBe("did you mean `database_migrations`? \\<b\\>");
    expect(prose("unbalanced ` tick")).toBe("unbalanced \\` tick");
  });

  it("a name longer than anyone reads is cut", () => {
    expect(text("x".repeat(5000)).length).toBeLessThanOrEqual(300);
    expect(code("x".repeat(5000)).length).toBeLessThanOrEqual(302);
  });
});

describe("hostile names in the summary, rendered as GitHub renders it", () => {
  it("every next-steps and settled row has exactly its columns; a name cannot add cells or rows", async () => {
    const report = await hostileReport();
    const markdown = renderMarkdown(report);
    const found = tables(markdown);
    expect(found.length).toBeGreaterThan(0);
    const steps = found[0] as Tokens.Table;
    expect(steps.header.map((cell) => cell.text)).toEqual(["What", "Who may act", "Command"]);
    // One violation row (all forbidden files together) and one pending row: nothing else.
    expect(steps.rows).toHaveLength(2);
    for (const row of steps.rows) expect(row).toHaveLength(3);
    expect(steps.rows[0]?.[0]?.text).toContain("forbidden_paths");
    expect(steps.rows[1]?.[2]?.text).toContain("/roleguard approve database_migrations");
  });

  it("no image, link, raw HTML element or mention comes from a name", async () => {
    const report = await hostileReport();
    const rendered = await marked.parse(renderMarkdown(report), { gfm: true });
    expect(rendered).not.toMatch(/<img/i);
    expect(rendered).not.toMatch(/<a /i);
    expect(rendered).not.toMatch(/<script/i);
    expect(rendered).not.toMatch(/<strong>bold<\/strong>|<em>em<\/em>|<del>/);
    // Only roleguard's own <details> elements: one name says "<details>", it must stay text.
    expect((rendered.match(/<details>/g) ?? []).length).toBe((rendered.match(/<\/details>/g) ?? []).length);
    expect(rendered).not.toContain("<summary>open</summary>");
    expect(rendered).not.toMatch(/[\u202E\u200B\u200D\uFEFF]/);
    expect(rendered).toContain("u202E");
    // The names are all still there, readable.
    expect(rendered).toContain("approved by @a-maintainer");
    expect(rendered).toContain("javascript:alert(1)");
  });

  it("the fake-approval file name stays inside one code span in one cell", async () => {
    const report = await run({ roles: { "tester.md": TESTER }, apply: ["tester"], files: [FAKE_ROW] });
    const steps = tables(renderMarkdown(report))[0] as Tokens.Table;
    expect(steps.rows).toHaveLength(1);
    const what = steps.rows[0]?.[0];
    const spans = (what?.tokens ?? []).filter((token) => token.type === "codespan") as Tokens.Codespan[];
    // GFM reads `\|` in a cell back as `|`: the span holds the name exactly.
    expect(spans.map((span) => span.text)).toContain(FAKE_ROW);
  });

  it("the role's source and an override reason from a comment are escaped too", async () => {
    const report = await run({
      roles: { "tester.md": TESTER },
      apply: [{ id: "tester", source: "assign[0].labels: ](javascript:alert(1)) <img src=x>" }],
      files: ["docs/a.md"],
      overrides: [{ by: "carol", at: "2025-05-14T10:05:00Z", reason: "ok |fake|row| <img src=x> [x](javascript:alert(1))\n- [x] approved" }],
    });
    const rendered = await marked.parse(renderMarkdown(report), { gfm: true });
    expect(rendered).not.toMatch(/<img|<a |<input/i);
    expect(rendered).toContain("ok |fake|row|");
  });
});

describe("the JSON block's fence", () => {
  it("is longer than any run of backticks in the report, and the block parses back to the report", async () => {
    const report = await run({ roles: { "tester.md": TESTER }, apply: ["tester"], files: ["docs/``````six.md", "docs/```three.md"] });
    const block = jsonBlock(report);
    const fence = /^(`+)json\n/.exec(block)?.[1] ?? "";
    expect(fence.length).toBe(7);
    expect(block.trimEnd().endsWith(`\n${fence}`)).toBe(true);
    const tokens = marked.lexer(block);
    expect(tokens[0]).toMatchObject({ type: "code", lang: "json" });
    expect(JSON.parse((tokens[0] as Tokens.Code).text)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it("is three backticks when nothing inside needs more", async () => {
    const report = await run({ roles: { "tester.md": TESTER }, apply: ["tester"], files: ["docs/plain.md"] });
    expect(buildCheckOutput(report).text.startsWith("```json\n")).toBe(true);
  });
});

describe("roleguard check --format markdown on a scratch repository", () => {
  it("a file named to fake an approval row cannot break the table", async () => {
    const repo = scenario({
      roles: { tester: `${forbidding(".github/")}\n${requiring("database_migrations").replace("constraints:\n", "")}` },
      change: { write: { [FAKE_ROW]: "x\n", "db/migrations/001.sql": "create table t();\n" } },
    });
    const out = await runRoleguard(["check", "--base", "main", "--role", "tester", "--format", "markdown"], repo.dir);
    expect(out.code).toBe(1);
    const steps = tables(out.stdout)[0] as Tokens.Table;
    expect(steps.rows.map((row) => row.length)).toEqual([3, 3]);
    expect(steps.rows.map((row) => row[0]?.text.slice(0, 40))).toEqual([expect.stringContaining("forbidden_paths"), expect.stringContaining("database_migrations")]);
  });
});
