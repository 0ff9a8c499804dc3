import { describe, expect, it } from "vitest";
import { mergeOrgFloor } from "../../src/config/merge.js";
import { parseConfig } from "../../src/config/parse.js";
import { ConfigSchema } from "../../src/config/schema.js";

describe("categories.<id>.required (SPEC §4)", () => {
  it("defaults to 1 and reads the number of approvers", () => {
    const parsed = parseConfig("categories:\n  add_dependencies:\n    required: 2\n  database_migrations: {}\n", ".github/roleguard.yml");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.config.categories.add_dependencies?.required).toBe(2);
    expect(parsed.config.categories.database_migrations?.required).toBe(1);
  });

  it.each([
    ["0", "must be 1 or more"],
    ["1.5", "whole number"],
    ["two", "whole number"],
  ])("required: %s is an error naming the field and its line", (value, reason) => {
    const parsed = parseConfig(`categories:\n  add_dependencies:\n    required: ${value}\n`, ".github/roleguard.yml");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors[0]).toMatchObject({ field: "categories.add_dependencies.required", line: 3, message: expect.stringContaining(reason) });
  });

  it("the organisation's floor takes the larger N, and says when the repository asked for fewer", () => {
    const org = ConfigSchema.parse({ categories: { add_dependencies: { required: 3 } } });
    const fewer = mergeOrgFloor(org, ConfigSchema.parse({ categories: { add_dependencies: { required: 2 } } }));
    expect(fewer.config.categories.add_dependencies?.required).toBe(3);
    expect(fewer.warnings).toContainEqual(expect.stringContaining("categories.add_dependencies.required: 2 in the repository is not applied"));
    const more = mergeOrgFloor(org, ConfigSchema.parse({ categories: { add_dependencies: { required: 4 } } }));
    expect(more.config.categories.add_dependencies?.required).toBe(4);
    expect(more.warnings).toEqual([]);
    const repoOnly = mergeOrgFloor(ConfigSchema.parse({}), ConfigSchema.parse({ categories: { deployment: { required: 2 } } }));
    expect(repoOnly.config.categories.deployment?.required).toBe(2);
  });
});
