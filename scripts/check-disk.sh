#!/usr/bin/env bash
# Disk checks before a build.
#   scripts/check-disk.sh [GB]        warns in one line when the repository's or the NuGet cache's volume has less
#                                     than GB free (default 4), instead of leaving a wall of "No space left on device"
#                                     copy errors later. Never fails.
#   scripts/check-disk.sh --can-link  exits 0 when files in the NuGet cache can be hard-linked into the repository.
# Why: TorchSharp-cpu brings libtorch for three platforms (≈1.2 GB in the cache, plus ≈0.9 GB of other packages), and
# every test, sample and tool folder needs libtorch. Directory.Build.props hard-links it from the cache, so a build adds
# ≈100 MB; where links cannot be made (the cache on another volume or mount) MSBuild copies it, ≈8 GB in all.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list 2>/dev/null | sed -n 's/^global-packages: //p')}
cache=${cache:-$HOME/.nuget/packages}
mkdir -p "$cache"

if [ "${1:-}" = "--can-link" ]; then
  probe=$(mktemp "$cache/.tcd-link-probe.XXXXXX")
  linked=$(mktemp -u "$PWD/.tcd-link-probe.XXXXXX")
  status=0
  ln "$probe" "$linked" 2>/dev/null || status=1
  rm -f "$probe" "$linked"
  exit "$status"
fi

wanted_gb=${1:-4}
free_gb() { df -Pk "$1" | awk 'NR == 2 { printf "%.1f", $4 / 1048576 }'; }
repo_free=$(free_gb .)
cache_free=$(free_gb "$cache")
if awk -v a="$repo_free" -v b="$cache_free" -v w="$wanted_gb" 'BEGIN { exit !(a < w || b < w) }'; then
  echo "[tcd] warning: little free disk (repository: ${repo_free} GB, NuGet cache $cache: ${cache_free} GB)." \
       "A full build needs about ${wanted_gb} GB (more when the cache is on another volume); free some space if it fails." >&2
fi
