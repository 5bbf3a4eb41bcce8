#!/usr/bin/env bash
# Long kill -9 run of ztdr-vault (the suite runs 3 rounds): CrashConsistencyTests with many rounds. Six concurrent S3
# writers; SIGKILL at a random moment each round; after each restart every acknowledged write reads back whole, scrub
# and `audit verify` are clean. kill -9 keeps the page cache: bench/powerloss.sh is the power-loss counterpart.
# Flags: --rounds N (default 12), --seed S (replays a run). Output to stdout and artifacts/bench/crash-<time>.log.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=12
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seed) export ZTDR_CRASH_SEED="$2"; shift 2 ;;
    *) echo "unknown flag $1 (flags: --rounds N, --seed S)" >&2; exit 2 ;;
  esac
done
mkdir -p "$root/artifacts/bench"
log="$root/artifacts/bench/crash-$(date -u +%Y%m%dT%H%M%SZ).log"
dotnet build -c Release "$root/tests/Ztdr.Integration.Tests/Ztdr.Integration.Tests.csproj" -v quiet -nologo >&2
ZTDR_CRASH_ROUNDS="$rounds" dotnet test "$root/tests/Ztdr.Integration.Tests/Ztdr.Integration.Tests.csproj" -c Release --no-build -nologo \
  --filter "FullyQualifiedName~Reliability.CrashConsistencyTests.Kill9DuringConcurrentWrites" --logger "console;verbosity=detailed" 2>&1 | tee "$log"
exit "${PIPESTATUS[0]}"
