import type { ChangedFile, FileReader } from "./change.js";
import type { DependencyCategory } from "./categories/builtin.js";
import {
  diffDependencies,
  ecosystemForLockfile,
  ecosystemForManifest,
  shortCommit,
  type DependencyMap,
  type Ecosystem,
} from "./dependencies/index.js";
import { dependencyLine } from "./dependencies/lines.js";

export interface DependencyFinding {
  category: DependencyCategory;
  file: ChangedFile;
  /** "lodash ^4.17.21", "requests 2.31.0 → 2.32.0" */
  detail: string;
  /** The dependency's line in the head manifest (added and updated ones; a removed one has none there). */
  line?: number;
}

type ManifestSide = { ok: true; map: DependencyMap | null; text?: string } | { ok: false; reason: string };

/**
 * Dependency changes, found by parsing each changed manifest at the base and
 * head commits. Manifests are read only when one changed. A manifest that
 * cannot be read is a finding in every requested dependency category; a
 * lockfile that changed with no dependency change beside it is an update.
 */
export async function findDependencyChanges(
  files: readonly ChangedFile[],
  reader: FileReader | undefined,
  wanted: ReadonlySet<DependencyCategory>,
): Promise<DependencyFinding[]> {
  const findings: DependencyFinding[] = [];
  /** Folders (with their ecosystem) whose manifest diff explains a lockfile change. */
  const explained: { ecosystem: string; dir: string }[] = [];

  for (const file of files) {
    if (file.submodule) {
      const finding = submoduleFinding(file, file.submodule);
      if (finding && wanted.has(finding.category)) findings.push(finding);
      continue;
    }
    const ecosystem = ecosystemForManifest(file.path);
    if (!ecosystem) continue;
    // A new manifest is compared with nothing (SPEC §2): a copy's source is another project's dependencies,
    // and diffing against it would report "remove express" where the change adds lodash.
    const isNew = file.status === "added" || file.status === "copied";
    const base = isNew ? { ok: true as const, map: null } : await readSide(reader, ecosystem, "base", file.previousPath ?? file.path);
    const head = file.status === "removed" ? { ok: true as const, map: null } : await readSide(reader, ecosystem, "head", file.path);
    if (!base.ok || !head.ok) {
      const reason = [base, head].flatMap((side) => (side.ok ? [] : [side.reason])).join("; ");
      for (const category of wanted) findings.push({ category, file, detail: `could not read ${file.path}: ${reason}; treat as changed` });
      continue;
    }
    const diff = diffDependencies(base.map, head.map);
    const add = (category: DependencyCategory, detail: string, name?: string) => {
      if (!wanted.has(category)) return;
      const line = name !== undefined && head.text !== undefined ? dependencyLine(head.text, name, ecosystem.id) : undefined;
      findings.push({ category, file, detail, ...(line !== undefined ? { line } : {}) });
    };
    for (const { name, spec } of diff.added) add("add_dependencies", `${name} ${spec}`, name);
    for (const { name, spec } of diff.removed) add("remove_dependencies", `${name} ${spec}`);
    for (const { name, from, to } of diff.updated) add("update_dependencies", `${name} ${from} → ${to}`, name);
    if (diff.added.length + diff.removed.length + diff.updated.length > 0) {
      explained.push({ ecosystem: ecosystem.id, dir: dirname(file.path) });
    }
  }

  if (wanted.has("update_dependencies")) {
    for (const file of files) {
      const ecosystem = ecosystemForLockfile(file.path);
      if (!ecosystem) continue;
      const dir = dirname(file.path);
      const byManifest = explained.some((each) => each.ecosystem === ecosystem.id && isWithin(each.dir, dir));
      if (!byManifest) {
        findings.push({ category: "update_dependencies", file, detail: `${file.path} changed with no dependency change in its manifest` });
      }
    }
  }
  return findings;
}

/**
 * A gitlink's pinned commit, which the change itself carries (no file to
 * read): a new pin adds the submodule, a dropped one removes it, a moved one
 * updates it. `.gitmodules` (the URL) is a manifest of its own.
 */
function submoduleFinding(file: ChangedFile, pins: { base?: string; head?: string }): DependencyFinding | undefined {
  const { base, head } = pins;
  if (base !== undefined && head !== undefined) {
    if (base === head) return undefined;
    return { category: "update_dependencies", file, detail: `submodule ${file.path} from ${shortCommit(base)} to ${shortCommit(head)}` };
  }
  if (head !== undefined) return { category: "add_dependencies", file, detail: `submodule ${file.path} at ${shortCommit(head)}` };
  if (base !== undefined) return { category: "remove_dependencies", file, detail: `submodule ${file.path} (was at ${shortCommit(base)})` };
  return undefined;
}

async function readSide(
  reader: FileReader | undefined,
  ecosystem: Ecosystem,
  side: "base" | "head",
  path: string,
): Promise<ManifestSide> {
  if (!reader) return { ok: false, reason: `no way to read files at the ${side}` };
  let text: string | null;
  try {
    text = await reader.read(side, path);
  } catch (error) {
    return { ok: false, reason: `${side} not readable (${(error as Error).message})` };
  }
  // A file the change lists but the commit lacks: read as absent (a rename of its parent folder, a race).
  if (text === null) return { ok: true, map: null };
  try {
    return { ok: true, map: ecosystem.parse(text, path), text };
  } catch (error) {
    return { ok: false, reason: `${side} does not parse (${(error as Error).message})` };
  }
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Is `dir` the folder `root` or below it? ("" is the repository root.) */
function isWithin(dir: string, root: string): boolean {
  return root === "" || dir === root || dir.startsWith(`${root}/`);
}
