#!/usr/bin/env bash
# Power-loss run of ztdr-vault (not part of the suite's budget): the suite's PowerLossTests with many rounds. The vault's
# objects/, tmp/, quarantine/, meta/ and audit/ sit on LazyFS, concurrent S3 writers run, and the power is cut at a PUT,
# a multipart completion, a retention change, an audit append, a SQLite checkpoint, start-up cleanup or a random moment;
# after each remount every acknowledged write must read back whole, and scrub and `audit verify` must be clean.
# Needs root and /dev/fuse; builds LazyFS on first use into ~/.cache/ztdr/lazyfs-<source hash> (tests/Ztdr.Testing/LazyFsBuild.cs).
# Flags: --rounds N (default 100), --seed S (replays a run; the seed is printed first). The test's output, with the
# figures (rounds, acknowledged writes, faults by point, time), goes to stdout and artifacts/bench/powerloss-<time>.log.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=100
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seed) export ZTDR_POWERLOSS_SEED="$2"; shift 2 ;;
    *) echo "unknown flag $1 (flags: --rounds N, --seed S)" >&2; exit 2 ;;
  esac
done
mkdir -p "$root/artifacts/bench"
log="$root/artifacts/bench/powerloss-$(date -u +%Y%m%dT%H%M%SZ).log"
dotnet build -c Release "$root/tests/Ztdr.Integration.Tests/Ztdr.Integration.Tests.csproj" -v quiet -nologo >&2
ZTDR_POWERLOSS_ROUNDS="$rounds" dotnet test "$root/tests/Ztdr.Integration.Tests/Ztdr.Integration.Tests.csproj" -c Release --no-build -nologo \
  --filter "FullyQualifiedName~Reliability.PowerLossTests" --logger "console;verbosity=detailed" 2>&1 | tee "$log"
exit "${PIPESTATUS[0]}"
