#!/bin/bash
# roleguard history on real histories (bench/RESULTS.md, "roleguard history on real histories").
# Usage: bench/history/replay.sh CLONE:MAX ...   (CLONE: a git clone of a public repository; MAX: --max)
# Run after `npm run build`, from the repository root. Prints the summary JSON of each to CLONE.history.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
for spec in "$@"; do
  clone=${spec%:*}; max=${spec#*:}
  ( cd "$clone" && /usr/bin/time -f "$(basename "$clone"): %e s wall, %M KB max RSS" \
      node "$root/dist/bin.js" history --roles "$root/bench/history" --role all-categories --max "$max" --format json > "$clone.history.json" < /dev/null )
done
