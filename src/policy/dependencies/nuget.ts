/**
 * NuGet: `PackageReference` in SDK-style projects (`*.csproj`, `*.fsproj`,
 * `*.vbproj`, `Directory.Build.props`), central versions in
 * `Directory.Packages.props` (`PackageVersion`, `GlobalPackageReference`) and
 * the old `packages.config`; read with fast-xml-parser.
 *
 * Quirks handled:
 * - the version is the `Version` attribute or a `<Version>` child element;
 *   `VersionOverride` wins over a central version (shown as ` (override)`);
 *   a reference without a version takes it from Directory.Packages.props
 *   (`(central)`);
 * - `Update=` instead of `Include=` (Directory.Build.props) counts the same;
 * - `$(Property)` versions resolved from the file's `<PropertyGroup>`s, an
 *   unknown one kept as written;
 * - `PrivateAssets="all"` marks a build-only package (` (private)`).
 */
import { DependencyMapBuilder } from "./dependency-map.js";
import { baseName } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";
import { childList, childNode, childText, isXmlNode, parseXml, type XmlNode } from "./xml.js";

const LISTS = ["ItemGroup", "PropertyGroup", "PackageReference", "PackageVersion", "GlobalPackageReference", "package"];

function attributeOrChild(node: XmlNode, name: string): string | undefined {
  const attribute = node[`@${name}`];
  return typeof attribute === "string" && attribute !== "" ? attribute : childText(node, name);
}

function properties(project: XmlNode): Map<string, string> {
  const values = new Map<string, string>();
  for (const group of childList(project, "PropertyGroup")) {
    for (const [name, value] of Object.entries(group)) if (typeof value === "string") values.set(name, value);
  }
  return values;
}

function parseProject(project: XmlNode): DependencyMap {
  const values = properties(project);
  const resolve = (text: string) => text.replace(/\$\(([^)]{1,200})\)/g, (whole, name: string) => values.get(name) ?? whole);
  const dependencies = new DependencyMapBuilder();
  for (const group of childList(project, "ItemGroup")) {
    for (const [tag, label] of [["PackageReference", undefined], ["PackageVersion", undefined], ["GlobalPackageReference", "global"]] as const) {
      for (const item of childList(group, tag)) {
        const name = attributeOrChild(item, "Include") ?? attributeOrChild(item, "Update");
        if (name === undefined) continue;
        const override = attributeOrChild(item, "VersionOverride");
        const version = resolve(override ?? attributeOrChild(item, "Version") ?? "(central)");
        const labels = [...(label ? [label] : []), ...(override ? ["override"] : []), ...(/^all$/i.test(attributeOrChild(item, "PrivateAssets") ?? "") ? ["private"] : [])];
        dependencies.add(name, labels.length === 0 ? version : `${version} (${labels.join(", ")})`);
      }
    }
  }
  return dependencies.build();
}

function parsePackagesConfig(document: XmlNode): DependencyMap {
  const dependencies = new DependencyMapBuilder();
  for (const item of childList(childNode(document, "packages"), "package")) {
    const id = attributeOrChild(item, "id");
    if (id === undefined) continue;
    const development = attributeOrChild(item, "developmentDependency") === "true" ? " (development)" : "";
    dependencies.add(id, (attributeOrChild(item, "version") ?? "*") + development);
  }
  return dependencies.build();
}

function parse(content: string, path: string): DependencyMap {
  const document = parseXml(content, LISTS);
  if (baseName(path) === "packages.config") return parsePackagesConfig(document);
  const project = document["Project"];
  return isXmlNode(project) ? parseProject(project) : {};
}

export const nuget: Ecosystem = {
  id: "nuget",
  isManifest: (path) => {
    const name = baseName(path);
    return /.\.(?:csproj|fsproj|vbproj)$/.test(name) || ["Directory.Packages.props", "Directory.Build.props", "packages.config"].includes(name);
  },
  lockfiles: ["packages.lock.json"],
  parse,
};
