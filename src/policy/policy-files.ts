import type { Config } from "../config/schema.js";
import { isRoleFileIn } from "../roles/files.js";
import type { Change } from "./change.js";

/** Where a repository's config can be, in the order they are tried. */
export const CONFIG_FILES = [".github/roleguard.yml", ".github/roleguard.yaml"];

/** Is this path one of the config's role files? `roles.paths` are plain globs, dotfiles included. */
export function isRoleFilePath(path: string, config: Config): boolean {
  // The globs are compiled once per list, not once per file (a 3,000-file change asks 3,000 times).
  return isRoleFileIn(path, config.roles.paths);
}

/**
 * Does the change add, edit, move or remove a config or role file (of the
 * policy in force)? Only then is the proposed policy read and validated; a
 * caller holding an already resolved policy can skip loading the parsers.
 */
export function touchesPolicy(change: Pick<Change, "files">, config: Config): boolean {
  const isPolicyFile = (path: string | undefined) => path !== undefined && (CONFIG_FILES.includes(path) || isRoleFilePath(path, config));
  return change.files.some((file) => isPolicyFile(file.path) || isPolicyFile(file.previousPath));
}

/** Of the files added or edited in a working tree, the config and role files (`check` judges by the base ref's, and says so). */
export function policyEdits(changed: readonly string[], config: Config): { config: string[]; roles: string[] } {
  return {
    config: changed.filter((path) => CONFIG_FILES.includes(path)),
    roles: [...new Set(changed.filter((path) => isRoleFilePath(path, config)))],
  };
}
