#!/usr/bin/env bash
# Installs what the tests, the demo and the benchmarks need and a fresh machine may lack: the aws CLI, curl, restic,
# rclone, boto3, GNU time and libfaketime (Debian 12 packages: awscli 2.9, restic 0.14, rclone 1.60, python3-boto3,
# time, faketime 0.9.10, which brings /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 for the clock-shift
# attack tests). The compat and attack tests fail, not skip, when a tool is missing, so CI runs this first.
# Idempotent; runs apt-get only when something is missing. Needs root (or sudo) the first time.
set -euo pipefail

need=()
command -v aws >/dev/null 2>&1 || need+=(awscli)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v restic >/dev/null 2>&1 || need+=(restic)
command -v rclone >/dev/null 2>&1 || need+=(rclone)
command -v faketime >/dev/null 2>&1 || need+=(faketime)
# A C toolchain links the native AOT ztdr that scripts/install.sh publishes (the benchmarks run it).
# (.NET's prerequisites for native AOT on Debian: a C compiler and zlib's headers.)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
dpkg -s libzstd1 >/dev/null 2>&1 || need+=(libzstd1)   # the compressor ztdr loads (NativeZstd); ZstdSharp is the slower fallback
[ -x /usr/bin/time ] || need+=(time)   # GNU time: bench/restic-compare.sh reads wall, CPU and peak RSS from it
# Checked by import, not by package: the python3 on PATH may be a non-Debian one that already has boto3.
python3 -c 'import boto3' >/dev/null 2>&1 || need+=(python3-boto3)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- Ceph RGW test zone (scripts/ceph-rgw.sh, tests/Ztdr.Cli.Tests/Ceph) -------------------------------------------
# A one-host Ceph cluster (1 mon, 1 memstore OSD, 1 radosgw) is a second resilience zone on a real distributed store.
# Debian 12 ships ceph 16.2.15. Checked by the daemons' binaries; installed only when one is missing.
ceph_need=()
command -v ceph >/dev/null 2>&1 || ceph_need+=(ceph-common)
command -v ceph-mon >/dev/null 2>&1 || ceph_need+=(ceph-mon)
command -v ceph-osd >/dev/null 2>&1 || ceph_need+=(ceph-osd)
command -v ceph-mgr >/dev/null 2>&1 || ceph_need+=(ceph-mgr)
command -v radosgw >/dev/null 2>&1 || ceph_need+=(radosgw)
command -v ceph-authtool >/dev/null 2>&1 || ceph_need+=(ceph-base)
if [ ${#ceph_need[@]} -gt 0 ]; then
  echo "installing: ${ceph_need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${ceph_need[@]}" >/dev/null
fi
# --- end Ceph RGW block ---------------------------------------------------------------------------------------------

# apt's python3-boto3 serves /usr/bin/python3 only; a different python3 first on PATH (pyenv, a venv) still lacks it.
if ! python3 -c 'import boto3' >/dev/null 2>&1; then
  echo "python3 on PATH ($(command -v python3)) cannot import boto3; install it there: python3 -m pip install boto3" >&2
  exit 1
fi
