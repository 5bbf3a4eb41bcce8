#!/usr/bin/env python3
"""Builds a stopped vault with N locked versions and an audit chain that records each of them, for measuring the
lock cross-check of `ztdr-vault scrub` (docs/benchmarks.md, "Scrub: lock cross-check").

    bench/scrub-locks.py VAULT_EXE FOLDER N [--tamper K]

Runs `init`, then writes N version rows (no data files: the cross-check reads metadata and the chain only) straight
into the metadata store and N version 2 audit records (docs/audit-format.md) with their head. --tamper K moves the
retain-until of K versions to 1970 in the store afterwards, as root would. Then time it:

    /usr/bin/time -v VAULT_EXE scrub --data FOLDER/vault
"""
import hashlib, os, sqlite3, subprocess, sys, time

exe, folder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
tamper = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--tamper" else 0
data = os.path.join(folder, "vault")
subprocess.run([exe, "init", "--data", data, "--credentials-out", os.path.join(folder, "credentials"), "--bucket", "backups"],
               check=True, stdout=subprocess.DEVNULL)

now_ms = int(time.time() * 1000)
until_ms = now_ms + 86_400_000
until = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(until_ms / 1000)) + ".%03dZ" % (until_ms % 1000)
stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now_ms / 1000)) + ".0000000Z"

db = sqlite3.connect(os.path.join(data, "meta", "vault.db"))
rows = ((b"data/%02x/pack-%08d" % (i % 256, i), "%026d" % i, now_ms, until_ms) for i in range(count))
db.executemany("INSERT INTO versions(bucket, key, version_id, is_latest, is_delete_marker, size, etag, last_modified_ms, headers,"
               " lock_mode, retain_until_ms) VALUES ('backups', ?, ?, 1, 0, 0, '', ?, '{}', 2, ?)", rows)
db.commit()

previous = hashlib.sha256(b"ztdr-vault audit chain v1").hexdigest()
with open(os.path.join(data, "audit", "log.jsonl"), "w", encoding="utf-8") as log:
    for i in range(count):
        canonical = ('{"v":2,"seq":%d,"time":"%s","principal":"AKIDBENCH","operation":"PutObject","bucket":"backups",'
                     '"key":"data/%02x/pack-%08d","versionId":"%026d","outcome":"allowed","source":"192.0.2.1","requestId":null,'
                     '"lock":"set mode=COMPLIANCE until=%s hold=-","prev":"%s"}') % (i + 1, stamp, i % 256, i, i, until, previous)
        previous = hashlib.sha256(canonical.encode()).hexdigest()
        log.write(canonical[:-1] + ',"hash":"%s"}\n' % previous)
with open(os.path.join(data, "audit", "head"), "w") as head:
    head.write('{"v":1,"seq":%d,"hash":"%s"}\n' % (count, previous))
for path in ("log.jsonl", "head"):
    os.chmod(os.path.join(data, "audit", path), 0o600)

if tamper:
    db.execute("UPDATE versions SET retain_until_ms = 0 WHERE seq IN (SELECT seq FROM versions ORDER BY random() LIMIT ?)", (tamper,))
    db.commit()
db.close()
