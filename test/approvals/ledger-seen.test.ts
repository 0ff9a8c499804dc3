import { describe, expect, it } from "vitest";
import { alreadyHandled, emptyLedger, ledgerKey, markHandled, readLedger, writeLedger } from "../../src/approvals/ledger.js";

const key = ledgerKey("webhook-secret");

describe("the record remembers which command comments it carried out", () => {
  it("keeps the ids through a write and a read, once each; a button (id 0) is never remembered", () => {
    const ledger = emptyLedger("acme/shop", 7);
    markHandled(ledger, 11);
    markHandled(ledger, 11);
    markHandled(ledger, 0);
    const read = readLedger(writeLedger(ledger, key), key, "acme/shop", 7);
    expect(read.ok && read.ledger.seen).toEqual([11]);
    expect(read.ok && alreadyHandled(read.ledger, 11)).toBe(true);
    expect(read.ok && alreadyHandled(read.ledger, 12)).toBe(false);
    expect(alreadyHandled(ledger, 0)).toBe(false);
  });

  it("reads a record written before ids were remembered", () => {
    const old = emptyLedger("acme/shop", 7);
    const read = readLedger(writeLedger(old, key), key, "acme/shop", 7);
    expect(read.ok && alreadyHandled(read.ledger, 11)).toBe(false);
  });
});
