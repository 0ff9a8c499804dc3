import { existsSync, readFileSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import { PACKAGE_ROOT } from "../package-root.js";
import type { EvaluationInput } from "../policy/evaluate.js";
import type { Report } from "../policy/report.js";
import type { RoleSource } from "../roles/resolve.js";
import type { EvaluationOutcome, EvaluationTask, PrefetchedRead } from "./evaluation-task.js";

/**
 * Evaluations run off the event loop, each within a time budget (SPEC §3): a
 * pattern or a change that makes the engine slow ends as a failed check, while
 * the main thread keeps answering webhooks, /healthz and SIGTERM. The pool is
 * piscina's; ending an evaluation that overruns terminates its worker thread
 * (a thread stuck in a regular expression cannot be asked to stop), and
 * piscina starts a fresh one.
 */

export interface EvaluationPoolSettings {
  /** Worker threads at most (ROLEGUARD_EVALUATION_THREADS). */
  threads: number;
  /** Time budget of one evaluation, counted from when a worker starts it (ROLEGUARD_EVALUATION_TIMEOUT_SECONDS). */
  timeoutSeconds: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 20;
const MAX_THREADS = 64;

/** Two threads at least, so that one slow evaluation never holds up every other PR, and no more than four. */
export function defaultThreads(): number {
  return Math.min(4, Math.max(2, availableParallelism()));
}

/** The settings from the environment; a value that is not a usable number is an error naming the variable. */
export function evaluationPoolSettings(env: NodeJS.ProcessEnv): EvaluationPoolSettings {
  const threads = setting(env, "ROLEGUARD_EVALUATION_THREADS", defaultThreads(), (value) => Number.isInteger(value) && value >= 1 && value <= MAX_THREADS, `a whole number of threads from 1 to ${MAX_THREADS}`);
  const timeoutSeconds = setting(env, "ROLEGUARD_EVALUATION_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS, (value) => Number.isFinite(value) && value > 0, "a number of seconds greater than 0");
  return { threads, timeoutSeconds };
}

function setting(env: NodeJS.ProcessEnv, name: string, fallback: number, valid: (value: number) => boolean, what: string): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!valid(value)) throw new Error(`${name} must be ${what} (default ${fallback}), not ${JSON.stringify(raw.slice(0, 40))}`);
  return value;
}

/** An evaluation that passed its time budget: the check says so (SPEC §3). */
export class EvaluationTimeoutError extends Error {
  override name = "EvaluationTimeoutError";
}

export interface EvaluationPoolOptions extends EvaluationPoolSettings {
  /** The worker module; tests substitute one that misbehaves on purpose. */
  workerFile?: string;
  /** Where errors that belong to no evaluation go (a worker that dies while idle). */
  onError?: (error: Error) => void;
}

export class EvaluationPool {
  private readonly piscina: Piscina;
  private closing = false;

  constructor(readonly options: EvaluationPoolOptions) {
    this.piscina = new Piscina({
      filename: options.workerFile ?? evaluationWorkerFile(),
      minThreads: 1,
      maxThreads: options.threads,
      // Threads beyond the first stay a while after a burst instead of being started again for the next one.
      idleTimeout: 30_000,
    });
    // Without a listener, an 'error' event (a worker dying with no task) would throw on the main thread.
    this.piscina.on("error", (error: Error) => options.onError?.(error));
  }

  /** Live worker threads. */
  get threads(): number {
    return this.piscina.threads.length;
  }

  /**
   * `evaluate(input)` on a worker thread. `files` are the engine's reads
   * (`prefetchReads`), and `roleSources` the files `input.roleSet` was built
   * from. Rejects with an EvaluationTimeoutError past the budget.
   */
  async evaluate(input: EvaluationInput, roleSources: readonly RoleSource[], files: readonly PrefetchedRead[]): Promise<Report> {
    if (this.closing) throw new Error("the app stopped before the evaluation finished");
    const { roleSet: _roleSet, reader: _reader, ...data } = input;
    const seconds = this.options.timeoutSeconds;
    const controller = new AbortController();
    const started = new MessageChannel();
    let budget: NodeJS.Timeout | undefined;
    // Waiting for a free thread is not the evaluation's time: the budget starts when a worker picks it up.
    started.port1.once("message", () => {
      budget = setTimeout(() => controller.abort(new EvaluationTimeoutError(`the evaluation took longer than ${seconds} s`)), seconds * 1000);
    });
    const task: EvaluationTask = { input: data, roleSources, files, started: started.port2 };
    let outcome: EvaluationOutcome;
    try {
      outcome = (await this.piscina.run(task, { signal: controller.signal, transferList: [started.port2] })) as EvaluationOutcome;
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason instanceof Error) throw controller.signal.reason;
      if (this.closing) throw new Error("the app stopped before the evaluation finished");
      throw new Error(`the evaluation worker stopped (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      clearTimeout(budget);
      started.port1.close();
    }
    // An error the engine itself raised is passed on as the in-process engine would raise it.
    if (!outcome.ok) throw new Error(outcome.message);
    return outcome.report;
  }

  /**
   * Ends every evaluation in flight (each rejects, so its check is completed as
   * failure) and waits until every worker thread has exited.
   */
  async close(): Promise<void> {
    this.closing = true;
    await this.piscina.destroy();
  }
}

let shared: EvaluationPool | undefined;

/** The app's pool, created on first use from the environment. */
export function sharedEvaluationPool(onError?: (error: Error) => void): EvaluationPool {
  shared ??= new EvaluationPool({ ...evaluationPoolSettings(process.env), ...(onError ? { onError } : {}) });
  return shared;
}

/** Makes `pool` the app's pool (tests: a pool with a misbehaving worker, or other settings). */
export function useEvaluationPool(pool: EvaluationPool): void {
  shared = pool;
}

/** Closes the app's pool, if one was started; the next evaluation would start a new one. */
export async function closeSharedEvaluationPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}

/**
 * The worker module. Built, it sits next to this one (dist/runtime/). Run from
 * the sources (vitest imports src/runtime/evaluation-pool.ts), there is no
 * loader for TypeScript in a worker thread, so the built worker in dist/ is
 * used: `npm test` builds before it runs vitest. A built engine older than its
 * sources would evaluate with yesterday's code, so that is an error saying to
 * build, never a silent difference.
 */
export function evaluationWorkerFile(): string {
  // The CommonJS entry (evaluation-worker-entry.cts says why), which imports evaluation-worker.js.
  const sibling = fileURLToPath(new URL("./evaluation-worker-entry.cjs", import.meta.url));
  if (existsSync(sibling)) return sibling;
  const root = PACKAGE_ROOT;
  const built = join(root, "dist", "runtime", "evaluation-worker-entry.cjs");
  if (!existsSync(built)) throw new Error("the evaluation worker is not built (dist/runtime/evaluation-worker-entry.cjs is missing): run npm run build");
  const stale = staleSource(root, built);
  if (stale) throw new Error(`${stale} is newer than its build in dist/, and evaluations run the built engine: run npm run build`);
  return built;
}

/**
 * The first source file newer than its build among the modules the built
 * worker imports (relative `from "./x.js"` imports, as tsc writes them): only
 * the engine's own files, so an edit elsewhere (src/app, src/cli.ts) does not
 * ask for a build.
 */
function staleSource(root: string, worker: string): string | undefined {
  const seen = new Set<string>();
  const queue = [worker];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const source = join(root, "src", relative(join(root, "dist"), file)).replace(/\.js$/, ".ts").replace(/\.cjs$/, ".cts");
    if (existsSync(source) && statSync(source).mtimeMs > statSync(file).mtimeMs) return relative(root, source);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/\b(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+\.js)"/g)) {
      queue.push(resolve(dirname(file), specifier as string));
    }
  }
  return undefined;
}
