#!/usr/bin/env bash
# ztdr side by side with restic (Debian's 0.14, repository version 2, default compression) on one deterministic
# corpus (bench/corpus.py), into the same running ztdr-vault over HTTPS (each tool under its own prefix of bucket
# "backups", both with the backup key) and into a local folder. Rows: first backup, unchanged second backup, backup
# after about 2% of the files change, restore, verify with read-data, and (vault target) copy of all snapshots into a
# second repository on the vault. Each command runs under /usr/bin/time (wall,
# user+sys CPU, peak RSS) after the page cache is dropped (when /proc/sys/vm/drop_caches is writable); the vault's own
# CPU is read from /proc. Restores are compared with the corpus (not timed). Prints a Markdown table and writes it
# to a file (the last line says where).
#
#   bench/restic-compare.sh                       # 1 GiB deep corpus, both targets
#   bench/restic-compare.sh --size 64M            # smoke run, 1-3 minutes
#   bench/restic-compare.sh --shape flat          # the earlier corpus: ~1,800 files per GiB, 40 to a folder
#   bench/restic-compare.sh --targets folder --out /tmp/table.md
#
# Options: --size N[K|M|G] (default 1G), --shape deep|flat (corpus.py's tree, default deep: per GiB ~15,500 files in
# ~1,100 folders, 2 to 8 deep), --targets vault,folder (default both), --seed N (default 1),
# --out FILE (default artifacts/bench/restic-compare-<UTC time>.md), --work DIR (default a new folder in /tmp,
# removed at the end unless --keep), --keep, --no-build.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size=1G
shape=deep
targets=vault,folder
seed=1
out=""
work=""
keep=0
build=1

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0; }
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="${2:?--size needs a value}"; shift 2 ;;
    --shape) shape="${2:?--shape needs a value}"; shift 2 ;;
    --targets) targets="${2:?--targets needs a value}"; shift 2 ;;
    --seed) seed="${2:?--seed needs a value}"; shift 2 ;;
    --out) out="${2:?--out needs a value}"; shift 2 ;;
    --work) work="${2:?--work needs a value}"; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) usage ;;
    *) echo "restic-compare.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done
case "$shape" in deep|flat) ;; *) echo "restic-compare.sh: unknown shape '$shape' (deep, flat)" >&2; exit 2 ;; esac
IFS=', ' read -r -a target_list <<<"$targets"
for target in "${target_list[@]}"; do
  case "$target" in vault|folder) ;; *) echo "restic-compare.sh: unknown target '$target' (vault, folder)" >&2; exit 2 ;; esac
done
tools=(ztdr restic)
script=restic-compare.sh
# shellcheck source=bench/lib/compare-common.sh
source "$root/bench/lib/compare-common.sh"

prepare_binaries
prepare_work ztdr-restic-compare
stamp=$(date -u +%Y%m%d-%H%M%S)
if [ -z "$out" ]; then
  mkdir -p "$root/artifacts/bench"
  out="$root/artifacts/bench/restic-compare-$stamp.md"
fi

results="$work/results.tsv"   # step, target, tool, wall s, user s, sys s, peak RSS KiB, vault CPU s, exit code, note
sizes="$work/sizes.tsv"       # step, target, tool, repository bytes
: >"$results"
: >"$sizes"
corpus="$work/corpus"
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$SECONDS

log "generating the corpus ($size, shape $shape, seed $seed)"
corpus_line=$(python3 "$root/bench/corpus.py" generate --out "$corpus" --size "$size" --shape "$shape" --seed "$seed")
log "$corpus_line"

start_vault
warm_vault

repository_bytes() {
  local target=$1 tool=$2
  if [ "$target" = folder ]; then
    du -sb "$work/repo-$tool" | cut -f1
  else
    # Every version under the tool's prefix (restic's deleted lock files leave versions behind; they count).
    env AWS_SHARED_CREDENTIALS_FILE="$work/vault-credentials" AWS_PROFILE=backup AWS_CA_BUNDLE="$ca" AWS_CONFIG_FILE=/dev/null \
      AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url "$endpoint" s3api list-object-versions --bucket backups --prefix "$tool/" \
      --query 'sum(Versions[].Size)' --output text
  fi
}

