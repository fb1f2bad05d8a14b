#!/usr/bin/env bash
# Packs the libraries into a local folder feed (artifacts/packages), checks their metadata, README, XML docs, symbols
# and dependencies (scripts/check-packages.cs), then restores, builds and runs tests/PackageConsumer against those
# packages (not the projects), proving the packages are complete.
# Then packs the tcd tool for this machine's platform, installs it from its own feed (artifacts/tool) as a user would,
# and runs a short pre-training and an evaluation with it.
# Usage: scripts/package-check.sh [--no-build]   (--no-build: reuse an existing Release build, as test.sh does)
set -euo pipefail
cd "$(dirname "$0")/.."

pack_args=(-c Release -o artifacts/packages)
if [ "${1:-}" = "--no-build" ]; then
  pack_args+=(--no-build)
fi

rm -rf artifacts/packages
libraries=(Tcd.Models Tcd.MLNet Tcd.Reports Tcd.Experiments)
for project in "${libraries[@]}"; do
  dotnet pack "src/$project/$project.csproj" "${pack_args[@]}"
done
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
# What a consumer's build cannot notice: metadata, README, XML docs, symbols, and no native backend dependency.
dotnet run scripts/check-packages.cs -- artifacts/packages "$version" "${libraries[@]}"

# A package already in the global cache with the same id and version would be used instead of the fresh one
# and could hide a broken package; drop our ids from the cache (never other packages).
cache=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
rid=$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')
for id in tcd.models tcd.mlnet tcd.reports tcd.experiments tcd.cli "tcd.cli.$rid"; do
  rm -rf "${cache%/}/$id"
done

consumer=tests/PackageConsumer
rm -rf "$consumer/bin" "$consumer/obj"
dotnet restore "$consumer/PackageConsumer.csproj"
dotnet build "$consumer/PackageConsumer.csproj" -c Release --no-restore
dotnet "$consumer/bin/Release/net10.0/PackageConsumer.dll"
echo "package check: Tcd.Models, Tcd.MLNet, Tcd.Reports, Tcd.Experiments packed into artifacts/packages and consumed by $consumer"

# The tool ships one package per platform behind a small pointer package: with libtorch for every platform in one
# package it would be ≈350 MB, over nuget.org's 250 MB limit. Only this machine's platform is packed here.
rm -rf artifacts/tool
dotnet pack src/Tcd.Cli/Tcd.Cli.csproj -c Release -o artifacts/tool -p:RuntimeIdentifiers="$rid"
limit=$((250 * 1024 * 1024))
for package in artifacts/tool/*.nupkg; do
  size=$(stat -c %s "$package")
  if [ "$size" -gt "$limit" ]; then
    echo "package check: $package is $((size / 1048576)) MB, over nuget.org's 250 MB limit" >&2
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/nuget.config" <<CONFIG
<configuration>
  <packageSources>
    <clear />
    <add key="tcd-tool" value="$PWD/artifacts/tool" />
  </packageSources>
</configuration>
CONFIG
dotnet tool install Tcd.Cli --version "$version" --tool-path "$work/tools" --configfile "$work/nuget.config"
"$work/tools/tcd" pretrain --preset tiny --corpus data/corpus/enwiki-sample.txt --steps 5 --seq-length 32 --batch-size 4 \
  --threads 1 --out "$work/run"
"$work/tools/tcd" eval --model "$work/run" --corpus data/corpus/enwiki-sample.txt --threads 1
echo "package check: the tcd tool ($rid package $(( $(stat -c %s artifacts/tool/Tcd.Cli.$rid.*.nupkg) / 1048576 )) MB) installed from artifacts/tool and ran"
