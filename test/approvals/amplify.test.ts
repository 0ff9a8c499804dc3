import { describe, expect, it } from "vitest";
import { MAX_COMMANDS, parseCommands } from "../../src/approvals/commands.js";
import { compactLedger, coverDigest, emptyLedger, LEDGER_LIMIT, ledgerKey, markHandled, readLedger, writeLedger, type Ledger } from "../../src/approvals/ledger.js";

const key = ledgerKey("webhook-secret");

describe("a comment cannot amplify its commands (SPEC §7)", () => {
  it("1,680 copies of one approve line are one command", () => {
    const parsed = parseCommands(Array(1680).fill("/roleguard approve database_migrations").join("\n"));
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ ok: true, command: { verb: "approve", categories: ["database_migrations"] } });
    expect(parsed[1]).toMatchObject({ ok: false, error: expect.stringContaining("lines after the first 500 were not read") });
  });

  it("past the cap, different commands are counted, not carried out", () => {
    const parsed = parseCommands(Array.from({ length: 40 }, (_, index) => `/roleguard approve category_${index}`).join("\n"));
    expect(parsed.filter((line) => line.ok)).toHaveLength(MAX_COMMANDS);
    expect(parsed.at(-1)).toMatchObject({ ok: false, error: expect.stringContaining("30 more command lines were not read") });
  });

  it("a 10 MB one-line override keeps a 500-character reason and echoes 120 characters, quickly", () => {
    const started = Date.now();
    const parsed = parseCommands(`/roleguard override ${"x".repeat(10 * 1024 * 1024)}`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(parsed).toHaveLength(1);
    const [line] = parsed;
    if (!line?.ok || line.command.verb !== "override") throw new Error("not an override");
    expect(line.command.reason.length).toBe(500);
    expect(line.command.line.length).toBeLessThanOrEqual(120);
  });

  it("a long comment without commands is no command at all", () => {
    expect(parseCommands(Array(2000).fill("just words").join("\n"))).toEqual([]);
  });
});

describe("the record stays within GitHub's comment limit", () => {
  const approval = (id: number, keys: string[]) => ({ kind: "approve" as const, id, by: `user${id}`, at: "2026-11-24T10:00:00Z", body: "abcdefghijklmnop", categories: ["database_migrations"], covers: keys.map(coverDigest) });

  it("however many decisions: stale ones go first, then the oldest, and the record says how many", () => {
    const live = Array.from({ length: 50 }, (_, index) => `database_migrations|db/${index}.sql|${"a".repeat(40)}`);
    const ledger: Ledger = { ...emptyLedger("acme/shop", 7), entries: [] };
    for (let id = 1; id <= 3000; id++) {
      ledger.entries.push(approval(id, id > 2990 ? live : [`database_migrations|db/old-${id}.sql|${"b".repeat(40)}`]));
      markHandled(ledger, id);
    }
    const before = writeLedger(ledger, key).length;
    const compacted = compactLedger(ledger, key, new Set(live));
    const body = writeLedger(compacted, key);
    expect(before).toBeGreaterThan(LEDGER_LIMIT);
    expect(body.length).toBeLessThanOrEqual(LEDGER_LIMIT);
    // Every decision that still covers something survives; only stale ones were dropped.
    expect(compacted.entries.filter((entry) => entry.id > 2990)).toHaveLength(10);
    expect(compacted.dropped).toBeGreaterThan(0);
    expect(body).toContain(`${compacted.dropped} earlier entries were dropped`);
    expect(readLedger(body, key, "acme/shop", 7)).toMatchObject({ ok: true });
  });

  it("when even the live decisions do not fit, the oldest are dropped (fail closed), never the limit", () => {
    const many = Array.from({ length: 200 }, (_, index) => `database_migrations|db/${index}.sql|${"c".repeat(40)}`);
    const ledger: Ledger = { ...emptyLedger("acme/shop", 7), entries: Array.from({ length: 400 }, (_, index) => approval(index + 1, many)) };
    const compacted = compactLedger(ledger, key, new Set(many));
    expect(writeLedger(compacted, key).length).toBeLessThanOrEqual(LEDGER_LIMIT);
    expect(compacted.entries.at(-1)?.id).toBe(400);
  });

  it("a record within the limit is left alone", () => {
    const ledger: Ledger = { ...emptyLedger("acme/shop", 7), entries: [approval(1, ["k"])] };
    expect(compactLedger(ledger, key, new Set())).toEqual(ledger);
  });
});
