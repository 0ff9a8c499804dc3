import { ManifestParseError } from "./errors.js";
import { loadedOnFirstUse } from "../../lazy-require.js";
import { manifestText } from "./text.js";

const xml = loadedOnFirstUse<typeof import("fast-xml-parser")>("fast-xml-parser");

export type XmlNode = { [key: string]: unknown };

export function isXmlNode(value: unknown): value is XmlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * An XML manifest (pom.xml, *.csproj, packages.config) read with
 * fast-xml-parser: validated first, so a broken file is an error with its
 * line, never a half-read tree. Values stay strings (`1.10` is not the number
 * 1.1); entities are not expanded (no entity-expansion bomb, and versions
 * have none); the tags in `lists` are always arrays, even when there is one.
 */
export function parseXml(content: string, lists: readonly string[]): XmlNode {
  const text = manifestText(content);
  if (text.trim() === "") throw ManifestParseError.at("file is empty");
  const valid = xml().XMLValidator.validate(text);
  if (valid !== true) throw ManifestParseError.at(`invalid XML: ${valid.err.msg}`, valid.err.line);
  const parser = new (xml().XMLParser)({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    trimValues: true,
    isArray: (name) => lists.includes(name),
  });
  try {
    const document: unknown = parser.parse(text);
    return isXmlNode(document) ? document : {};
  } catch (error) {
    throw ManifestParseError.at(`invalid XML: ${error instanceof Error ? error.message : String(error)}`, undefined, error);
  }
}

/** A child element's text: `<version>1.2</version>` → "1.2"; absent or empty → undefined. */
export function childText(node: XmlNode, name: string): string | undefined {
  const value = node[name];
  if (typeof value === "string") return value === "" ? undefined : value;
  if (isXmlNode(value) && typeof value["#text"] === "string") return value["#text"];
  return undefined;
}

/** `parent.a.b…` as a node, or undefined when any step is missing or is text. */
export function childNode(node: XmlNode, ...path: string[]): XmlNode | undefined {
  let current: unknown = node;
  for (const name of path) {
    if (!isXmlNode(current)) return undefined;
    current = current[name];
  }
  return isXmlNode(current) ? current : undefined;
}

/** The elements `name` below a node, as a list of nodes (text-only ones dropped: they declare nothing). */
export function childList(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? value.filter(isXmlNode) : [];
}
