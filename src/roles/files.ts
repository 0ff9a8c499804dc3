import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import micromatch from "micromatch";
import { boundedCache } from "../bounded-cache.js";

/**
 * Which Markdown files in a role folder are role files (SPEC §1). Role folders
 * also hold templates (`_template.md`), notes under `_meta/` and a README:
 * reading those as roles would turn a placeholder into a policy error, or a
 * README into a role.
 */
export function isRoleFileName(path: string): boolean {
  const segments = path.split("/");
  const name = segments[segments.length - 1] ?? "";
  if (!name.toLowerCase().endsWith(".md")) return false;
  if (name.startsWith("_") || name.toLowerCase() === "readme.md") return false;
  return !segments.slice(0, -1).includes("_meta");
}

/** Compiled `roles.paths` globs, by the list: a list is compiled once, however many files it is matched against. */
const roleFolderMatchers = new LRUCache<string, (path: string) => boolean>({ max: 1_000 });

/** The matcher of a `roles.paths` list (micromatch globs, dot files included), compiled once per list. */
export function roleFolderMatcher(globs: readonly string[]): (path: string) => boolean {
  const key = globs.join("\n");
  let matcher = roleFolderMatchers.get(key);
  if (!matcher) {
    const compiled = globs.map((glob) => micromatch.matcher(glob, { dot: true }));
    matcher = (path) => compiled.some((match) => match(path));
    roleFolderMatchers.set(key, matcher);
  }
  return matcher;
}

/** A role file of these role folders: a role file's name, matched by one of the globs. */
export function isRoleFileIn(path: string, globs: readonly string[]): boolean {
  return isRoleFileName(path) && roleFolderMatcher(globs)(path);
}

/** Git's blob SHA of a text: what names a file's content, however it was read (API, git, disk). */
export function blobShaOf(text: string): string {
  const content = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

/**
 * Parse results by file and content (git's blob SHA), bounded: the same role or
 * config file is parsed once however many evaluations read it. Entries are
 * frozen, so a caller that changed one would fail loudly instead of changing
 * every later evaluation's policy.
 */
export class ParseCache<T> {
  private readonly entries: LRUCache<string, { value: T }>;

  constructor(max: number) {
    this.entries = boundedCache<string, { value: T }>(max);
  }

  get(file: string, text: string, parse: (text: string, file: string) => T): T {
    const key = `${file}\0${blobShaOf(text)}`;
    const hit = this.entries.get(key);
    if (hit) return hit.value;
    const value = deepFreeze(parse(text, file));
    this.entries.set(key, { value });
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Freezes plain objects and arrays all the way down; instances of classes (a YAML document behind a line lookup) are left as they are. */
function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
  if (value === null || typeof value !== "object" || seen.has(value) || Object.isFrozen(value)) return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], seen);
  return Object.freeze(value);
}
