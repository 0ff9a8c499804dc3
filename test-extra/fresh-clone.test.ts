/**
 * SPEC §11 and issue 8: a newcomer clones the repository into an empty folder
 * and runs the README's two commands. Both must pass with nothing beside the
 * clone (no ../shared, no services), and npm must not warn about engines on
 * the Node this project supports. This clones the committed HEAD, so it tests
 * what a newcomer would get, not the working tree.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const parent = mkdtempSync(join(tmpdir(), "roleguard-fresh-"));
const clone = join(parent, "roleguard");
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** The README's quick-start lines, so this test follows the README rather than a copy of it. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter(Boolean);
}

function sh(command: string) {
  const result = spawnSync("bash", ["-c", command], {
    cwd: clone,
    encoding: "utf8",
    env: { ...process.env, CI: "true", FORCE_COLOR: "0", NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe("a fresh clone in an empty folder", () => {
  it("the README names exactly two commands: install and demo, then the tests", () => {
    expect(readmeCommands()).toEqual(["npm ci && npm run demo", "npm test"]);
  });

  it("has nothing beside it", () => {
    execFileSync("git", ["clone", "--quiet", REPO, clone]);
    expect(existsSync(join(parent, "shared"))).toBe(false);
    expect(existsSync(join(clone, "node_modules"))).toBe(false);
  });

  it("npm ci && npm run demo installs without engine warnings and shows the verdict on the built-in roles", { timeout: 300_000 }, () => {
    const { code, output } = sh(readmeCommands()[0] as string);
    expect(output).not.toMatch(/EBADENGINE/);
    expect(output).toMatch(/roleguard: FAIL — 1 forbidden change: \.github\/workflows\/ci\.yml/);
    expect(output).toContain("software-engineer-typescript-backend");
    // The demo's verdict is a violation: roleguard check exits 1 by design, and the demo says so.
    expect(code, output.slice(-3000)).toBe(0);
  });

  it("npm test passes", { timeout: 600_000 }, () => {
    const { code, output } = sh(readmeCommands()[1] as string);
    expect(code, output.slice(-5000)).toBe(0);
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toMatch(/\d+ failed/);
  });
});
