import type { LRUCache } from "lru-cache";
import type { Config } from "../../config/schema.js";
import type { Report } from "../../policy/report.js";
import { describeGitHubError, statusOf, type GitHub } from "./client.js";
import type { PullRequestSource } from "./pull-request.js";
import { boundedCache } from "../../bounded-cache.js";

/** Per PR: who this process has already asked (nobody is asked twice), and GitHub's refusals, repeated in every summary. */
export interface ReviewRecord {
  asked: Set<string>;
  refusals: Map<string, string>;
}
export type ReviewMemory = LRUCache<string, ReviewRecord>;
export const newReviewMemory = (): ReviewMemory => boundedCache<string, ReviewRecord>(50_000);

/**
 * Asks the approvers of each pending category for review (SPEC §6): never the
 * author, never twice for the same PR and person or team, never someone who
 * already reviewed. Returns a line per refusal GitHub gave, for the summary.
 */
export async function requestReviews(gh: GitHub, source: PullRequestSource, report: Report, config: Config, memory: ReviewMemory): Promise<string[]> {
  if (!config.request_reviews) return [];
  const pending = new Set(report.findings.filter((finding) => finding.state === "pending").map((finding) => finding.category));
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const category of pending) {
    const approvers = config.categories[category]?.approvers;
    approvers?.users.forEach((user) => users.add(user));
    approvers?.teams.forEach((team) => teams.add(team));
  }
  if (users.size + teams.size === 0) return [];


  const { pr, repo } = source;
  const key = reviewKey(source);
  const record = memory.get(key) ?? { asked: new Set<string>(), refusals: new Map<string, string>() };
  memory.set(key, record);
  const { asked } = record;
  const notes = new NoteSink(record.refusals);
  const alreadyRequested = new Set([...pr.requestedReviewers, ...pr.requestedTeams.map((team) => `${repo.owner}/${team}`)].map((name) => name.toLowerCase()));
  const fresh = (name: string) => !asked.has(name.toLowerCase()) && !alreadyRequested.has(name.toLowerCase());

  let wantedUsers = [...users].filter((user) => user.toLowerCase() !== pr.author.toLowerCase() && fresh(user));
  if (wantedUsers.length > 0) {
    const reviewed = await source.reviewers();
    wantedUsers = wantedUsers.filter((user) => !reviewed.has(user.toLowerCase()));
  }
  const wantedTeams: string[] = [];
  for (const team of [...teams].filter(fresh)) {
    const [org, slug] = team.split("/");
    if (org?.toLowerCase() !== repo.owner.toLowerCase() || !slug) {
      notes.refuse(team, `Review not requested from @${team}: only teams of ${repo.owner} can review its pull requests.`);
      asked.add(team.toLowerCase());
    } else wantedTeams.push(team);
  }
  if (wantedUsers.length + wantedTeams.length === 0) return notes.lines();

  const send = (reviewers: string[], teamSlugs: string[]) =>
    gh.rest.pulls.requestReviewers({ ...repo, pull_number: pr.number, reviewers, team_reviewers: teamSlugs.map((team) => team.split("/")[1] as string) });
  for (const name of [...wantedUsers, ...wantedTeams]) asked.add(name.toLowerCase());
  try {
    await send(wantedUsers, wantedTeams);
  } catch (error) {
    if (statusOf(error) !== 422 || wantedUsers.length + wantedTeams.length === 1) {
      for (const name of [...wantedUsers, ...wantedTeams]) notes.refuse(name, `Review not requested from @${name}: ${describeGitHubError(error)}`);
      return notes.lines();
    }
    // One refusal fails the whole request: ask each on their own to find who GitHub refuses.
    for (const user of wantedUsers) await sendOne(() => send([user], []), user, notes);
    for (const team of wantedTeams) await sendOne(() => send([], [team]), team, notes);
  }
  return notes.lines();
}

const reviewKey = ({ repo, pr }: PullRequestSource) => `${repo.owner}/${repo.repo}#${pr.number}`.toLowerCase();

/** The refusals GitHub gave earlier for this PR, for a summary written before this evaluation's review requests. */
export function rememberedRefusals(source: PullRequestSource, memory: ReviewMemory): string[] {
  return [...(memory.get(reviewKey(source))?.refusals.values() ?? [])];
}

async function sendOne(send: () => Promise<unknown>, name: string, notes: NoteSink): Promise<void> {
  try {
    await send();
  } catch (error) {
    notes.refuse(name, `Review not requested from @${name}: ${describeGitHubError(error)}`);
  }
}

/** Refusals are kept per PR, so the summary of every later evaluation still reports them (SPEC §6). */
class NoteSink {
  constructor(private readonly refusals: Map<string, string>) {}

  refuse(name: string, note: string): void {
    this.refusals.set(name.toLowerCase(), note);
  }

  lines(): string[] {
    return [...this.refusals.values()];
  }
}
