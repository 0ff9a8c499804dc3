import { evaluate } from "../policy/evaluate.js";
import { buildRoleSet } from "../roles/resolve.js";
import { PrefetchedReader, type EvaluationOutcome, type EvaluationTask } from "./evaluation-task.js";

/**
 * Runs in a piscina worker thread: the engine on plain data. The role set is
 * rebuilt from the role files' texts, manifests are answered from what the
 * main thread read. An engine error comes back as a value, so that the pool
 * can tell it from a worker that died or was ended at its time budget.
 */
export default async function evaluateTask(task: EvaluationTask): Promise<EvaluationOutcome> {
  task.started?.postMessage("started");
  task.started?.close();
  try {
    const reader = new PrefetchedReader(task.files);
    const report = await evaluate({ ...task.input, roleSet: buildRoleSet(task.roleSources), reader });
    if (reader.misses.length > 0) {
      // A bug, not a property of the PR: the main thread's list of reads and the engine's disagree.
      return { ok: false, message: `the engine read ${reader.misses.join(", ")}, which the app had not read for it` };
    }
    return { ok: true, report };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
