import { PERMISSIONS, type Config, type Permission } from "../config/schema.js";

/** What is known about the account that asks to approve or override. */
export interface ActorFacts {
  login: string;
  isBot: boolean;
  /** The repository role GitHub reports (`role_name`), or "none". */
  permission: Permission | "none";
  roleBound: boolean;
  isTeamMember: (teamSlug: string) => Promise<boolean>;
}

/** What is known about the PR whose findings are to be approved. */
export interface PullFacts {
  author: string;
  /** Logins of every commit author and committer in the PR, lower-cased. */
  commitAccounts: ReadonlySet<string>;
}

/** GitHub's `role_name` (custom roles included) and `permission` → a rung on the ladder. */
export function permissionFrom(roleName: string | undefined, permission: string | undefined): Permission | "none" {
  const known = (value: string | undefined) => (PERMISSIONS as readonly string[]).includes(value ?? "") ? (value as Permission) : undefined;
  // A custom role's name is its own; its base permission is what `permission` says.
  return known(roleName) ?? known(permission) ?? "none";
}

function atLeast(actual: Permission | "none", required: Permission): boolean {
  return actual !== "none" && PERMISSIONS.indexOf(actual) >= PERMISSIONS.indexOf(required);
}

/**
 * Separation of duties (SPEC §7): the PR's author, anyone who authored or
 * committed one of its commits, any bot, and any account held to a role
 * never approve or override. Returns the reason, or undefined when allowed.
 */
export function separationOfDuties(actor: ActorFacts, pull: PullFacts): string | undefined {
  const login = actor.login.toLowerCase();
  if (login === pull.author.toLowerCase()) return "the author of a pull request cannot approve or override it";
  if (pull.commitAccounts.has(login)) return "an account that authored or committed a commit in this pull request cannot approve or override it";
  if (actor.isBot) return "bot accounts cannot approve or override";
  if (actor.roleBound) return "an account that is itself held to a role cannot approve or override";
  return undefined;
}

/** May the actor approve this category? The category's approvers when the config names any, else `approvals.min_permission`. */
export async function approvalRefusal(category: string, config: Config, actor: ActorFacts, pull: PullFacts): Promise<string | undefined> {
  const separation = separationOfDuties(actor, pull);
  if (separation) return separation;
  const approvers = config.categories[category]?.approvers;
  if (approvers && approvers.users.length + approvers.teams.length > 0) {
    if (approvers.users.some((user) => user.toLowerCase() === actor.login.toLowerCase())) return undefined;
    for (const team of approvers.teams) if (await actor.isTeamMember(team)) return undefined;
    const names = [...approvers.users.map((user) => `@${user}`), ...approvers.teams.map((team) => `@${team}`)].join(", ");
    return `only ${names} may approve \`${category}\``;
  }
  if (atLeast(actor.permission, config.approvals.min_permission)) return undefined;
  return `approving needs ${config.approvals.min_permission} permission or more; @${actor.login} has ${actor.permission}`;
}

export function overrideRefusal(config: Config, actor: ActorFacts, pull: PullFacts): string | undefined {
  const separation = separationOfDuties(actor, pull);
  if (separation) return separation;
  if (atLeast(actor.permission, config.overrides.min_permission)) return undefined;
  return `overriding needs ${config.overrides.min_permission} permission or more; @${actor.login} has ${actor.permission}`;
}
