import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "./package-root.js";

/**
 * roleguard's version, from its own package.json, read as it is: `--version` and the cache keys
 * under `.git/roleguard/` need a string, never a failure.
 */
export function installedVersion(): string {
  try {
    return String((JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version?: unknown }).version);
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}
