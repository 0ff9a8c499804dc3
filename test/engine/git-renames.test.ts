/**
 * Big ranges must not lose renames to git's rename limit in silence (issue 9):
 * the CLI raises the limit, and says so in the report when git still gives up.
 */
import { describe, expect, it } from "vitest";
import { GitRepository, RENAME_LIMIT } from "../../src/sources/git.js";
import { repoWithChange } from "../helpers/scratch-repo.js";

/** Files that are renamed *and* edited, so only git's exhaustive (limited) search pairs them. */
function editedRenames(count: number) {
  const base: Record<string, string> = {};
  const write: Record<string, string> = {};
  const remove: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = Array.from({ length: 20 }, (_, line) => `line ${line} of file ${i}`).join("\n");
    base[`old/f${i}.txt`] = `${body}\n`;
    write[`new/f${i}.txt`] = `${body}\nedited\n`;
    remove.push(`old/f${i}.txt`);
  }
  return repoWithChange(base, { write, remove });
}

describe("git renames on a big range", () => {
  it("within the limit, edited renames are paired and no warning is given", async () => {
    const repo = editedRenames(5);
    const change = await new GitRepository(repo.dir).diff("main", "HEAD");
    expect(change.files.filter((file) => file.status === "renamed")).toHaveLength(5);
    expect(change.warnings).toBeUndefined();
  });

  it("past the limit, the change says renames were matched only partly", async () => {
    const repo = editedRenames(5);
    const change = await new GitRepository(repo.dir, { renameLimit: 2 }).diff("main", "HEAD");
    expect(change.files.filter((file) => file.status === "renamed")).toHaveLength(0);
    expect(change.warnings).toEqual([expect.stringContaining("git's rename limit (2)")]);
  });

  it("the default limit is far above git's own 1,000", () => {
    expect(RENAME_LIMIT).toBeGreaterThan(1000);
  });
});
