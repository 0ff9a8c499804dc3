import { createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod";

/**
 * The approvals record, append-only (SPEC §7, §10). Every command the app
 * carries out gets one reply comment from the app, and that reply is the
 * record of what was decided: a person reads the acknowledgement, the app
 * reads the signed entry at its end. Nothing is ever read, changed and written
 * back, so two replicas — or two maintainers at the same moment — can never
 * overwrite each other's decision: GitHub has no conditional write on
 * comments, and an append needs none. The state of a PR's approvals is the
 * fold of its entries in order (src/approvals/fold.ts).
 *
 * Each entry is an HMAC, keyed from the app's secret, over the readable text
 * and the JSON, bound to the repository and PR: an edited entry, or one pasted
 * from another PR, fails the check.
 */

/** A finding key's digest (coverDigest) is 12 base64url characters; an entry keeps them concatenated. */
export const COVER_LENGTH = 12;
/** Covers per entry: 3,500 × 12 characters keeps the comment under GitHub's 65,536 with the acknowledgement. */
export const MAX_COVERS_PER_ENTRY = 3_500;
/** What a person reads above the entry, at most (the signature covers it, so it is cut before signing). */
const MAX_READABLE = 12_000;

const Covers = z.string().regex(/^[A-Za-z0-9_-]*$/).refine((value) => value.length % COVER_LENGTH === 0, "covers are whole digests");

export const DecisionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("approve"), categories: z.array(z.string()), covers: Covers }),
  z.object({ kind: z.literal("override"), reason: z.string(), covers: Covers }),
  /** Withdraws the entry author's own earlier approvals of these categories (or all of them). */
  z.object({ kind: z.literal("revoke"), categories: z.union([z.array(z.string()), z.literal("all")]) }),
  /** A command comment (or one of the app's entries) edited or deleted by someone other than its author. */
  z.object({ kind: z.literal("tamper"), id: z.number().int(), by: z.string(), author: z.string(), action: z.enum(["edited", "deleted"]) }),
]);
export type Decision = z.infer<typeof DecisionSchema>;

export const RecordEntrySchema = z.object({
  v: z.literal(2),
  repo: z.string(),
  pr: z.number().int(),
  /** The command comment carried out; absent for a check-run button and for the app's own tamper notes. */
  cmd: z.number().int().positive().optional(),
  by: z.string(),
  at: z.string(),
  /** A digest of the command comment's body when carried out: a later edit, even one whose webhook was missed, voids it. */
  body: z.string().optional(),
  /** Where the entry stands in the fold when it is not its own comment id: an entry re-posted after someone deleted it. */
  order: z.number().int().positive().optional(),
  /** One decision too large for one comment is split: part i of n, each covering its share. */
  part: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
  decisions: z.array(DecisionSchema),
});
export type RecordEntry = z.infer<typeof RecordEntrySchema>;

const MARKER = "roleguard-record";
// The JSON never holds `<` or `>` (they are escaped when written), so it cannot end the HTML comment early,
// and `[^<>]*` reads it in linear time.
const BLOCK = new RegExp(`<!-- ${MARKER} (\\{[^<>]*\\}) ([A-Za-z0-9_-]{43}) -->`, "y");

export function isRecordComment(body: string | null | undefined): boolean {
  return !!body && body.includes(`<!-- ${MARKER} `);
}

/** A verified entry, and the text a person reads above it (to put it back as it was). */
export type RecordRead = { ok: true; entry: RecordEntry; text: string } | { ok: false; reason: string };

/** The comment body: the readable acknowledgement, then the signed entry. */
export function writeRecord(entry: RecordEntry, readable: string, key: Buffer): string {
  // No HTML comment in the text a person reads: nothing in it can pass for a record of either version.
  const text = normalise(readable).slice(0, MAX_READABLE).replace(/<!--/g, "&lt;!--");
  const json = JSON.stringify(entry).replace(/[<>]/g, (char) => (char === "<" ? "\\u003c" : "\\u003e"));
  return `${text}\n\n<!-- ${MARKER} ${json} ${sign(text, json, key)} -->`;
}

export function readRecord(body: string, key: Buffer, repo: string, pr: number): RecordRead {
  // The entry is the comment's last block: one scan, however the text above it is made.
  BLOCK.lastIndex = Math.max(0, body.lastIndexOf(`<!-- ${MARKER} `));
  const match = BLOCK.exec(body);
  if (!match?.[1] || !match[2]) return { ok: false, reason: "the decision record is missing or malformed" };
  const text = normalise(body.slice(0, match.index));
  const expected = Buffer.from(sign(text, match[1], key));
  const given = Buffer.from(match[2]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "its signature does not match: it was edited by someone other than roleguard" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(match[1]);
  } catch {
    return { ok: false, reason: "it does not parse" };
  }
  const entry = RecordEntrySchema.safeParse(parsed);
  if (!entry.success) return { ok: false, reason: "it has an unknown shape" };
  if (entry.data.repo !== repo.toLowerCase() || entry.data.pr !== pr) return { ok: false, reason: "it belongs to another pull request" };
  return { ok: true, entry: entry.data, text };
}

/** Digests into the entry's compact form, and back. */
export function packCovers(digests: readonly string[]): string {
  return digests.join("");
}

export function unpackCovers(covers: string): string[] {
  const digests: string[] = [];
  for (let at = 0; at < covers.length; at += COVER_LENGTH) digests.push(covers.slice(at, at + COVER_LENGTH));
  return digests;
}

/**
 * Splits an entry whose covers exceed MAX_COVERS_PER_ENTRY into parts (rare:
 * one approval of thousands of findings). Each part is a whole entry; a part
 * that goes missing leaves its findings uncovered, which fails closed.
 */
export function splitEntry(entry: RecordEntry): RecordEntry[] {
  const covered = (decision: Decision) => ("covers" in decision ? decision.covers.length / COVER_LENGTH : 0);
  if (entry.decisions.reduce((sum, decision) => sum + covered(decision), 0) <= MAX_COVERS_PER_ENTRY) return [entry];
  const parts: Decision[][] = [];
  let current: Decision[] = [];
  let room = MAX_COVERS_PER_ENTRY;
  const flush = () => {
    parts.push(current);
    current = [];
    room = MAX_COVERS_PER_ENTRY;
  };
  for (const decision of entry.decisions) {
    if (!("covers" in decision)) {
      current.push(decision);
      continue;
    }
    // A decision larger than the room left goes on in the next part, as the same decision covering the rest.
    const digests = unpackCovers(decision.covers);
    do {
      if (room === 0) flush();
      const take = digests.splice(0, room);
      current.push({ ...decision, covers: packCovers(take) });
      room -= take.length;
    } while (digests.length > 0);
  }
  if (current.length > 0) parts.push(current);
  return parts.map((decisions, index) => ({ ...entry, decisions, part: [index + 1, parts.length] }));
}

/** Line endings are GitHub's business, not an edit; surrounding blank lines neither. */
export function normalise(text: string): string {
  return text.replace(/\r\n/g, "\n").trim();
}

function sign(text: string, json: string, key: Buffer): string {
  return createHmac("sha256", key).update(`roleguard record v2\n${text}\n${json}`).digest("base64url");
}
