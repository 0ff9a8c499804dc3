import { createRequire } from "node:module";

const requireHere = createRequire(import.meta.url);

/**
 * A package loaded at its first use, not with the module that uses it: most
 * evaluations read no TOML, YAML, XML or Dockerfile, and `check --pr` counts
 * no metrics, so the CLI starts faster without them (issue 13). Only for
 * packages with a CommonJS build, which the first use can load synchronously.
 */
export function loadedOnFirstUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(name) as T);
}
