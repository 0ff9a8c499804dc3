import * as z from "zod";
import { PERMISSIONS } from "../config/schema.js";
import { PolicyErrorSchema } from "../zod-errors.js";

/**
 * The report object of SPEC §5: the check run's JSON block and
 * `roleguard check --format json` print exactly this. Fields may be added;
 * none of these may change meaning.
 */
export const CONCLUSIONS = ["success", "neutral", "action_required", "failure"] as const;
export const FINDING_STATES = ["violation", "overridden", "pending", "approved"] as const;

export const FindingSchema = z.object({
  category: z.string(),
  /** Absent for findings about the whole PR (`commit`, `low_confidence`). */
  path: z.string().optional(),
  /** The old path of a rename or copy; the finding counts once, under both paths. */
  previous_path: z.string().optional(),
  /** The line of `path` the finding is about, at the head (a dependency's line in its manifest). */
  line: z.number().int().positive().optional(),
  state: z.enum(FINDING_STATES),
  detail: z.string().optional(),
  /** The roles that hold this PR to the finding. */
  roles: z.array(z.string()),
  /** Who may approve a pending finding (@user, @org/team), when the config names anyone. */
  approvers: z.array(z.string()).optional(),
  /** The distinct people whose approvals count toward this finding so far (with `required: N`). */
  approved_by: z.array(z.string()).optional(),
  /** How many more distinct approvers it needs (0 once approved); present with `approved_by`. */
  still_needed: z.number().int().nonnegative().optional(),
  /** Who approved or overrode it, when, and (for overrides) why. */
  by: z.string().optional(),
  at: z.string().optional(),
  reason: z.string().optional(),
  /** What makes the finding go away: the command to type or the change to undo. */
  resolve: z.string().optional(),
  /** What an approval binds to: category, path and content (blob SHA, dependency spec). */
  key: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;
export type FindingState = Finding["state"];

export const AppliedRoleSchema = z.object({ id: z.string(), source: z.string() });
export type AppliedRole = z.infer<typeof AppliedRoleSchema>;

/** An approval or override given on the PR, and how many current findings it settles. */
export const DecisionSchema = z.object({
  kind: z.enum(["approval", "override"]),
  by: z.string(),
  at: z.string().optional(),
  via: z.string().optional(),
  categories: z.array(z.string()).optional(),
  reason: z.string().optional(),
  /** Findings of this PR's current state that it settles (0: it covered findings that have since changed). */
  settles: z.number().int().nonnegative(),
});
export type Decision = z.infer<typeof DecisionSchema>;

/** What the evaluation looked at, so a pass can say what was checked and a partial look says why. */
export const InspectedSchema = z.object({
  /** Changed files inspected (a rename counts once). */
  files: z.number().int().nonnegative(),
  /** false when the change could not be listed in full; `reason` says why (the verdict then fails closed). */
  complete: z.boolean(),
  reason: z.string().optional(),
  /** The categories the applied roles require approval for, each looked for in the change. */
  categories: z.array(z.string()),
  /** Forbidden and allowed path patterns of the applied roles that every file was matched against. */
  path_rules: z.number().int().nonnegative(),
});
export type Inspected = z.infer<typeof InspectedSchema>;

/** Who may act when no approvers are named: the config's permission thresholds (SPEC §4, §7). */
export const PermissionsSchema = z.object({
  /** `approvals.min_permission`: approves a category that names no approvers. */
  approve: z.enum(PERMISSIONS),
  /** `overrides.min_permission`: overrides violations. */
  override: z.enum(PERMISSIONS),
  /** `approvals.reviews`: an approving review approves what its author may approve. */
  reviews: z.boolean(),
});
export type Permissions = z.infer<typeof PermissionsSchema>;

export const ReportSchema = z.object({
  version: z.literal(1),
  conclusion: z.enum(CONCLUSIONS),
  /** One line: the verdict, e.g. "2 approvals needed: database_migrations, add_dependencies". */
  title: z.string(),
  roles: z.array(AppliedRoleSchema),
  findings: z.array(FindingSchema),
  checklist: z.array(z.string()),
  warnings: z.array(z.string()),
  errors: z.array(PolicyErrorSchema),
  /** Every approval and override given, with who, when and what it settles. */
  decisions: z.array(DecisionSchema).optional(),
  /** "observe" when the config's mode is observe (absent: enforce). */
  mode: z.enum(["enforce", "observe"]).optional(),
  /** In observe mode, what enforcing would have concluded; `conclusion` is then neutral. */
  would_conclude: z.enum(CONCLUSIONS).optional(),
  /** Present when findings were cut to fit a size limit. */
  counts: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  truncated: z.boolean().optional(),
  inspected: InspectedSchema.optional(),
  permissions: PermissionsSchema.optional(),
});
export type Report = z.infer<typeof ReportSchema>;
export type Conclusion = Report["conclusion"];