record_sizes() {
  local step=$1 target tool
  for target in "${target_list[@]}"; do
    for tool in "${tools[@]}"; do
      printf '%s\t%s\t%s\t%s\n' "$step" "$target" "$tool" "$(repository_bytes "$target" "$tool")" >>"$sizes"
    done
  done
}

init_repositories ""

# Tools alternate within each step, so drift in the machine's load spreads over both.
for step in backup-1 backup-2; do
  for target in "${target_list[@]}"; do
    for tool in "${tools[@]}"; do measure "$step" "$target" "$tool" backup "$corpus"; done
  done
  record_sizes "$step"
done

change_line=$(python3 "$root/bench/corpus.py" change --out "$corpus" --seed "$seed")
log "$change_line"
for target in "${target_list[@]}"; do
  for tool in "${tools[@]}"; do measure backup-3 "$target" "$tool" backup "$corpus"; done
done
record_sizes backup-3

for target in "${target_list[@]}"; do
  for tool in "${tools[@]}"; do
    restored="$work/restored-$tool-$target"
    measure restore "$target" "$tool" restore latest --target "$restored"
    # Both restore one backed-up folder under its own name; fall back to the full path if a version nests it.
    tree="$restored/$(basename "$corpus")"
    [ -d "$tree" ] || tree="$restored$corpus"
    if diff -r -q "$corpus" "$tree" >"$work/logs/restore-$target-$tool.diff" 2>&1; then
      log "  restored tree identical"
    else
      log "  restored tree DIFFERS from the corpus (see $work/logs/restore-$target-$tool.diff)"
      sed -i '$ s/\t[^\t]*$/\tdiffers/' "$results"
    fi
    rm -rf "$restored"
  done
done

# Before 'ztdr verify' exists, 'ztdr verify --help' prints the root help and exits 0: look for the option instead.
ztdr_verify=no
if "$ztdr_bin" verify --help 2>&1 | grep -q -- '--read-data'; then ztdr_verify=yes; fi
for target in "${target_list[@]}"; do
  for tool in "${tools[@]}"; do
    if [ "$tool" = ztdr ]; then
      if [ "$ztdr_verify" = yes ]; then
        measure verify "$target" ztdr verify --read-data
      else
        printf 'verify\t%s\tztdr\t-\t-\t-\t-\t-\t-\tn/a (not available)\n' "$target" >>"$results"
      fi
    else
      measure verify "$target" restic check --read-data
    fi
  done
done

# Copy to a second zone: every snapshot of the vault repository into a new repository under another prefix of the
# same vault (what `copy` does towards a second vault, without a network between them). restic's target is created
# with the source's chunker parameters, as restic's documentation advises for copy.
if [[ " ${target_list[*]} " == *" vault "* ]]; then
  printf '%s' "bench password $seed" >"$work/password"
  run ztdr vault init --repo "s3:$endpoint/backups/ztdr-copy" --retention 1d >"$work/init-ztdr-copy.log" 2>&1 \
    || { cat "$work/init-ztdr-copy.log" >&2; exit 1; }
  run restic vault -r "s3:$endpoint/backups/restic-copy" init --repository-version 2 --copy-chunker-params \
    --from-repo "s3:$endpoint/backups/restic" --from-password-file "$work/password" >"$work/init-restic-copy.log" 2>&1 \
    || { cat "$work/init-restic-copy.log" >&2; exit 1; }
  measure copy vault ztdr copy --to-repo "s3:$endpoint/backups/ztdr-copy" --to-password-file "$work/password"
  measure copy vault restic -r "s3:$endpoint/backups/restic-copy" copy --from-repo "s3:$endpoint/backups/restic" \
    --from-password-file "$work/password"
  printf '%s\t%s\t%s\t%s\n' copy vault ztdr "$(repository_bytes vault ztdr-copy)" >>"$sizes"
  printf '%s\t%s\t%s\t%s\n' copy vault restic "$(repository_bytes vault restic-copy)" >>"$sizes"
