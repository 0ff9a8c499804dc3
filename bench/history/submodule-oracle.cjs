// Oracle for roleguard's submodule findings: the gitlinks each tree holds (git ls-tree, mode 160000)
// at the first parent and the commit, diffed, against what `roleguard check` reports on those paths.
const { execFileSync, spawnSync } = require("node:child_process");
const { join } = require("node:path");
// Run after `npm run build`: node bench/history/submodule-oracle.cjs CLONE [MAX]
const BIN = join(__dirname, "../../dist/bin.js");
const ROLES = __dirname;
const check = (repo, parent, sha) => JSON.parse(spawnSync("node", [BIN, "check", "--base", parent, "--head", sha, "--roles", ROLES, "--role", "all-categories", "--format", "json"], { cwd: repo, encoding: "utf8", maxBuffer: 1 << 28 }).stdout);
const [repo, max] = [process.argv[2], Number(process.argv[3] ?? 500)];
const git = (...args) => execFileSync("git", args, { cwd: repo, encoding: "utf8", maxBuffer: 1 << 28 });
const gitlinks = (rev) => new Map(git("ls-tree", "-r", rev).split("\n").filter((l) => l.startsWith("160000 ")).map((l) => { const [meta, path] = l.split("\t"); return [path, meta.split(" ")[2]]; }));
const steps = git("log", "--first-parent", `--max-count=${max}`, "--format=%H %P").trim().split("\n").map((l) => l.split(" ")).filter((p) => p.length > 1);
let changes = 0, agree = 0, expectedTotal = 0, oursTotal = 0;
const mismatches = [];
for (const [sha, parent] of steps) {
  const [b, h] = [gitlinks(parent), gitlinks(sha)];
  const expected = [];
  for (const [p, c] of h) if (!b.has(p)) expected.push(`add_dependencies ${p} submodule ${p} at ${c.slice(0, 7)}`); else if (b.get(p) !== c) expected.push(`update_dependencies ${p} submodule ${p} from ${b.get(p).slice(0, 7)} to ${c.slice(0, 7)}`);
  for (const [p, c] of b) if (!h.has(p)) expected.push(`remove_dependencies ${p} submodule ${p} (was at ${c.slice(0, 7)})`);
  if (expected.length === 0 && ![...b.keys(), ...h.keys()].length) continue;
  const paths = new Set([...b.keys(), ...h.keys()]);
  const report = check(repo, parent, sha);
  const ours = report.findings.filter((f) => paths.has(f.path) && /_dependencies$/.test(f.category)).map((f) => `${f.category} ${f.path} ${f.detail}`).sort();
  expected.sort();
  changes++; expectedTotal += expected.length; oursTotal += ours.length;
  if (JSON.stringify(expected) === JSON.stringify(ours)) agree++; else mismatches.push({ sha: sha.slice(0, 9), expected, ours });
}
console.log(JSON.stringify({ repo, steps: steps.length, changes_compared: changes, agree, oracle_findings: expectedTotal, roleguard_findings: oursTotal, mismatches: mismatches.slice(0, 10) }, null, 1));
