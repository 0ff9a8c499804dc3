import type { Ledger } from "./ledger.js";
import { unpackCovers, type RecordEntry } from "./record.js";

/**
 * The approvals state of a PR: its record entries folded in order. Entries
 * are only ever appended, so any interleaving of two replicas' writes gives a
 * state with every decision in it; the order only matters between one
 * person's approval and their own revoke, and the later entry wins.
 */

/** An approval or override as the record holds it; decisions.ts binds it to the current findings. */
export interface RecordedDecision {
  kind: "approve" | "override";
  /** The command comment that gave it; 0 for a check-run button. */
  cmd: number;
  by: string;
  at: string;
  /** A digest of the command comment's body when it was carried out. */
  body?: string | undefined;
  categories: string[];
  reason?: string;
  /** Digests of the finding keys it covers (full keys in records written before digests). */
  covers: string[];
}

export interface TamperNote {
  id: number;
  by: string;
  author: string;
  action: "edited" | "deleted";
  at: string;
}

/** One of the app's record comments, in the order GitHub lists them: verified, or not. */
export type RecordComment = { commentId: number; entry: RecordEntry } | { commentId: number; invalid: string };

export interface FoldedRecord {
  decisions: RecordedDecision[];
  tampers: TamperNote[];
  /** Command comments already carried out: at most once each (SPEC §7). */
  seen: Set<number>;
  warnings: string[];
}

/**
 * Folds the single-comment record of earlier versions (read first, as the
 * base) and the entries after it. An entry of the app's that fails its
 * signature voids every decision before it (fail closed: nobody can tell what
 * it said, and it may have been a revoke); decisions given after it count.
 * An entry that repeats a command already folded (a delivery carried out
 * twice) adds nothing.
 */
export function foldRecord(legacy: Ledger | undefined, records: readonly RecordComment[]): FoldedRecord {
  const folded: FoldedRecord = { decisions: [], tampers: [], seen: new Set(legacy?.seen ?? []), warnings: [] };
  for (const entry of legacy?.entries ?? []) {
    if (entry.kind === "tamper") folded.tampers.push({ id: entry.id, by: entry.by, author: entry.author, action: entry.action, at: entry.at });
    else {
      if (entry.id !== 0) folded.seen.add(entry.id);
      folded.decisions.push({
        kind: entry.kind,
        cmd: entry.id,
        by: entry.by,
        at: entry.at,
        body: entry.body,
        categories: entry.kind === "approve" ? entry.categories : [],
        ...(entry.kind === "override" ? { reason: entry.reason } : {}),
        covers: entry.covers,
      });
    }
  }
  const ordered = [...records].sort((a, b) => position(a) - position(b));
  const parts = new Set<string>();
  for (const record of ordered) {
    if ("invalid" in record) {
      folded.warnings.push(`tamper: roleguard's decision record (comment ${record.commentId}) ${record.invalid}; the approvals and overrides recorded before it are not counted — give them again`);
      folded.decisions = [];
      continue;
    }
    const { entry } = record;
    if (entry.cmd !== undefined) {
      const part = `${entry.cmd}/${entry.part?.[0] ?? 1}`;
      if (parts.has(part)) continue;
      parts.add(part);
      folded.seen.add(entry.cmd);
    }
    for (const decision of entry.decisions) {
      const stamp = { cmd: entry.cmd ?? 0, by: entry.by, at: entry.at, body: entry.body };
      if (decision.kind === "approve") folded.decisions.push({ kind: "approve", ...stamp, categories: decision.categories, covers: unpackCovers(decision.covers) });
      else if (decision.kind === "override") folded.decisions.push({ kind: "override", ...stamp, categories: [], reason: decision.reason, covers: unpackCovers(decision.covers) });
      else if (decision.kind === "revoke") folded.decisions = revoke(folded.decisions, entry.by, decision.categories);
      else folded.tampers.push({ id: decision.id, by: decision.by, author: decision.author, action: decision.action, at: entry.at });
    }
  }
  return folded;
}

/** Takes `by`'s earlier approvals of these categories out of the state; others' approvals and every override stay. */
function revoke(decisions: RecordedDecision[], by: string, categories: readonly string[] | "all"): RecordedDecision[] {
  const login = by.toLowerCase();
  return decisions.flatMap((decision) => {
    if (decision.kind !== "approve" || decision.by.toLowerCase() !== login) return [decision];
    const kept = categories === "all" ? [] : decision.categories.filter((category) => !categories.includes(category));
    return kept.length === 0 ? [] : [{ ...decision, categories: kept }];
  });
}

/** An entry stands at its own comment id, or, re-posted after a deletion, where the original stood. */
function position(record: RecordComment): number {
  return "entry" in record ? (record.entry.order ?? record.commentId) : record.commentId;
}
