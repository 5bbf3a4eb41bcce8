#!/usr/bin/env bash
# The main job, end to end on this machine: build, create a vault, serve it over HTTPS, store a file with the
# aws CLI (multipart), read it back and verify it byte for byte, show its versions, stop the vault.
# Leaves nothing running; the vault's data stays in ./vault-demo for you to inspect (remove it to run again).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
demo="$root/vault-demo"
port=${ZTDR_DEMO_PORT:-9000}

bash scripts/deps.sh
dotnet build src/Ztdr.Vault.Host -c Release -nologo -v quiet -clp:ErrorsOnly
vault="$root/artifacts/bin/Ztdr.Vault.Host/release/ztdr-vault"

if [ -e "$demo" ]; then
  echo "$demo exists from an earlier run; remove it to start again" >&2
  exit 1
fi
mkdir -p "$demo"
"$vault" init --data "$demo/vault" --credentials-out "$demo/vault-credentials" --bucket backups
"$vault" serve --data "$demo/vault" --listen "127.0.0.1:$port" >"$demo/vault.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

export AWS_SHARED_CREDENTIALS_FILE="$demo/vault-credentials" AWS_PROFILE=backup AWS_CA_BUNDLE="$demo/vault/tls/ca.crt"
export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null
s3() { aws --endpoint-url "https://127.0.0.1:$port" "$@"; }

head -c 48M /dev/urandom >"$demo/big.iso"
s3 s3 cp --no-progress "$demo/big.iso" s3://backups/
s3 s3 cp --no-progress "$demo/big.iso" s3://backups/   # a second version of the same key
s3 s3 ls s3://backups/
s3 s3 cp --no-progress s3://backups/big.iso "$demo/restored.iso"
if cmp -s "$demo/big.iso" "$demo/restored.iso"; then
  echo "verified: restored.iso is byte-for-byte identical ($(sha256sum "$demo/big.iso" | cut -c1-16)...)"
else
  echo "MISMATCH: restored.iso differs from big.iso" >&2
  exit 1
fi
s3 s3api list-object-versions --bucket backups --query 'Versions[].[Key,VersionId,Size,IsLatest]' --output table
