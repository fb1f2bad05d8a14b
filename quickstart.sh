#!/usr/bin/env bash
# The main job: pre-train a teacher, a MoE-BERT and a TCD student on the embedded corpus, fine-tune all three on
# MRPC and SST-2 and print the paper-style table. Does its own set-up (native prerequisite check, restore, build).
# Pass options through, e.g. ./quickstart.sh --steps 400 --out runs/quickstart   (see ./quickstart.sh --help)
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/ensure-native.sh
bash scripts/check-disk.sh
dotnet build samples/Tcd.Quickstart -c Release -v quiet -nologo
exec dotnet run --project samples/Tcd.Quickstart -c Release --no-build -- "$@"
