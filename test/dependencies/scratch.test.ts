import { test } from "vitest";
import { ECOSYSTEMS, ManifestParseError } from "../../src/policy/dependencies/index.js";
const FIVE_MB = 5 * 1024 * 1024;
function big(id: string): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < FIVE_MB; i++) {
    const line =
      id === "npm" ? `"pkg-${i}": "^1.${i}.0",` :
      id === "composer" ? `"vendor/pkg-${i}": "^1.${i}",` :
      id === "pip" ? `package-${i}==1.${i}.0 ; python_version >= "3.8"  # pinned` :
      id === "pyproject" ? `"package-${i}>=1.${i}",` :
      id === "gomod" ? `\tgithub.com/acme/module-${i} v1.${i}.0 // indirect` :
      id === "cargo" ? `crate-${i} = { version = "1.${i}", features = ["a", "b"] }` :
      `gem "gem-${i}", "~> 1.${i}", require: false # comment`;
    lines.push(line); size += line.length + 1;
  }
  if (id === "npm") return `{"dependencies": {${lines.join("\n").slice(0, -1)}}}`;
  if (id === "composer") return `{"require": {${lines.join("\n").slice(0, -1)}}}`;
  if (id === "pyproject") return `[project]\ndependencies = [\n${lines.join("\n")}\n]`;
  if (id === "gomod") return `module x\n\nrequire (\n${lines.join("\n")}\n)\n`;
  if (id === "cargo") return `[dependencies]\n${lines.join("\n")}`;
  return lines.join("\n");
}
function randomText(seed: number, length: number): string {
  let state = seed;
  let out = "";
  const alphabet = "{}[]()\"'\\=:,;#\n\r\t -_.<>~^*@/abcdefgv0123456789\u00ff\ufffd";
  for (let i = 0; i < length; i++) { state = (state * 1103515245 + 12345) & 0x7fffffff; out += alphabet[state % alphabet.length]; }
  return out;
}
test("perf", () => {
  for (const eco of ECOSYSTEMS) {
    const text = big(eco.id);
    const start = performance.now();
    const map = eco.parse(text, "x");
    console.log(eco.id, text.length, Object.keys(map).length, Math.round(performance.now() - start), "ms");
    // pathological single line
    for (const junk of ["a".repeat(FIVE_MB), " ".repeat(FIVE_MB) + "#", "\"".repeat(FIVE_MB), "-".repeat(FIVE_MB), "a-".repeat(FIVE_MB / 2) + "!", "[" .repeat(100000), "{\"a\":".repeat(100000)]) {
      const s = performance.now();
      try { eco.parse(junk, "x"); } catch (e) { if (!(e instanceof ManifestParseError)) console.log("NOT MPE", eco.id, e); }
      const t = performance.now() - s; if (t > 300) console.log("slow", eco.id, junk.slice(0, 5), Math.round(t));
    }
  }
});
test("fuzz", () => {
  for (const eco of ECOSYSTEMS) {
    let errors = 0;
    for (let seed = 1; seed < 3000; seed++) {
      try { const m = eco.parse(randomText(seed, 200), "x"); for (const v of Object.values(m)) if (typeof v !== "string") console.log("bad value"); }
      catch (e) { if (!(e instanceof ManifestParseError)) { console.log("NOT MPE", eco.id, seed, e); break; } errors++; }
    }
    console.log(eco.id, "errors", errors);
  }
});
