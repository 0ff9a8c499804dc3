/**
 * `roleguard check` against forbidden paths and allow-lists: every pattern
 * shape of SPEC §3 (gitignore semantics on micromatch globs), renames and
 * deletions (SPEC §2 `forbidden_paths`, §5 "a rename counts once").
 */
import { describe, expect, it } from "vitest";
import { checkJson, seen, type SeenFinding } from "../helpers/cli.js";
import { forbidding, scenario } from "../helpers/scenario.js";
import type { ChangeSteps, FileTree } from "../helpers/scratch-repo.js";

interface PathCase {
  name: string;
  forbidden: string[];
  config?: string;
  base?: FileTree;
  change: ChangeSteps;
  /** Every finding of the report (the test role requires no approval category). */
  expected: SeenFinding[];
}

const violation = (path: string, pattern: string, extra: Partial<SeenFinding> = {}): SeenFinding => ({
  category: "forbidden_paths",
  path,
  state: "violation",
  detail: `matches ${pattern} of role tester`,
  ...extra,
});

const LONG_TEXT = Array.from({ length: 20 }, (_, i) => `line ${i} of a file long enough for git to detect its rename`).join("\n");

const CASES: PathCase[] = [
  {
    name: "trailing slash: everything below the folder, at any depth",
    forbidden: ["secrets/"],
    change: { write: { "secrets/prod/db.txt": "x", "lib/secrets/key.txt": "x", "src/secrets.ts": "x", "secretsx/a.txt": "x" } },
    expected: [violation("lib/secrets/key.txt", "secrets/"), violation("secrets/prod/db.txt", "secrets/")],
  },
  {
    name: "no slash but a trailing one matches at any depth (node_modules/)",
    forbidden: ["node_modules/"],
    change: {
      write: {
        "node_modules/left-pad/index.js": "x",
        "packages/web/node_modules/react/index.js": "x",
        "src/node_modules.ts": "x",
        "node_modules.txt": "x",
      },
    },
    expected: [
      violation("node_modules/left-pad/index.js", "node_modules/"),
      violation("packages/web/node_modules/react/index.js", "node_modules/"),
    ],
  },
  {
    name: "a slash in the middle anchors at the root (workspace/frontend/)",
    forbidden: ["workspace/frontend/"],
    change: {
      write: {
        "workspace/frontend/x.ts": "x",
        "workspace/frontend/deep/y.ts": "x",
        "apps/workspace/frontend/x.ts": "x",
        "workspace/frontend-old/x.ts": "x",
        "workspace/backend/x.ts": "x",
      },
    },
    expected: [violation("workspace/frontend/deep/y.ts", "workspace/frontend/"), violation("workspace/frontend/x.ts", "workspace/frontend/")],
  },
  {
    name: "a leading slash anchors explicitly (/build/)",
    forbidden: ["/build/"],
    change: { write: { "build/out.js": "x", "src/build/out.js": "x" } },
    expected: [violation("build/out.js", "/build/")],
  },
  {
    name: "a plain file name matches that file at any depth (package.json, as in product-manager)",
    forbidden: ["package.json", "tsconfig.json"],
    change: {
      write: {
        "package.json": "{}",
        "packages/api/package.json": "{}",
        "packages/api/tsconfig.json": "{}",
        "docs/package.json.md": "x",
        "src/my-package.json": "{}",
      },
    },
    expected: [
      violation("package.json", "package.json"),
      violation("packages/api/package.json", "package.json"),
      violation("packages/api/tsconfig.json", "tsconfig.json"),
    ],
  },
  {
    name: "a folder name without a trailing slash covers everything beneath it (infrastructure)",
    forbidden: ["infrastructure"],
    change: { write: { "infrastructure/main.tf": "x", "deploy/infrastructure/vpc.tf": "x", "infrastructure.md": "x", "infra/main.tf": "x" } },
    expected: [violation("deploy/infrastructure/vpc.tf", "infrastructure"), violation("infrastructure/main.tf", "infrastructure")],
  },
  {
    name: "! re-allows what an earlier pattern of the same list caught",
    forbidden: ["docs/", "!docs/public/", "*.key", "!test/fixtures/dummy.key"],
    change: {
      write: {
        "docs/internal/plan.md": "x",
        "docs/public/readme.md": "x",
        "certs/server.key": "x",
        "test/fixtures/dummy.key": "x",
      },
    },
    expected: [violation("certs/server.key", "*.key"), violation("docs/internal/plan.md", "docs/")],
  },
  {
    name: "dot-folders and dotfiles match (.github/, .devcontainer/, .env)",
    forbidden: [".github/", ".devcontainer/", ".env"],
    change: {
      write: {
        ".github/workflows/ci.yml": "on: push\n",
        ".devcontainer/devcontainer.json": "{}",
        "services/api/.env": "A=1\n",
        "src/github.ts": "x",
        ".environment": "x",
      },
    },
    expected: [
      violation(".devcontainer/devcontainer.json", ".devcontainer/"),
      violation(".github/workflows/ci.yml", ".github/"),
      violation("services/api/.env", ".env"),
    ],
  },
  {
    name: "micromatch globs: *, **, ?, [...], {a,b}",
    forbidden: ["*.pem", "src/**/generated/", "logs/app-?.log", "tmp[0-9]/", "docs/{private,internal}/"],
    change: {
      write: {
        "certs/deep/server.pem": "x",
        "src/a/b/generated/types.ts": "x",
        "src/generated.ts": "x",
        "logs/app-1.log": "x",
        "logs/app-10.log": "x",
        "tmp7/scratch.txt": "x",
        "tmpx/scratch.txt": "x",
        "docs/internal/a.md": "x",
        "docs/private/b.md": "x",
        "docs/public/c.md": "x",
      },
    },
    expected: [
      violation("certs/deep/server.pem", "*.pem"),
      violation("docs/internal/a.md", "docs/{private,internal}/"),
      violation("docs/private/b.md", "docs/{private,internal}/"),
      violation("logs/app-1.log", "logs/app-?.log"),
      violation("src/a/b/generated/types.ts", "src/**/generated/"),
      violation("tmp7/scratch.txt", "tmp[0-9]/"),
    ],
  },
  {
    name: "matching is case-sensitive by default, like git",
    forbidden: ["Secrets/", "infrastructure/"],
    change: { write: { "secrets/a.txt": "x", "Infrastructure/main.tf": "x", "Secrets/b.txt": "x" } },
    expected: [violation("Secrets/b.txt", "Secrets/")],
  },
  {
    name: "case_insensitive: true in the config turns case sensitivity off",
    forbidden: ["Secrets/", "infrastructure/"],
    config: "case_insensitive: true\n",
    change: { write: { "secrets/a.txt": "x", "Infrastructure/main.tf": "x", "src/app.ts": "x" } },
    expected: [violation("Infrastructure/main.tf", "infrastructure/"), violation("secrets/a.txt", "Secrets/")],
  },
  {
    name: "paths with spaces and non-ASCII characters are reported verbatim",
    forbidden: ["secrets/"],
    change: { write: { "secrets/my key ü.txt": "x", "docs/naïve notes.md": "x" } },
    expected: [violation("secrets/my key ü.txt", "secrets/")],
  },
  {
    name: "a deletion inside a forbidden folder is a violation",
    forbidden: ["secrets/"],
    base: { "secrets/old.txt": "x", "src/old.ts": "x" },
    change: { remove: ["secrets/old.txt", "src/old.ts"] },
    expected: [violation("secrets/old.txt", "secrets/")],
  },
];

