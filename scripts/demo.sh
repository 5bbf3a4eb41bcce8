#!/usr/bin/env bash
# The main job, end to end on this machine: build, create a vault, serve it over HTTPS, store a file with the
# aws CLI (multipart) using the backup key, read it back and verify it byte for byte, lock it in compliance mode,
# show that neither the backup, the admin nor the maintenance key can delete it, back up and restore a folder with the
# ztdr backup engine (backup key only), verify the repository (every byte read back, every lock checked),
# verify the audit chain, stop.
# Leaves nothing running; the vault's data stays in ./vault-demo for you to inspect (remove it to run again).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
demo="$root/vault-demo"
port=${ZTDR_DEMO_PORT:-9000}

bash scripts/deps.sh
dotnet build src/Ztdr.Vault.Host -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build src/Ztdr.Cli -c Release -nologo -v quiet -clp:ErrorsOnly
vault="$root/artifacts/bin/Ztdr.Vault.Host/release/ztdr-vault"
ztdr="$root/artifacts/bin/Ztdr.Cli/release/ztdr"

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

version=$(s3 s3api list-object-versions --bucket backups --prefix big.iso --query 'Versions[0].VersionId' --output text)
until=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
s3 s3api put-object-retention --bucket backups --key big.iso --version-id "$version" \
  --retention "Mode=COMPLIANCE,RetainUntilDate=$until"
echo "locked $version in compliance mode until $until"
for profile in backup admin maintenance; do
  if AWS_PROFILE=$profile s3 s3api delete-object --bucket backups --key big.iso --version-id "$version" \
       --bypass-governance-retention >/dev/null 2>"$demo/denied.txt"; then
    echo "UNEXPECTED: the $profile key deleted a locked version" >&2
    exit 1
  fi
  echo "  $profile key: $(grep -o 'AccessDenied.*' "$demo/denied.txt" | head -1)"
done

# The backup software, with the backup key only: an encrypted, deduplicated, compliance-locked repository in the
# same bucket; back up this project's docs and scripts, restore them elsewhere, compare.
export ZTDR_REPOSITORY="s3:https://127.0.0.1:$port/backups/ztdr" ZTDR_PASSWORD="demo password, use a real one"
"$ztdr" init --retention 1d
"$ztdr" backup "$root/docs" "$root/scripts"
"$ztdr" backup "$root/docs" "$root/scripts"      # unchanged: reads no file again
"$ztdr" snapshots
"$ztdr" ls latest "$root/scripts"                # snapshots store absolute paths, as restic's
"$ztdr" restore latest --target "$demo/restored-tree"
diff -r "$root/docs" "$demo/restored-tree$root/docs" && diff -r "$root/scripts" "$demo/restored-tree$root/scripts" \
  && echo "verified: the restored tree is identical to the backed-up one"
# Every pack downloaded and authenticated, every object's lock read back from the vault: exit 0 only on zero errors.
"$ztdr" verify --read-data

"$vault" audit verify --data "$demo/vault"
"$vault" audit tail --data "$demo/vault" -n 6
