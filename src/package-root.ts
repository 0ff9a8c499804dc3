import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * roleguard's own folder, the one with its package.json: the nearest one above
 * this file, because the code runs from src/ (tests), from dist/ (tsc's build)
 * and from dist/bundle/ (the CLI's bundle), each at its own depth, and none of
 * those folders holds a package.json. The files that ship beside the code
 * (package.json, roles/, app.yml) are read from here, never from the working
 * directory. Ends with a path separator.
 */
export const PACKAGE_ROOT = packageRootAbove(dirname(fileURLToPath(import.meta.url)));

export function packageRootAbove(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "/");
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}: roleguard's installation is incomplete`);
  }
}
