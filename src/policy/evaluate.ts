import type { Config, Mode } from "../config/schema.js";
import type { PolicyError } from "../errors.js";
import type { RoleSet } from "../roles/resolve.js";
import type { ResolvedRole } from "../roles/schema.js";
import { DEPENDENCY_CATEGORIES, isDependencyCategory } from "./categories/builtin.js";
import { compileCategory } from "./categories/matchers.js";
import type { Approval, Change, ChangedFile, FileReader, Override, RoleAssignment } from "./change.js";
import { findDependencyChanges } from "./dependency-findings.js";
import { statedConfidence } from "./escalation.js";
import { describeInspection } from "./inspected.js";
import { PathPatternList } from "./paths.js";
import type { Decision, Finding, Report } from "./report.js";
import { collectRequirements } from "./requirements.js";
import { decideConclusion, describeVerdict, INSPECTION_FILE, observed } from "./verdict.js";

export interface EvaluationInput {
  change: Change;
  /** The roles this PR is held to, each with the rule that applied it. */
  assignments: readonly RoleAssignment[];
  roleSet: RoleSet;
  config: Config;
  /** Reads manifests at base and head; only called for changed manifests. */
  reader?: FileReader;
  approvals?: readonly Approval[];
  overrides?: readonly Override[];
  /** Config problems found while loading; any error fails the check. */
  errors?: readonly PolicyError[];
  warnings?: readonly string[];
  /** Why no role applies, for the neutral title ("@alice matches no assign entry"). */
  neutralReason?: string;
}

/** A finding before approvals and overrides are applied to it. */
interface Detected {
  category: string;
  file?: ChangedFile;
  violation: boolean;
  detail: string;
  roles: Set<string>;
  content: string;
  /** The line of the file it is about, when there is one (a dependency in its manifest). */
  line?: number;
}

/**
 * The engine: from a change, the roles it is held to and the config, to the
 * report of SPEC §5. Deterministic, and no I/O beyond the reader it is given.
 */
export async function evaluate(input: EvaluationInput): Promise<Report> {
  const report = await judge(input);
  return { ...report, ...describeInspection(input.change, input.assignments, input.roleSet, input.config) };
}

async function judge(input: EvaluationInput): Promise<Report> {
  const { change, config, roleSet } = input;
  const errors: PolicyError[] = [...(input.errors ?? []), ...roleSet.errors];
  const warnings: string[] = [...(input.warnings ?? []), ...(change.warnings ?? []), ...roleSet.warnings];
  if (change.incomplete) errors.push({ file: INSPECTION_FILE, message: `could not inspect the whole change: ${change.incomplete}` });

  const roles: ResolvedRole[] = [];
  for (const assignment of input.assignments) {
    const role = roleSet.roles.get(assignment.id);
    if (role) roles.push(role);
    else if (!errors.some((error) => error.message.startsWith(`role ${assignment.id} `))) {
      // Normally caught when the config is loaded; this guards callers that skip that check.
      const why = roleSet.errors.length > 0 ? "is not defined, or its role file has the errors listed here" : "is not defined in any role file or built-in role";
      errors.push({ file: ".github/roleguard.yml", message: `role ${assignment.id} (applied by ${assignment.source}) ${why}` });
    }
  }
  const appliedRoles = dedupeAssignments(input.assignments);
  if (appliedRoles.length === 0) {
    return finish({ roles: [], findings: [], checklist: [], warnings, errors }, input.neutralReason, config.mode);
  }

  const requirements = collectRequirements(roles, config);
  warnings.push(...requirements.warnings);
  const detected = new DetectedSet();

  detectPathViolations(change.files, roles, config, detected);
  for (const [category, holders] of requirements.categories) {
    if (category === "delete_files") {
      for (const file of change.files) {
        if (file.status === "removed") detected.add({ category, file, violation: false, detail: "file deleted", roles: holders, content: "removed" });
      }
    } else if (category === "commit") {
      // Bound to the head commit: approving `commit` approves this commit, not whatever is pushed next.
      detected.add({ category, violation: false, detail: "every change of this role needs approval", roles: holders, content: change.headSha ?? "" });
    } else if (!isDependencyCategory(category) && category !== "low_confidence" && category !== "forbidden_paths") {
      const matcher = compileCategory(category, config);
      for (const file of change.files) {
        const pattern = matcher.match(file.path) ?? (file.previousPath ? matcher.match(file.previousPath) : undefined);
        if (pattern !== undefined) detected.add({ category, file, violation: false, detail: `matches ${pattern}`, roles: holders, content: file.sha ?? file.status });
      }
    }
  }

  const wantedDependencies = new Set(DEPENDENCY_CATEGORIES.filter((category) => requirements.categories.has(category)));
  if (wantedDependencies.size > 0) {
    for (const finding of await findDependencyChanges(change.files, input.reader, wantedDependencies)) {
      const holders = requirements.categories.get(finding.category) as Set<string>;
      detected.add({ category: finding.category, file: finding.file, violation: false, detail: finding.detail, roles: holders, content: finding.detail, ...(finding.line !== undefined ? { line: finding.line } : {}) });
    }
  }

  const checklist = [...requirements.checklist];
  if (requirements.confidence) {
    const { threshold, roles: holders } = requirements.confidence;
    const stated = statedConfidence(change.body);
    if (stated === undefined) checklist.push(`Confidence < ${threshold}%: the PR description states no confidence; ask the author`);
    else if (stated < threshold) {
      detected.add({ category: "low_confidence", violation: false, detail: `the author states ${stated}% confidence, below ${threshold}%`, roles: holders, content: String(stated) });
    }
  }

  const { findings, counted } = applyDecisions(detected.list(), config, input.approvals ?? [], input.overrides ?? []);
  const decisions = describeDecisions(findings, counted, input.approvals ?? [], input.overrides ?? []);
  return finish({ roles: appliedRoles, findings, checklist, warnings: [...new Set(warnings)], errors, ...(decisions.length > 0 ? { decisions } : {}) }, input.neutralReason, config.mode);
}

