/**
 * Escalation criteria are free text. Phrases that name a change roleguard can
 * detect become categories; every other line is a checklist item for the
 * reviewer, never dropped. Matching is on the meaning (a few verb and noun
 * families), not on one exact string.
 */

export type EscalationMeaning =
  | { kind: "categories"; categories: string[] }
  | { kind: "confidence"; threshold: number }
  | { kind: "checklist" };

const DEPENDENCY = /\b(dependenc(y|ies)|packages?|librar(y|ies)|modules?)\b/i;
const ADD = /\b(add(s|ed|ing)?|new|introduc\w*|install\w*)\b/i;
const REMOVE = /\b(remov\w*|delet\w*|drop\w*|uninstall\w*)\b/i;
const UPDATE = /\b(updat\w*|upgrad\w*|bump\w*|downgrad\w*|versions?)\b/i;

/** A kind of change, as opposed to a finding of review ("vulnerabilities detected"). */
const CHANGE = /\b(chang\w*|modif\w*|edit\w*|touch\w*)\b/i;

const RULES: { test: (line: string) => boolean; categories: string[] }[] = [
  { test: (line) => /\b(database|db)\b.*\b(schema|migrations?)\b|\bmigrations?\b|\bschema changes?\b/i.test(line) && !/\bapi\b/i.test(line), categories: ["database_migrations"] },
  { test: (line) => /\binfrastructure\b|\binfra\b|\bterraform\b/i.test(line), categories: ["infrastructure_changes"] },
  // "High-risk security changes", but not "Critical security vulnerabilities detected" (a finding of review, not a kind of change)
  { test: (line) => /\b(security|auth\w*|secrets?|permissions?|credentials?)\b/i.test(line) && CHANGE.test(line), categories: ["security_changes"] },
  { test: (line) => /\b(api|contracts?|endpoints?|openapi|graphql|protobuf)\b/i.test(line) && /\b(break\w*|chang\w*|contract)\b/i.test(line), categories: ["api_contract_changes"] },
  { test: (line) => /\b(deploy\w*|releas\w*)\b/i.test(line), categories: ["deployment"] },
  { test: (line) => /\b(delet\w*|remov\w*)\b.*\bfiles?\b/i.test(line), categories: ["delete_files"] },
];

export function interpretEscalation(line: string): EscalationMeaning {
  const confidence = /\bconfidence\b\s*(?:<|below|under|less than|lower than)\s*(\d{1,3})\s*%/i.exec(line);
  if (confidence?.[1]) return { kind: "confidence", threshold: Number(confidence[1]) };

  if (DEPENDENCY.test(line)) {
    const categories: string[] = [];
    if (ADD.test(line)) categories.push("add_dependencies");
    if (REMOVE.test(line)) categories.push("remove_dependencies");
    if (UPDATE.test(line)) categories.push("update_dependencies");
    // "Dependency changes" with no verb we know: every kind of dependency change.
    return { kind: "categories", categories: categories.length > 0 ? categories : ["add_dependencies", "remove_dependencies", "update_dependencies"] };
  }
  const categories = RULES.filter((rule) => rule.test(line)).flatMap((rule) => rule.categories);
  return categories.length > 0 ? { kind: "categories", categories: [...new Set(categories)] } : { kind: "checklist" };
}

/** The confidence an author states in a PR body ("Confidence: 60%", "confidence 0.6" is not read). */
export function statedConfidence(body: string | undefined): number | undefined {
  if (!body) return undefined;
  const match = /\bconfidence\b[^0-9\n]{0,20}?(\d{1,3}(?:\.\d+)?)\s*%/i.exec(body);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}
