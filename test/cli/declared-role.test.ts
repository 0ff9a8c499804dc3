/**
 * Agents that declare their role (issue 14): a `Roleguard-Role: <id>` trailer
 * in a commit message, or the same line in the PR body, adds that role. It can
 * only add (like labels and fingerprints); an unknown id is a warning.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkJson } from "../helpers/cli.js";
import { forbidding, scenario } from "../helpers/scenario.js";

function repoWithTrailer(trailer: string) {
  const repo = scenario({ roles: { guarded: forbidding("secrets/") }, config: "assign: []\n", change: { write: { "src/a.ts": "a\n" } } });
  repo.write({ "secrets/key.pem": "k\n" }).commit(`Rotate the key\n\n${trailer}\n`);
  return repo;
}

describe("Roleguard-Role: declared by the agent", () => {
  it("a commit trailer adds the role, and the report says where it came from", async () => {
    const repo = repoWithTrailer("Roleguard-Role: guarded");
    const { code, report } = await checkJson(repo.dir, ["--author", "someone"]);
    expect(report.roles).toEqual([{ id: "guarded", source: expect.stringMatching(/^declared: Roleguard-Role: guarded in commit [0-9a-f]{7}$/) }]);
    expect(report.findings).toMatchObject([{ path: "secrets/key.pem", state: "violation" }]);
    expect(code).toBe(1);
  });

  it("a line in the PR body adds it too", async () => {
    const repo = scenario({ roles: { guarded: forbidding("secrets/") }, change: { write: { "secrets/key.pem": "k\n" } } });
    writeFileSync(join(repo.dir, "..", `${repo.dir.split("/").at(-1)}-body.md`), "Fixes the key.\n\nRoleguard-Role: guarded\n");
    const { report } = await checkJson(repo.dir, ["--body", `../${repo.dir.split("/").at(-1)}-body.md`]);
    expect(report.roles).toEqual([{ id: "guarded", source: "declared: Roleguard-Role: guarded in the PR description" }]);
  });

  it("an unknown id is a warning and adds nothing", async () => {
    const repo = repoWithTrailer("Roleguard-Role: gaurded");
    const { code, report } = await checkJson(repo.dir, ["--author", "someone"]);
    expect(report.roles).toEqual([]);
    expect(report.warnings).toContainEqual(expect.stringMatching(/^Roleguard-Role: gaurded in commit [0-9a-f]{7} names no role file; no role was added for it$/));
    expect(code).toBe(0);
  });

  it("--role names the roles explicitly: trailers do not add to it", async () => {
    const repo = repoWithTrailer("Roleguard-Role: guarded");
    const { report } = await checkJson(repo.dir, ["--role", "contractor"]);
    expect(report.roles.map((role) => role.id)).toEqual(["contractor"]);
  });
});
