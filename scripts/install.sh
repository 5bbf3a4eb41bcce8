#!/usr/bin/env bash
# Installs the ztdr client as users should run it: published for this machine's platform as one native executable
# (native AOT: no JIT and no runtime start-up, so `ztdr snapshots` takes 0.3 s of CPU instead of 1.0 s; every command
# pays that once; docs/benchmarks.md). It needs a C toolchain to link (gcc or clang; scripts/deps.sh installs gcc).
# --ready-to-run publishes the framework-dependent build with ReadyToRun code instead (needs the .NET 10 runtime,
# no C toolchain; about half the start-up saving).
#
#   bash scripts/install.sh                       # into ~/.local/lib/ztdr, with ~/.local/bin/ztdr linking to it
#   bash scripts/install.sh --prefix /usr/local   # into /usr/local/lib/ztdr and /usr/local/bin/ztdr
#   bash scripts/install.sh --out DIR             # only publish into DIR (no link); what the benchmarks run
#   bash scripts/install.sh --ready-to-run        # ReadyToRun instead of native AOT
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${HOME:-/root}/.local"
out=""
mode=aot
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a folder}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --ready-to-run) mode=r2r; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "install.sh: no ReadyToRun target for $(uname -m); use 'dotnet build -c Release' instead" >&2; exit 1 ;;
esac

target="${out:-$prefix/lib/ztdr}"
staging="$target.new.$$"
rm -rf "$staging"
if [ "$mode" = aot ]; then
  if command -v clang >/dev/null 2>&1; then linker=clang
  elif command -v gcc >/dev/null 2>&1; then linker=gcc
  else echo "install.sh: native AOT links with gcc or clang; install one (bash scripts/deps.sh installs gcc) or use --ready-to-run" >&2; exit 1
  fi
  dotnet publish "$root/src/Ztdr.Cli" -c Release -r "$rid" -p:PublishAot=true -p:CppCompilerAndLinker="$linker" \
    -o "$staging" -nologo -v quiet -clp:ErrorsOnly >&2
else
  dotnet publish "$root/src/Ztdr.Cli" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
    -o "$staging" -nologo -v quiet -clp:ErrorsOnly >&2
fi
# Replaced in one step, so a failed publish leaves the previous install working.
rm -rf "$target.old.$$"
if [ -e "$target" ]; then mv "$target" "$target.old.$$"; fi
mkdir -p "$(dirname "$target")"
mv "$staging" "$target"
rm -rf "$target.old.$$"
if [ -z "$out" ]; then
  mkdir -p "$prefix/bin"
  ln -sfn "$target/ztdr" "$prefix/bin/ztdr"
  echo "installed $prefix/bin/ztdr -> $target/ztdr"
else
  echo "published $target/ztdr"
fi
