/**
 * Runs the roleguard CLI in-process (src/cli.ts `runCli`) and captures what it
 * prints, plus typed helpers for the report object of SPEC §5.
 */
import { expect } from "vitest";
import { runCli } from "../../src/cli.js";
import { ReportSchema, type Finding, type Report } from "../../src/policy/report.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runRoleguard(args: readonly string[], cwd: string): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    cwd,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

export interface CheckResult extends CliResult {
  report: Report;
}

/**
 * `roleguard check --base main --format json ...args`: stdout must be exactly
 * one JSON document that the engine's ReportSchema accepts.
 */
export async function checkJson(cwd: string, args: readonly string[] = []): Promise<CheckResult> {
  const result = await runRoleguard(["check", "--base", "main", "--format", "json", ...args], cwd);
  return { ...result, report: parseReport(result.stdout, result.stderr) };
}

export function parseReport(stdout: string, stderr = ""): Report {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (error) {
    throw new Error(`stdout is not JSON (${(error as Error).message}).\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  }
  const parsed = ReportSchema.safeParse(json);
  if (!parsed.success) throw new Error(`stdout does not match ReportSchema: ${parsed.error.message}\nstdout:\n${stdout}`);
  // The schema strips nothing we assert on, but make sure no field was dropped by it either.
  expect(Object.keys(parsed.data).sort()).toEqual(Object.keys(json as object).sort());
  return parsed.data;
}

/** The parts of a finding a test asserts on, with absent fields left out. */
export interface SeenFinding {
  category: string;
  path?: string;
  previous_path?: string;
  state: Finding["state"];
  detail?: string;
}

/** Findings reduced to category/path/previous_path/state/detail, sorted by category then path. */
export function seen(findings: readonly Finding[], fields: { detail?: boolean } = {}): SeenFinding[] {
  const withDetail = fields.detail ?? true;
  return findings
    .map((finding): SeenFinding => ({
      category: finding.category,
      ...(finding.path !== undefined ? { path: finding.path } : {}),
      ...(finding.previous_path !== undefined ? { previous_path: finding.previous_path } : {}),
      state: finding.state,
      ...(withDetail && finding.detail !== undefined ? { detail: finding.detail } : {}),
    }))
    .sort((a, b) => compare(a.category, b.category) || compare(a.path ?? "", b.path ?? "") || compare(a.detail ?? "", b.detail ?? ""));
}

/** The findings of one category. */
export function inCategory(report: Report, category: string): Finding[] {
  return report.findings.filter((finding) => finding.category === category);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A role file's text: YAML front matter from `front`, then a one-line body. */
export function roleFile(front: string, body = "A role written for a test."): string {
  return `---\n${front.trim()}\n---\n\n${body}\n`;
}
