#!/usr/bin/env bash
# Builds Release (which also builds the ztdr-vault the bench serves) and runs the end-to-end benchmark.
# The Markdown table goes to stdout, progress to stderr. Extra arguments go to the bench, e.g.
# --large-rounds 3 --small-ops 500 (unknown flags print the list). Defaults take about 2.5 minutes on 2 cores.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build -c Release "$root/Ztdr.slnx" -v quiet -nologo >&2
exec "$root/artifacts/bin/Ztdr.Bench/release/ztdr-bench" "$@"
