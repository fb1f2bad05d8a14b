#!/usr/bin/env bash
# Warns early, in one line, when a build is likely to run out of disk, instead of leaving the user a wall of
# "No space left on device" copy errors. Needs: the NuGet cache (TorchSharp-cpu brings libtorch for three platforms,
# ≈1.2 GB, plus ≈0.9 GB of other packages) and the build itself: ≈100 MB where bin folders hard-link libtorch from the
# cache (same volume), up to ≈8 GB where they must copy it (cache on another volume). Never fails the build.
# Usage: scripts/check-disk.sh [GB wanted, default 4]
set -euo pipefail
cd "$(dirname "$0")/.."

wanted_gb=${1:-4}
cache=$(dotnet nuget locals global-packages --list 2>/dev/null | sed 's/^global-packages: //')
cache=${cache:-$HOME/.nuget/packages}
mkdir -p "$cache"

free_gb() { df -Pk "$1" | awk 'NR == 2 { printf "%.1f", $4 / 1048576 }'; }
repo_free=$(free_gb .)
cache_free=$(free_gb "$cache")
if awk -v a="$repo_free" -v b="$cache_free" -v w="$wanted_gb" 'BEGIN { exit !(a < w || b < w) }'; then
  echo "[tcd] warning: little free disk (repository: ${repo_free} GB, NuGet cache $cache: ${cache_free} GB)." \
       "A full build needs about ${wanted_gb} GB (more when the cache is on another volume); free some space if it fails." >&2
fi
