import type { GitRepository } from "../sources/git.js";

/** One step of the mainline: the change `sha` brought onto its first parent. */
export interface MainlineStep {
  sha: string;
  /** The first parent: the mainline as it was before this change. */
  parent: string;
  /** A merge commit (a merged pull request) rather than a commit made or squashed onto the mainline. */
  merge: boolean;
  /** Committer date, ISO 8601. */
  date: string;
  subject: string;
}

/**
 * The first-parent history of `head`, newest first, up to `max` steps: each
 * merge commit is one merged branch (its change is the diff from its first
 * parent), and in a squash-merge repository each commit is one pull request.
 * A root commit has no parent to compare with and is counted, not replayed.
 */
export async function firstParentSteps(repo: GitRepository, head: string, max: number): Promise<{ steps: MainlineStep[]; roots: number }> {
  const raw = await repo.git(["log", "--first-parent", `--max-count=${max}`, "--format=%H%x00%P%x00%cI%x00%s%x00", head]);
  const fields = raw.split("\0");
  const steps: MainlineStep[] = [];
  let roots = 0;
  for (let index = 0; index + 3 < fields.length; index += 4) {
    const sha = (fields[index] as string).trim();
    const parents = (fields[index + 1] as string).trim().split(" ").filter(Boolean);
    const date = fields[index + 2] as string;
    const subject = fields[index + 3] as string;
    const parent = parents[0];
    if (!sha) continue;
    if (parent === undefined) {
      roots++;
      continue;
    }
    steps.push({ sha, parent, merge: parents.length > 1, date, subject });
  }
  return { steps, roots };
}
