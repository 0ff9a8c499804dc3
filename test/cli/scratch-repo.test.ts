/** The scratch-repository helper itself: if it lies, every CLI test lies with it. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoWithChange, ScratchRepo } from "../helpers/scratch-repo.js";

describe("ScratchRepo", () => {
  it("repoWithChange: base on main, the change on the checked-out branch feature", () => {
    const long = Array.from({ length: 10 }, (_, i) => `line ${i} of a file`).join("\n");
    const repo = repoWithChange(
      { "a/b/c.txt": "c\n", "gone.txt": "gone\n", "old name.md": long },
      { write: { "a/b/c.txt": "c2\n", "new/deep/file.txt": "n\n" }, remove: ["gone.txt"], rename: [["old name.md", "moved/new name.md"]] },
    );

    expect(repo.git("rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("feature");
    expect(repo.git("log", "--format=%s", "main").trim()).toBe("base");
    expect(repo.git("log", "--format=%s", "feature").trim().split("\n")).toEqual(["feature", "base"]);
    expect(repo.git("diff", "--name-status", "-M", "main", "feature").trim().split("\n").sort()).toEqual([
      "A\tnew/deep/file.txt",
      "D\tgone.txt",
      "M\ta/b/c.txt",
      "R100\told name.md\tmoved/new name.md",
    ]);
    expect(repo.read("a/b/c.txt")).toBe("c2\n");
    expect(repo.git("status", "--porcelain")).toBe("");
    expect(existsSync(join(repo.dir, "gone.txt"))).toBe(false);
  });

  it("the same steps give the same commit SHAs (fixed identity and dates)", () => {
    const one = repoWithChange({ "x.txt": "x" }, { write: { "y.txt": "y" } });
    const two = repoWithChange({ "x.txt": "x" }, { write: { "y.txt": "y" } });
    expect(two.head()).toBe(one.head());
  });

  it("imperative steps: write nested, commit, branch, git mv, remove, checkout", () => {
    const repo = ScratchRepo.create();
    const first = repo.write({ "src/deep/a.ts": "a\n", "b.txt": "b\n" }).commit("one");
    repo.branch("topic").rename("src/deep/a.ts", "lib/a.ts").remove("b.txt");
    repo.write({ "c.txt": "c\n" }).commit("two");

    expect(repo.git("diff", "--name-status", "-M", first, "HEAD").trim().split("\n").sort()).toEqual([
      "A\tc.txt",
      "D\tb.txt",
      "R100\tsrc/deep/a.ts\tlib/a.ts",
    ]);
    repo.checkout("main");
    expect(repo.read("b.txt")).toBe("b\n");
    expect(repo.git("config", "user.name").trim()).toBe("Scratch Tester");
    expect(repo.git("config", "--show-origin", "user.email").trim()).toMatch(/^file:\.git\/config\s+scratch@example\.test$/);
  });

  let createdInEarlierTest = "";
  it("a repository created in a test exists during it…", () => {
    createdInEarlierTest = ScratchRepo.create().dir;
    expect(existsSync(join(createdInEarlierTest, ".git"))).toBe(true);
  });

  it("…and is removed when that test finishes", () => {
    expect(createdInEarlierTest).not.toBe("");
    expect(existsSync(createdInEarlierTest)).toBe(false);
  });
});
