#!/bin/bash
# A package's published versions, unpacked as successive commits (real manifest evolution), for
# `roleguard history`. Usage: bench/history/npm-versions-repo.sh PACKAGE DIR VERSION...
# Each version is fetched with `npm pack`. The index is rebuilt for every commit: npm gives every
# file the same mtime, so git's stat cache would miss a change that keeps a file's size.
set -euo pipefail
pkg=$1; dir=$2; shift 2
mkdir -p "$dir/tarballs" "$dir/repo"
( cd "$dir/tarballs" && for v in "$@"; do npm pack "$pkg@$v" --silent > /dev/null; done )
cd "$dir/repo" && git init -q -b main && git config user.email bench@example.test && git config user.name bench
for v in "$@"; do
  find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
  tar xzf "../tarballs/$(echo "$pkg" | sed 's|^@||; s|/|-|')-$v.tgz" --strip-components=1
  rm -f .git/index && git add -A && git commit -qm "$pkg $v"
done
