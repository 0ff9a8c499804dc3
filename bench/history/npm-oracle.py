# Independent oracle for the npm findings of the probot replay: package.json's four maps diffed in Python.
import json, os, subprocess, sys
# Run after `npm run build`: python3 bench/history/npm-oracle.py REPO
ROLES = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(ROLES, "..", "..", "dist", "bin.js")
repo = sys.argv[1]
git = lambda *a: subprocess.run(["git", *a], cwd=repo, capture_output=True, text=True).stdout
shas = git("log", "--format=%H", "--reverse").split()
def deps(sha):
    try: pkg = json.loads(git("show", f"{sha}:package.json"))
    except Exception: return {}
    out = {}
    for m in ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]:
        for k, v in (pkg.get(m) or {}).items(): out.setdefault(k, []).append((m, v))
    return out
agree = total = oracle_n = ours_n = 0; bad = []
for parent, sha in zip(shas, shas[1:]):
    b, h = deps(parent), deps(sha)
    exp = {"add_dependencies": sum(1 for k in h if k not in b), "remove_dependencies": sum(1 for k in b if k not in h), "update_dependencies": sum(1 for k in h if k in b and sorted(h[k]) != sorted(b[k]))}
    r = json.loads(subprocess.run(["node", BIN, "check", "--base", parent, "--head", sha, "--roles", ROLES, "--role", "all-categories", "--format", "json"], cwd=repo, capture_output=True, text=True).stdout)
    got = {c: sum(1 for f in r["findings"] if f["category"] == c and f.get("path") == "package.json") for c in exp}
    total += 1; oracle_n += sum(exp.values()); ours_n += sum(got.values())
    if exp == got: agree += 1
    else: bad.append((sha[:7], exp, got))
print(json.dumps({"changes": total, "agree": agree, "oracle_findings": oracle_n, "roleguard_findings": ours_n, "mismatches": bad[:5]}))
