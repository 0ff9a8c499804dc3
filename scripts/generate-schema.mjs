#!/usr/bin/env node
/**
 * Writes schema/roleguard.schema.json: a JSON Schema (draft 2020-12) for
 * `.github/roleguard.yml`, generated from the zod ConfigSchema so editors can
 * complete and check the file. Runs on the compiled schema:
 *
 *   npm run build && node scripts/generate-schema.mjs          # write the file
 *   npm run build && node scripts/generate-schema.mjs --check  # exit 1 when it is stale
 *
 * The *input* shape is used (zod's `io: "input"`): keys with defaults are
 * optional, as they are in the file. zod is the authority; this schema is an
 * editor aid and may be looser where JSON Schema cannot say what zod checks
 * (e.g. an assign entry must name at least one of users/teams/labels/agents —
 * expressed below by hand). test/schema.test.ts keeps the shipped file equal
 * to what this script produces.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SCHEMA_FILE = resolve(ROOT, "schema/roleguard.schema.json");
export const SCHEMA_ID = "roleguard.schema.json";

/**
 * Descriptions by location in the generated schema (JSON Pointer). The zod
 * schema carries its documentation as comments, not `.describe()`; they are
 * carried over here. A pointer that no longer exists fails the build, so the
 * map cannot drift silently from the schema.
 */
const DESCRIPTIONS = {
  "": "roleguard configuration (.github/roleguard.yml). Read from the repository's default branch, never from a pull request's head; the organisation's .github repository holds an org-wide file at the same path that acts as a floor the repository cannot lower.",
  "/properties/_extends": "Probot's `_extends`: another repository's config file to start from, resolved by the loader.",
  "/properties/mode": "enforce (default): the check blocks what the policy blocks. observe: everything is reported but the check concludes neutral, which passes a required check, and its title says what enforcing would conclude; a broken policy still fails. Roll out with observe, then enforce. A repository cannot observe what the organisation enforces.",
  "/properties/roles": "Where this repository's role files are.",
  "/properties/roles/properties/paths": "Globs of role files (Markdown with YAML front matter) in this repository. The organisation's .github repository's roles/ folder and the built-in roles are searched too.",
  "/properties/assign": "Who is held to which role. Every matching entry applies; a pull request is held to all the roles that apply (a label or agent fingerprint can make it stricter, never laxer).",
  "/properties/assign/items": "One assignment: a role, and at least one of users, teams, labels or agents.",
  "/properties/assign/items/properties/role": "Role id: a role file in this repository or the organisation's, or a built-in role.",
  "/properties/assign/items/properties/users": "Login globs: `*` and `?` only, brackets are literal (\"*-agent[bot]\" matches ops-agent[bot]); compared case-insensitively.",
  "/properties/assign/items/properties/teams": "Team slugs as org/team (e.g. acme/ai-agents); members of child teams count.",
  "/properties/assign/items/properties/labels": "Pull request labels that add this role.",
  "/properties/assign/items/properties/agents": "AI agents recognised by their fingerprints (bot login, head-branch prefix, PR-body marker, Co-authored-by trailer), even when they open the PR under a person's account.",
  "/properties/default_role": "Role id, or a list of ids, for authors no assign entry matches; null (the default): such pull requests are not checked.",
  "/properties/match_commit_authors": "Commits pushed into the pull request by a role-bound account bring their role too.",
  "/properties/categories": "Per category id (a built-in such as database_migrations or add_dependencies, or your own): extra patterns and who may approve.",
  "/properties/categories/additionalProperties": "Settings of one category.",
  "/properties/categories/additionalProperties/properties/paths": "Extra patterns, gitignore style; for a custom category, its only patterns.",
  "/properties/categories/additionalProperties/properties/ignore": "Patterns that never trigger the category, even when a default or `paths` entry matches.",
  "/properties/categories/additionalProperties/properties/defaults": "false: `paths` replaces the built-in patterns instead of extending them.",
  "/properties/categories/additionalProperties/properties/required": "How many different eligible people must approve the same findings before the category is approved (default 1). The same person approving twice counts once; each approving review counts as one approver. The organisation's value is a floor.",
  "/properties/categories/additionalProperties/properties/approvers": "Who may approve this category; shown on each pending finding.",
  "/properties/categories/additionalProperties/properties/approvers/properties/users": "Logins that may approve.",
  "/properties/categories/additionalProperties/properties/approvers/properties/teams": "Teams (org/team) whose members may approve.",
  "/properties/approvals": "Approving categories.",
  "/properties/approvals/properties/min_permission": "Repository permission needed to approve a category (this or stronger): read < triage < write < maintain < admin.",
  "/properties/approvals/properties/reviews": "An approving review on the head commit approves every pending category its author may approve.",
  "/properties/overrides": "Overriding forbidden-path violations.",
  "/properties/overrides/properties/min_permission": "Repository permission needed to override violations (this or stronger): read < triage < write < maintain < admin.",
  "/properties/request_reviews": "Ask the approvers of each pending category for review.",
  "/properties/case_insensitive": "Match path patterns ignoring case (git is case-sensitive).",
};