describe("check: forbidden path patterns (SPEC §3)", () => {
  it.each(CASES)("$name", async ({ forbidden, config, base, change, expected }) => {
    const repo = scenario({ roles: { tester: forbidding(...forbidden) }, ...(config !== undefined ? { config } : {}), ...(base ? { base } : {}), change });
    const { code, report, stderr } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.errors).toEqual([]);
    expect(seen(report.findings)).toEqual(expected);
    expect(report.roles).toEqual([{ id: "tester", source: expect.any(String) }]);
    if (expected.length > 0) {
      expect(report.conclusion).toBe("failure");
      expect(code).toBe(1);
    } else {
      expect(report.conclusion).toBe("success");
      expect(code).toBe(0);
    }
    expect(stderr).toBe("");
  });
});

describe("check: renames are judged under both paths and counted once (SPEC §2, §5)", () => {
  it("a rename out of a forbidden folder (old path matches) is one violation with previous_path", async () => {
    const repo = scenario({
      roles: { tester: forbidding("secrets/") },
      base: { "secrets/token-rotation.md": LONG_TEXT },
      change: { rename: [["secrets/token-rotation.md", "docs/token-rotation.md"]] },
    });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.findings).toHaveLength(1);
    const [finding] = report.findings;
    expect(finding).toMatchObject({
      category: "forbidden_paths",
      path: "docs/token-rotation.md",
      previous_path: "secrets/token-rotation.md",
      state: "violation",
      roles: ["tester"],
    });
    expect(finding?.detail).toMatch(/^matches secrets\/ of role tester\b/);
    expect(report.conclusion).toBe("failure");
    expect(code).toBe(1);
  });

  it("a rename into a forbidden folder is one violation with previous_path", async () => {
    const repo = scenario({
      roles: { tester: forbidding("secrets/") },
      base: { "docs/token-rotation.md": LONG_TEXT },
      change: { rename: [["docs/token-rotation.md", "secrets/token-rotation.md"]] },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings)).toEqual([
      {
        category: "forbidden_paths",
        path: "secrets/token-rotation.md",
        previous_path: "docs/token-rotation.md",
        state: "violation",
        detail: "matches secrets/ of role tester",
      },
    ]);
  });

  it("a rename inside a forbidden folder (both paths match) is still one violation", async () => {
    const repo = scenario({
      roles: { tester: forbidding("infrastructure") },
      base: { "infrastructure/old.tf": LONG_TEXT },
      change: { rename: [["infrastructure/old.tf", "infrastructure/new.tf"]] },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "infrastructure/new.tf", previous_path: "infrastructure/old.tf", state: "violation" },
    ]);
  });

  it("a copy out of a forbidden folder (git -C) is a violation under the copy's old path", async () => {
    const repo = scenario({
      roles: { tester: forbidding("secrets/") },
      base: { "secrets/runbook.md": LONG_TEXT },
      change: { write: { "secrets/runbook.md": `${LONG_TEXT}\none more line`, "docs/runbook.md": LONG_TEXT } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "docs/runbook.md", previous_path: "secrets/runbook.md", state: "violation" },
      { category: "forbidden_paths", path: "secrets/runbook.md", state: "violation" },
    ]);
  });

  it("a rename is not a deletion: delete_files is not triggered, and nothing else is reported", async () => {
    const repo = scenario({
      roles: { tester: `${forbidding("secrets/")}\n  requires_approval_for: [delete_files]` },
      base: { "src/old-name.ts": LONG_TEXT },
      change: { rename: [["src/old-name.ts", "src/new-name.ts"]] },
    });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.findings).toEqual([]);
    expect(report.conclusion).toBe("success");
    expect(code).toBe(0);
  });
});

