/**
 * The app holds the config to the same strictness as the CLI (SPEC §4): a
 * `categories:` key that is neither built-in nor named by any loaded role, and
 * a role file's typo'd field, fail the check with the file, the line and the
 * fix; an organisation's file may name categories other repositories' roles use.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliver, pullRequestEvent, testProbot } from "../helpers/app.js";
import { FakeGitHub, startFakeGitHub, stopFakeGitHub, type Files } from "../helpers/fake-github.js";

const ROLE = "---\nrole: gated\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [database_migrations]\n---\n";
const ASSIGN = 'assign:\n  - role: gated\n    users: ["*-agent[bot]"]\n';

let fake: FakeGitHub;

beforeEach(() => {
  fake = startFakeGitHub();
});

afterEach(() => stopFakeGitHub(fake));

async function evaluate(files: Files, org: Files = { "README.md": "org\n" }) {
  fake.repo("acme/.github", { files: org });
  fake.repo("acme/api", { files });
  const pull = fake.pull("acme/api", { number: 1, author: "ops-agent[bot]", head: { ...files, "db/migrate/001_init.rb": "x\n" } });
  const { probot } = testProbot();
  await deliver(probot, "pull_request", pullRequestEvent(fake, "acme/api", pull, "opened"));
  const run = fake.checkRuns("acme/api")[0];
  if (!run) throw new Error("no check run");
  return { run, report: fake.report(run) };
}

describe("app: names in the config are checked against the loaded roles", () => {
  it("categories.database_migration on the default branch fails the check with its line and the fix", async () => {
    const config = `${ASSIGN}categories:\n  database_migration:\n    approvers: { users: [alice] }\n`;
    const { run, report } = await evaluate({ ".github/roleguard.yml": config, ".github/roles/gated.md": ROLE });

    expect(run.conclusion).toBe("failure");
    expect(report.errors).toEqual([
      {
        file: "main:.github/roleguard.yml",
        field: "categories.database_migration",
        line: 5,
        message: expect.stringContaining("unknown category database_migration"),
        hint: "did you mean `database_migrations`?",
      },
    ]);
  });

  it("a role file with forbidden_path: fails the check naming the field, line and fix", async () => {
    const typo = "---\nrole: gated\nconstraints:\n  forbidden_path: [secrets/]\n---\n";
    const { run, report } = await evaluate({ ".github/roleguard.yml": ASSIGN, ".github/roles/gated.md": typo });

    expect(run.conclusion).toBe("failure");
    expect(report.errors).toContainEqual({ file: ".github/roles/gated.md", field: "constraints.forbidden_path", line: 4, message: "unknown field forbidden_path: as written it is ignored", hint: "did you mean `forbidden_paths`?" });
  });

  it("an organisation config may name a category only another repository's roles use; a near-miss of a built-in it may not", async () => {
    const files = { ".github/roleguard.yml": ASSIGN, ".github/roles/gated.md": ROLE };
    const custom = await evaluate(files, { ".github/roleguard.yml": "categories:\n  policy_changes:\n    paths: [policies/]\n" });
    expect(custom.report.errors).toEqual([]);

    stopFakeGitHub(fake);
    fake = startFakeGitHub();
    const typo = await evaluate(files, { ".github/roleguard.yml": "categories:\n  deploymnet:\n    approvers: { users: [alice] }\n" });
    expect(typo.report.errors).toEqual([expect.objectContaining({ file: "acme/.github:.github/roleguard.yml", field: "categories.deploymnet", line: 2, hint: "did you mean `deployment`?" })]);
  });
});
