import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod";
import { COVER_LENGTH, isRecordComment, normalise } from "./record.js";

/**
 * The approvals record of earlier versions: one comment the app wrote and
 * edited, with the record as signed JSON in an HTML comment. The app no longer
 * writes it — an edited shared comment loses a decision when two writers race
 * (the last one wins); decisions are appended now, one entry per command
 * (record.ts) — but a PR's existing record is still read, as the base the new
 * entries fold onto, and put back when someone else edits or deletes it.
 * It is signed with an HMAC keyed from the app's secret and bound to the
 * repository and PR: an edit, or a record pasted from another PR, fails.
 */

const Stamp = { id: z.number().int(), by: z.string(), at: z.string() };
/** A digest of the command comment's body when it was carried out: a later edit, even one whose webhook was missed, shows. */
const Body = { body: z.string().optional() };

export const LedgerEntrySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("approve"), ...Stamp, ...Body, categories: z.array(z.string()), covers: z.array(z.string()) }),
  z.object({ kind: z.literal("override"), ...Stamp, ...Body, reason: z.string(), covers: z.array(z.string()) }),
  /** A command comment edited or deleted by someone other than its author. */
  z.object({ kind: z.literal("tamper"), ...Stamp, author: z.string(), action: z.enum(["edited", "deleted"]) }),
]);
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

export const LedgerSchema = z.object({
  v: z.literal(1),
  repo: z.string(),
  pr: z.number().int(),
  entries: z.array(LedgerEntrySchema),
  /**
   * The command comments already carried out, by id (SPEC §7: at most once
   * each). A redelivered or replayed webhook of one of them changes nothing,
   * even after its approval was revoked.
   */
  seen: z.array(z.number().int()).optional(),
  /** Entries dropped to keep the record within GitHub's comment limit. */
  dropped: z.number().int().nonnegative().optional(),
});
export type Ledger = z.infer<typeof LedgerSchema>;

const MARKER = "roleguard-ledger";
const BLOCK = new RegExp(`<!-- ${MARKER}:([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]+) -->`);

/** The signing key, derived from the app's secret so every replica agrees and nothing new must be configured. */
export function ledgerKey(secret: string): Buffer {
  return createHmac("sha256", secret).update("roleguard approvals ledger v1").digest();
}

export function emptyLedger(repo: string, pr: number): Ledger {
  return { v: 1, repo: repo.toLowerCase(), pr, entries: [] };
}

/** Any of the app's approvals records: the single comment of earlier versions, or an appended entry. */
export function isLedgerComment(body: string | null | undefined): boolean {
  return isSingleLedgerComment(body) || isRecordComment(body);
}

/** The single-comment record of earlier versions. */
export function isSingleLedgerComment(body: string | null | undefined): boolean {
  return !!body && body.includes(`<!-- ${MARKER}:`);
}

export type LedgerRead = { ok: true; ledger: Ledger } | { ok: false; reason: string };

export function readLedger(body: string, key: Buffer, repo: string, pr: number): LedgerRead {
  const match = BLOCK.exec(body);
  if (!match?.[1] || !match[2]) return { ok: false, reason: "the approvals record is missing or malformed" };
  const expected = sign(match[1], key);
  const given = Buffer.from(match[2]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "the approvals record's signature does not match: it was edited by someone other than roleguard" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(match[1], "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "the approvals record does not parse" };
  }
  const ledger = LedgerSchema.safeParse(parsed);
  if (!ledger.success) return { ok: false, reason: "the approvals record has an unknown shape" };
  if (ledger.data.repo !== repo.toLowerCase() || ledger.data.pr !== pr) {
    return { ok: false, reason: "the approvals record belongs to another pull request" };
  }
  // The readable part must say what the signed part says: nobody may mislead the reader either.
  if (normalise(body.slice(0, body.indexOf(`<!-- ${MARKER}:`))) !== normalise(readable(ledger.data))) {
    return { ok: false, reason: "the approvals record's text was edited by someone other than roleguard" };
  }
  return { ok: true, ledger: ledger.data };
}

/** The comment body: what a person reads, then the signed record. */
export function writeLedger(ledger: Ledger, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(ledger), "utf8").toString("base64url");
  return `${readable(ledger)}\n\n<!-- ${MARKER}:${payload}.${sign(payload, key).toString()} -->`;
}

function readable(ledger: Ledger): string {
  const lines = ["**roleguard approvals** — the record roleguard keeps for this pull request; edits by anyone else invalidate it.", ""];
  const decisions = ledger.entries.filter((entry) => entry.kind !== "tamper");
  if (decisions.length === 0) lines.push("_No approvals or overrides yet._");
  if (ledger.dropped) lines.push(`- _${ledger.dropped} earlier entr${ledger.dropped === 1 ? "y was" : "ies were"} dropped to keep this record within GitHub's comment limit; decisions among them must be given again._`);
  for (const entry of ledger.entries) {
    if (entry.kind === "approve") lines.push(`- ✅ @${entry.by} approved ${entry.categories.map((c) => `\`${c}\``).join(", ")} at ${entry.at} (${entry.covers.length} finding${entry.covers.length === 1 ? "" : "s"})`);
    else if (entry.kind === "override") lines.push(`- ⚠️ @${entry.by} overrode ${entry.covers.length} violation${entry.covers.length === 1 ? "" : "s"} at ${entry.at}: ${entry.reason.replace(/\s+/g, " ").replace(/@/g, "@\u200b")}`);
    else lines.push(`- 🚩 tamper: @${entry.by} ${entry.action} a command comment by @${entry.author} at ${entry.at}`);
  }
  return lines.join("\n");
}

/** The digest an entry keeps of its comment's body (SPEC §7: an edited approve or override comment no longer counts). */
export function bodyDigest(body: string): string {
  return createHash("sha256").update(body.replace(/\r\n/g, "\n")).digest("base64url").slice(0, 16);
}

/**
 * What a decision's `covers` keeps of a finding key: a digest, not the key
 * (category, path, blob SHA or spec), so one approval of 3,000 files stays
 * small. Records written before keep full keys, which still match.
 */
export function coverDigest(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, COVER_LENGTH);
}

function sign(payload: string, key: Buffer): Buffer {
  return Buffer.from(createHmac("sha256", key).update(payload).digest("base64url"));
}
