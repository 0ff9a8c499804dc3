import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigSchema } from "../src/config/schema.js";
import { KNOWN_AGENTS } from "../src/policy/agents.js";

/**
 * schema/roleguard.schema.json: the editor schema for .github/roleguard.yml,
 * generated from the zod ConfigSchema by scripts/generate-schema.mjs. It must
 * be what the generator produces from today's schema, and it must agree with
 * zod on the SPEC's example and on the mistakes people make.
 */
const SCHEMA_PATH = fileURLToPath(new URL("../schema/roleguard.schema.json", import.meta.url));
const shipped = readFileSync(SCHEMA_PATH, "utf8");

interface Generator {
  buildSchema: (schema: unknown, knownAgents?: string[]) => Record<string, unknown>;
  renderSchema: (schema: Record<string, unknown>) => string;
}
const generator = (await import(pathToFileURL(fileURLToPath(new URL("../scripts/generate-schema.mjs", import.meta.url))).href)) as Generator;

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(JSON.parse(shipped) as object);

/** The example of SPEC §4, verbatim. */
const SPEC_EXAMPLE = readFileSync(new URL("./fixtures/config/spec-example.yml", import.meta.url), "utf8");

const valid: Record<string, string> = {
  "the SPEC §4 example": SPEC_EXAMPLE,
  "an empty file (every key has a default)": "{}",
  "default_role as one id": "default_role: contractor\n",
  "default_role as a list": "default_role: [contractor, ai-agent]\n",
  "an entry naming agents only": "assign:\n  - role: ai-agent\n    agents: [copilot, codex]\n",
  "a custom category with paths": "categories:\n  payments.v2:\n    paths: ['src/payments/**']\n    defaults: false\n",
  "_extends": "_extends: .github\n",
};

const invalid: Record<string, { yaml: string; where: string }> = {
  "an unknown top-level key (typo)": { yaml: "assing:\n  - role: contractor\n    users: [bob]\n", where: "" },
  "an unknown key in an entry": { yaml: "assign:\n  - role: contractor\n    user: [bob]\n", where: "/assign/0" },
  "min_permission: owner": { yaml: "approvals:\n  min_permission: owner\n", where: "/approvals/min_permission" },
  "overrides.min_permission: Admin (case matters)": { yaml: "overrides:\n  min_permission: Admin\n", where: "/overrides/min_permission" },
  "a team without its org in assign": { yaml: "assign:\n  - role: contractor\n    teams: [platform]\n", where: "/assign/0/teams/0" },
  "a team without its org in approvers": { yaml: "categories:\n  database_migrations:\n    approvers: { teams: [platform] }\n", where: "/categories/database_migrations/approvers/teams/0" },
  'case_insensitive: "yes"': { yaml: 'case_insensitive: "yes"\n', where: "/case_insensitive" },
  "an entry that names nobody": { yaml: "assign:\n  - role: contractor\n", where: "/assign/0" },
  "an entry whose lists are all empty": { yaml: "assign:\n  - role: contractor\n    users: []\n", where: "/assign/0" },
  "a blank role id": { yaml: "assign:\n  - role: '  '\n    users: [bob]\n", where: "/assign/0/role" },
  "a category id with capitals and spaces": { yaml: "categories:\n  Database Migrations:\n    paths: [db/**]\n", where: "/categories" },
  "assign as a map instead of a list": { yaml: "assign:\n  role: contractor\n  users: [bob]\n", where: "/assign" },
  "users as a string instead of a list": { yaml: "assign:\n  - role: contractor\n    users: bob\n", where: "/assign/0/users" },
};

describe("schema/roleguard.schema.json", () => {
  it("is what scripts/generate-schema.mjs produces from the current zod schema (regenerate: npm run build && node scripts/generate-schema.mjs)", () => {
    const built = generator.renderSchema(generator.buildSchema(ConfigSchema, KNOWN_AGENTS.map((agent) => agent.id)));
    expect(shipped).toBe(built);
  });

  it("is draft 2020-12 with an id, a title and descriptions", () => {
    const schema = JSON.parse(shipped) as Record<string, unknown> & { properties: Record<string, { description?: string }> };
    expect(schema).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", $id: "roleguard.schema.json", title: "roleguard configuration", type: "object", additionalProperties: false });
    for (const [key, property] of Object.entries(schema.properties)) expect(property.description, key).toBeTruthy();
    expect(shipped).toContain("Known agents: copilot, devin, claude, codex, cursor, jules");
  });

  it("keeps defaults optional (the input shape): no top-level key is required", () => {
    expect(JSON.parse(shipped)).not.toHaveProperty("required");
  });

  for (const [name, text] of Object.entries(valid)) {
    it(`accepts ${name}, as zod does`, () => {
      const config: unknown = parse(text);
      expect(ConfigSchema.safeParse(config).success).toBe(true);
      expect(validate(config), ajv.errorsText(validate.errors)).toBe(true);
    });
  }

  for (const [name, { yaml, where }] of Object.entries(invalid)) {
    it(`rejects ${name}, as zod does`, () => {
      const config: unknown = parse(yaml);
      expect(ConfigSchema.safeParse(config).success).toBe(false);
      expect(validate(config)).toBe(false);
      expect(validate.errors?.map((error) => error.instancePath)).toContain(where);
    });
  }
});
