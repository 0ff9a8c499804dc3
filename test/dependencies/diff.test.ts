import { describe, expect, it } from "vitest";
import { diffDependencies } from "../../src/policy/dependencies/index.js";

describe("diffDependencies", () => {
  it("reports added, removed and updated entries, each sorted by name", () => {
    const base = { zod: "^3.0.0", lodash: "^4.17.20", express: "^4.18.0", chalk: "^5.0.0" };
    const head = { zod: "^3.0.0", express: "^4.19.0", "@types/node": "^20.0.0", axios: "^1.6.0", chalk: "^5.3.0" };
    expect(diffDependencies(base, head)).toEqual({
      added: [
        { name: "@types/node", spec: "^20.0.0" },
        { name: "axios", spec: "^1.6.0" },
      ],
      removed: [{ name: "lodash", spec: "^4.17.20" }],
      updated: [
        { name: "chalk", from: "^5.0.0", to: "^5.3.0" },
        { name: "express", from: "^4.18.0", to: "^4.19.0" },
      ],
    });
  });

  it("treats a missing base (new manifest) as everything added", () => {
    expect(diffDependencies(null, { b: "2", a: "1" })).toEqual({
      added: [
        { name: "a", spec: "1" },
        { name: "b", spec: "2" },
      ],
      removed: [],
      updated: [],
    });
  });

  it("treats a missing head (deleted manifest) as everything removed", () => {
    expect(diffDependencies({ b: "2", a: "1" }, null)).toEqual({
      added: [],
      removed: [
        { name: "a", spec: "1" },
        { name: "b", spec: "2" },
      ],
      updated: [],
    });
  });

  it("is empty for identical maps, for two empty maps and for two missing files", () => {
    const empty = { added: [], removed: [], updated: [] };
    expect(diffDependencies({ a: "1" }, { a: "1" })).toEqual(empty);
    expect(diffDependencies({}, {})).toEqual(empty);
    expect(diffDependencies(null, null)).toEqual(empty);
  });

  it("sorts by code unit, not by locale, so the order is the same everywhere", () => {
    const diff = diffDependencies(null, { b: "1", B: "1", "é": "1", a: "1", _x: "1", "@s/p": "1" });
    expect(diff.added.map((entry) => entry.name)).toEqual(["@s/p", "B", "_x", "a", "b", "é"]);
  });

  it("does not mistake names of Object.prototype members for existing entries", () => {
    const head = JSON.parse('{"constructor": "1.0.0", "toString": "2.0.0", "__proto__": "3.0.0"}') as Record<string, string>;
    expect(diffDependencies({}, head)).toEqual({
      added: [
        { name: "__proto__", spec: "3.0.0" },
        { name: "constructor", spec: "1.0.0" },
        { name: "toString", spec: "2.0.0" },
      ],
      removed: [],
      updated: [],
    });
    expect(diffDependencies(head, {}).removed.map((entry) => entry.name)).toEqual(["__proto__", "constructor", "toString"]);
  });

  it("does not modify its inputs", () => {
    const base = { b: "1", a: "1" };
    const head = { a: "2" };
    diffDependencies(base, head);
    expect(base).toEqual({ b: "1", a: "1" });
    expect(head).toEqual({ a: "2" });
  });
});
