// Every *.tf at a repository's HEAD: roleguard's reader against HashiCorp's parser (WASM) on the same text.
// Run after `npm run build`: node bench/history/terraform-parse-check.mjs CLONE, with NODE_PATH pointing at a scratch
// folder where `npm install --no-save @cdktn/hcl2json@0.24.0` was run (the reference parser is no dependency of roleguard).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { parse } = require("@cdktn/hcl2json");
const { terraform } = await import(new URL("../../dist/policy/dependencies/index.js", import.meta.url).href);
const repo = process.argv[2];
const git = (...a) => execFileSync("git", a, { cwd: repo, encoding: "utf8", maxBuffer: 1 << 28 });
const files = git("ls-tree", "-r", "--name-only", "HEAD").split("\n").filter((p) => /\.tf$/.test(p));
const arr = (v) => (Array.isArray(v) ? v : v && typeof v === "object" ? [v] : []);
function deps(json) {
  const out = {};
  const add = (k, v) => { (out[k] ??= new Set()).add(v); };
  for (const t of arr(json.terraform)) for (const rp of arr(t.required_providers)) for (const [local, e] of Object.entries(rp)) {
    const src = (typeof e === "object" && e.source ? e.source : `hashicorp/${local}`).trim().toLowerCase().replace(/^registry\.terraform\.io\//, "");
    add(src, ((typeof e === "string" ? e : e.version) ?? "").trim() || "(any version)");
  }
  for (const [, calls] of Object.entries(json.module ?? {})) for (const c of arr(calls)) {
    const s = String(c.source).trim(); if (/^\.\.?(\/|$)/.test(s)) continue;
    let key = s, ref; const q = s.indexOf("?");
    if (q !== -1) { const p = new URLSearchParams(s.slice(q + 1)); ref = p.get("ref"); if (ref !== null) { p.delete("ref"); key = s.slice(0, q) + (p.toString() ? `?${p}` : ""); } else ref = undefined; }
    add(key, [c.version?.trim(), ref !== undefined ? `${ref} (git ref)` : undefined].filter(Boolean).join(" ") || "(any version)");
  }
  return Object.fromEntries(Object.entries(out).map(([k, s]) => [k, [...s].sort().join(", ")]).sort());
}
let agree = 0, ourErrors = 0, theirErrors = 0, bytes = 0, ourMs = 0, theirMs = 0; const diffs = [];
for (const path of files) {
  const text = git("show", `HEAD:${path}`); bytes += text.length;
  let ours, theirs;
  let t = performance.now();
  try { ours = Object.fromEntries(Object.entries(terraform.parse(text, path)).sort()); } catch (e) { ours = `error ${e.message}`; ourErrors++; }
  ourMs += performance.now() - t; t = performance.now();
  try { theirs = deps(await parse(path, text)); } catch (e) { theirs = `error ${String(e.message ?? e).slice(0, 100)}`; theirErrors++; }
  theirMs += performance.now() - t;
  if (JSON.stringify(ours) === JSON.stringify(theirs)) agree++; else diffs.push({ path, ours, theirs });
}
console.log(JSON.stringify({ repo, files: files.length, bytes, agree, roleguard_errors: ourErrors, hcl_errors: theirErrors, roleguard_ms: Math.round(ourMs), hcl2json_ms: Math.round(theirMs), diffs: diffs.slice(0, 8) }, null, 1));
