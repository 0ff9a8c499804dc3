import { LRUCache } from "lru-cache";
import type { Conclusion } from "../../policy/report.js";
import { ANNOTATIONS_PER_REQUEST, type CheckOutput } from "../../report/check-output.js";
import type { GitHub, RepoRef } from "./client.js";

export const CHECK_NAME = "roleguard";

export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

/** Check-run ids this process has created or found, by repository and head SHA. */
export type CheckRunIds = LRUCache<string, number>;
export const newCheckRunIds = (): CheckRunIds => new LRUCache<string, number>({ max: 50_000 });

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

/** This app's `roleguard` run of a head SHA, or undefined when the app has not seen that head. */
export async function headRunOf(gh: GitHub, repo: RepoRef, sha: string, appId?: number): Promise<HeadRun | undefined> {
  const { data } = await gh.rest.checks.listForRef({ ...repo, ref: sha, check_name: CHECK_NAME, filter: "all", per_page: 100 });
  const mine = data.check_runs.filter((run) => (appId === undefined || run.app?.id === appId) && run.started_at);
  // The first run of the head is when it was first seen.
  const sorted = mine.sort((a, b) => a.id - b.id);
  const first = sorted[0];
  if (!first?.started_at) return undefined;
  const text = sorted.map((run) => run.output?.text).filter((each): each is string => !!each).at(-1);
  return { startedAt: first.started_at, ...(text ? { text } : {}) };
}

/**
 * The one `roleguard` check run of a head SHA (SPEC §5): found or created when
 * work starts, completed with the verdict, updated — never duplicated — when
 * the same commit is evaluated again.
 */
export class CheckRun {
  private id: number | undefined;

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
   * Marks the check in progress. `knownNew` (a commit just pushed or opened)
   * skips looking for an existing run; duplicates within this process are
   * still caught by the id memory.
   */
  async start(options: { knownNew?: boolean; detailsUrl?: string } = {}): Promise<number> {
    this.id ??= this.ids.get(this.key) ?? (options.knownNew ? undefined : await this.find());
    if (this.id !== undefined) {
      await this.gh.rest.checks.update({ ...this.repo, check_run_id: this.id, status: "in_progress" });
    } else {
      const { data } = await this.gh.rest.checks.create({ ...this.repo, name: CHECK_NAME, head_sha: this.headSha, status: "in_progress" });
      this.id = data.id;
    }
    this.ids.set(this.key, this.id);
    return this.id;
  }

  private async find(): Promise<number | undefined> {
    const { data } = await this.gh.rest.checks.listForRef({ ...this.repo, ref: this.headSha, check_name: CHECK_NAME, filter: "latest", per_page: 100 });
    const mine = data.check_runs.filter((run) => this.appId === undefined || run.app?.id === this.appId);
    return mine.sort((a, b) => b.id - a.id)[0]?.id;
  }

  /** Completes the run; annotations beyond the first 50 follow in further updates, which GitHub appends. */
  async complete(conclusion: Conclusion, output: CheckOutput, actions: CheckAction[] = []): Promise<void> {
    const id = this.id ?? (await this.start());
    const batches: CheckOutput["annotations"][] = [];
    for (let index = 0; index < output.annotations.length; index += ANNOTATIONS_PER_REQUEST) {
      batches.push(output.annotations.slice(index, index + ANNOTATIONS_PER_REQUEST));
    }
    const base = { title: output.title, summary: output.summary, text: output.text };
    await this.gh.rest.checks.update({
      ...this.repo,
      check_run_id: id,
      status: "completed",
      conclusion,
      completed_at: new Date().toISOString(),
      output: { ...base, ...(batches[0] ? { annotations: batches[0] } : {}) },
      actions: actions.slice(0, 3),
    });
    for (const batch of batches.slice(1)) {
      await this.gh.rest.checks.update({ ...this.repo, check_run_id: id, output: { ...base, annotations: batch } });
    }
  }
}
