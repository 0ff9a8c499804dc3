import type { Alternative } from "./parse.js";

/**
 * Patterns without a wildcard (`package.json`, `.github/`, `/data/`,
 * `workspace/frontend/`: most patterns roles write), answered by hash
 * lookups instead of RE2, as git itself compares them as plain strings. It
 * keeps the RE2 sets small, and a small set builds few DFA states: a fresh
 * list (each evaluation makes its own) matches a 3,000-file change about three
 * times as fast as with every pattern in RE2 (bench/RESULTS.md).
 *
 * Exact (case-sensitive) matching only: ignoring case, RE2's case folding
 * decides, and no string comparison here could agree with it character for character.
 */
export class LiteralIndex {
  /** Names matching a file or folder at any depth (`package.json`, `node_modules/`). */
  private readonly names = new LiteralTable();
  /** Paths from the root (`/Makefile`, `/data/`, `workspace/frontend/`). */
  private readonly paths = new LiteralTable();

  /** Takes the alternative when it has no wildcard (and says so). */
  add(alternative: Alternative, index: number): boolean {
    const texts: string[] = [];
    for (const segment of alternative.segments) {
      if (segment.kind !== "name" || segment.parts.length !== 1 || segment.parts[0]?.kind !== "text") return false;
      texts.push(segment.parts[0].text);
    }
    (alternative.anchored ? this.paths : this.names).add(texts.join("/"), alternative.folderOnly, index);
    return true;
  }

  /**
   * The largest index of a literal pattern that matches the path or a folder
   * above it, or -1. One pass over the path's names, and lookups of its
   * folder prefixes no longer than the longest anchored pattern: linear in
   * the path's length.
   */
  lastMatch(path: string): number {
    const { names, paths } = this;
    let best = -1;
    let start = 0;
    for (;;) {
      let end = path.indexOf("/", start);
      const last = end === -1;
      if (last) end = path.length;
      best = names.lookup(path, start, end, last, best);
      best = paths.lookup(path, 0, end, last, best);
      if (last || (names.isEmpty && end > paths.longest)) return best;
      start = end + 1;
    }
  }
}

/**
 * Literal texts → the last pattern index with that text, for any node (file
 * or folder) and for folders only. A text is looked up only when some entry
 * has its length, which skips most slices of a path and every hash of them.
 */
class LiteralTable {
  private readonly any = new Map<string, number>();
  private readonly folders = new Map<string, number>();
  private lengths = new Uint8Array(0);
  longest = -1;

  get isEmpty(): boolean {
    return this.longest < 0;
  }

  add(text: string, folderOnly: boolean, index: number): void {
    (folderOnly ? this.folders : this.any).set(text, index);
    if (text.length > this.longest) {
      const lengths = new Uint8Array(text.length + 1);
      lengths.set(this.lengths);
      this.lengths = lengths;
      this.longest = text.length;
    }
    this.lengths[text.length] = 1;
  }

  /** The larger of `best` and the index of `path.slice(start, end)`; a folder-only entry counts when the text is not the path's last name. */
  lookup(path: string, start: number, end: number, last: boolean, best: number): number {
    const length = end - start;
    if (length > this.longest || this.lengths[length] === 0) return best;
    const text = path.slice(start, end);
    const any = this.any.get(text);
    if (any !== undefined && any > best) best = any;
    if (last) return best;
    const folder = this.folders.get(text);
    return folder !== undefined && folder > best ? folder : best;
  }
}
