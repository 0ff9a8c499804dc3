import * as z from "zod";
import { KNOWN_AGENTS } from "../policy/agents.js";
import { validatePattern } from "../policy/paths.js";
import { hintFor } from "../suggest.js";

/** GitHub's repository roles, weakest first: a threshold is "this or stronger". */
export const PERMISSIONS = ["read", "triage", "write", "maintain", "admin"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const DEFAULT_ROLE_PATHS = [".github/roles/**/*.md", ".ai/roles/**/*.md", ".valora/agents/**/*.md"];

const nonEmpty = z.string().trim().min(1, "must not be empty");
const list = z.array(nonEmpty);
/** A path pattern (SPEC §3), checked when loaded: a malformed one is an error naming it, never a pattern that matches nothing. */
export const PatternSchema = nonEmpty.superRefine((value, ctx) => {
  const problem = validatePattern(value);
  if (problem) ctx.addIssue({ code: "custom", message: `malformed pattern \`${value}\`: ${problem}` });
});
const patterns = z.array(PatternSchema);

const AGENT_IDS = KNOWN_AGENTS.map((agent) => agent.id);
/** An agent of the fingerprint table; a typo (`copilt`) would match nothing, so it is an error listing the known ones. */
const agentName = nonEmpty.superRefine((value, ctx) => {
  if (AGENT_IDS.includes(value.toLowerCase())) return;
  const hint = hintFor(value.toLowerCase(), AGENT_IDS);
  ctx.addIssue({ code: "custom", message: `unknown agent ${value}; known agents: ${AGENT_IDS.join(", ")}`, ...(hint ? { params: { hint } } : {}) });
});

const teamSlug = z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be an org/team slug, e.g. acme/platform");

export const ApproversSchema = z.strictObject({
  users: list.default([]),
  teams: z.array(teamSlug).default([]),
});
export type Approvers = z.infer<typeof ApproversSchema>;

export const AssignEntrySchema = z
  .strictObject({
    role: nonEmpty,
    users: list.default([]),
    teams: z.array(teamSlug).default([]),
    labels: list.default([]),
    agents: z.array(agentName).default([]),
  })
  .refine((entry) => entry.users.length + entry.teams.length + entry.labels.length + entry.agents.length > 0, {
    message: "names nobody: give users, teams, labels or agents",
  });
export type AssignEntry = z.infer<typeof AssignEntrySchema>;

export const CategoryConfigSchema = z.strictObject({
  /** Extra patterns, gitignore style (SPEC §3). */
  paths: patterns.default([]),
  /** Patterns that never trigger the category, even when a default or `paths` entry matches. */
  ignore: patterns.default([]),
  /** false: `paths` replaces the built-in patterns instead of extending them. */
  defaults: z.boolean().default(true),
  approvers: ApproversSchema.default({ users: [], teams: [] }),
  /** Distinct eligible people who must approve the same findings before the category is approved (SPEC §4, §7). */
  required: z.number({ error: "must be a whole number of approvers, 1 or more" }).int("must be a whole number of approvers, 1 or more").min(1, "must be 1 or more").default(1),
});
export type CategoryConfig = z.infer<typeof CategoryConfigSchema>;

const permission = z.enum(PERMISSIONS, { error: `must be one of ${PERMISSIONS.join(", ")}` });

export const MODES = ["enforce", "observe"] as const;
export type Mode = (typeof MODES)[number];

export const ConfigSchema = z.strictObject({
  /** Probot's `_extends` (another repository's file to start from); resolved by the loader. */
  _extends: nonEmpty.optional(),
  /** observe: report everything but conclude neutral, so a team can roll out before it blocks anyone (SPEC §4). */
  mode: z.enum(MODES, { error: `must be one of ${MODES.join(", ")}` }).default("enforce"),
  roles: z
    .strictObject({ paths: patterns.default(DEFAULT_ROLE_PATHS) })
    .default({ paths: DEFAULT_ROLE_PATHS }),
  assign: z.array(AssignEntrySchema).default([]),
  /** One id, several, or null: authors no assign entry matches are then not checked. */
  default_role: z
    .union([nonEmpty, z.array(nonEmpty)])
    .nullish()
    .transform((value) => (value == null ? [] : typeof value === "string" ? [value] : value)),
  match_commit_authors: z.boolean().default(true),
  categories: z.record(z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, "must be a category id"), CategoryConfigSchema).default({}),
  approvals: z
    .strictObject({ min_permission: permission.default("write"), reviews: z.boolean().default(true) })
    .default({ min_permission: "write", reviews: true }),
  overrides: z.strictObject({ min_permission: permission.default("maintain") }).default({ min_permission: "maintain" }),
  request_reviews: z.boolean().default(true),
  case_insensitive: z.boolean().default(false),
});
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}
