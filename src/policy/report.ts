import { z } from "zod";
import { PolicyErrorSchema } from "../errors.js";

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
  state: z.enum(FINDING_STATES),
  detail: z.string().optional(),
  /** The roles that hold this PR to the finding. */
  roles: z.array(z.string()),
  /** Who may approve a pending finding (@user, @org/team), when the config names anyone. */
  approvers: z.array(z.string()).optional(),
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
});
export type Report = z.infer<typeof ReportSchema>;
export type Conclusion = Report["conclusion"];
