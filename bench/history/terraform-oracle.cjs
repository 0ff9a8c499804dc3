// Independent oracle for roleguard's Terraform findings: HashiCorp's HCL parser (WASM, @cdktn/hcl2json)
// reads each changed *.tf at the parent and the commit; its providers/modules are diffed and compared
// with what `roleguard check` reports for the same pair.
const { execFileSync, spawnSync } = require("node:child_process");
const { join } = require("node:path");
// Run after `npm run build`: node bench/history/terraform-oracle.cjs CLONE [MAX]; the reference parser is no dependency of
// roleguard: `npm install --no-save @cdktn/hcl2json@0.24.0` in a scratch folder and set NODE_PATH to it.
const BIN = join(__dirname, "../../dist/bin.js");
const ROLES = __dirname;
const check = (repo, parent, sha) => JSON.parse(spawnSync("node", [BIN, "check", "--base", parent, "--head", sha, "--roles", ROLES, "--role", "all-categories", "--format", "json"], { cwd: repo, encoding: "utf8", maxBuffer: 1 << 28 }).stdout);
const { parse } = require("@cdktn/hcl2json");
const [repo, max] = [process.argv[2], Number(process.argv[3] ?? 300)];
const git = (...args) => execFileSync("git", args, { cwd: repo, encoding: "utf8", maxBuffer: 1 << 28 });
const show = (rev, path) => { try { return git("show", `${rev}:${path}`); } catch { return null; } };
const arr = (v) => (Array.isArray(v) ? v : v && typeof v === "object" ? [v] : []);
function deps(json) {
  const out = new Map();
  const add = (k, v) => { const s = out.get(k) ?? new Set(); s.add(v); out.set(k, s); };
  for (const t of arr(json.terraform)) for (const rp of arr(t.required_providers)) for (const [local, e] of Object.entries(rp)) {
    const src = (typeof e === "object" && e.source ? e.source : `hashicorp/${local}`).trim().toLowerCase().replace(/^registry\.terraform\.io\//, "");
    const ver = typeof e === "string" ? e : e.version;
    add(src, (ver ?? "").trim() || "(any version)");
  }
  for (const [name, calls] of Object.entries(json.module ?? {})) for (const c of arr(calls)) {
    const s = String(c.source).trim();
    if (/^\.\.?(\/|$)/.test(s)) continue;
    let key = s, ref;
    const q = s.indexOf("?");
    if (q !== -1) { const p = new URLSearchParams(s.slice(q + 1)); ref = p.get("ref"); if (ref !== null) { p.delete("ref"); key = s.slice(0, q) + (p.toString() ? `?${p}` : ""); } else ref = undefined; }
    add(key, [c.version?.trim(), ref !== undefined ? `${ref} (git ref)` : undefined].filter(Boolean).join(" ") || "(any version)");
  }
  return new Map([...out].map(([k, s]) => [k, [...s].sort().join(", ")]));
}
(async () => {
  const steps = git("log", "--first-parent", `--max-count=${max}`, "--format=%H %P").trim().split("\n").map((l) => l.split(" ")).filter((p) => p.length > 1);
  let files = 0, agree = 0, oracleFindings = 0, ourFindings = 0, unreadable = 0, oracleFails = 0;
  const mismatches = [];
  for (const [sha, parent] of steps) {
    // Renames compare the old path at the parent with the new one, copies and additions compare with nothing (SPEC §2).
    const changed = git("diff", "--name-status", "-M", "-C", parent, sha).trim().split("\n").filter(Boolean).map((l) => l.split("\t")).map(([s, a, b]) => (b === undefined ? [s[0], a, a] : [s[0], b, a])).filter(([, p]) => /\.tf$/.test(p));
    if (changed.length === 0) continue;
    const report = check(repo, parent, sha);
    for (const [status, path, before] of changed) {
      files++;
      const ours = report.findings.filter((f) => f.path === path && /_dependencies$/.test(f.category)).map((f) => `${f.category} ${f.detail}`).sort();
      if (ours.some((f) => /could not read/.test(f))) unreadable++;
      let expected;
      try {
        const base = status === "A" || status === "C" ? null : show(parent, before);
        const head = status === "D" ? null : show(sha, path);
        const b = base === null ? new Map() : deps(await parse(path, base));
        const h = head === null ? new Map() : deps(await parse(path, head));
        expected = [];
        for (const [k, v] of h) if (!b.has(k)) expected.push(`add_dependencies ${k} ${v}`); else if (b.get(k) !== v) expected.push(`update_dependencies ${k} ${b.get(k)} → ${v}`);
        for (const [k, v] of b) if (!h.has(k)) expected.push(`remove_dependencies ${k} ${v}`);
        expected.sort();
      } catch (e) { oracleFails++; mismatches.push({ sha, path, oracle: `error ${String(e.message ?? e).slice(0, 120)}`, ours }); continue; }
      oracleFindings += expected.length; ourFindings += ours.length;
      if (JSON.stringify(expected) === JSON.stringify(ours)) agree++;
      else mismatches.push({ sha: sha.slice(0, 9), path, expected, ours });
    }
  }
  console.log(JSON.stringify({ repo, steps: steps.length, tf_files_compared: files, agree, oracle_findings: oracleFindings, roleguard_findings: ourFindings, roleguard_unreadable: unreadable, oracle_errors: oracleFails, mismatches: mismatches.slice(0, 15) }, null, 1));
})();
