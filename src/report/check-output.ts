import type { Finding, Report } from "../policy/report.js";
import { renderMarkdown } from "./markdown.js";

/** GitHub's limits on a check run's output (GITHUB-FACTS.md). */
export const OUTPUT_LIMIT = 65_535;
export const ANNOTATIONS_PER_REQUEST = 50;
/** Beyond this, findings are listed in the summary and JSON only: 10 requests of annotations is plenty to read. */
export const MAX_ANNOTATIONS = 500;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text: string;
  annotations: Annotation[];
}

/** Report → what the check run shows: summary for people, a JSON block for agents, annotations on files. */
export function buildCheckOutput(report: Report, extraSummary: string[] = []): CheckOutput {
  const all = buildAnnotations(report);
  const notes = [...extraSummary];
  if (all.length > MAX_ANNOTATIONS) notes.push(`Only the first ${MAX_ANNOTATIONS} of ${all.length} findings are annotated on files; the JSON report lists them all.`);
  // Notes go right under the title: the table below may be cut to fit, the notes must not be.
  const [title = "", ...rest] = renderMarkdown(report).split("\n");
  const summaryBody = [title, "", ...notes.map((note) => `> ${note}`), ...(notes.length > 0 ? [""] : []), ...rest].join("\n");
  return {
    title: report.title.slice(0, 1000),
    summary: fitText(summaryBody, OUTPUT_LIMIT, "\n\n_…summary cut to fit GitHub's limit; the JSON report in the details has the counts per category and the findings, violations first._"),
    text: jsonBlock(report),
    annotations: all.slice(0, MAX_ANNOTATIONS),
  };
}

/** Violations first, then pending, then settled; errors in proposed policy files as failures. */
function buildAnnotations(report: Report): Annotation[] {
  const level = (finding: Finding): Annotation["annotation_level"] =>
    finding.state === "violation" ? "failure" : finding.state === "pending" ? "warning" : "notice";
  const fromFindings = report.findings
    .filter((finding): finding is Finding & { path: string } => finding.path !== undefined)
    .map((finding) => ({
      path: finding.path,
      start_line: 1,
      end_line: 1,
      annotation_level: level(finding),
      title: `${finding.category}: ${finding.state}`,
      message: [finding.detail, finding.resolve ? `To resolve: ${finding.resolve}` : "", finding.by ? `By ${finding.by}${finding.reason ? `: ${finding.reason}` : ""}` : ""]
        .filter(Boolean)
        .join("\n")
        .slice(0, 64_000),
    }));
  // Errors in files of this repository (proposed or on the default branch) sit on that file; labelled ones
  // ("main:.github/roleguard.yml", "acme/.github:...", "(pull request)") are in the summary only.
  const fromErrors = report.errors
    .filter((error) => !error.file.startsWith("(") && !error.file.includes(":"))
    .map((error) => ({
      path: error.file,
      start_line: error.line ?? 1,
      end_line: error.line ?? 1,
      annotation_level: "failure" as const,
      title: error.field ? `roleguard: ${error.field}` : "roleguard: policy error",
      message: error.message.slice(0, 64_000),
    }));
  return [...fromErrors, ...fromFindings];
}

/**
 * The findings as a fenced JSON block, so an agent reading its own check run
 * knows what to undo or whom to ask. When it does not fit, it keeps counts per
 * category and state and as many findings as fit, violations first.
 */
export function jsonBlock(report: Report, limit: number = OUTPUT_LIMIT): string {
  const wrap = (value: Report) => `\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n`;
  const full = wrap(report);
  if (full.length <= limit) return full;

  const counts: Record<string, Record<string, number>> = {};
  for (const finding of report.findings) {
    const byState = (counts[finding.category] ??= {});
    byState[finding.state] = (byState[finding.state] ?? 0) + 1;
  }
  // Findings are already sorted violations first; keep the longest prefix that fits.
  const shell = { ...report, findings: [] as Finding[], counts, truncated: true };
  const compact = (value: Report) => `\`\`\`json\n${JSON.stringify(value)}\n\`\`\`\n`;
  let low = 0;
  let high = report.findings.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (compact({ ...shell, findings: report.findings.slice(0, mid) }).length <= limit) low = mid;
    else high = mid - 1;
  }
  const fitted = compact({ ...shell, findings: report.findings.slice(0, low) });
  if (fitted.length <= limit) return fitted;
  // Even the shell is too big (thousands of warnings): keep the verdict and the counts.
  return compact({ ...shell, checklist: [], warnings: shell.warnings.slice(0, 20), errors: shell.errors.slice(0, 20) }).slice(0, limit);
}

function fitText(text: string, limit: number, note: string): string {
  return text.length <= limit ? text : `${text.slice(0, limit - note.length)}${note}`;
}
