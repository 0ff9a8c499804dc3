/**
 * Annotations (SPEC §5): on the line they are about (the dependency's line in
 * its manifest, the bad key in a config), naming who may approve, and one per
 * folder for many identical findings instead of a flood.
 */
import { describe, expect, it } from "vitest";
import { dependencyLine } from "../../src/policy/dependencies/lines.js";
import type { Report } from "../../src/policy/report.js";
import { FOLDER_GROUP_THRESHOLD, buildAnnotations } from "../../src/report/annotations.js";
import { buildCheckOutput, MAX_ANNOTATIONS } from "../../src/report/check-output.js";
import { roleFile, run } from "../helpers/engine.js";

const DEPS = roleFile(`
role: deps
constraints:
  forbidden_paths: ["secrets/"]
  requires_approval_for: [add_dependencies, update_dependencies, remove_dependencies, database_migrations]
`);
const APPLY = [{ id: "deps", source: "assign[0].users: ops-agent[bot]" }];

describe("dependencyLine: the dependency's line in the head manifest, per ecosystem", () => {
  const npm = ['{', '  "name": "svc",', '  "scripts": { "lint": "eslint .", "test": "vitest" },', '  "dependencies": {', '    "@scope/pkg": "^1.0.0",', '    "lodash": "^4.17.21"', "  },", '  "devDependencies": { "eslint": "^9.0.0" }', "}"].join("\n");

  it.each<[string, string, string, string, number | undefined]>([
    ["npm: a plain key", "npm", npm, "lodash", 6],
    ["npm: a scoped name", "npm", npm, "@scope/pkg", 5],
    ["npm: the declaration, not a script that runs it", "npm", npm, "eslint", 8],
    ["npm: a name that is nowhere", "npm", npm, "react", undefined],
    ["composer: names compare case-insensitively", "composer", '{\n  "require": {\n    "Monolog/Monolog": "^3.0"\n  }\n}', "monolog/monolog", 3],
    ["pip: PEP 503 names", "pip", "# deps\nDjango_REST.framework==3.15\nrequests>=2.31 --hash=sha256:abc\n", "django-rest-framework", 2],
    ["pip: an editable requirement", "pip", "-r base.txt\n-e ./plugins/acme\n", "./plugins/acme", 2],
    ["pyproject: a PEP 621 array item", "pyproject", '[project]\nname = "svc"\ndependencies = [\n  "httpx>=0.27",\n  "Pydantic[email]>=2",\n]\n', "pydantic", 5],
    ["pyproject: an inline array", "pyproject", '[project]\ndependencies = ["httpx>=0.27", "rich"]\n', "rich", 2],
    ["pyproject: a Poetry table", "pyproject", '[tool.poetry.dependencies]\npython = "^3.12"\nfastapi = "^0.110"\n', "fastapi", 3],
    ["pipfile: PEP 503 names (Django_Rest is django-rest)", "pipfile", '[packages]\nrequests = "*"\nDjango_Rest = "*"\n', "django-rest", 3],
    ["setup-cfg: PEP 503 names", "setup-cfg", "[options]\ninstall_requires =\n    requests\n    Flask_Login>=0.6\n", "flask-login", 4],
    ["go.mod: a require block", "gomod", "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgolang.org/x/sync v0.7.0 // indirect\n)\n", "golang.org/x/sync", 7],
    ["go.mod: a single require", "gomod", "module example.com/svc\nrequire github.com/pkg/errors v0.9.1\n", "github.com/pkg/errors", 2],
    ["Cargo: a key", "cargo", '[package]\nname = "svc"\n\n[dependencies]\nserde = { version = "1", features = ["derive"] }\n', "serde", 5],
    ["Cargo: a table header", "cargo", '[package]\nname = "svc"\n\n[dependencies.tokio]\nversion = "1"\n', "tokio", 4],
    ["Gemfile: gem lines", "bundler", 'source "https://rubygems.org"\n\ngem "rails", "~> 7.1"\ngem \'pg\'\n', "pg", 4],
  ])("%s", (_name, ecosystem, text, name, line) => {
    expect(dependencyLine(text, name, ecosystem)).toBe(line);
  });

  it("a byte-order mark, CRLF line ends and binary content do not throw", () => {
    expect(dependencyLine('\uFEFF{\r\n  "dependencies": {\r\n    "left-pad": "1.3.0"\r\n  }\r\n}\r\n', "left-pad", "npm")).toBe(3);
    expect(dependencyLine("\u0000\u0001binary", "x", "npm")).toBeUndefined();
  });

  it("a huge minified manifest is skipped quickly rather than scanned", () => {
    const minified = JSON.stringify({ dependencies: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`pkg-${i}`, "1.0.0"])) });
    const started = performance.now();
    expect(dependencyLine(minified, "pkg-49999", "npm")).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("annotations on the line, naming who may act", () => {
  const base = { "package.json": '{\n  "name": "svc",\n  "dependencies": {\n    "express": "^4.19.0",\n    "pg": "^8.0.0"\n  }\n}\n' };
  const head = { "package.json": '{\n  "name": "svc",\n  "dependencies": {\n    "express": "^4.21.0",\n    "lodash": "^4.17.21"\n  }\n}\n' };

  it("a dependency's annotation sits on its line; a removed one, gone from the head, on line 1", async () => {
    const report = await run({
      roles: { "d.md": DEPS },
      apply: APPLY,
      config: { categories: { add_dependencies: { approvers: { teams: ["acme/platform"] } } } },
      files: [{ path: "package.json", status: "modified", sha: "s" }],
      base,
      head,
    });
    const annotations = buildAnnotations(report);
    expect(annotations).toEqual([
      { path: "package.json", start_line: 5, end_line: 5, annotation_level: "warning", title: "add_dependencies: pending", message: "lodash ^4.17.21\nMay approve: @acme/platform. Comment /roleguard approve add_dependencies" },
      { path: "package.json", start_line: 1, end_line: 1, annotation_level: "warning", title: "remove_dependencies: pending", message: "pg ^8.0.0\nMay approve: anyone with write permission or higher. Comment /roleguard approve remove_dependencies" },
      { path: "package.json", start_line: 4, end_line: 4, annotation_level: "warning", title: "update_dependencies: pending", message: "express ^4.19.0 → ^4.21.0\nMay approve: anyone with write permission or higher. Comment /roleguard approve update_dependencies" },
    ]);
  });

  it("a violation names the override permission from the config", async () => {
    const report = await run({ roles: { "d.md": DEPS }, apply: APPLY, config: { overrides: { min_permission: "admin" } }, files: ["secrets/key.pem"] });
    expect(buildAnnotations(report)).toEqual([
      expect.objectContaining({ path: "secrets/key.pem", annotation_level: "failure", message: "matches secrets/ of role deps\nUndo this change, or anyone with admin permission or higher comments /roleguard override <reason>." }),
    ]);
  });

  it("a config error sits on the bad key's line, with its fix; a labelled file (not in this repository) gets none", () => {
    const report: Report = {
      version: 1,
      conclusion: "failure",
      title: "2 policy errors",
      roles: [],
      findings: [],
      checklist: [],
      warnings: [],
      errors: [
        { file: ".github/roleguard.yml", line: 9, field: "categories.database_migration", message: "unknown category", hint: "did you mean `database_migrations`?", origin: "proposed" },
        { file: "acme/.github:.github/roleguard.yml", line: 3, message: "unknown key" },
      ],
    };
    expect(buildAnnotations(report)).toEqual([
      { path: ".github/roleguard.yml", start_line: 9, end_line: 9, annotation_level: "failure", title: "roleguard: categories.database_migration", message: "unknown category\nFix: did you mean `database_migrations`?" },
    ]);
  });
});

describe(`one annotation per folder for more than ${FOLDER_GROUP_THRESHOLD} identical findings`, () => {
  const migrations = (folder: string, count: number) => Array.from({ length: count }, (_, i) => `${folder}/${String(i).padStart(3, "0")}.sql`);

  it(`${FOLDER_GROUP_THRESHOLD} findings in a folder keep one annotation each`, async () => {
    const report = await run({ roles: { "d.md": DEPS }, apply: APPLY, files: migrations("db/migrations", FOLDER_GROUP_THRESHOLD) });
    expect(buildAnnotations(report)).toHaveLength(FOLDER_GROUP_THRESHOLD);
  });

  it("300 migrations in one folder share one annotation that counts them, lists some, and names the approvers", async () => {
    const report = await run({
      roles: { "d.md": DEPS },
      apply: APPLY,
      config: { categories: { database_migrations: { approvers: { users: ["alice"], teams: ["acme/dba"] } } } },
      files: migrations("db/migrations", 300),
    });
    const annotations = buildAnnotations(report);
    expect(annotations).toHaveLength(1);
    const [shared] = annotations;
    expect(shared).toMatchObject({ path: "db/migrations/000.sql", start_line: 1, annotation_level: "warning", title: "database_migrations: pending, 300 files in db/migrations/" });
    expect(shared?.message.split("\n").slice(0, 3)).toEqual(["300 files in db/migrations/:", "db/migrations/000.sql", "db/migrations/001.sql"]);
    expect(shared?.message).toContain("… and 280 more");
    expect(shared?.message).toContain("May approve: @alice or @acme/dba. Comment /roleguard approve database_migrations");
  });

  it("each folder and each state is its own group; violations come first", async () => {
    const scenario = {
      roles: { "d.md": DEPS },
      apply: APPLY,
      files: [...migrations("db/migrations/a", 12), ...migrations("db/migrations/b", 12), ...migrations("secrets/db/migrations", 11)],
    };
    const before = await run(scenario);
    // Alice approved 11 of a/'s migrations as they were; the twelfth came later and still waits.
    const covers = before.findings.filter((finding) => finding.path?.startsWith("db/migrations/a/") && !finding.path.endsWith("011.sql")).map((finding) => finding.key);
    const report = await run({ ...scenario, approvals: [{ categories: ["database_migrations"], by: "alice", covers }] });
    const annotations = buildAnnotations(report);
    expect(annotations.map((annotation) => `${annotation.annotation_level} ${annotation.title}`)).toEqual([
      "failure forbidden_paths: violation, 11 files in secrets/db/migrations/",
      "warning database_migrations: pending",
      "warning database_migrations: pending, 12 files in db/migrations/b/",
      "warning database_migrations: pending, 11 files in secrets/db/migrations/",
      "notice database_migrations: approved, 11 files in db/migrations/a/",
    ]);
    expect(annotations[1]?.path).toBe("db/migrations/a/011.sql");
    expect(annotations[4]?.message).toContain("Approved by @alice.");
  });

  it("dependency findings, each on its own line, are never grouped", async () => {
    const names = Array.from({ length: 30 }, (_, i) => `pkg-${String(i).padStart(2, "0")}`);
    const manifest = `${JSON.stringify({ dependencies: Object.fromEntries(names.map((name) => [name, "1.0.0"])) }, null, 2)}\n`;
    const report = await run({ roles: { "d.md": DEPS }, apply: APPLY, files: [{ path: "package.json", status: "added", sha: "s" }], head: { "package.json": manifest } });
    const annotations = buildAnnotations(report);
    expect(annotations).toHaveLength(30);
    expect(annotations.map((annotation) => annotation.start_line)).toEqual(names.map((_, i) => i + 3));
  });

  it(`past ${MAX_ANNOTATIONS} annotations, the summary says how many are not shown`, async () => {
    // 600 folders of one forbidden file each: nothing to group.
    const report = await run({ roles: { "d.md": DEPS }, apply: APPLY, files: Array.from({ length: 600 }, (_, i) => `secrets/s${i}/key.pem`) });
    const output = buildCheckOutput(report);
    expect(output.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(output.summary).toContain(`Only the first ${MAX_ANNOTATIONS} of 600 annotations are shown on files`);
  });
});
