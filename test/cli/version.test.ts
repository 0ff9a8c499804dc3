import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRoleguard } from "../helpers/cli.js";

/** `roleguard --version`: package.json's version, read beside the code at run time, whatever the working directory. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const folders: string[] = [];
const scratch = () => {
  const folder = mkdtempSync(join(tmpdir(), "roleguard-version-"));
  folders.push(folder);
  return folder;
};
beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/bin.js"))) throw new Error("dist/bin.js is missing: run npm run build first (npm test does)");
});
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe("roleguard --version", () => {
  it("prints package.json's version and exits 0 (in process, -V too)", async () => {
    for (const flag of ["--version", "-V"]) {
      expect(await runRoleguard([flag], scratch())).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    }
  });

  it("the built CLI prints it from a folder whose own package.json says otherwise", () => {
    const elsewhere = scratch();
    writeFileSync(join(elsewhere, "package.json"), JSON.stringify({ name: "decoy", version: "0.0.0-decoy" }));
    expect(execFileSync(process.execPath, [join(ROOT, "dist/bin.js"), "--version"], { cwd: elsewhere, encoding: "utf8" })).toBe(`${VERSION}\n`);
  });

  it("is read at run time from the package the built file belongs to, not fixed at build time", () => {
    // The same build, installed as another version: it must say that version.
    const installed = scratch();
    cpSync(join(ROOT, "dist"), join(installed, "dist"), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(installed, "node_modules"));
    writeFileSync(join(installed, "package.json"), JSON.stringify({ name: "roleguard", version: "9.8.7-test", type: "module" }));
    expect(execFileSync(process.execPath, [join(installed, "dist/bin.js"), "--version"], { cwd: scratch(), encoding: "utf8" })).toBe("9.8.7-test\n");
  });
});
