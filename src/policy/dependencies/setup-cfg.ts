/**
 * setuptools `setup.cfg`: `[options] install_requires` (runtime),
 * `setup_requires` (` (build)`), `tests_require` (` (test)`) and
 * `[options.extras_require]` (` (extra: NAME)`), each a list of PEP 508
 * strings, one a line (or, on a single line, separated by `;` as setuptools
 * splits them).
 *
 * Read the way setuptools reads it (Python's configparser): `[section]`
 * headers, `key = value` or `key: value`, a value continued on indented
 * lines, comments only on lines that start with `#` or `;`. The `ini`
 * package is not used: it has no continuation lines and cuts a value at `;`,
 * which would drop PEP 508 markers (`click; python_version < "3.12"`).
 * A reader of these rules only, line by line: linear in the file.
 */
import { DependencyMapBuilder, compareCodeUnits } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { parseRequirement } from "./pep508.js";
import { baseName, manifestText, quoteForMessage } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";

interface Value {
  line: number;
  lines: string[];
}
type Sections = Map<string, Map<string, Value>>;

function readSections(text: string): Sections {
  const sections: Sections = new Map();
  let section: Map<string, Value> | undefined;
  let value: Value | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (/^\s*[#;]/.test(raw) || raw.trim() === "") return;
    if (/^\s/.test(raw) && value !== undefined) {
      value.lines.push(raw.trim());
      return;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      const name = (header[1] ?? "").trim();
      section = sections.get(name) ?? new Map();
      sections.set(name, section);
      value = undefined;
      return;
    }
    const separator = raw.search(/[=:]/);
    if (section === undefined || separator <= 0) {
      throw ManifestParseError.at(section === undefined ? "a setting before any [section]" : `not a key = value line: ${quoteForMessage(raw.trim())}`, line);
    }
    value = { line, lines: [raw.slice(separator + 1).trim()] };
    section.set(raw.slice(0, separator).trim().toLowerCase(), value);
  });
  return sections;
}

function addList(dependencies: DependencyMapBuilder, value: Value | undefined, field: string, suffix: string): void {
  if (value === undefined) return;
  value.lines.forEach((text, offset) => {
    // As setuptools' _parse_list_semicolon: a multi-line value has one requirement a line;
    // a one-line value is split at `;` (commas belong to specifiers: `>=2,<3`).
    const items = value.lines.length > 1 ? [text] : text.split(";");
    for (const item of items.map((each) => each.trim()).filter((each) => each !== "")) {
      const requirement = parseRequirement(item);
      if (requirement === undefined) throw ManifestParseError.at(`${field} is not a list of PEP 508 requirements: ${quoteForMessage(item)}`, value.line + offset);
      dependencies.add(requirement.name, requirement.spec + suffix);
    }
  });
}

function parse(content: string): DependencyMap {
  const sections = readSections(manifestText(content));
  const dependencies = new DependencyMapBuilder();
  const options = sections.get("options");
  addList(dependencies, options?.get("install_requires"), "options.install_requires", "");
  addList(dependencies, options?.get("setup_requires"), "options.setup_requires", " (build)");
  addList(dependencies, options?.get("tests_require"), "options.tests_require", " (test)");
  const extras = [...(sections.get("options.extras_require") ?? new Map<string, Value>())].sort(([left], [right]) => compareCodeUnits(left, right));
  for (const [extra, value] of extras) addList(dependencies, value, `options.extras_require.${extra}`, ` (extra: ${extra})`);
  return dependencies.build();
}

export const setupCfg: Ecosystem = {
  id: "setup-cfg",
  isManifest: (path) => baseName(path) === "setup.cfg",
  lockfiles: [],
  parse,
};
