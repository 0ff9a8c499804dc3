#!/usr/bin/env node
/**
 * `npm run screenshots`: the check run as GitHub shows it. Six pull requests
 * are synthesised (a change, a config, role files, approvals), run through the
 * built engine exactly as the app runs them (dist/: config parsing, role
 * assignment, evaluation, check output), and each summary is rendered with
 * marked (GitHub-flavoured Markdown) inside GitHub's stylesheet
 * (github-markdown-css), then photographed by headless Chromium.
 *
 * Writes docs/check-run/<name>.md (the summary as posted), .html and .png,
 * and the stylesheet the pages link.
 * Everything is fixed (SHAs, dates, window sizes), so a re-run gives the same
 * files; only a different Chromium or font set changes the pictures.
 *
 *   npm run screenshots                 # all six
 *   node scripts/screenshots.mjs --no-png   # HTML and Markdown only (no Chromium)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { marked } from "marked";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "docs", "check-run");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const dist = (path) => import(pathToFileURL(join(ROOT, "dist", path)).href);

const { assembleConfig } = await dist("sources/policy.js");
const { assignRoles } = await dist("policy/assign.js");
const { evaluate } = await dist("policy/evaluate.js");
const { buildRoleSet } = await dist("roles/resolve.js");
const { builtinRoleSource } = await dist("roles/builtin.js");
const { buildCheckOutput } = await dist("report/check-output.js");

// ---------------------------------------------------------------- the policy

const CONFIG = `assign:
  - role: backend-agent
    users: ["*-agent[bot]"]
    labels: ["role:backend"]
categories:
  database_migrations:
    approvers: { users: [alice], teams: [acme/dba] }
  add_dependencies:
    approvers: { teams: [acme/platform] }
overrides:
  min_permission: maintain
`;

const ROLE = `---
role: backend-agent
description: An AI coding agent working on the backend services
constraints:
  forbidden_paths: [".github/workflows/", "infra/", "secrets/"]
  requires_approval_for: [database_migrations, add_dependencies, deployment]
---

Backend services and their tests; not CI, infrastructure or secrets.
`;

/** The default branch's config with a typo in a key: the policy in force is broken, not the PR. */
const BROKEN_CONFIG = `assign:
  - role: backend-agent
    users: ["*-agent[bot]"]
approvals:
  min_permision: write
`;

const pkg = (dependencies) => `${JSON.stringify({ name: "orders-service", version: "1.4.0", scripts: { test: "vitest" }, dependencies }, null, 2)}\n`;
const BASE_PKG = pkg({ express: "^4.19.2", pg: "^8.11.0" });
const HEAD_PKG = pkg({ express: "^4.19.2", lodash: "^4.17.21", pg: "^8.11.0" });

// ------------------------------------------------------------- the six PRs

const file = (path, status = "modified") => ({ path, status, ...(status === "removed" ? {} : { sha: sha(path) }) });
const migrations = (count) => Array.from({ length: count }, (_, i) => file(`db/migrations/${String(i + 1).padStart(4, "0")}_backfill_orders_${i + 1}.sql`, "added"));
const generated = (count) => Array.from({ length: count }, (_, i) => file(`src/generated/client/model_${String(i).padStart(4, "0")}.ts`, "added"));

const SCENARIOS = [
  {
    name: "clean-pass",
    caption: "A clean pass: what was checked",
    height: 290,
    author: "backend-agent[bot]",
    files: [file("src/orders/service.ts"), file("src/orders/service.test.ts"), file("docs/orders.md")],
  },
  {
    name: "forbidden-path",
    caption: "One forbidden path",
    height: 690,
    author: "backend-agent[bot]",
    files: [file(".github/workflows/ci.yml"), file("src/orders/service.ts")],
  },
  {
    name: "three-approvals",
    caption: "Three approvals: two categories with named approvers, one without",
    height: 900,
    author: "backend-agent[bot]",
    files: [file("db/migrations/0042_add_order_index.sql", "added"), file("package.json"), file("Dockerfile"), file("src/orders/service.ts")],
    base: { "package.json": BASE_PKG },
    head: { "package.json": HEAD_PKG },
  },
  {
    name: "three-thousand-files",
    caption: "A 3,000-file pull request: 300 migrations, a dependency and generated code",
    height: 900,
    author: "backend-agent[bot]",
    files: [...migrations(300), file("package.json"), ...generated(2699)],
    base: { "package.json": BASE_PKG },
    head: { "package.json": HEAD_PKG },
  },
  {
    name: "approved-and-overridden",
    caption: "After approvals and an override",
    height: 900,
    author: "backend-agent[bot]",
    files: [file("db/migrations/0042_add_order_index.sql", "added"), file("package.json"), file("Dockerfile"), file(".github/workflows/ci.yml")],
    base: { "package.json": BASE_PKG },
    head: { "package.json": HEAD_PKG },
    approvals: [
      { categories: ["database_migrations"], by: "alice", at: "2025-05-14T09:12:00Z", via: "comment" },
      { categories: ["add_dependencies"], by: "bob", at: "2025-05-14T09:20:00Z", via: "review" },
      { categories: ["deployment"], by: "dave", at: "2025-05-14T10:02:00Z", via: "comment" },
    ],
    overrides: [{ by: "carol", at: "2025-05-14T10:05:00Z", via: "comment", reason: "CI cache key fix agreed in INC-4211; the platform team reviews it there" }],
  },
  {
    name: "config-error",
    caption: "A config error on the default branch: not caused by this PR",
    height: 370,
    author: "backend-agent[bot]",
    config: { file: "main:.github/roleguard.yml", text: BROKEN_CONFIG },
    files: [file("src/orders/service.ts")],
  },
];

