/**
 * A manifest is never diffed against the wrong file (SPEC §2, issue 9): git's
 * copy detection pairs a new `b/package.json` with `a/package.json`, and
 * diffing against that would report the copy's differences ("remove express")
 * instead of what the change adds. A new manifest is compared with nothing.
 */
import { describe, expect, it } from "vitest";
import { checkJson, seen } from "../helpers/cli.js";
import { requiring, scenario } from "../helpers/scenario.js";

const pkg = (name: string, dependencies: Record<string, string>) => `${JSON.stringify({ name, version: "1.0.0", private: true, description: "a service of the shop, with a long enough body for git to call it a copy", dependencies }, null, 2)}\n`;

describe("a new manifest that git sees as a copy", () => {
  it("reports every dependency of the new manifest as added, never the copy's differences as removals", async () => {
    const repo = scenario({
      roles: { deps: requiring("add_dependencies", "remove_dependencies", "update_dependencies") },
      base: { "services/a/package.json": pkg("a", { express: "^4.19.2", zod: "^3.23.0" }) },
      change: {
        write: {
          // a/package.json changes too, so plain -C takes it as a copy source.
          "services/a/package.json": pkg("a", { express: "^4.19.2", zod: "^3.23.8" }),
          "services/b/package.json": pkg("b", { zod: "^3.23.0", lodash: "^4.17.21" }),
        },
      },
    });
    const raw = repo.git("diff", "--raw", "-M", "-C", "main", "HEAD");
    expect(raw, "the scenario must be one git reads as a copy").toMatch(/\tC\d*\s|\sC\d+\t/);

    const { report } = await checkJson(repo.dir, ["--role", "deps"]);
    expect(seen(report.findings)).toEqual([
      { category: "add_dependencies", path: "services/b/package.json", previous_path: "services/a/package.json", state: "pending", detail: "lodash ^4.17.21" },
      { category: "add_dependencies", path: "services/b/package.json", previous_path: "services/a/package.json", state: "pending", detail: "zod ^3.23.0" },
      { category: "update_dependencies", path: "services/a/package.json", state: "pending", detail: "zod ^3.23.0 → ^3.23.8" },
    ]);
  });
});
