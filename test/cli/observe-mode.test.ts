/** `mode: observe` from the CLI: the verdict in full, exit 0, and the title says what enforcing would do. */
import { describe, expect, it } from "vitest";
import { checkJson, runRoleguard } from "../helpers/cli.js";
import { forbidding, scenario } from "../helpers/scenario.js";

describe("roleguard check in mode: observe", () => {
  it("a forbidden change is reported, concludes neutral and exits 0", async () => {
    const repo = scenario({
      roles: { guarded: forbidding("secrets/") },
      config: "mode: observe\nassign:\n  - role: guarded\n    users: [ops-agent]\n",
      change: { write: { "secrets/key.pem": "k\n" } },
    });
    const { code, report } = await checkJson(repo.dir, ["--author", "ops-agent"]);
    expect(report).toMatchObject({ conclusion: "neutral", mode: "observe", would_conclude: "failure" });
    expect(report.title).toBe("Observe mode, enforcing would fail: 1 forbidden change: secrets/key.pem");
    expect(report.findings).toMatchObject([{ path: "secrets/key.pem", state: "violation" }]);
    expect(code).toBe(0);
  });
});

describe("the text and markdown reports in observe mode", () => {
  it("say OBSERVE and what enforcing would conclude, not NOT CHECKED", async () => {
    const repo = scenario({
      roles: { guarded: forbidding("secrets/") },
      config: "mode: observe\nassign:\n  - role: guarded\n    users: [ops-agent]\n",
      change: { write: { "secrets/key.pem": "k\n" } },
    });
    const text = await runRoleguard(["check", "--base", "main", "--author", "ops-agent"], repo.dir);
    expect(text.stdout.split("\n")[0]).toBe("roleguard: OBSERVE (would FAIL) — Observe mode, enforcing would fail: 1 forbidden change: secrets/key.pem");
    const markdown = await runRoleguard(["check", "--base", "main", "--author", "ops-agent", "--format", "markdown"], repo.dir);
    expect(markdown.stdout).toContain("👁️ ❌ **Observe mode, enforcing would fail");
  });
});
