/**
 * git submodules: `.gitmodules` names each submodule's path and the URL it is
 * cloned from. Each is a dependency `submodule <path>` whose spec is its URL,
 * with ` (branch: …)` when it tracks one; a new URL for the same path is an
 * update (the supply-chain change: the same folder now comes from elsewhere).
 * The commit a submodule is pinned to is not in this file but in the tree (a
 * gitlink): dependency-findings.ts reports that from the change itself.
 *
 * Read the way git reads its config files, line by line: `[submodule "name"]`
 * headers (the name quoted, with `\"` and `\\` escapes), `key = value` with
 * keys compared case-insensitively, values optionally quoted, `#` and `;`
 * comments outside quotes, a trailing `\` continuing a value. The `ini`
 * package is not used: it accepts any line (a stray word becomes `true`), so a
 * broken file would read as fine instead of "could not read".
 */
import { DependencyMapBuilder } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { manifestText, quoteForMessage } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";

interface Section {
  name: string;
  subsection?: string;
  line: number;
  values: Map<string, string>;
}

const VALUE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", b: "\b", '"': '"', "\\": "\\" };

/** A value after `=`: quotes removed, escapes applied, a comment cut off; `continued` when it ends in `\`. */
function readValue(raw: string, line: number): { value: string; continued: boolean } {
  let value = "";
  let quoted = false;
  for (let index = 0; index < raw.length; index++) {
    const char = raw[index] as string;
    if (char === "\\") {
      if (index === raw.length - 1) return { value: value.trim(), continued: true };
      const escaped = raw[index + 1] as string;
      if (!(escaped in VALUE_ESCAPES)) throw ManifestParseError.at(`invalid escape ${quoteForMessage(`\\${escaped}`)}`, line);
      value += VALUE_ESCAPES[escaped];
      index++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && (char === "#" || char === ";")) {
      break;
    } else {
      value += char;
    }
  }
  if (quoted) throw ManifestParseError.at("a quoted value is never closed", line);
  return { value: value.trim(), continued: false };
}

export function readGitConfig(content: string): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  /** The key of a value continued on the next line, and what it holds so far. */
  let continuing: { key: string; value: string } | undefined;
  manifestText(content)
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = index + 1;
      if (continuing !== undefined && current !== undefined) {
        const { value, continued } = readValue(raw, line);
        continuing.value += value;
        current.values.set(continuing.key, continuing.value);
        if (!continued) continuing = undefined;
        return;
      }
      const text = raw.trim();
      if (text === "" || text.startsWith("#") || text.startsWith(";")) return;
      const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(?:[#;].*)?$/.exec(text);
      if (header) {
        const subsection = header[2]?.replace(/\\(.)/g, "$1");
        current = { name: (header[1] as string).toLowerCase(), ...(subsection !== undefined ? { subsection } : {}), line, values: new Map() };
        sections.push(current);
        return;
      }
      if (text.startsWith("[")) throw ManifestParseError.at(`not a section header: ${quoteForMessage(text)}`, line);
      const setting = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=(.*))?$/.exec(text);
      if (!setting) throw ManifestParseError.at(`not a key = value line: ${quoteForMessage(text)}`, line);
      if (current === undefined) throw ManifestParseError.at("a setting before any [section]", line);
      const key = (setting[1] as string).toLowerCase();
      // A key with no `=` is a boolean set to true, as git reads it.
      const { value, continued } = setting[2] === undefined ? { value: "true", continued: false } : readValue(setting[2], line);
      current.values.set(key, value);
      if (continued) continuing = { key, value };
    });
  return sections;
}

function parse(content: string): DependencyMap {
  const dependencies = new DependencyMapBuilder();
  for (const section of readGitConfig(content)) {
    if (section.name !== "submodule") continue;
    if (section.subsection === undefined) throw ManifestParseError.at("[submodule] needs a name: [submodule \"name\"]", section.line);
    // git places a submodule at its `path`; the name is only an identifier, but often the same.
    const path = section.values.get("path") ?? section.subsection;
    const url = section.values.get("url");
    if (url === undefined || url === "") throw ManifestParseError.at(`submodule ${quoteForMessage(section.subsection)} has no url`, section.line);
    const branch = section.values.get("branch");
    dependencies.add(`submodule ${path}`, branch ? `${url} (branch: ${branch})` : url);
  }
  return dependencies.build();
}

export const gitmodules: Ecosystem = {
  id: "gitmodules",
  // git reads only the repository root's `.gitmodules`.
  isManifest: (path) => path === ".gitmodules",
  lockfiles: [],
  parse,
};

/** Short form of a pinned commit in a finding, as git abbreviates it. */
export function shortCommit(sha: string): string {
  return sha.slice(0, 7);
}
