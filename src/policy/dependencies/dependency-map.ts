import type { DependencyMap } from "./types.js";

/**
 * Collects specs per package name. A package that appears several times (in
 * two sections, or twice with different markers) keeps every spec, joined with
 * ", " in the order they were added; parsers add sections in a fixed order so
 * the result is deterministic.
 *
 * The result is built with Object.fromEntries so a package literally named
 * "__proto__" or "constructor" becomes an ordinary own key instead of touching
 * the prototype.
 */
export class DependencyMapBuilder {
  private readonly specsByName = new Map<string, string[]>();

  add(name: string, spec: string): void {
    const specs = this.specsByName.get(name);
    if (specs === undefined) this.specsByName.set(name, [spec]);
    else specs.push(spec);
  }

  build(): DependencyMap {
    return Object.fromEntries([...this.specsByName].map(([name, specs]) => [name, specs.join(", ")]));
  }
}

/** Sort order by UTF-16 code unit: unlike localeCompare it does not depend on the machine's locale. */
export function compareCodeUnits(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
