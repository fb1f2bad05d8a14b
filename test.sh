#!/usr/bin/env bash
# Runs the whole test suite: native prerequisite and free-disk checks, restore, build, test, then the package check
# (pack the libraries into artifacts/packages and run tests/PackageConsumer against them, reusing this build; pack the
# tcd tool for this platform, install it from artifacts/tool and run it).
# ./test.sh --coverage instead collects line and branch coverage into artifacts/coverage and prints it per assembly
# (scripts/coverage-summary.py); it leaves the package check out, as coverage slows the tests (CONTRIBUTING.md).
set -euo pipefail
cd "$(dirname "$0")"
coverage=()
build=()
if [ "${1:-}" = --coverage ]; then
  shift
  rm -rf artifacts/coverage
  # One test project at a time (-m:1): run side by side, coverlet left some projects' reports empty.
  coverage=(--collect "XPlat Code Coverage" --results-directory artifacts/coverage -m:1)
  # Coverlet finds no source behind a ContinuousIntegrationBuild's deterministic paths (/_/...) and then reports
  # nothing; MSBuild does not recompile for a changed path map, hence a full rebuild.
  build=(-p:ContinuousIntegrationBuild=false --no-incremental)
fi
bash scripts/ensure-native.sh
# A fresh CI machine downloads every package anyway; when its NuGet cache cannot hard-link into this checkout
# (another volume), a cache beside the checkout keeps the build at ≈100 MB instead of ≈8 GB of libtorch copies.
if [ "${CI:-}" = true ] && [ -z "${NUGET_PACKAGES:-}" ] && ! bash scripts/check-disk.sh --can-link; then
  export NUGET_PACKAGES="$PWD/.nuget/packages"
  echo "[tcd] CI: the NuGet cache is on another volume; using $NUGET_PACKAGES so the build can hard-link libtorch." >&2
fi
bash scripts/check-disk.sh
dotnet restore Tcd.MLNet.sln
dotnet build Tcd.MLNet.sln -c Release --no-restore ${build[@]+"${build[@]}"}
if [ ${#coverage[@]} -gt 0 ]; then
  # Coverlet rewrites the assemblies under test in place and puts them back afterwards, and the build hard-links one
  # file of each into every test project's bin folder and the library's own: a run killed midway would leave all of
  # them instrumented. Private copies first.
  find tests -path '*/bin/Release/*' -name '*.dll' -links +1 \( -name 'Tcd.*' -o -name 'tcd.dll' \) \
    -exec sh -c 'cp -p "$1" "$1.private" && mv -f "$1.private" "$1"' sh {} \;
fi
set +e
# --blame: should a test host crash (a native fault leaves no stack trace), the log names the test it was running.
dotnet test Tcd.MLNet.sln -c Release --no-build --blame --logger "console;verbosity=minimal" ${coverage[@]+"${coverage[@]}"} "$@" 2>&1 | tee /tmp/tcd-test-$$.log
status=${PIPESTATUS[0]}
set -e
# One closing line over all test projects, e.g. "tests: 120 passed, 0 failed, 1 skipped".
awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { v = $(i+1); gsub(",", "", v);
       if ($i == "Passed:") p += v; if ($i == "Failed:") f += v; if ($i == "Skipped:") s += v } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' /tmp/tcd-test-$$.log
rm -f /tmp/tcd-test-$$.log
if [ ${#coverage[@]} -gt 0 ]; then
  python3 scripts/coverage-summary.py artifacts/coverage --lowest 5
  exit "$status"
fi
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
bash scripts/package-check.sh --no-build
