import { readFileSync } from "node:fs";
import { ManifestParseError, type DependencyMap, type Ecosystem } from "../../src/policy/dependencies/index.js";

/** Reads `test/fixtures/dependencies/<relative>`. */
export function readFixture(relative: string): string {
  return readFileSync(new URL(`../fixtures/dependencies/${relative}`, import.meta.url), "utf8");
}

/** Parses and returns the ManifestParseError, failing the test if parsing succeeds or throws anything else. */
export function parseError(ecosystem: Ecosystem, content: string, path: string): ManifestParseError {
  let result: DependencyMap;
  try {
    result = ecosystem.parse(content, path);
  } catch (error) {
    if (error instanceof ManifestParseError) return error;
    throw new Error(`expected a ManifestParseError, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected a ManifestParseError, got ${JSON.stringify(result)}`);
}