/** A fixed, content-free blob id per path, so approvals and keys are the same on every run. */
function sha(path) {
  let hash = 0x811c9dc5;
  for (const char of path) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0").repeat(5);
}

// ---------------------------------------------------------------- the run

async function outputOf(scenario) {
  const policy = assembleConfig(undefined, scenario.config ?? { file: ".github/roleguard.yml", text: CONFIG });
  const roleSet = buildRoleSet([builtinRoleSource(), { layer: "repository", files: [{ path: ".github/roles/backend-agent.md", text: ROLE }] }]);
  const assignments = await assignRoles(policy.config, { login: scenario.author, labels: [] });
  const reader = { read: async (side, path) => (scenario[side] ?? {})[path] ?? null };
  const report = await evaluate({
    change: { files: scenario.files, headSha: "5f1c2e9a7b3d4c6e8f0a1b2c3d4e5f6a7b8c9d0e", body: "Adds an index on orders.created_at.\n\nConfidence: 90%" },
    assignments,
    roleSet,
    config: policy.config,
    reader,
    errors: policy.errors,
    warnings: policy.warnings,
    approvals: scenario.approvals ?? [],
    overrides: scenario.overrides ?? [],
    neutralReason: `@${scenario.author} matches no assign entry`,
  });
  return { report, output: buildCheckOutput(report) };
}

/** GitHub's stylesheet (github-markdown-css, MIT), written once beside the pages that link it. */
const CSS_FILE = "github-markdown-light.css";
const CSS = readFileSync(createRequire(import.meta.url).resolve(`github-markdown-css/${CSS_FILE}`), "utf8");
const escapeHtml = (value) => value.replace(/[&<>"]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char]);
const CONCLUSION = { success: ["Success", "#1a7f37"], neutral: ["Neutral", "#59636e"], action_required: ["Action required", "#9a6700"], failure: ["Failure", "#d1242f"] };

/** GitHub's check-run page, reduced to what matters: the check's name, its title, the summary, its annotations. */
function page(scenario, report, output) {
  const [label, colour] = CONCLUSION[report.conclusion];
  const annotations = output.annotations.slice(0, 4).map((annotation) => {
    const lines = annotation.start_line === annotation.end_line ? `line ${annotation.start_line}` : `lines ${annotation.start_line}–${annotation.end_line}`;
    return `<li class="ann ${annotation.annotation_level}"><b>${escapeHtml(annotation.title)}</b> <code>${escapeHtml(annotation.path)}</code> ${lines}<pre>${escapeHtml(annotation.message)}</pre></li>`;
  });
  const moreAnnotations = output.annotations.length > 4 ? `<li class="ann more">… and ${output.annotations.length - 4} more annotations</li>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>roleguard: ${escapeHtml(scenario.caption)}</title>
<link rel="stylesheet" href="${CSS_FILE}">
<style>
  body { margin: 0; background: #f6f8fa; font: 14px -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
  .run { max-width: 1012px; margin: 16px auto; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
  .head { padding: 16px 24px; border-bottom: 1px solid #d1d9e0; }
  .head .name { font-weight: 600; } .head .badge { margin-left: 8px; padding: 1px 8px; border-radius: 2em; color: #fff; background: ${colour}; font-size: 12px; }
  .head h1 { margin: 8px 0 0; font-size: 20px; font-weight: 600; line-height: 1.4; }
  .markdown-body { padding: 16px 24px 24px; font-size: 14px; }
  .anns { margin: 0 24px 24px; padding: 0; list-style: none; border: 1px solid #d1d9e0; border-radius: 6px; }
  .anns h2 { margin: 0; padding: 8px 16px; font-size: 14px; border-bottom: 1px solid #d1d9e0; background: #f6f8fa; }
  .ann { padding: 8px 16px; border-top: 1px solid #eef1f4; } .ann pre { margin: 4px 0 0; white-space: pre-wrap; font-size: 12px; }
  .ann.failure b { color: #d1242f; } .ann.warning b { color: #9a6700; } .ann.notice b { color: #59636e; }
</style></head>
<body><div class="run">
<div class="head"><span class="name">roleguard</span><span class="badge">${label}</span><h1>${escapeHtml(output.title)}</h1></div>
<article class="markdown-body">
${marked.parse(output.summary, { gfm: true, breaks: false })}
</article>
${annotations.length > 0 ? `<ul class="anns"><h2>Annotations (${output.annotations.length})</h2>${annotations.join("\n")}${moreAnnotations}</ul>` : ""}
</div></body></html>
`;
}

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, CSS_FILE), `/* github-markdown-css (MIT, sindresorhus/github-markdown-css), copied by scripts/screenshots.mjs */\n${CSS}`);
const png = !process.argv.includes("--no-png");
for (const scenario of SCENARIOS) {
  const { report, output } = await outputOf(scenario);
  const base = join(OUT, scenario.name);
  writeFileSync(`${base}.md`, output.summary);
  writeFileSync(`${base}.html`, page(scenario, report, output));
  if (png) {
    execFileSync(
      CHROMIUM,
      ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1", `--screenshot=${base}.png`, `--window-size=1060,${scenario.height}`, pathToFileURL(`${base}.html`).href],
      { stdio: "pipe" },
    );
  }
  console.log(`${scenario.name}: ${report.conclusion} (${report.findings.length} findings, ${output.summary.length} characters) → docs/check-run/${scenario.name}.${png ? "png" : "html"}`);
}
