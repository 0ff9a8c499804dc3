import { describe, expect, it } from "vitest";
import { interpretEscalation, statedConfidence } from "../../src/policy/escalation.js";

describe("escalation criteria → categories (SPEC §2)", () => {
  it.each([
    // every line of the corpus and the built-in roles
    ["Adding new dependencies", ["add_dependencies"]],
    ["Removing dependencies", ["remove_dependencies"]],
    ["Updating dependencies", ["update_dependencies"]],
    ["High-risk security changes", ["security_changes"]],
    ["Database schema changes", ["database_migrations"]],
    ["Breaking changes to public API contracts", ["api_contract_changes"]],
    // the same meanings, other words
    ["Introducing a new package", ["add_dependencies"]],
    ["Upgrading or removing libraries", ["remove_dependencies", "update_dependencies"]],
    ["Dependency changes", ["add_dependencies", "remove_dependencies", "update_dependencies"]],
    ["Bumping dependency versions", ["update_dependencies"]],
    ["Migrations", ["database_migrations"]],
    ["Any DB migration", ["database_migrations"]],
    ["Infrastructure modifications", ["infrastructure_changes"]],
    ["Changes to the security model", ["security_changes"]],
    ["API contract changes", ["api_contract_changes"]],
    ["Deployment to production", ["deployment"]],
    ["Deleting files", ["delete_files"]],
  ])("%s → %j", (line, categories) => {
    expect(interpretEscalation(line)).toEqual({ kind: "categories", categories });
  });

  it.each([
    "High-level architectural changes",
    "Breaking changes in the codebase",
    "Critical security vulnerabilities detected",
    "Major architectural violations",
    "Complete implementation failure (>50% assertions failed)",
    "Undefined, missing, unclear or conflicting requirements",
    "Build system failures",
    "Code that handles personal data",
  ])("%s stays a checklist item", (line) => {
    expect(interpretEscalation(line)).toEqual({ kind: "checklist" });
  });

  it.each([
    ["Confidence < 70%", 70],
    ["confidence <70 %", 70],
    ["Confidence below 85%", 85],
    ["When confidence is less than 50%", { kind: "checklist" }],
  ])("%s → threshold", (line, expected) => {
    expect(interpretEscalation(line)).toEqual(typeof expected === "number" ? { kind: "confidence", threshold: expected } : expected);
  });
});

describe("stated confidence in a PR body", () => {
  it.each([
    ["Confidence: 60%", 60],
    ["**Confidence:** 95 %", 95],
    ["I have confidence of about 72.5% in this.", 72.5],
    ["CONFIDENCE=40%", 40],
    ["No number here", undefined],
    ["Confidence: high", undefined],
    ["", undefined],
  ])("%j → %s", (body, expected) => {
    expect(statedConfidence(body)).toBe(expected);
  });
});
