import type { MessagePort } from "node:worker_threads";
import pLimit from "p-limit";
import { DEPENDENCY_CATEGORIES } from "../policy/categories/builtin.js";
import type { FileReader } from "../policy/change.js";
import { ecosystemForManifest } from "../policy/dependencies/index.js";
import type { EvaluationInput } from "../policy/evaluate.js";
import type { Report } from "../policy/report.js";
import { collectRequirements } from "../policy/requirements.js";
import type { RoleSource } from "../roles/resolve.js";
import type { ResolvedRole } from "../roles/schema.js";

/**
 * One evaluation as it crosses to a worker thread: only structured-cloneable
 * data. The role set is rebuilt there from the role files' texts, and the
 * engine's reader answers from files read beforehand on the main thread.
 */
export interface EvaluationTask {
  input: EvaluationData;
  roleSources: readonly RoleSource[];
  files: readonly PrefetchedRead[];
  /** The worker posts one message on it as it starts: the time budget counts from there, not from the queue. */
  started?: MessagePort;
}

/** The engine's input without what cannot cross threads: the role set (rebuilt there) and the reader (replaced). */
export type EvaluationData = Omit<EvaluationInput, "roleSet" | "reader">;

export type Side = "base" | "head";

/** A file the engine will read, as it read on the main thread: its text, null when absent, or why it could not be read. */
export type PrefetchedRead = { side: Side; path: string } & ({ text: string | null } | { error: string });

export type EvaluationOutcome = { ok: true; report: Report } | { ok: false; message: string };

/**
 * The files `evaluate()` reads for this input, worked out with the engine's own
 * functions: nothing unless a role applies and requires a dependency category
 * (`collectRequirements`), then each changed manifest (`ecosystemForManifest`)
 * at the base — except a new or copied one, compared with nothing — and at the
 * head, unless removed (as `findDependencyChanges` reads them). Should the two
 * ever disagree, the worker's reader reports the miss as an error.
 */
export function engineReads(input: Pick<EvaluationInput, "change" | "assignments" | "roleSet" | "config">): { side: Side; path: string }[] {
  if (input.assignments.length === 0) return [];
  const roles = input.assignments.map((assignment) => input.roleSet.roles.get(assignment.id)).filter((role): role is ResolvedRole => role !== undefined);
  const required = collectRequirements(roles, input.config).categories;
  if (!DEPENDENCY_CATEGORIES.some((category) => required.has(category))) return [];
  const reads: { side: Side; path: string }[] = [];
  for (const file of input.change.files) {
    if (!ecosystemForManifest(file.path)) continue;
    if (file.status !== "added" && file.status !== "copied") reads.push({ side: "base", path: file.previousPath ?? file.path });
    if (file.status !== "removed") reads.push({ side: "head", path: file.path });
  }
  return reads;
}

/** Reads `engineReads(input)` through the input's reader, a few at a time; a read that fails is kept with its reason. */
export async function prefetchReads(input: Pick<EvaluationInput, "change" | "assignments" | "roleSet" | "config" | "reader">): Promise<PrefetchedRead[]> {
  const { reader } = input;
  // With no reader the engine reports "no way to read files" itself, without asking for any.
  if (!reader) return [];
  const limit = pLimit(8);
  return Promise.all(
    engineReads(input).map(({ side, path }) =>
      limit(async (): Promise<PrefetchedRead> => {
        try {
          return { side, path, text: await reader.read(side, path) };
        } catch (error) {
          // The engine shows `error.message`; the worker throws an Error with the same message.
          return { side, path, error: String((error as Error)?.message) };
        }
      }),
    ),
  );
}

/** The worker's reader: answers from the prefetched files, and records any other read as a miss (never as "absent"). */
export class PrefetchedReader implements FileReader {
  readonly misses: string[] = [];
  private readonly files = new Map<string, PrefetchedRead>();

  constructor(files: readonly PrefetchedRead[]) {
    for (const file of files) this.files.set(key(file.side, file.path), file);
  }

  async read(side: Side, path: string): Promise<string | null> {
    const file = this.files.get(key(side, path));
    if (!file) {
      this.misses.push(`${side}:${path}`);
      throw new Error(`${path} at the ${side} was not read before the evaluation`);
    }
    if ("error" in file) throw new Error(file.error);
    return file.text;
  }
}

function key(side: Side, path: string): string {
  return `${side}\u0000${path}`;
}