describe("check: several roles (SPEC §4: held to all of them)", () => {
  it("each role's patterns apply, and a path both forbid is one finding naming both roles", async () => {
    const repo = scenario({
      roles: { first: forbidding("secrets/", "first-only/"), second: forbidding("secrets/", "second-only/") },
      change: { write: { "secrets/a.txt": "a\n", "first-only/b.txt": "b\n", "second-only/c.txt": "c\n", "src/d.ts": "d\n" } },
    });
    const { report } = await checkJson(repo.dir, ["--role", "first", "second"]);

    expect(report.roles.map((role) => role.id)).toEqual(["first", "second"]);
    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "first-only/b.txt", state: "violation" },
      { category: "forbidden_paths", path: "second-only/c.txt", state: "violation" },
      { category: "forbidden_paths", path: "secrets/a.txt", state: "violation" },
    ]);
    expect(report.findings.find((finding) => finding.path === "secrets/a.txt")?.roles).toEqual(["first", "second"]);
    expect(report.findings.find((finding) => finding.path === "first-only/b.txt")?.roles).toEqual(["first"]);
  });
});

describe("check: allowed_paths (SPEC §1, §2)", () => {
  it("any changed path outside the allow-list is a violation; paths inside pass", async () => {
    const repo = scenario({
      roles: { tester: "constraints:\n  allowed_paths: [src/, test/]" },
      change: { write: { "src/a.ts": "x", "test/a.test.ts": "x", "docs/guide.md": "x", "scripts/run.sh": "x" } },
    });
    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "docs/guide.md", state: "violation" },
      { category: "forbidden_paths", path: "scripts/run.sh", state: "violation" },
    ]);
    for (const finding of report.findings) expect(finding.detail).toContain("allowed_paths");
    expect(code).toBe(1);
  });

  it("a rename from inside the allow-list to outside it is a violation", async () => {
    const repo = scenario({
      roles: { tester: "constraints:\n  allowed_paths: [src/]" },
      base: { "src/notes.md": LONG_TEXT },
      change: { rename: [["src/notes.md", "notes.md"]] },
    });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "notes.md", previous_path: "src/notes.md", state: "violation" },
    ]);
  });
});

describe("check: the violation tells how to resolve it (SPEC §5)", () => {
  it("names the pattern and role, and what undoes it", async () => {
    const repo = scenario({ roles: { tester: forbidding("secrets/") }, change: { write: { "secrets/a.txt": "x" } } });
    const { report } = await checkJson(repo.dir, ["--role", "tester"]);

    expect(report.findings).toHaveLength(1);
    const finding = report.findings[0];
    expect(finding?.detail).toBe("matches secrets/ of role tester");
    expect(finding?.roles).toEqual(["tester"]);
    expect(finding?.resolve).toContain("secrets/a.txt");
    expect(finding?.resolve).toContain("/roleguard override");
    expect(report.title).toContain("secrets/a.txt");
  });
});
