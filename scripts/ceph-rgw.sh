#!/usr/bin/env bash
# A one-host Ceph cluster with an S3 gateway, as a second resilience zone on a real distributed store for tests and
# demos: 1 monitor, 1 OSD (memstore: RAM, gone on stop), 1 radosgw, every listener on 127.0.0.1 with free ports,
# everything (config, keyring, mon store, logs, pid files) under one folder. Needs root (the daemons) and the Debian
# packages scripts/deps.sh installs (ceph 16.2.15). Facts behind the settings: docs/ceph-rgw.md.
#
#   scripts/ceph-rgw.sh start DIR   start the cluster, create users and buckets, write DIR/env and DIR/credentials
#   scripts/ceph-rgw.sh env DIR     print DIR/env (shell assignments: endpoint, credentials file, buckets)
#   scripts/ceph-rgw.sh stop DIR    stop the daemons (their data is in RAM and is gone); DIR stays for the logs
#
# RGW has no per-key roles like ztdr-vault's; the roles are emulated with one user per role and a bucket policy:
#   admin   owns the buckets: every S3 action on them (versioning, lifecycle, policy, deleting UNLOCKED versions);
#           Object Lock in COMPLIANCE mode still refuses it any delete or shortening of a locked version.
#   backup  put, get, list (versions too), read and extend retention, read the bucket's lock and versioning state;
#           no delete of any kind, no bucket configuration, no governance bypass.
#   reader  get and list (versions too), read retention and the bucket's lock state: restores and zone copies.
# Buckets: "backups" (versioning and Object Lock enabled at creation: RGW 16.2.15 refuses to turn Object Lock on
# for an existing bucket) and "no-lock" (versioning only: a target that does not lock, for negative tests).
# The gateway speaks plain HTTP on loopback; TLS is out of scope for this test zone (assess reports it, correctly).
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|env DIR" >&2
  exit 2
}

