#!/usr/bin/env bash
# Runs every test: unit, integration against real ztdr-vault processes, and compat with real clients.
# Installs missing client tools first (scripts/deps.sh). Ends with "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
dotnet build Ztdr.slnx -c Release -nologo -v quiet

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Ztdr.slnx -c Release --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# VSTest prints one summary per test assembly: "Passed!  - Failed:     0, Passed:    12, Skipped:     0, ..."
awk '/(Passed|Failed)! +- Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
