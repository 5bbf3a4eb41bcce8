#!/usr/bin/env bash
# The unsigned flood of issue 12, item 2, at full size (the suite sends 200): FullDiskTests' flood test with 3,000
# unsigned PUTs with 1,000-character keys from 4 threads against a vault whose 64 MiB tmpfs is full; the audit log's
# space reserve must survive, the flood must cost a few summary records, and a vault with no byte left starts read-only.
# Needs root (mount). Flags: --requests N (default 3000). Output to stdout and artifacts/bench/flood-<time>.log.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests=3000
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) requests="$2"; shift 2 ;;
    *) echo "unknown flag $1 (flags: --requests N)" >&2; exit 2 ;;
  esac
done
mkdir -p "$root/artifacts/bench"
log="$root/artifacts/bench/flood-$(date -u +%Y%m%dT%H%M%SZ).log"
dotnet build -c Release "$root/tests/Ztdr.Integration.Tests/Ztdr.Integration.Tests.csproj" -v quiet -nologo >&2
ZTDR_FLOOD_REQUESTS="$requests" dotnet test "$root/tests/Ztdr.Integration.Tests/Ztdr.Integration.Tests.csproj" -c Release --no-build -nologo \
  --filter "FullyQualifiedName~Reliability.FullDiskTests.UnsignedFloodOnAFullDisk" --logger "console;verbosity=detailed" 2>&1 | tee "$log"
exit "${PIPESTATUS[0]}"
