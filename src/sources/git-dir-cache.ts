import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A file under `.git/roleguard/` holding one value for one key (a base tree
 * SHA and roleguard's version): what the hook and `check` keep between runs so
 * a repeated run skips YAML, zod and role inheritance. A file for another key,
 * of another format version, or that does not parse reads as nothing: it is
 * rebuilt, never trusted half-way.
 */
export class GitDirCache<T> {
  constructor(
    private readonly name: string,
    private readonly version: number,
    /** The shape check a value must pass to be used. */
    private readonly accepts: (value: unknown) => value is T,
  ) {}

  file(gitDir: string): string {
    return join(gitDir, "roleguard", this.name);
  }

  read(gitDir: string, key: string): T | undefined {
    try {
      const stored = JSON.parse(readFileSync(this.file(gitDir), "utf8")) as { version?: unknown; key?: unknown; value?: unknown };
      if (stored.version !== this.version || stored.key !== key || !this.accepts(stored.value)) return undefined;
      return stored.value;
    } catch {
      return undefined;
    }
  }

  write(gitDir: string, key: string, value: T): void {
    try {
      mkdirSync(join(gitDir, "roleguard"), { recursive: true });
      const temporary = `${this.file(gitDir)}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify({ version: this.version, key, value }));
      renameSync(temporary, this.file(gitDir)); // atomic: a concurrent run reads the old file or the new one
    } catch {
      // A read-only .git only costs speed.
    }
  }
}
