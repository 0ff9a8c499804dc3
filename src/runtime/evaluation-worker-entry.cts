/**
 * What piscina loads in each worker thread. piscina loads its worker file with
 * require() first, and on Node 20 require() of an ES module instantiates its
 * whole graph synchronously: a thread terminated in the middle of that (a pool
 * destroyed at SIGTERM, or replaced after a time-out, while a fresh thread is
 * still loading the engine) aborts the whole process with
 * "v8::Module::IsGraphAsync must be used on an instantiated module". This
 * CommonJS entry is all require() sees; the engine comes in through import(),
 * asynchronously, at the thread's first evaluation, where a termination is
 * only a termination.
 */
import type { EvaluationOutcome, EvaluationTask } from "./evaluation-task.js";

type Handler = (task: EvaluationTask) => Promise<EvaluationOutcome>;

let engine: Promise<{ default: Handler }> | undefined;

module.exports = async function evaluateTask(task: EvaluationTask): Promise<EvaluationOutcome> {
  engine ??= import("./evaluation-worker.js");
  return (await engine).default(task);
};
