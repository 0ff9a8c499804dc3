import type { Config } from "../config/schema.js";
import type { RoleAssignment } from "./change.js";
import { loginMatches } from "./logins.js";

/** What is known about who wrote a PR; each source of roles is optional. */
export interface AuthorFacts {
  login?: string;
  labels?: readonly string[];
  /** Labels no longer on the PR whose role stays: removed by someone who may not drop a role (SPEC §4). */
  stickyLabels?: readonly { label: string; removedBy: string }[];
  /** Logins of commit authors and committers pushed into the PR. */
  commitAuthors?: readonly string[];
  /** AI agents recognised by their fingerprints, with the evidence ("head branch copilot/fix-1"). */
  agents?: readonly { id: string; evidence: string }[];
  /** Team membership, asked only for entries that name teams. */
  isTeamMember?: (teamSlug: string, login: string) => Promise<boolean>;
}

/**
 * Every assign entry that matches applies (SPEC §4): a label, a commit author
 * or an agent fingerprint can only add roles, never take one away. Authors no
 * entry matches get `default_role`, if the config names one.
 */
export async function assignRoles(config: Config, facts: AuthorFacts): Promise<RoleAssignment[]> {
  const assignments: RoleAssignment[] = [];
  const login = facts.login;
  for (const [index, entry] of config.assign.entries()) {
    const where = `assign[${index}]`;
    const add = (source: string) => assignments.push({ id: entry.role, source: `${where}.${source}` });
    const user = login ? entry.users.find((pattern) => loginMatches(pattern, login)) : undefined;
    if (user !== undefined && login) add(`users: ${login}`);
    if (login && facts.isTeamMember) {
      for (const team of entry.teams) {
        if (await facts.isTeamMember(team, login)) {
          add(`teams: ${login} is in ${team}`);
          break;
        }
      }
    }
    const label = entry.labels.find((wanted) => facts.labels?.some((label) => label.toLowerCase() === wanted.toLowerCase()));
    if (label !== undefined) add(`labels: ${label}`);
    else {
      const sticky = facts.stickyLabels?.find((each) => entry.labels.some((wanted) => wanted.toLowerCase() === each.label.toLowerCase()));
      if (sticky) add(`labels: ${sticky.label} (removed by @${sticky.removedBy}, who may not drop a role: it stays)`);
    }
    if (config.match_commit_authors) {
      for (const author of facts.commitAuthors ?? []) {
        if (author.toLowerCase() === login?.toLowerCase()) continue;
        if (entry.users.some((pattern) => loginMatches(pattern, author))) {
          add(`users: commit author ${author}`);
          break;
        }
      }
    }
    const agent = facts.agents?.find((found) => entry.agents.some((wanted) => wanted.toLowerCase() === found.id.toLowerCase()));
    if (agent) add(`agents: ${agent.id} (${agent.evidence})`);
  }
  if (assignments.length === 0) {
    for (const id of config.default_role) assignments.push({ id, source: `default_role${login ? ` (${login} matches no assign entry)` : ""}` });
  }
  return assignments;
}

/**
 * Is this account itself held to a role by name (an assign entry's users or
 * teams)? Such an account never approves or overrides (SPEC §7). Labels,
 * agents and `default_role` describe PRs, not people, so they do not count.
 */
export async function isRoleBound(config: Config, login: string, isTeamMember?: AuthorFacts["isTeamMember"]): Promise<boolean> {
  for (const entry of config.assign) {
    if (entry.users.some((pattern) => loginMatches(pattern, login))) return true;
    if (isTeamMember) for (const team of entry.teams) if (await isTeamMember(team, login)) return true;
  }
  return false;
}
