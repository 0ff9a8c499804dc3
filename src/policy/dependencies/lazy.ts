import { createRequire } from "node:module";

const requireHere = createRequire(import.meta.url);

/**
 * A parser package loaded at the first manifest that needs it, not with the
 * engine: most evaluations read no TOML, YAML, XML or Dockerfile, and the CLI
 * starts faster without them (issue 13). Every one of these packages ships a
 * CommonJS build, so the first use can load it synchronously.
 */
export function loadedOnFirstUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(name) as T);
}
