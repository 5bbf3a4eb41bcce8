#!/usr/bin/env bash
# Installs what the tests and the demo need and a fresh machine may lack: the aws CLI (Debian's awscli).
# Idempotent; runs apt-get only when something is missing. Needs root (or sudo) the first time.
set -euo pipefail

need=()
command -v aws >/dev/null 2>&1 || need+=(awscli)
command -v curl >/dev/null 2>&1 || need+=(curl)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
