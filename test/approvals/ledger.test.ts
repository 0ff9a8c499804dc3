import { describe, expect, it } from "vitest";
import { emptyLedger, ledgerKey, readLedger, writeLedger, type Ledger } from "../../src/approvals/ledger.js";

const key = ledgerKey("webhook-secret");
const ledger: Ledger = {
  ...emptyLedger("acme/shop", 7),
  entries: [
    { kind: "approve", id: 11, by: "alice", at: "2026-11-24T10:00:00Z", categories: ["database_migrations"], covers: ["database_migrations|db/1.sql|abc"] },
    { kind: "override", id: 12, by: "bob", at: "2026-11-24T10:05:00Z", reason: "hotfix @team", covers: ["forbidden_paths|.github/x|def"] },
  ],
};

describe("the signed approvals record", () => {
  it("round-trips and reads as a person would", () => {
    const body = writeLedger(ledger, key);
    expect(readLedger(body, key, "acme/shop", 7)).toEqual({ ok: true, ledger });
    expect(body).toContain("@alice approved `database_migrations`");
    expect(body).toContain("hotfix @\u200bteam"); // a reason never pings anyone
  });

  it("rejects an edit of the signed record", () => {
    const body = writeLedger(ledger, key);
    const forgedLedger = { ...ledger, entries: [{ ...ledger.entries[0]!, by: "mallory" }] };
    const payload = Buffer.from(JSON.stringify(forgedLedger)).toString("base64url");
    const tampered = body.replace(/roleguard-ledger:[A-Za-z0-9_-]+\./, `roleguard-ledger:${payload}.`);
    expect(readLedger(tampered, key, "acme/shop", 7)).toEqual({ ok: false, reason: expect.stringContaining("signature does not match") });
  });

  it("rejects an edit of the readable text, which must say what the signed record says", () => {
    const body = writeLedger(ledger, key).replace("@alice approved", "@mallory approved");
    expect(readLedger(body, key, "acme/shop", 7)).toEqual({ ok: false, reason: "the approvals record's text was edited by someone other than roleguard" });
    expect(readLedger(writeLedger(ledger, key).replace(/\n/g, "\r\n"), key, "acme/shop", 7).ok).toBe(true);
  });

  it("rejects a record signed with another key, or copied from another PR", () => {
    const body = writeLedger(ledger, key);
    expect(readLedger(body, ledgerKey("other-secret"), "acme/shop", 7).ok).toBe(false);
    expect(readLedger(body, key, "acme/shop", 8)).toEqual({ ok: false, reason: "the approvals record belongs to another pull request" });
    expect(readLedger(body, key, "acme/other", 7).ok).toBe(false);
  });

  it("rejects garbage without throwing", () => {
    for (const body of ["", "no record", "<!-- roleguard-ledger:!!!.### -->", "<!-- roleguard-ledger:abc.def -->"]) {
      expect(readLedger(body, key, "acme/shop", 7).ok).toBe(false);
    }
  });
});
