import { ConfigSchema, type ConfigInput } from "../../src/config/schema.js";
import type { Approval, ChangedFile, FileReader, Override, RoleAssignment } from "../../src/policy/change.js";
import { evaluate } from "../../src/policy/evaluate.js";
import type { Report } from "../../src/policy/report.js";
import { builtinRoleSource } from "../../src/roles/builtin.js";
import { buildRoleSet } from "../../src/roles/resolve.js";

/** A role file from a few front-matter lines. */
export function roleFile(front: string): string {
  return `---\n${front.trim()}\n---\n\nA role for tests.\n`;
}

/** Reads from two in-memory trees; a path missing from a tree reads as absent. */
export function memoryReader(base: Record<string, string>, head: Record<string, string>): FileReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: async (side, path) => {
      reads.push(`${side}:${path}`);
      return (side === "base" ? base : head)[path] ?? null;
    },
  };
}

export interface Scenario {
  roles?: Record<string, string>;
  apply?: string[] | RoleAssignment[];
  config?: ConfigInput;
  files: (ChangedFile | string)[];
  base?: Record<string, string>;
  head?: Record<string, string>;
  body?: string;
  approvals?: Approval[];
  overrides?: Override[];
  incomplete?: string;
}

/** Evaluates a scenario with the built-in roles plus `roles`, like the app and the CLI do. */
export async function run(scenario: Scenario): Promise<Report> {
  const roleSet = buildRoleSet([
    builtinRoleSource(),
    { layer: "repository", files: Object.entries(scenario.roles ?? {}).map(([path, text]) => ({ path, text })) },
  ]);
  const assignments = (scenario.apply ?? []).map((each) => (typeof each === "string" ? { id: each, source: "test" } : each));
  return evaluate({
    change: {
      files: scenario.files.map((file) => (typeof file === "string" ? { path: file, status: "modified", sha: `sha-${file}` } : file)),
      ...(scenario.body !== undefined ? { body: scenario.body } : {}),
      ...(scenario.incomplete ? { incomplete: scenario.incomplete } : {}),
    },
    assignments,
    roleSet,
    config: ConfigSchema.parse(scenario.config ?? {}),
    reader: memoryReader(scenario.base ?? {}, scenario.head ?? {}),
    approvals: scenario.approvals ?? [],
    overrides: scenario.overrides ?? [],
  });
}

/** "category path state" lines: the shape most assertions care about. */
export function summary(report: Report): string[] {
  return report.findings.map((finding) => [finding.category, finding.path ?? "-", finding.state].join(" "));
}