/** The fields an assign entry names people or pull requests by; zod's refine wants at least one non-empty. */
const ASSIGN_TARGETS = ["users", "teams", "labels", "agents"];

/**
 * The JSON Schema for a zod ConfigSchema. Pure: the test calls it with the
 * TypeScript source's schema, the script with the compiled one.
 * `knownAgents`: agent ids for the `agents` description (KNOWN_AGENTS).
 */
export function buildSchema(configSchema, knownAgents = []) {
  const generated = z.toJSONSchema(configSchema, { target: "draft-2020-12", io: "input", unrepresentable: "throw" });
  const { $schema, ...body } = generated;
  const schema = { $schema, $id: SCHEMA_ID, title: "roleguard configuration", ...body };

  for (const [pointer, description] of Object.entries(DESCRIPTIONS)) {
    const node = at(schema, pointer);
    const extra = pointer.endsWith("/agents") && knownAgents.length > 0 ? ` Known agents: ${knownAgents.join(", ")}.` : "";
    setDescription(node, description + extra);
  }

  // zod trims before `min(1)`; JSON Schema has no trim, so "not only spaces" is a pattern.
  walk(schema, (node) => {
    if (node.type === "string" && node.minLength === 1 && node.pattern === undefined) node.pattern = "\\S";
  });

  // zod's refine (not representable): an entry must name someone.
  const entry = at(schema, "/properties/assign/items");
  entry.anyOf = ASSIGN_TARGETS.map((key) => ({ required: [key], properties: { [key]: { type: "array", minItems: 1 } } }));
  return schema;
}

export function renderSchema(schema) {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Puts `description` first after any `$`-keys and `title`, so the file reads top-down. */
function setDescription(node, description) {
  const entries = Object.entries(node).filter(([key]) => key !== "description");
  const head = entries.filter(([key]) => key.startsWith("$") || key === "title");
  const tail = entries.filter(([key]) => !(key.startsWith("$") || key === "title"));
  for (const key of Object.keys(node)) delete node[key];
  Object.assign(node, Object.fromEntries([...head, ["description", description], ...tail]));
}

function at(schema, pointer) {
  let node = schema;
  for (const token of pointer.split("/").slice(1)) {
    const key = token.replace(/~1/g, "/").replace(/~0/g, "~");
    node = node?.[key];
    if (node === null || typeof node !== "object") throw new Error(`generate-schema: ${pointer} is not in the generated schema; update DESCRIPTIONS`);
  }
  return node;
}

function walk(node, visit) {
  if (Array.isArray(node)) return node.forEach((each) => walk(each, visit));
  if (node === null || typeof node !== "object") return;
  visit(node);
  for (const [key, value] of Object.entries(node)) if (key !== "default" && key !== "examples") walk(value, visit);
}

async function main(argv) {
  const dist = resolve(ROOT, "dist");
  const load = async (file) => {
    try {
      return await import(pathToFileURL(resolve(dist, file)).href);
    } catch (error) {
      throw new Error(`generate-schema: cannot load dist/${file} (run \`npm run build\` first): ${error.message}`);
    }
  };
  const { ConfigSchema } = await load("config/schema.js");
  const { KNOWN_AGENTS } = await load("policy/agents.js");
  const text = renderSchema(buildSchema(ConfigSchema, KNOWN_AGENTS.map((agent) => agent.id)));
  if (argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(SCHEMA_FILE, "utf8");
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      process.stderr.write("schema/roleguard.schema.json is stale: run `npm run build && node scripts/generate-schema.mjs`\n");
      return 1;
    }
    return 0;
  }
  writeFileSync(SCHEMA_FILE, text);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