/** Forbidden paths and allow-lists: a rename is judged under both of its paths. */
function detectPathViolations(files: readonly ChangedFile[], roles: readonly ResolvedRole[], config: Config, detected: DetectedSet): void {
  const options = { caseInsensitive: config.case_insensitive };
  for (const role of roles) {
    const forbidden = new PathPatternList(role.forbiddenPaths.map((pattern) => pattern.value), options);
    const allowed = role.allowedPaths ? new PathPatternList(role.allowedPaths.map((pattern) => pattern.value), options) : undefined;
    const inheritedFrom = new Map(role.forbiddenPaths.map((pattern) => [pattern.value, pattern.from]));
    for (const file of files) {
      const paths = file.previousPath ? [file.path, file.previousPath] : [file.path];
      for (const path of paths) {
        const pattern = forbidden.match(path);
        if (pattern === undefined) continue;
        const from = inheritedFrom.get(pattern);
        const origin = from && from !== role.id ? ` (inherited from ${from})` : "";
        const where = path === file.path ? "" : ` (old path ${path})`;
        detected.add({ category: "forbidden_paths", file, violation: true, detail: `matches ${pattern} of role ${role.id}${origin}${where}`, roles: new Set([role.id]), content: file.sha ?? file.status });
        break;
      }
      if (allowed && !paths.every((path) => allowed.test(path))) {
        const outside = paths.find((path) => !allowed.test(path)) as string;
        detected.add({ category: "forbidden_paths", file, violation: true, detail: `${outside} is outside allowed_paths of role ${role.id}`, roles: new Set([role.id]), content: file.sha ?? file.status });
      }
    }
  }
}

/** Findings keyed by category, path and content; the same finding from several roles is one finding. */
class DetectedSet {
  private readonly byKey = new Map<string, Detected>();

  add(finding: Detected): void {
    const key = findingKey(finding);
    const existing = this.byKey.get(key);
    if (!existing) {
      this.byKey.set(key, { ...finding, roles: new Set(finding.roles) });
      return;
    }
    finding.roles.forEach((role) => existing.roles.add(role));
    if (!existing.detail.includes(finding.detail)) existing.detail += `; ${finding.detail}`;
  }

  list(): Detected[] {
    return [...this.byKey.values()];
  }
}

function findingKey(finding: Pick<Detected, "category" | "file" | "content">): string {
  return [finding.category, finding.file?.path ?? "", finding.content].join("\u0000").replace(/\u0000/g, "|");
}

/**
 * Applies overrides to violations and approvals to the rest; an approval with
 * `covers` binds to those keys only. A category with `required: N` needs N
 * distinct people whose approvals cover the finding; each person counts once,
 * by their latest approval. `counted` says, per approval, how many findings it
 * counted toward.
 */
