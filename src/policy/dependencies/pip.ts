/**
 * pip requirements files (`requirements.txt`, `requirements-dev.txt`,
 * `requirements/base.txt`, pip-tools `requirements.in`, ...).
 *
 * Quirks handled, following pip's own reader (pip/_internal/req/req_file.py):
 * - a line ending in `\` continues on the next one, unless it is a comment;
 * - `#` starts a comment at the start of a line or after whitespace only, so
 *   `https://host/x.tar.gz#egg=x` keeps its fragment;
 * - option lines (`-r`, `-c`, `-i`, `--index-url`, ...) name no dependency and
 *   are skipped, except `-e`/`--editable`, whose target is one;
 * - per-requirement options after the requirement (`--hash=sha256:...` from
 *   pip-compile) are dropped, so re-hashing alone is not an update;
 * - a URL or path requirement is named by its `#egg=` fragment, else by its
 *   wheel file name, else by the location itself (a new unnamed URL is
 *   exactly what a reviewer should see);
 * - names are PEP 503-normalised; the spec is the rest of the line as written.
 */
import { DependencyMapBuilder } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { baseName, manifestText, quoteForMessage } from "./text.js";
import { normalizePythonName, parseRequirement } from "./pep508.js";
import type { DependencyMap, Ecosystem } from "./types.js";

interface LogicalLine {
  /** line number where the (possibly continued) line starts */
  line: number;
  text: string;
}

/** Joins `\` continuations the way pip does: a comment line never continues. */
function logicalLines(text: string): LogicalLine[] {
  const result: LogicalLine[] = [];
  let pending: LogicalLine | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const continues = raw.endsWith("\\") && !/^\s*#/.test(raw);
    const piece = continues ? raw.slice(0, -1) : raw;
    if (pending === undefined) pending = { line: index + 1, text: piece };
    else pending.text += piece;
    if (!continues) {
      result.push(pending);
      pending = undefined;
    }
  });
  if (pending !== undefined) result.push(pending);
  return result;
}

/** Cuts a `#` comment that starts the line or follows whitespace. */
function stripComment(text: string): string {
  for (let index = text.indexOf("#"); index !== -1; index = text.indexOf("#", index + 1)) {
    if (index === 0 || /\s/.test(text[index - 1] ?? "")) return text.slice(0, index);
  }
  return text;
}

/** Drops trailing per-requirement options: everything from the first whitespace-preceded `-`. */
function stripRequirementOptions(text: string): string {
  const match = /\s-/.exec(text);
  return match === null ? text : text.slice(0, match.index);
}

const URL_OR_PATH = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|file:|[./~\\])/;
// A bare archive file name; `name @ https://.../x.whl` has an `@` and is PEP 508.
const ARCHIVE = /^[^\s@;]+\.(?:whl|zip|tar\.gz|tgz|tar\.bz2|tar\.xz)$/i;
const EGG = /[#&]egg=([^&\s]+)/;

/** A requirement given as a location: named by `#egg=`, by its wheel file name, or by the location. */
function locationRequirement(location: string, editable: boolean): { name: string; spec: string } {
  const withoutFragment = location.split("#")[0] ?? location;
  const shown = editable ? `-e ${withoutFragment}` : withoutFragment;
  const egg = EGG.exec(location)?.[1];
  const eggName = egg === undefined ? undefined : parseRequirement(egg)?.name;
  if (eggName !== undefined) return { name: eggName, spec: shown };
  // A wheel's file name is `{name}-{version}-...whl` with `-` escaped as `_`
  // in the name; an sdist name cannot be split reliably, so it is not tried.
  const fileName = withoutFragment.slice(Math.max(withoutFragment.lastIndexOf("/"), withoutFragment.lastIndexOf("\\")) + 1);
  const wheel = /^([^-]+)-[^-]+-.+\.whl$/i.exec(fileName)?.[1];
  if (wheel !== undefined) return { name: normalizePythonName(wheel), spec: shown };
  return { name: withoutFragment, spec: editable ? "(editable)" : "*" };
}

function readRequirement(text: string): { name: string; spec: string } | undefined {
  if (URL_OR_PATH.test(text) || ARCHIVE.test(text)) return locationRequirement(text, false);
  // pip also takes a relative directory without a leading `./` (`plugins/acme`).
  return parseRequirement(text) ?? (/^\S*[/\\]\S*$/.test(text) ? locationRequirement(text, false) : undefined);
}

const EDITABLE = /^(?:-e|--editable)(?:\s+|=)(\S+)/;

function parse(content: string): DependencyMap {
  const text = manifestText(content);
  const dependencies = new DependencyMapBuilder();
  for (const { line, text: rawLine } of logicalLines(text)) {
    const statement = stripComment(rawLine).trim();
    if (statement === "") continue;
    if (statement.startsWith("-")) {
      const editable = EDITABLE.exec(statement)?.[1];
      if (editable !== undefined) {
        const { name, spec } = locationRequirement(editable, true);
        dependencies.add(name, spec);
      }
      continue;
    }
    const requirement = readRequirement(stripRequirementOptions(statement).trim());
    if (requirement === undefined) throw ManifestParseError.at(`not a requirement: ${quoteForMessage(statement)}`, line);
    dependencies.add(requirement.name, requirement.spec);
  }
  return dependencies.build();
}

/** autoconf and setuptools inputs that end in `.in` but are not requirements, wherever they are. */
const NOT_REQUIREMENTS = new Set(["MANIFEST.in", "Makefile.in"]);

function isRequirementsFile(path: string): boolean {
  const name = baseName(path);
  if (NOT_REQUIREMENTS.has(name)) return false;
  const segments = path.split("/");
  const directory = segments[segments.length - 2] ?? "";
  return (
    /^requirements(?:[-_.].+)?\.txt$/.test(name) ||
    /^requirements.*\.in$/.test(name) ||
    /^.+-requirements\.(?:txt|in)$/.test(name) ||
    // pip-tools layouts: requirements/base.in, requirements-dev/test.txt, requirements.d/lint.in
    (directory.startsWith("requirements") && /^.+\.(?:txt|in)$/.test(name))
  );
}

export const pip: Ecosystem = {
  id: "pip",
  isManifest: isRequirementsFile,
  // Python lockfiles belong to pyproject (poetry.lock, uv.lock, pdm.lock) and
  // pipfile (Pipfile.lock); a compiled requirements.txt is its own lock.
  lockfiles: [],
  parse,
};
