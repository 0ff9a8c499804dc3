/**
 * A valora project works with no roleguard config (SPEC §1, issue 12): its
 * role files live in `.valora/agents/` (a default role path), and the
 * `_template.md` and `_meta/` notes beside them are not role files, as in
 * valora's own loader.
 */
import { describe, expect, it } from "vitest";
import { checkJson, roleFile, runRoleguard, seen } from "../helpers/cli.js";
import { repoWithChange } from "../helpers/scratch-repo.js";

/** The shape of a valora agent file (list-of-maps constraints, decision_making). */
const platformAgent = roleFile(
  `role: platform-engineer
version: 1.0.0
description: Platform engineer (CI, containers, cloud resources)
constraints:
  - requires_approval_for:
      - infrastructure_changes
      - deployment
  - forbidden_paths:
      - secrets/
decision_making:
  autonomy_level: medium
  escalation_criteria:
    - Infrastructure modifications`,
  "# Platform engineer\n\nKeeps the build and the cloud running.",
);

/** valora's template: placeholders and no `role:` id, so reading it as a role would be an error (exit 2). */
const template = roleFile(
  `version: 1.0.0
description: <one line>
constraints:
  - requires_approval_for: []`,
  "# <Agent name>\n\nCopy this file to add an agent.",
);

const valoraRepo = () =>
  repoWithChange(
    {
      ".valora/agents/platform-engineer.md": platformAgent,
      ".valora/agents/_template.md": template,
      ".valora/agents/_meta/conventions.md": "---\nnot: a role\n---\n\nHow agents are written.\n",
      ".valora/agents/frontend/web-developer.md": roleFile(
        "role: web-developer\nconstraints:\n  - forbidden_paths:\n      - infra/",
      ),
      "infra/main.tf": 'resource "null_resource" "a" {}\n',
    },
    { write: { "infra/main.tf": 'resource "null_resource" "a" {}\nresource "null_resource" "b" {}\n', "secrets/token.txt": "x\n" } },
  );

describe("a valora project with no roleguard config", () => {
  it("finds the role in .valora/agents/ and skips _template.md and _meta/", async () => {
    const repo = valoraRepo();
    const { code, report, stderr } = await checkJson(repo.dir, ["--role", "platform-engineer"]);
    expect(stderr).not.toMatch(/role: is required|_template/);
    expect(code).toBe(1);
    expect(seen(report.findings, { detail: false })).toEqual([
      { category: "forbidden_paths", path: "secrets/token.txt", state: "violation" },
      { category: "infrastructure_changes", path: "infra/main.tf", state: "pending" },
    ]);
  });

  it("reads role files in sub-folders of .valora/agents/", async () => {
    const repo = valoraRepo();
    const { report } = await checkJson(repo.dir, ["--role", "web-developer"]);
    expect(seen(report.findings, { detail: false })).toEqual([{ category: "forbidden_paths", path: "infra/main.tf", state: "violation" }]);
  });

  it("does not offer the template or the notes as roles", async () => {
    const repo = valoraRepo();
    const { code, stderr } = await runRoleguard(["check", "--base", "main", "--role", "_template"], repo.dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(/_template/);
    expect(stderr).not.toMatch(/role: is required/);
  });
});
