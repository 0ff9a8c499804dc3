/** What a pull request or a local diff changed, as plain data: the engine's only view of it. */

export const FILE_STATUSES = ["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export interface ChangedFile {
  path: string;
  status: FileStatus;
  /** The old path of a rename or copy. */
  previousPath?: string;
  /** Blob SHA at the head (absent for a removed file): what an approval of this file binds to. */
  sha?: string;
  /**
   * Set when the path is a git submodule (a gitlink, mode 160000) on either
   * side: the commit it pins at the base and at the head, each absent where
   * the path is no submodule. Moving the pin is a dependency update.
   */
  submodule?: { base?: string; head?: string };
}

export interface Change {
  files: ChangedFile[];
  /** The PR description, read for a stated confidence. */
  body?: string;
  /** Set when the change could not be listed in full: the verdict then fails closed. */
  incomplete?: string;
  /** Things a reviewer should know about how the change was read (a rename limit hit); shown as warnings. */
  warnings?: string[];
  /** The head commit: an approval of `commit` covers this commit only. */
  headSha?: string;
}

/** Reads a file at the base or head commit; null when it does not exist there. */
export interface FileReader {
  read(side: "base" | "head", path: string): Promise<string | null>;
}

/** A role that applies to the PR, and the rule that applied it ("assign[0].users: backend-agent[bot]"). */
export interface RoleAssignment {
  id: string;
  source: string;
}

/** A maintainer's approval; `covers` binds it to finding keys as they were when it was given. */
export interface Approval {
  categories: readonly string[] | "all";
  by: string;
  at?: string;
  covers?: readonly string[];
  /** How it was given: "comment", "review", "button". */
  via?: string;
}

export interface Override {
  by: string;
  reason: string;
  at?: string;
  covers?: readonly string[];
  via?: string;
}
