#!/usr/bin/env bash
# Soak test of ztdr-vault (loopback only; not part of the test suite): 64 concurrent S3 clients run a mix of
# PUT small/medium, multipart, GET, HEAD, LIST, retention extension and version deletes for a fixed time.
# Zero errors are required (exit 1 otherwise). Prints a Markdown table (throughput, p50/p99 per operation, vault
# RSS first vs last third of the run) and writes it to artifacts/bench/soak-<time>.md.
# Flags: --duration SECONDS (default 120), --clients N (default 64), --out FILE.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build -c Release "$root/bench/Ztdr.Soak/Ztdr.Soak.csproj" -v quiet -nologo >&2
cd "$root"
exec "$root/artifacts/bin/Ztdr.Soak/release/ztdr-soak" "$@"
