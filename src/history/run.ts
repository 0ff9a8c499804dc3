/**
 * `roleguard history`: what today's policy would have said about each change
 * on the repository's first-parent history (SPEC §9), so a team sees it on its
 * own past before installing the app.
 */
import { resolve } from "node:path";
import { assignRoles } from "../policy/assign.js";
import { configNameErrors } from "../policy/proposed.js";
import { buildRoleSet } from "../roles/resolve.js";
import { GitRepository } from "../sources/git.js";
import { loadPolicyAtRef } from "../sources/local-policy.js";
import { firstParentSteps } from "./first-parent.js";
import { ProgressBar } from "./progress.js";
import { replayStep, type ReplayedStep } from "./replay.js";
import { renderSummary, summarize } from "./summary.js";

export interface HistoryOptions {
  max: string;
  role?: string[];
  head: string;
  config?: string;
  roles?: string;
  format: "text" | "json";
}

export interface HistoryIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stderr is a terminal: a progress bar is drawn there (never with --format json). */
  stderrIsTTY: boolean;
}

/** Returns the exit code: 0 when it ran (whatever the changes concluded), 2 on a usage, git or policy error. */
export async function runHistory(options: HistoryOptions, io: HistoryIo): Promise<number> {
  const max = Number(options.max);
  if (!Number.isInteger(max) || max < 1) {
    io.stderr(`roleguard: --max must be a whole number of at least 1, got ${JSON.stringify(options.max)}\n`);
    return 2;
  }
  const repo = new GitRepository(io.cwd);
  const head = await repo.resolve(options.head);
  // Today's policy for every change: the config and role files as they are at the head.
  const policy = await loadPolicyAtRef(repo, head, {
    label: options.head,
    env: io.env,
    ...(options.config ? { configFile: resolve(io.cwd, options.config) } : {}),
    ...(options.roles ? { rolesDir: resolve(io.cwd, options.roles) } : {}),
  });
  const roleSet = buildRoleSet(policy.roleSources);
  const configErrors = [...policy.errors, ...configNameErrors(policy.configFiles, roleSet)];
  const loadErrors = [...configErrors, ...roleSet.errors];
  const unknown = (options.role ?? []).filter((id) => !roleSet.roles.has(id));
  if (unknown.length > 0) {
    io.stderr(`roleguard: unknown role ${unknown.join(", ")}; known roles: ${[...roleSet.roles.keys()].sort().join(", ")}\n`);
    return 2;
  }
  const roles = options.role?.map((id) => ({ id, source: "--role" }));
  const assignedByConfig = roles ? [] : await assignRoles(policy.config, {});

  const { steps, roots } = await firstParentSteps(repo, head, max);
  const bar = options.format === "text" && io.stderrIsTTY ? new ProgressBar(steps.length, io.stderr) : undefined;
  const replayed: ReplayedStep[] = [];
  for (const step of steps) {
    replayed.push(await replayStep(repo, step, { policy, roleSet, config: policy.config, ...(roles ? { roles } : {}), loadErrors, configErrors, assignedByConfig }));
    bar?.tick(step.sha.slice(0, 7));
  }
  bar?.done();

  const summary = summarize(replayed, { head, policyAt: head, roles: (roles ?? assignedByConfig).map((each) => `${each.id} (${each.source})`), roots });
  io.stdout(options.format === "json" ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary));
  if (loadErrors.length > 0) {
    io.stderr(`roleguard: the policy at ${options.head} has errors, so every change would exit 2; roleguard roles lint and roleguard check show them\n`);
    return 2;
  }
  return 0;
}