[ $# -eq 2 ] || usage
action=$1
dir=$(realpath -m "$2")
conf=$dir/ceph.conf

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

log() { echo "ceph-rgw: $*" >&2; }

# Waits until "$@" succeeds, up to $wait_seconds; fails naming what it waited for and the log to read.
wait_for() {
  local what=$1 logfile=$2
  shift 2
  local deadline=$((SECONDS + wait_seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      log "$what not ready after ${wait_seconds}s; see $logfile"
      tail -n 20 "$logfile" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
}

stop_cluster() {
  local pid name pids=()
  # All at once, and killed after 2 s: the objects are in RAM and die with the OSD anyway, and a graceful stop one
  # daemon at a time took over 5 s (the gateway lingers once the monitor is gone).
  for name in client.rgw.a osd.0 mon.a; do
    [ -f "$dir/run/$name.pid" ] || continue
    pid=$(cat "$dir/run/$name.pid")
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    rm -f "$dir/run/$name.pid"
  done
  for _ in $(seq 1 20); do
    local alive=()
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive+=("$pid")
    done
    pids=("${alive[@]}")
    [ ${#pids[@]} -gt 0 ] || return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

start_cluster() {
  for tool in ceph ceph-mon ceph-osd radosgw radosgw-admin ceph-authtool monmaptool python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || { log "$tool is missing: run scripts/deps.sh"; exit 1; }
  done
  [ "$(id -u)" -eq 0 ] || { log "the Ceph daemons need root"; exit 1; }
  if [ -e "$dir/ceph.conf" ]; then
    log "$dir already holds a cluster; stop it and use a fresh folder"
    exit 1
  fi

  mkdir -p "$dir/mon" "$dir/osd" "$dir/run" "$dir/log" "$dir/rgw"
  local fsid mon2 mon1 rgw osd_uuid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  mon2=$(free_port)
  mon1=$(free_port)
  rgw=$(free_port)
  # Both protocol versions, explicitly: a plain --add on a non-default port is msgr2 only, and the daemons that
  # still speak v1 spin on "Address family not supported".
  local monaddr="[v2:127.0.0.1:$mon2,v1:127.0.0.1:$mon1]"

  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = $monaddr
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
# cephx stays on: with auth off the OSD sent commands with a zero cluster id and the monitor refused them.
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/keyring
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
log to stderr = false
err to stderr = true
# One OSD: every pool has a single replica and placement may not look for a second host.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0

[mon]
mon data = $dir/mon
mon cluster log file = $dir/log/cluster.log
# Commit map changes at once instead of batching them for a second: the gateway creates its pools one map change
# at a time, and at the default interval that alone took ten seconds.
paxos propose interval = 0.05
paxos min wait = 0.01

[osd]
osd data = $dir/osd
osd objectstore = memstore
memstore device bytes = 1073741824
osd memory target = 939524096

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw
rgw data = $dir/rgw
rgw enable usage log = false
EOF

  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$dir/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$dir/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
  ceph-authtool "$dir/keyring" --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "$monaddr" "$dir/monmap" >/dev/null

  # The keyring given to mkfs is imported into the monitor's auth database: one keyring serves every daemon.
  # Daemons' own stderr (startup notices) goes to a file next to their logs, not into the caller's output.
  ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap" --keyring "$dir/keyring" 2>>"$dir/log/stderr.log"
  ceph-mon -c "$conf" -i a 2>>"$dir/log/stderr.log"
  wait_seconds=30 wait_for "monitor" "$dir/log/mon.a.log" ceph -c "$conf" --connect-timeout 2 mon stat
  log "monitor up after $((SECONDS - started))s"

  local id
  id=$(ceph -c "$conf" osd new "$osd_uuid")
  [ "$id" = 0 ] || { log "expected OSD id 0, got '$id'"; exit 1; }
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>>"$dir/log/stderr.log" >/dev/null
  ceph-osd -c "$conf" -i 0 2>>"$dir/log/stderr.log"
  wait_seconds=30 wait_for "OSD" "$dir/log/osd.0.log" bash -c "ceph -c '$conf' osd dump | grep -q '^osd.0 up'"
  log "OSD up after $((SECONDS - started))s"

  radosgw -c "$conf" -n client.rgw.a 2>>"$dir/log/stderr.log"
  wait_seconds=60 wait_for "gateway on 127.0.0.1:$rgw" "$dir/log/client.rgw.a.log" curl -fsS -o /dev/null "http://127.0.0.1:$rgw/"
  log "gateway up after $((SECONDS - started))s"

  local credentials=$dir/credentials
  : >"$credentials"
  chmod 600 "$credentials"
  local user access secret pids=()
  for user in admin backup reader; do
    read -r access secret < <(python3 -c 'import secrets, string as s
print("".join(secrets.choice(s.ascii_uppercase + s.digits) for _ in range(20)), secrets.token_urlsafe(30))')
    # In parallel: each radosgw-admin call spends about a second connecting to the cluster.
    radosgw-admin -c "$conf" user create --uid "$user" --display-name "ztdr $user" --access-key "$access" --secret "$secret" >/dev/null &
    pids+=($!)
    printf '[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n' "$user" "$access" "$secret" >>"$credentials"
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || { log "radosgw-admin user create failed"; exit 1; }
  done
  log "users created after $((SECONDS - started))s"

  AWS_SHARED_CREDENTIALS_FILE=$credentials python3 - "http://127.0.0.1:$rgw" <<'PY'
import json, sys
import boto3

endpoint = sys.argv[1]
admin = boto3.Session(profile_name="admin").client("s3", endpoint_url=endpoint, region_name="us-east-1")

def policy(bucket):
    arn, objects = f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"
    backup = ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions",
              "s3:GetBucketLocation", "s3:PutObjectRetention", "s3:GetObjectRetention", "s3:GetObjectLegalHold",
              "s3:GetBucketObjectLockConfiguration", "s3:GetBucketVersioning"]
    reader = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation",
              "s3:GetObjectRetention", "s3:GetObjectLegalHold", "s3:GetBucketObjectLockConfiguration",
              "s3:GetBucketVersioning"]
    statement = lambda user, actions: {"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam:::user/{user}"]},
                                       "Action": actions, "Resource": [arn, objects]}
    # The owner reads objects other users wrote only through policy (RGW keeps per-object owner ACLs).
    return json.dumps({"Version": "2012-10-17", "Statement": [
        statement("admin", ["s3:*"]), statement("backup", backup), statement("reader", reader)]})

admin.create_bucket(Bucket="backups", ObjectLockEnabledForBucket=True)
admin.create_bucket(Bucket="no-lock")
admin.put_bucket_versioning(Bucket="no-lock", VersioningConfiguration={"Status": "Enabled"})
for bucket in ("backups", "no-lock"):
    admin.put_bucket_policy(Bucket=bucket, Policy=policy(bucket))
PY

  cat >"$dir/env" <<EOF
CEPH_RGW_ENDPOINT=http://127.0.0.1:$rgw
CEPH_RGW_PORT=$rgw
CEPH_RGW_LOCK_BUCKET=backups
CEPH_RGW_PLAIN_BUCKET=no-lock
AWS_SHARED_CREDENTIALS_FILE=$credentials
CEPH_CONF=$conf
EOF
  cat "$dir/env"
}

case "$action" in
  start)
    started=$SECONDS
    # A half-started cluster is stopped rather than left running.
    trap 'status=$?; [ $status -eq 0 ] || stop_cluster; exit $status' EXIT
    start_cluster
    log "up in $((SECONDS - started))s"
    ;;
  stop) stop_cluster ;;
  env) cat "$dir/env" ;;
  *) usage ;;
esac
