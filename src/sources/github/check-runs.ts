import type { LRUCache } from "lru-cache";
import type { Conclusion } from "../../policy/report.js";
import { ANNOTATIONS_PER_REQUEST, type CheckOutput } from "../../report/check-output.js";
import type { GitHub, RepoRef } from "./client.js";
import { boundedCache } from "../../bounded-cache.js";

export const CHECK_NAME = "roleguard";

export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

/** Check-run ids this process has created or found, by repository and head SHA. */
export type CheckRunIds = LRUCache<string, number>;
export const newCheckRunIds = (): CheckRunIds => boundedCache<string, number>(50_000);

/** The memory's key for a repository's head SHA. */
export function checkRunKey(repo: RepoRef, sha: string): string {
  return `${repo.owner}/${repo.repo}@${sha}`;
}

/** What the app's own check run of a head says: when the app first saw that head, and the report it wrote. */
export interface HeadRun {
  /** GitHub's `started_at`: set when the run was created, kept across updates. */
  startedAt: string;
  /** The run's `output.text` (the JSON report), when it has one. */
  text?: string;
}

/**
 * This app's `roleguard` run of a head SHA, or undefined when the app has not
 * seen that head. With `remember`, the newest run's id is kept (as
 * `CheckRun` would find it), so the evaluation that follows a command updates
 * that run without listing the head's runs a second time.
 */
export async function headRunOf(gh: GitHub, repo: RepoRef, sha: string, appId?: number, remember?: CheckRunIds): Promise<HeadRun | undefined> {
  const { data } = await gh.rest.checks.listForRef({ ...repo, ref: sha, check_name: CHECK_NAME, filter: "all", per_page: 100 });
  const mine = data.check_runs.filter((run) => (appId === undefined || run.app?.id === appId) && run.started_at);
  // The first run of the head is when it was first seen.
  const sorted = mine.sort((a, b) => a.id - b.id);
  const newest = sorted.at(-1);
  if (remember && newest) remember.set(checkRunKey(repo, sha), newest.id);
  const first = sorted[0];
  if (!first?.started_at) return undefined;
  const text = sorted.map((run) => run.output?.text).filter((each): each is string => !!each).at(-1);
  return { startedAt: first.started_at, ...(text ? { text } : {}) };
}

/**
 * The one `roleguard` check run of a head SHA (SPEC §5): written once, already
 * completed, when the verdict is ready quickly; marked in progress first only
 * when the caller says the evaluation is slow; updated — never duplicated —
 * when the same commit is evaluated again.
 */
export class CheckRun {
  private id: number | undefined;
  /** The in-progress write under way, which the completion waits for so it updates that run rather than creating another. */
  private starting: Promise<unknown> | undefined;
  private lookup: Promise<number | undefined> | undefined;

  constructor(
    private readonly gh: GitHub,
    private readonly repo: RepoRef,
    private readonly headSha: string,
    private readonly ids: CheckRunIds,
    private readonly appId?: number,
  ) {}

  private get key(): string {
    return checkRunKey(this.repo, this.headSha);
  }

  /**
   * The run this head already has, if any. `knownNew` (a commit just pushed or
   * opened) skips asking GitHub; duplicates within this process are still
   * caught by the id memory. A lookup that failed is tried again next time.
   */
  locate(options: { knownNew?: boolean } = {}): Promise<number | undefined> {
    if (this.id !== undefined) return Promise.resolve(this.id);
    const remembered = this.ids.get(this.key);
    if (remembered !== undefined || options.knownNew) return Promise.resolve((this.id = remembered));
    this.lookup ??= this.find().then(
      (found) => (this.id ??= found),
      (error: unknown) => {
        this.lookup = undefined;
        throw error;
      },
    );
    return this.lookup;
  }

  /** Marks the check in progress: updates the run the head has, or creates it in progress. */
  async start(options: { knownNew?: boolean } = {}): Promise<number> {
    const existing = await this.locate(options);
    if (existing !== undefined) {
      await this.gh.rest.checks.update({ ...this.repo, check_run_id: existing, status: "in_progress" });
    } else {
      const { data } = await this.gh.rest.checks.create({ ...this.repo, name: CHECK_NAME, head_sha: this.headSha, status: "in_progress" });
      this.id = data.id;
    }
    this.ids.set(this.key, this.id as number);
    return this.id as number;
  }

  /**
   * Marks the check in progress after `ms` unless the verdict was written by
   * then (SPEC §5: only a slow evaluation shows `in_progress` first). Returns
   * the cancel, for when the verdict is ready.
   */
  startAfter(ms: number, options: () => { knownNew?: boolean }, onError: (error: unknown) => void): () => void {
    const timer = setTimeout(() => {
      this.starting = this.start(options()).catch(onError);
    }, ms);
    return () => clearTimeout(timer);
  }

  private async find(): Promise<number | undefined> {
    return (await latestRunOf(this.gh, this.repo, this.headSha, this.appId))?.id;
  }

  /**
   * Completes the run: one update of the run the head has, or one create of a
   * run already completed. Annotations beyond the first 50 follow in further
   * updates, which GitHub appends.
   */
  async complete(conclusion: Conclusion, output: CheckOutput, actions: CheckAction[] = [], options: { knownNew?: boolean } = {}): Promise<void> {
    await this.starting;
    const existing = await this.locate(options);
    const batches: CheckOutput["annotations"][] = [];
    for (let index = 0; index < output.annotations.length; index += ANNOTATIONS_PER_REQUEST) {
      batches.push(output.annotations.slice(index, index + ANNOTATIONS_PER_REQUEST));
    }
    const base = { title: output.title, summary: output.summary, text: output.text };
    const verdict = {
      status: "completed" as const,
      conclusion,
      completed_at: new Date().toISOString(),
      output: { ...base, ...(batches[0] ? { annotations: batches[0] } : {}) },
      actions: actions.slice(0, 3),
    };
    if (existing !== undefined) {
      await this.gh.rest.checks.update({ ...this.repo, check_run_id: existing, ...verdict });
    } else {
      const { data } = await this.gh.rest.checks.create({ ...this.repo, name: CHECK_NAME, head_sha: this.headSha, ...verdict });
      this.id = data.id;
      this.ids.set(this.key, data.id);
    }
    const id = this.id as number;
    for (const batch of batches.slice(1)) {
      await this.gh.rest.checks.update({ ...this.repo, check_run_id: id, output: { ...base, annotations: batch } });
    }
  }
}

/** This app's newest `roleguard` run on a head (another app's run of the same name is not ours to update). */
export async function latestRunOf(gh: GitHub, repo: RepoRef, sha: string, appId: number | undefined) {
  const { data } = await gh.rest.checks.listForRef({ ...repo, ref: sha, check_name: CHECK_NAME, filter: "latest", per_page: 100 });
  return data.check_runs.filter((run) => appId === undefined || run.app?.id === appId).sort((a, b) => b.id - a.id)[0];
}
