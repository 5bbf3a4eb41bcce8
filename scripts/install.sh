#!/usr/bin/env bash
# Installs the ztdr client as users should run it: published for this machine's platform with ReadyToRun code
# (compiled ahead of time, so a command does not spend its first second in the JIT; about 1 s of CPU less on a
# 10,000-file backup here, docs/benchmarks.md), framework-dependent on the installed .NET 10 runtime.
#
#   bash scripts/install.sh                       # into ~/.local/lib/ztdr, with ~/.local/bin/ztdr linking to it
#   bash scripts/install.sh --prefix /usr/local   # into /usr/local/lib/ztdr and /usr/local/bin/ztdr
#   bash scripts/install.sh --out DIR             # only publish into DIR (no link); what the benchmarks run
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${HOME:-/root}/.local"
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a folder}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
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
dotnet publish "$root/src/Ztdr.Cli" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
  -o "$staging" -nologo -v quiet -clp:ErrorsOnly >&2
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
