/**
 * Known AI coding agents and the fingerprints their pull requests carry (SPEC §4).
 * Some open PRs under their own bot account; Codex and Cursor open them under the
 * person's account, so the head branch, the body and commit trailers count too.
 */
export interface AgentFingerprints {
  id: string;
  logins: readonly string[];
  branchPrefixes: readonly string[];
  bodyMarkers: readonly RegExp[];
  /** Matched against `Co-authored-by:` trailers of the PR's commits. */
  coAuthors: readonly RegExp[];
}

export const KNOWN_AGENTS: readonly AgentFingerprints[] = [
  { id: "copilot", logins: ["Copilot", "copilot-swe-agent[bot]", "copilot-swe-agent"], branchPrefixes: ["copilot/"], bodyMarkers: [], coAuthors: [/copilot/i] },
  { id: "devin", logins: ["devin-ai-integration[bot]"], branchPrefixes: ["devin/"], bodyMarkers: [/app\.devin\.ai\/sessions\//i], coAuthors: [/devin-ai-integration/i] },
  {
    id: "claude",
    logins: ["claude[bot]", "claude"],
    branchPrefixes: ["claude/"],
    bodyMarkers: [/generated with \[claude code\]/i, /claude\.ai\/code/i],
    coAuthors: [/noreply@anthropic\.com/i],
  },
  { id: "codex", logins: ["chatgpt-codex-connector[bot]"], branchPrefixes: ["codex/"], bodyMarkers: [/chatgpt\.com\/codex\/tasks\//i], coAuthors: [/codex@openai\.com/i] },
  { id: "cursor", logins: ["cursor[bot]"], branchPrefixes: ["cursor/"], bodyMarkers: [/cursor\.com\/(agents|background-agent)/i], coAuthors: [/cursoragent@cursor\.com/i] },
  { id: "jules", logins: ["google-labs-jules[bot]"], branchPrefixes: ["jules/"], bodyMarkers: [/jules\.google\.com\/task\//i], coAuthors: [/jules@google\.com/i, /google-labs-jules/i] },
  { id: "codegen", logins: ["codegen-sh[bot]"], branchPrefixes: ["codegen-bot/", "codegen/"], bodyMarkers: [/codegen\.com\/agent\/trace\//i], coAuthors: [/codegen-sh/i] },
];

export interface PullRequestTraits {
  login: string;
  headRef?: string;
  body?: string;
  /** Full commit messages of the PR's commits, for Co-authored-by trailers. */
  commitMessages?: readonly string[];
}

const TRAILER = /^co-authored-by:\s*(.+)$/gim;

/** Every known agent whose fingerprint the PR carries, with the first piece of evidence found. */
export function detectAgents(pr: PullRequestTraits, agents: readonly AgentFingerprints[] = KNOWN_AGENTS): { id: string; evidence: string }[] {
  const trailers = (pr.commitMessages ?? []).flatMap((message) => [...message.matchAll(TRAILER)].map((match) => (match[1] ?? "").trim()));
  const found: { id: string; evidence: string }[] = [];
  for (const agent of agents) {
    const evidence =
      (agent.logins.some((login) => login.toLowerCase() === pr.login.toLowerCase()) && `author ${pr.login}`) ||
      (pr.headRef && agent.branchPrefixes.some((prefix) => pr.headRef?.startsWith(prefix)) && `head branch ${pr.headRef}`) ||
      (pr.body && agent.bodyMarkers.some((marker) => marker.test(pr.body ?? "")) && "marker in the PR description") ||
      trailers.filter((trailer) => agent.coAuthors.some((pattern) => pattern.test(trailer))).map((trailer) => `Co-authored-by: ${trailer}`)[0];
    if (evidence) found.push({ id: agent.id, evidence });
  }
  return found;
}
