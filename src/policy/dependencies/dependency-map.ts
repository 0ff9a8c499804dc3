import type { DependencyMap } from "./types.js";

/**
 * Collects specs per package name. A package that appears several times (in
 * two sections, or twice with different markers) keeps every spec, joined with
 * ", " in the order they were added; parsers add sections in a fixed order so
 * the result is deterministic.
 */
export class DependencyMapBuilder {
  private readonly specByName = new Map<string, string>();

  add(name: string, spec: string): void {
    const earlier = this.specByName.get(name);
    this.specByName.set(name, earlier === undefined ? spec : `${earlier}, ${spec}`);
  }

  /**
   * Object.fromEntries defines own properties, so a package literally named
   * "__proto__" becomes an ordinary key instead of a prototype assignment.
   */
  build(): DependencyMap {
    return Object.fromEntries(this.specByName);
  }
}

/** Sort order by UTF-16 code unit: unlike localeCompare it does not depend on the machine's locale. */
export function compareCodeUnits(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

/**
 * Like {@link DependencyMapBuilder}, for manifests where the same dependency is
 * used in many places (an action in every job, an image in two stages): each
 * distinct spec once, sorted, so reordering or repeating uses changes nothing.
 */
export class DistinctSpecsBuilder {
  private readonly specsByName = new Map<string, Set<string>>();

  add(name: string, spec: string): void {
    const specs = this.specsByName.get(name) ?? new Set<string>();
    specs.add(spec);
    this.specsByName.set(name, specs);
  }

  build(): DependencyMap {
    return Object.fromEntries([...this.specsByName].map(([name, specs]) => [name, [...specs].sort(compareCodeUnits).join(", ")]));
  }
}
