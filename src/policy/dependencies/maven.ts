/**
 * Maven `pom.xml`, read with fast-xml-parser.
 *
 * Quirks handled:
 * - `<dependencies>`, `<dependencyManagement>` (` (managed)`), the
 *   `<parent>` POM (` (parent)`), `<build><plugins>` and
 *   `<build><pluginManagement>` (` (plugin)`, ` (managed plugin)`);
 * - a dependency is `groupId:artifactId`, plus `:type` / `:classifier` when
 *   they are not the defaults, since those are different artifacts;
 * - a `${property}` version is resolved from `<properties>` (and
 *   `${project.version}` / `${project.parent.version}`), so bumping
 *   `<jackson.version>` is an update of every artifact that uses it; an
 *   unknown property stays as written;
 * - the scope is part of the spec (` (test)`), except the default `compile`;
 * - a plugin without `groupId` is `org.apache.maven.plugins`, as Maven reads it.
 * Profiles are not read.
 */
import { DependencyMapBuilder } from "./dependency-map.js";
import { baseName } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";
import { childList, childNode, childText, parseXml, type XmlNode } from "./xml.js";

const PROPERTY = /\$\{([^}]{1,200})\}/g;

function properties(project: XmlNode): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(childNode(project, "properties") ?? {})) {
    if (typeof value === "string") values.set(name, value);
  }
  const version = childText(project, "version");
  const parentVersion = childText(childNode(project, "parent") ?? {}, "version");
  if (version !== undefined) values.set("project.version", version);
  if (parentVersion !== undefined) values.set("project.parent.version", parentVersion);
  return values;
}

/** One pass of substitution: a property defined by another property is resolved once more, never recursively without end. */
function resolve(text: string, values: Map<string, string>): string {
  const once = (input: string) => input.replace(PROPERTY, (whole, name: string) => values.get(name) ?? whole);
  return once(once(text));
}

function coordinates(node: XmlNode, defaultGroup?: string): string | undefined {
  const group = childText(node, "groupId") ?? defaultGroup;
  const artifact = childText(node, "artifactId");
  if (group === undefined || artifact === undefined) return undefined;
  const type = childText(node, "type");
  const classifier = childText(node, "classifier");
  return [group, artifact, ...(type !== undefined && type !== "jar" ? [type] : []), ...(classifier !== undefined ? [classifier] : [])].join(":");
}

function parse(content: string): DependencyMap {
  const document = parseXml(content, ["dependency", "plugin"]);
  const project = childNode(document, "project") ?? {};
  const values = properties(project);
  const dependencies = new DependencyMapBuilder();
  const add = (node: XmlNode, label: string | undefined, defaultGroup?: string) => {
    const name = coordinates(node, defaultGroup);
    if (name === undefined) return;
    const version = resolve(childText(node, "version") ?? "(managed)", values);
    const scope = childText(node, "scope");
    const labels = [...(label !== undefined ? [label] : []), ...(scope !== undefined && scope !== "compile" ? [scope] : [])];
    dependencies.add(resolve(name, values), labels.length === 0 ? version : `${version} (${labels.join(", ")})`);
  };
  const parent = childNode(project, "parent");
  if (parent !== undefined) add(parent, "parent");
  for (const node of childList(childNode(project, "dependencies"), "dependency")) add(node, undefined);
  for (const node of childList(childNode(project, "dependencyManagement", "dependencies"), "dependency")) add(node, "managed");
  const build = childNode(project, "build");
  for (const node of childList(childNode(build ?? {}, "plugins"), "plugin")) add(node, "plugin", "org.apache.maven.plugins");
  for (const node of childList(childNode(build ?? {}, "pluginManagement", "plugins"), "plugin")) add(node, "managed plugin", "org.apache.maven.plugins");
  return dependencies.build();
}

export const maven: Ecosystem = {
  id: "maven",
  isManifest: (path) => baseName(path) === "pom.xml",
  lockfiles: [],
  parse,
};
