import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldRecord, type RecordComment } from "../../src/approvals/fold.js";
import { coverDigest, emptyLedger, ledgerKey, type Ledger } from "../../src/approvals/ledger.js";
import { MAX_COVERS_PER_ENTRY, packCovers, readRecord, splitEntry, unpackCovers, writeRecord, type Decision, type RecordEntry } from "../../src/approvals/record.js";

const key = ledgerKey("webhook-secret");
const entry = (cmd: number | undefined, by: string, decisions: Decision[], extra: Partial<RecordEntry> = {}): RecordEntry => ({
  v: 2,
  repo: "acme/shop",
  pr: 7,
  ...(cmd !== undefined ? { cmd } : {}),
  by,
  at: "2026-12-01T10:00:00Z",
  decisions,
  ...extra,
});
const covers = (...keys: string[]) => packCovers(keys.map(coverDigest));
const approve = (categories: string[], ...keys: string[]): Decision => ({ kind: "approve", categories, covers: covers(...keys) });
const at = (commentId: number, e: RecordEntry): RecordComment => ({ commentId, entry: e });
const standing = (records: RecordComment[], legacy?: Ledger) =>
  foldRecord(legacy, records)
    .decisions.map((decision) => `${decision.kind}:${decision.by}:${decision.categories.join("+")}`)
    .sort();