function applyDecisions(detected: Detected[], config: Config, approvals: readonly Approval[], overrides: readonly Override[]): { findings: Finding[]; counted: Map<Approval, number> } {
  const counted = new Map<Approval, number>();
  const findings = detected.map((item): Finding => {
    const key = findingKey(item);
    const base: Finding = {
      category: item.category,
      ...(item.file ? { path: item.file.path } : {}),
      ...(item.file?.previousPath ? { previous_path: item.file.previousPath } : {}),
      ...(item.line !== undefined ? { line: item.line } : {}),
      state: item.violation ? "violation" : "pending",
      detail: item.detail,
      roles: [...item.roles].sort(),
      key,
    };
    if (item.violation) {
      const override = [...overrides].reverse().find((each) => !each.covers || each.covers.includes(key));
      if (override) return { ...base, state: "overridden", by: override.by, reason: override.reason, ...(override.at ? { at: override.at } : {}) };
      const what = item.file?.previousPath ? `the rename of ${item.file.previousPath} to ${item.file.path}` : `the change to ${item.file?.path}`;
      return { ...base, resolve: `undo ${what}, or a maintainer comments \`/roleguard override <reason>\`` };
    }
    const covering = distinctApprovers(approvals.filter((each) => (each.categories === "all" || each.categories.includes(item.category)) && (!each.covers || each.covers.includes(key))));
    covering.forEach((approval) => counted.set(approval, (counted.get(approval) ?? 0) + 1));
    const required = config.categories[item.category]?.required ?? 1;
    const progress = required > 1 || covering.length > 0 ? { approved_by: covering.map((each) => each.by).reverse(), still_needed: Math.max(0, required - covering.length) } : {};
    const latest = covering[0];
    if (latest && covering.length >= required) return { ...base, ...progress, state: "approved", by: latest.by, ...(latest.at ? { at: latest.at } : {}) };
    const approvers = approversOf(item.category, config);
    return {
      ...base,
      ...(approvers.length > 0 ? { approvers } : {}),
      ...progress,
      resolve: `/roleguard approve ${item.category}`,
    };
  });
  return { findings, counted };
}

/** Each person's latest approval, latest first: the same person approving twice counts once. */
function distinctApprovers(approvals: readonly Approval[]): Approval[] {
  const byPerson = new Map<string, Approval>();
  for (const approval of [...approvals].reverse()) if (!byPerson.has(approval.by.toLowerCase())) byPerson.set(approval.by.toLowerCase(), approval);
  return [...byPerson.values()];
}

/** Every approval and override, with how many current findings each one settles. */
function describeDecisions(findings: readonly Finding[], counted: ReadonlyMap<Approval, number>, approvals: readonly Approval[], overrides: readonly Override[]): Decision[] {
  const settled = (kind: "overridden", by: string, at: string | undefined) =>
    findings.filter((finding) => finding.state === kind && finding.by === by && finding.at === at).length;
  return [
    ...approvals.map((approval): Decision => ({
      kind: "approval",
      by: approval.by,
      ...(approval.at ? { at: approval.at } : {}),
      ...(approval.via ? { via: approval.via } : {}),
      categories: approval.categories === "all" ? ["all"] : [...approval.categories],
      settles: counted.get(approval) ?? 0,
    })),
    ...overrides.map((override): Decision => ({
      kind: "override",
      by: override.by,
      ...(override.at ? { at: override.at } : {}),
      ...(override.via ? { via: override.via } : {}),
      reason: override.reason,
      settles: settled("overridden", override.by, override.at),
    })),
  ];
}

export function approversOf(category: string, config: Config): string[] {
  const approvers = config.categories[category]?.approvers;
  if (!approvers) return [];
  return [...approvers.users.map((user) => `@${user}`), ...approvers.teams.map((team) => `@${team}`)];
}

function dedupeAssignments(assignments: readonly RoleAssignment[]): RoleAssignment[] {
  const byId = new Map<string, RoleAssignment>();
  for (const assignment of assignments) {
    const existing = byId.get(assignment.id);
    byId.set(assignment.id, existing ? { id: assignment.id, source: `${existing.source}; ${assignment.source}` } : { ...assignment });
  }
  return [...byId.values()];
}

const STATE_ORDER = { violation: 0, pending: 1, overridden: 2, approved: 3 } as const;

function finish(
  parts: Pick<Report, "roles" | "findings" | "checklist" | "warnings" | "errors" | "decisions">,
  neutralReason: string | undefined,
  mode: Mode,
): Report {
  const findings = [...parts.findings].sort(
    (a, b) =>
      STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
      a.category.localeCompare(b.category) ||
      (a.path ?? "").localeCompare(b.path ?? "") ||
      a.key.localeCompare(b.key),
  );
  const conclusion = decideConclusion(parts.roles.length > 0, findings, parts.errors);
  const verdict = { conclusion, title: describeVerdict(conclusion, parts.roles, findings, parts.errors, neutralReason) };
  return {
    version: 1,
    ...(mode === "observe" ? observed(verdict, parts.errors) : verdict),
    ...parts,
    findings,
  };
}

