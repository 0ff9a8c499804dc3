import { readFileSync } from "node:fs";

/**
 * roleguard's version, from its own package.json (src/ and dist/ both sit one
 * level below the package root), read as it is: `--version` and the cache keys
 * under `.git/roleguard/` need a string, never a failure.
 */
export function installedVersion(): string {
  try {
    return String((JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown }).version);
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}
