#!/usr/bin/env bash
# Soak test of ztdr-vault (loopback only; not part of the test suite): 64 concurrent S3 clients run a mix of
# PUT small/medium, multipart, GET, HEAD, LIST, retention extension and version deletes for a fixed time.
# Prints a Markdown report (throughput, p50/p99 per operation; the vault's VmRSS, managed heap, GC committed, SQLite
# memory and thread-pool threads per third of the run) and writes it to artifacts/bench/soak-<time>.md.
# Exit 1 on any failed request, and when the RSS is not flat: the last third's mean more than 10% above the middle
# third's (the line "RSS flat: yes/no (...)"). Run long enough for thirds to mean something (300 s or more).
# Flags: --duration SECONDS (default 300), --clients N (default 64), --out FILE.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet build -c Release "$root/bench/Ztdr.Soak/Ztdr.Soak.csproj" -v quiet -nologo >&2
cd "$root"
exec "$root/artifacts/bin/Ztdr.Soak/release/ztdr-soak" "$@"
