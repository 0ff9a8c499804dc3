/**
 * A newcomer's first policy, with every typo issue 8 names at once: each is
 * reported in the same run, with its line and a fix, and the check exits 2.
 * Before, a schema error hid the mistakes that need the role set (an unknown
 * category, an undefined role) until it was fixed.
 */
import { describe, expect, it } from "vitest";
import { runRoleguard } from "../helpers/cli.js";
import { scenario } from "../helpers/scenario.js";

describe("a first policy with every typo at once", () => {
  it("reports each mistake once, with its line and a fix, in one run", async () => {
    const repo = scenario({
      roles: { intern: 'constraints:\n  forbidden_path: ["deploy/"]\n  requires_approval_for: [database_migrations]' },
      config: [
        "assign:",
        "  - role: intern",
        "    users: [ops-agent]",
        "    agents: [copilt]",
        "categories:",
        "  database_migration:",
        "    approvers: { users: [alice] }",
        "  delete_files:",
        '    ignore: ["tmp/"]',
        "",
      ].join("\n"),
      change: { write: { "a.txt": "a\n" } },
    });
    const { code, stdout, stderr } = await runRoleguard(["check", "--base", "main", "--author", "ops-agent"], repo.dir);
    expect(code).toBe(2);
    expect(stderr).not.toMatch(/\n\s+at /);
    const mistakes = [
      /assign\[0\]\.agents\[0\] \(line 4\): unknown agent copilt; known agents: .*\(did you mean `copilot`\?\)/,
      /categories\.database_migration \(line 6\): unknown category database_migration.*\(did you mean `database_migrations`\?\)/,
      /categories\.delete_files\.ignore \(line 9\): delete_files has no path patterns/,
      /constraints\.forbidden_path \(line \d\): unknown field forbidden_path.*\(did you mean `forbidden_paths`\?\)/,
    ];
    for (const mistake of mistakes) expect(stdout.split("\n").filter((line) => mistake.test(line)), String(mistake)).toHaveLength(1);
  });
});
