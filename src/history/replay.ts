import type { PolicyError } from "../errors.js";
import type { RoleAssignment } from "../policy/change.js";
import { declaredRoles } from "../policy/declared.js";
import { evaluate } from "../policy/evaluate.js";
import { validateProposedPolicy } from "../policy/proposed.js";
import type { Report } from "../policy/report.js";
import type { RoleSet } from "../roles/resolve.js";
import type { Config } from "../config/schema.js";
import type { LoadedPolicy } from "../sources/policy.js";
import type { GitRepository } from "../sources/git.js";
import type { MainlineStep } from "./first-parent.js";

/** What the policy says about one past change, and what it cost. */
export interface ReplayedStep {
  step: MainlineStep;
  /** Absent when the change could not be evaluated (`error` says why). */
  report?: Report;
  error?: string;
  /** The exit code `roleguard check` would have given on this change. */
  exitCode: 0 | 1 | 2;
  /** Reading the change and evaluating it, as `check` does once the policy is loaded. */
  engineMs: number;
  /** `git diff --name-status` on the same pair: the floor any tool that looks at the change pays. */
  gitDiffMs: number;
}

export interface ReplayPolicy {
  policy: LoadedPolicy;
  roleSet: RoleSet;
  config: Config;
  /** From `--role`; undefined: the config's default_role plus roles the commits declare, as `check` does. */
  roles?: readonly RoleAssignment[];
  /** Errors of the policy itself: every change then exits 2, as `check` would. */
  loadErrors: readonly PolicyError[];
  configErrors: readonly PolicyError[];
  assignedByConfig: readonly RoleAssignment[];
}

/** Replays one mainline step through the engine with today's policy. */
export async function replayStep(repo: GitRepository, step: MainlineStep, policy: ReplayPolicy): Promise<ReplayedStep> {
  const gitDiffMs = await timeGitDiff(repo, step);
  const started = performance.now();
  try {
    const change = { ...(await repo.diff(step.parent, step.sha)), headSha: step.sha };
    const declared = policy.roles ? { assignments: [], warnings: [] } : declaredRoles(await repo.commitMessages(step.parent, step.sha), policy.roleSet);
    const assignments = [...(policy.roles ?? policy.assignedByConfig), ...declared.assignments];
    const reader = repo.reader(step.parent, step.sha);
    const proposedErrors = await validateProposedPolicy(change, reader, policy.policy);
    const report = await evaluate({
      change,
      assignments,
      roleSet: policy.roleSet,
      config: policy.config,
      reader,
      errors: [...policy.configErrors, ...proposedErrors],
      warnings: [...policy.policy.warnings, ...declared.warnings],
      neutralReason: "no --role given, the config has no default_role and no commit declares a role",
    });
    const engineMs = performance.now() - started;
    const exitCode = policy.loadErrors.length > 0 || report.errors.length > 0 ? 2 : report.conclusion === "success" || report.conclusion === "neutral" ? 0 : 1;
    return { step, report, exitCode, engineMs, gitDiffMs };
  } catch (error) {
    return { step, error: error instanceof Error ? error.message : String(error), exitCode: 2, engineMs: performance.now() - started, gitDiffMs };
  }
}

async function timeGitDiff(repo: GitRepository, step: MainlineStep): Promise<number> {
  const started = performance.now();
  // The same git command path (and quoting, buffer and error mapping) as the engine's own diff.
  await repo.git(["diff", "--name-status", step.parent, step.sha]);
  return performance.now() - started;
}