fi

finished=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
minutes=$(( (SECONDS - t0 + 59) / 60 ))

{
  echo "Run: $started to $finished ($minutes min), \`bench/restic-compare.sh --size $size --shape $shape --targets $targets --seed $seed\`."
  describe_machine "$load_start" "; aws CLI $(aws --version 2>&1 | cut -d' ' -f1 | cut -d/ -f2) for the listing"
  corpus_description=${corpus_line#corpus: }
  echo "Corpus: ${corpus_description%, in *}. Before backup 3: $change_line."
  echo
  python3 - "$results" "$sizes" <<'EOF'
import sys
from collections import defaultdict

results = defaultdict(dict)
for line in open(sys.argv[1]):
    step, target, tool, wall, user, sys_, rss, vault_cpu, code, note = line.rstrip("\n").split("\t")
    results[(step, target)][tool] = dict(wall=wall, user=user, sys=sys_, rss=rss, vault=vault_cpu, code=code, note=note)
sizes = defaultdict(dict)
for line in open(sys.argv[2]):
    step, target, tool, size = line.rstrip("\n").split("\t")
    sizes[(step, target)][tool] = size

steps = [("backup-1", "first backup"), ("backup-2", "second backup, unchanged"),
         ("backup-3", "backup after ~2% of files changed"), ("restore", "restore latest"), ("verify", "verify, read all data"),
         ("copy", "copy all snapshots to a second repository")]
targets = [("vault", "vault (S3, HTTPS)"), ("folder", "local folder")]

def number(text):
    try:
        return float(text)
    except ValueError:
        return None

def cell(run, value):
    if run is None:
        return "–"
    if run["note"].startswith("n/a"):
        return run["note"]
    if run["code"] != "0":
        return f"failed (exit {run['code']})"
    suffix = " (restore differs)" if run["note"] == "differs" else ""
    return value + suffix

def ratio(a, b):
    a, b = number(a), number(b)
    if a is None or b is None or a == 0:
        return "–"
    return f"{b / a:.2f}"

print("| Target | Step | Measure | ztdr | restic | restic/ztdr |")
print("|---|---|---|---:|---:|---:|")
for target, target_name in targets:
    for step, step_name in steps:
        runs = results.get((step, target))
        if not runs:
            continue
        z, r = runs.get("ztdr"), runs.get("restic")
        def values(run):
            if run is None or run["code"] != "0":
                return dict(wall="", cpu="", rss="", vault="")
            return dict(wall=f"{float(run['wall']):.1f}", cpu=f"{float(run['user']) + float(run['sys']):.1f}",
                        rss=f"{int(run['rss']) / 1024:.0f}", vault=f"{float(run['vault']):.1f}")
        zv, rv = values(z), values(r)
        measures = [("wall s", "wall"), ("CPU s (user+sys)", "cpu"), ("peak RSS MiB", "rss")]
        if target == "vault":
            measures.append(("vault CPU s", "vault"))
        for label, key in measures:
            print(f"| {target_name} | {step_name} | {label} | {cell(z, zv[key])} | {cell(r, rv[key])} | {ratio(zv[key], rv[key])} |")
        size = sizes.get((step, target))
        if size:
            def mib(tool):
                value = size.get(tool, "")
                return f"{int(value) / 1048576:.1f}" if value.isdigit() else "–"
            zs, rs = mib("ztdr"), mib("restic")
            print(f"| {target_name} | {step_name} | repository MiB after | {zs} | {rs} | {ratio(zs, rs)} |")
EOF
  echo
  echo "restic/ztdr above 1 means ztdr took less (time, CPU, memory, space). CPU and RSS are the client process's;"
  echo "\"vault CPU s\" is what the ztdr-vault process spent meanwhile (it shares the same cores)."
} >"$out"

cat "$out"
echo
echo "table written to $out"
