#!/usr/bin/env bash
# Rebuilds data/domains/code.txt: C# source of this repository (src/Tcd.Models/Modeling and src/Tcd.Models/Data,
# files in sorted order, `using` lines dropped) cut at the last whole file that keeps it within 60,000 bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=data/domains/code.txt
limit=60000
: > "$out"
for file in $(ls src/Tcd.Models/Modeling/*.cs src/Tcd.Models/Data/*.cs | sort); do
  chunk=$(grep -v '^using ' "$file")
  size=$(( $(stat -c %s "$out") + ${#chunk} + 2 ))
  if (( size > limit )); then break; fi
  printf '%s\n\n' "$chunk" >> "$out"
done
wc -c "$out"
