#!/usr/bin/env bash
# Packs the libraries into a local folder feed (artifacts/packages), then restores, builds and runs
# tests/PackageConsumer against those packages (not the projects), proving the packages are complete.
# Usage: scripts/package-check.sh [--no-build]   (--no-build: reuse an existing Release build, as test.sh does)
set -euo pipefail
cd "$(dirname "$0")/.."

pack_args=(-c Release -o artifacts/packages)
if [ "${1:-}" = "--no-build" ]; then
  pack_args+=(--no-build)
fi

rm -rf artifacts/packages
for project in Tcd.Models Tcd.MLNet Tcd.Reports Tcd.Experiments; do
  dotnet pack "src/$project/$project.csproj" "${pack_args[@]}"
done

# A package already in the global cache with the same id and version would be used instead of the fresh one
# and could hide a broken package; drop our ids from the cache (never other packages).
cache=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
for id in tcd.models tcd.mlnet tcd.reports tcd.experiments; do
  rm -rf "${cache%/}/$id"
done

consumer=tests/PackageConsumer
rm -rf "$consumer/bin" "$consumer/obj"
dotnet restore "$consumer/PackageConsumer.csproj"
dotnet build "$consumer/PackageConsumer.csproj" -c Release --no-restore
dotnet "$consumer/bin/Release/net10.0/PackageConsumer.dll"
echo "package check: Tcd.Models, Tcd.MLNet, Tcd.Reports, Tcd.Experiments packed into artifacts/packages and consumed by $consumer"
