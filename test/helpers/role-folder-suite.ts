/**
 * `roles lint` over a folder of role files in the seed's shapes. The main
 * suite runs it on test/fixtures/roles/ (written for this project); the extra
 * suite runs the same tests on the real-world corpus where CI has it.
 */
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { roleFile, runRoleguard } from "./cli.js";
import { tempDir, writeTree } from "./scratch-repo.js";

export interface RoleFolder {
  /** How the describe block names it. */
  name: string;
  dir: string;
  /** Role files that load on their own (with the built-in roles). */
  loadable: string[];
  /** Role files whose parent is not in the folder, with that parent's id. */
  orphans: { file: string; parent: string }[];
  /** Files in the folder that are not role files and must not be reported. */
  skipped: string[];
}

/**
 * One entry per file: its status line (`ok    <path>: <id>` or `error <path>`)
 * with the indented lines below it (that file's errors and warnings).
 */
export function lines(stdout: string): string[] {
  const blocks: string[] = [];
  for (const line of stdout.split("\n").filter((each) => each.trim() !== "")) {
    if (/^\s/.test(line) && blocks.length > 0) blocks[blocks.length - 1] += `\n${line}`;
    else blocks.push(line);
  }
  return blocks;
}

/**
 * The one entry that reports `file`: its status line names a path ending with
 * the file's base name (other lines may mention it, e.g. in a cycle's chain).
 * Fails unless there is exactly one.
 */
export function lineFor(stdout: string, file: string): string {
  const name = basename(file);
  const matching = lines(stdout).filter((block) => {
    const subject = /^\S+\s+(.*?)(?::(?:\s|$)|$)/.exec(block.split("\n")[0] ?? "")?.[1] ?? "";
    return subject === name || subject.endsWith(`/${name}`);
  });
  expect(matching, `lines naming ${file} in:\n${stdout}`).toHaveLength(1);
  return matching[0] as string;
}

export function describeRoleFolderLint(folder: RoleFolder): void {
  const path = (file: string) => join(folder.dir, file);

  describe(`roles lint over ${folder.name}`, () => {
    it("reports every role file on its own line; the ones with a missing parent fail naming it; exit 2", async () => {
      const { code, stdout } = await runRoleguard(["roles", "lint", folder.dir], process.cwd());

      expect(lines(stdout)).toHaveLength(folder.loadable.length + folder.orphans.length);
      for (const file of folder.loadable) expect(lineFor(stdout, file)).toMatch(/^ok\b/);
      for (const { file, parent } of folder.orphans) {
        const line = lineFor(stdout, file);
        expect(line).toMatch(/^error\b/);
        expect(line).toContain(parent);
      }
      for (const file of folder.skipped) expect(stdout).not.toContain(basename(file));
      expect(code).toBe(2);
    });

    it("each ok line names the role id it loaded, read from the file", async () => {
      const { stdout } = await runRoleguard(["roles", "lint", ...folder.loadable.map(path)], process.cwd());
      for (const file of folder.loadable) expect(lineFor(stdout, file)).toContain(`: ${basename(file, ".md")}`);
    });

    it("the loadable files, passed as file paths, exit 0", async () => {
      const { code, stdout } = await runRoleguard(["roles", "lint", ...folder.loadable.map(path)], process.cwd());

      expect(lines(stdout)).toHaveLength(folder.loadable.length);
      for (const line of lines(stdout)) expect(line).toMatch(/^ok\b/);
      expect(code).toBe(0);
    });

    it.each(folder.orphans)("$file alone fails naming $parent; supplied beside it, the parent makes it load", async ({ file, parent }) => {
      const alone = await runRoleguard(["roles", "lint", path(file)], process.cwd());
      expect(lines(alone.stdout)).toHaveLength(1);
      expect(lines(alone.stdout)[0]).toMatch(/^error\b/);
      expect(lines(alone.stdout)[0]).toContain(parent);
      expect(alone.code).toBe(2);

      const dir = tempDir();
      writeTree(dir, { [`${parent}.md`]: roleFile(`role: ${parent}\nconstraints:\n  forbidden_paths: [prod/]`) });
      const supplied = await runRoleguard(["roles", "lint", path(file), join(dir, `${parent}.md`)], process.cwd());
      expect(lineFor(supplied.stdout, file)).toMatch(/^ok\b/);
      expect(supplied.code).toBe(0);
    });
  });
}
