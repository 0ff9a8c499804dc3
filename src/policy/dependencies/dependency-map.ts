import type { DependencyMap } from "./types.js";

/**
 * Collects specs per package name. A package that appears several times (in
 * two sections, or twice with different markers) keeps every spec, joined with
 * ", " in the order they were added; parsers add sections in a fixed order so
 * the result is deterministic.
 */
export class DependencyMapBuilder {
  // Filled while it has no prototype, so a package literally named
  // "__proto__" is an ordinary key rather than a prototype assignment, and
  // "constructor" or "toString" are never found on Object.prototype. (It is
  // also about twice as fast as a Map plus Object.fromEntries on manifests
  // with a hundred thousand entries.)
  private readonly specByName: DependencyMap = Object.create(null);

  add(name: string, spec: string): void {
    const earlier = this.specByName[name];
    this.specByName[name] = earlier === undefined ? spec : `${earlier}, ${spec}`;
  }

  /** The collected map, now with the usual Object.prototype. Call once, at the end. */
  build(): DependencyMap {
    return Object.setPrototypeOf(this.specByName, Object.prototype);
  }
}

/** Sort order by UTF-16 code unit: unlike localeCompare it does not depend on the machine's locale. */
export function compareCodeUnits(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
