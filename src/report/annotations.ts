import type { PolicyError } from "../errors.js";
import type { Finding, Report } from "../policy/report.js";
import { approversOf, describeApprovers, describeOverriders } from "./who.js";

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

/**
 * More findings than this of one category and state in one folder share one
 * annotation (on the folder's first file) instead of one each: 300 migrations
 * in `db/migrate/` are one thing to approve, and 300 identical annotations
 * would bury everything else in the Files view. Ten still reads as a list.
 * Findings on a line of their own (each dependency in its manifest) are not
 * identical and keep one annotation each.
 */
export const FOLDER_GROUP_THRESHOLD = 10;
/** Paths named in a folder's shared annotation before "and N more". */
const PATHS_PER_GROUP = 20;
/** GitHub's limit on an annotation's message is 64 KB. */
const MESSAGE_LIMIT = 64_000;

/** Errors in this repository's files first (on their line), then findings: violations, pending, settled. */
export function buildAnnotations(report: Report): Annotation[] {
  return [...report.errors.filter(isRepositoryFile).map(errorAnnotation), ...findingAnnotations(report)];
}

/**
 * Errors in files of this repository (proposed, or on the default branch) sit
 * on that file; labelled ones ("main:.github/roleguard.yml", "acme/.github:...",
 * "(pull request)") are in the summary only: GitHub cannot place them.
 */
function isRepositoryFile(error: PolicyError): boolean {
  return !error.file.startsWith("(") && !error.file.includes(":");
}

function errorAnnotation(error: PolicyError): Annotation {
  return {
    path: error.file,
    start_line: error.line ?? 1,
    end_line: error.line ?? 1,
    annotation_level: "failure",
    title: error.field ? `roleguard: ${error.field}` : "roleguard: policy error",
    message: [error.message, error.hint ? `Fix: ${error.hint}` : ""].filter(Boolean).join("\n").slice(0, MESSAGE_LIMIT),
  };
}

function findingAnnotations(report: Report): Annotation[] {
  const withFile = report.findings.filter((finding): finding is Finding & { path: string } => finding.path !== undefined);
  // Groups keep the report's order (violations first); a finding on its own line is a group of one.
  const groups = new Map<string, (Finding & { path: string })[]>();
  for (const finding of withFile) {
    const key = finding.line !== undefined ? `line\u0000${finding.key}` : [finding.category, finding.state, folderOf(finding.path)].join("\u0000");
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  return [...groups.values()].flatMap((group) =>
    group.length > FOLDER_GROUP_THRESHOLD ? [folderAnnotation(group, report)] : group.map((finding) => single(finding, report)),
  );
}

function single(finding: Finding & { path: string }, report: Report): Annotation {
  const line = finding.line ?? 1;
  return {
    path: finding.path,
    start_line: line,
    end_line: line,
    annotation_level: level(finding),
    title: `${finding.category}: ${finding.state}`,
    message: [finding.detail ?? "", whatNow([finding], report)].filter(Boolean).join("\n").slice(0, MESSAGE_LIMIT),
  };
}

function folderAnnotation(group: readonly (Finding & { path: string })[], report: Report): Annotation {
  const first = group[0] as Finding & { path: string };
  const folder = folderOf(first.path);
  const paths = group.slice(0, PATHS_PER_GROUP).map((finding) => finding.path);
  const more = group.length > PATHS_PER_GROUP ? `\n… and ${group.length - PATHS_PER_GROUP} more (the check's summary and JSON report list them all)` : "";
  return {
    path: first.path,
    start_line: 1,
    end_line: 1,
    annotation_level: level(first),
    title: `${first.category}: ${first.state}, ${group.length} files in ${folder === "" ? "the repository root" : `${folder}/`}`,
    message: [`${group.length} files in ${folder === "" ? "the repository root" : `${folder}/`}:`, ...paths].join("\n") + more + `\n${whatNow(group, report)}`,
  };
}

/** Who may act and how, in plain words (annotations are not Markdown). */
function whatNow(findings: readonly Finding[], report: Report): string {
  const first = findings[0] as Finding;
  switch (first.state) {
    case "violation":
      return `Undo ${findings.length === 1 ? "this change" : "these changes"}, or ${describeOverriders(report)} comments /roleguard override <reason>.`;
    case "pending":
      return `May approve: ${describeApprovers(approversOf(findings, report))}. Comment /roleguard approve ${first.category}`;
    case "approved":
      return first.by ? `Approved by @${first.by}${first.at ? ` at ${first.at}` : ""}.` : "";
    case "overridden":
      return first.by ? `Overridden by @${first.by}${first.reason ? `: ${first.reason}` : ""}.` : "";
  }
}

function level(finding: Finding): Annotation["annotation_level"] {
  return finding.state === "violation" ? "failure" : finding.state === "pending" ? "warning" : "notice";
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}
