import type { Finding, Report } from "../policy/report.js";
import { buildAnnotations, type Annotation } from "./annotations.js";
import { renderMarkdown } from "./markdown.js";

export type { Annotation } from "./annotations.js";

/** GitHub's limits on a check run's output (GITHUB-FACTS.md). */
export const OUTPUT_LIMIT = 65_535;
export const ANNOTATIONS_PER_REQUEST = 50;
/** Beyond this, findings are listed in the summary and JSON only: 10 requests of annotations is plenty to read. */
export const MAX_ANNOTATIONS = 500;

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
  if (all.length > MAX_ANNOTATIONS) notes.push(`Only the first ${MAX_ANNOTATIONS} of ${all.length} annotations are shown on files; the summary and the JSON report list every finding.`);
  return {
    title: report.title.slice(0, 1000),
    summary: fitMarkdown(renderMarkdown(report, { notes }), OUTPUT_LIMIT),
    text: jsonBlock(report),
    annotations: all.slice(0, MAX_ANNOTATIONS),
  };
}

/** A fence of backticks longer than any run of backticks inside, so no string in the report can close it. */
function fenced(json: string): string {
  const longest = Math.max(0, ...[...json.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}json\n${json}\n${fence}\n`;
}

/**
 * The findings as a fenced JSON block, so an agent reading its own check run
 * knows what to undo or whom to ask. When it does not fit, it keeps counts per
 * category and state and as many findings as fit, violations first.
 */
export function jsonBlock(report: Report, limit: number = OUTPUT_LIMIT): string {
  const full = fenced(JSON.stringify(report, null, 2));
  if (full.length <= limit) return full;

  const counts: Record<string, Record<string, number>> = {};
  for (const finding of report.findings) {
    const byState = (counts[finding.category] ??= {});
    byState[finding.state] = (byState[finding.state] ?? 0) + 1;
  }
  // Findings are already sorted violations first; keep the longest prefix that fits.
  const shell = { ...report, findings: [] as Finding[], counts, truncated: true };
  const compact = (value: Report) => fenced(JSON.stringify(value));
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

const CUT_NOTE = "\n\n_…summary cut to fit GitHub's limit; the JSON report in the details has the counts per category and the findings, violations first._\n";

/**
 * The summary is built to fit (lists are capped); should it still be too long,
 * it is cut at a line, and a `<details>` left open is closed so the note shows.
 */
function fitMarkdown(markdown: string, limit: number): string {
  if (markdown.length <= limit) return markdown;
  const room = limit - CUT_NOTE.length - "\n\n</details>".length * 4;
  let cut = markdown.slice(0, Math.max(0, room));
  cut = cut.slice(0, Math.max(0, cut.lastIndexOf("\n")));
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  return `${cut}${"\n\n</details>".repeat(Math.max(0, Math.min(open, 4)))}${CUT_NOTE}`.slice(0, limit);
}