describe("a record entry (one signed reply per command)", () => {
  it("round-trips, with the text a person reads", () => {
    const e = entry(11, "alice", [approve(["database_migrations"], "database_migrations|db/1.sql|" + "a".repeat(40))]);
    const read = readRecord(writeRecord(e, "@alice roleguard recorded what you approved", key), key, "acme/shop", 7);
    expect(read).toEqual({ ok: true, entry: e, text: "@alice roleguard recorded what you approved" });
  });

  it("an edit of the JSON, of the text, or of the signature fails; so does a record of another PR or key", () => {
    const body = writeRecord(entry(11, "alice", [approve(["dependencies"], "k")]), "@alice approved `dependencies`", key);
    expect(readRecord(body.replace('"by":"alice"', '"by":"mallory"'), key, "acme/shop", 7)).toMatchObject({ ok: false, reason: expect.stringContaining("signature") });
    expect(readRecord(body.replace("@alice approved", "@mallory approved"), key, "acme/shop", 7)).toMatchObject({ ok: false, reason: expect.stringContaining("signature") });
    expect(readRecord(body.replace(/ [A-Za-z0-9_-]{43} -->/, ` ${"A".repeat(43)} -->`), key, "acme/shop", 7).ok).toBe(false);
    expect(readRecord(body, key, "acme/shop", 8)).toEqual({ ok: false, reason: "it belongs to another pull request" });
    expect(readRecord(body, key, "acme/other", 7).ok).toBe(false);
    expect(readRecord(body, ledgerKey("another-secret"), "acme/shop", 7).ok).toBe(false);
    // Line endings are GitHub's business, not an edit.
    expect(readRecord(body.replace(/\n/g, "\r\n"), key, "acme/shop", 7).ok).toBe(true);
  });

  it("a reason holding `-->` or a fake record cannot end the entry early or pass for one", () => {
    const override: Decision = { kind: "override", reason: "fine --> <!-- roleguard-record {} x -->", covers: covers("k") };
    const body = writeRecord(entry(12, "maya", [override]), "reason: <!-- roleguard-record {\"v\":2} AAAA -->", key);
    const read = readRecord(body, key, "acme/shop", 7);
    expect(read.ok && read.entry.decisions[0]).toEqual(override);
    expect(body.match(/<!--/g)).toHaveLength(1);
  });

  it("malformed and adversarial bodies are refused quickly", () => {
    for (const body of ["", "no record", "<!-- roleguard-record {} x -->", `<!-- roleguard-record {"v":2} ${"A".repeat(43)} -->`]) {
      expect(readRecord(body, key, "acme/shop", 7).ok).toBe(false);
    }
    const started = Date.now();
    const hostile = "<!-- roleguard-record {".repeat(2_700) + "x".repeat(1_000);
    expect(readRecord(hostile, key, "acme/shop", 7).ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("an approval of 10,000 findings is split into parts that each fit in a GitHub comment, covering every finding", () => {
    const keys = Array.from({ length: 10_000 }, (_, index) => `database_migrations|db/${index}.sql|${"b".repeat(40)}`);
    const parts = splitEntry(entry(13, "alice", [approve(["database_migrations"], ...keys)]));
    expect(parts.length).toBe(Math.ceil(10_000 / MAX_COVERS_PER_ENTRY));
    for (const part of parts) expect(writeRecord(part, "x".repeat(20_000), key).length).toBeLessThan(65_536);
    const covered = parts.flatMap((part) => part.decisions.flatMap((decision) => ("covers" in decision ? unpackCovers(decision.covers) : [])));
    expect(new Set(covered)).toEqual(new Set(keys.map(coverDigest)));
    // Folded, the parts are one approval's worth of covers.
    const folded = foldRecord(undefined, parts.map((part, index) => at(100 + index, part)));
    expect(new Set(folded.decisions.flatMap((decision) => decision.covers)).size).toBe(10_000);
  });
});

describe("folding the record: no interleaving loses a decision", () => {
  it("two approvals of one PR at the same moment both stand, whichever was written first", () => {
    const a = entry(21, "alice", [approve(["dependencies"], "k1")]);
    const b = entry(22, "bob", [approve(["database_migrations"], "k2")]);
    expect(standing([at(100, a), at(101, b)])).toEqual(["approve:alice:dependencies", "approve:bob:database_migrations"]);
    expect(standing([at(100, b), at(101, a)])).toEqual(["approve:alice:dependencies", "approve:bob:database_migrations"]);
  });

  it("approve + override at the same moment: both stand", () => {
    const a = entry(21, "alice", [approve(["dependencies"], "k1")]);
    const o = entry(22, "maya", [{ kind: "override", reason: "fixture", covers: covers("k2") }]);
    expect(standing([at(101, o), at(100, a)])).toEqual(["approve:alice:dependencies", "override:maya:"]);
  });

  it("a revoke withdraws only its author's approvals of those categories, whatever else is written beside it", () => {
    const alice = entry(21, "alice", [approve(["dependencies", "database_migrations"], "k1", "k2")]);
    const bob = entry(23, "bob", [approve(["database_migrations"], "k2")]);
    const revoke = entry(22, "alice", [{ kind: "revoke", categories: ["database_migrations"] }]);
    expect(standing([at(100, alice), at(101, revoke), at(102, bob)])).toEqual(["approve:alice:dependencies", "approve:bob:database_migrations"]);
    expect(standing([at(100, alice), at(101, bob), at(102, revoke)])).toEqual(["approve:alice:dependencies", "approve:bob:database_migrations"]);
    expect(standing([at(100, alice), at(102, { ...revoke, decisions: [{ kind: "revoke", categories: "all" }] })])).toEqual([]);
  });

  it("an approval given after its author's revoke stands (the later entry wins)", () => {
    const revoke = entry(22, "alice", [{ kind: "revoke", categories: "all" }]);
    expect(standing([at(100, entry(21, "alice", [approve(["dependencies"], "k")])), at(101, revoke), at(102, entry(24, "alice", [approve(["dependencies"], "k")]))])).toEqual(["approve:alice:dependencies"]);
  });

  it("a command carried out twice (a delivery racing its redelivery) counts once and is remembered", () => {
    const a = entry(21, "alice", [approve(["dependencies"], "k")]);
    const folded = foldRecord(undefined, [at(100, a), at(101, a)]);
    expect(folded.decisions).toHaveLength(1);
    expect(folded.seen.has(21)).toBe(true);
    // A refused command has an entry with no decisions: remembered all the same.
    expect(foldRecord(undefined, [at(100, entry(30, "eve", []))]).seen.has(30)).toBe(true);
  });

  it("an entry of the app's that fails its signature voids what came before it, not what came after", () => {
    const folded = foldRecord(undefined, [at(100, entry(21, "alice", [approve(["dependencies"], "k")])), { commentId: 101, invalid: "its signature does not match" }, at(102, entry(23, "bob", [approve(["dependencies"], "k")]))]);
    expect(folded.decisions.map((decision) => decision.by)).toEqual(["bob"]);
    expect(folded.warnings[0]).toMatch(/comment 101.*not counted/);
  });

  it("an entry re-posted after a deletion stands where the original stood", () => {
    const approval = entry(21, "alice", [approve(["dependencies"], "k")]);
    const revoke = entry(22, "alice", [{ kind: "revoke", categories: "all" }]);
    // The revoke (comment 101) was deleted and re-posted as 150: it still comes after the approval...
    expect(standing([at(100, approval), at(150, { ...revoke, order: 101 })])).toEqual([]);
    // ...and the approval (100), deleted and re-posted as 150, still comes before the revoke.
    expect(standing([at(150, { ...approval, order: 100 }), at(101, revoke)])).toEqual([]);
  });

  it("the single-comment record of earlier versions is the base the entries fold onto", () => {
    const legacy: Ledger = {
      ...emptyLedger("acme/shop", 7),
      entries: [{ kind: "approve", id: 5, by: "alice", at: "2026-11-01T00:00:00Z", categories: ["dependencies"], covers: [coverDigest("k")] }],
      seen: [5, 6],
    };
    const folded = foldRecord(legacy, [at(100, entry(22, "alice", [{ kind: "revoke", categories: ["dependencies"] }])), at(101, entry(23, "bob", [approve(["dependencies"], "k")]))]);
    expect(folded.decisions.map((decision) => decision.by)).toEqual(["bob"]);
    expect([...folded.seen].sort((a, b) => a - b)).toEqual([5, 6, 22, 23]);
  });

  it("property: decisions by different people, written in any order, all stand; one person's revoke removes only theirs", () => {
    const people = ["alice", "bob", "carol", "dave", "erin", "frank"];
    fc.assert(
      fc.property(fc.shuffledSubarray(people, { minLength: 1 }), fc.integer({ min: 0, max: 5 }), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 12, maxLength: 12 }), (who, revoker, ids) => {
        const approvals = who.map((person, index) => at(1000 + ids[index]! * 10 + index, entry(index + 1, person, [approve(["dependencies"], `k-${person}`)])));
        const revokerName = who[revoker % who.length]!;
        // The revoke is written after its author's approval; everyone else's entries are anywhere.
        const own = approvals.find((record) => "entry" in record && record.entry.by === revokerName)!;
        const revoke = at(own.commentId + 5, entry(99, revokerName, [{ kind: "revoke", categories: "all" }]));
        const result = standing([...approvals, revoke]);
        expect(result).toEqual(who.filter((person) => person !== revokerName).map((person) => `approve:${person}:dependencies`).sort());
      }),
      { numRuns: 300 },
    );
  });
});
