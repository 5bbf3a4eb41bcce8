#!/usr/bin/env bash
# How cost grows with the work: ztdr side by side with restic (Debian's 0.14, repository version 2, default
# compression) on corpora of N small files (bench/corpus.py small: 100 B-4 KiB, mostly text, 50-150 to a folder,
# three levels), for each N a first backup into a new repository and an unchanged second backup. Same method as
# bench/restic-compare.sh (bench/lib/compare-common.sh): one running ztdr-vault over HTTPS, each tool under its own
# prefix of bucket "backups" with the backup key (and, with --targets vault,folder, a local folder too); each command
# under /usr/bin/time (wall, user+sys CPU, peak RSS) after the page cache is dropped; the vault's CPU from /proc.
# Prints a Markdown table (rows: N x step x measure; columns ztdr, restic, restic/ztdr) and writes it to a file (the
# last line says where).
#
#   bench/scale.sh                                # 10k, 100k and 500k files into the vault: long (500k dominates)
#   bench/scale.sh --files 2000                   # smoke run, well under a minute
#   bench/scale.sh --files 10000,100000 --targets vault,folder --out /tmp/scale.md
#
# Options: --files N,N,... (default 10000,100000,500000), --targets vault,folder (default vault), --seed N
# (default 1), --out FILE (default artifacts/bench/scale-<UTC time>.md), --work DIR (default a new folder in /tmp,
# removed at the end unless --keep; with --keep the corpora stay too, otherwise each goes once measured), --keep,
# --no-build.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
files=10000,100000,500000
targets=vault
seed=1
out=""
work=""
keep=0
build=1

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0; }
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files="${2:?--files needs a value}"; shift 2 ;;
    --targets) targets="${2:?--targets needs a value}"; shift 2 ;;
    --seed) seed="${2:?--seed needs a value}"; shift 2 ;;
    --out) out="${2:?--out needs a value}"; shift 2 ;;
    --work) work="${2:?--work needs a value}"; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) usage ;;
    *) echo "scale.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done
IFS=', ' read -r -a file_counts <<<"$files"
for count in "${file_counts[@]}"; do
  [[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "scale.sh: --files takes whole numbers above 0, not '$count'" >&2; exit 2; }
done
IFS=', ' read -r -a target_list <<<"$targets"
for target in "${target_list[@]}"; do
  case "$target" in vault|folder) ;; *) echo "scale.sh: unknown target '$target' (vault, folder)" >&2; exit 2 ;; esac
done
tools=(ztdr restic)
script=scale.sh
# shellcheck source=bench/lib/compare-common.sh
source "$root/bench/lib/compare-common.sh"

prepare_binaries
prepare_work ztdr-scale
stamp=$(date -u +%Y%m%d-%H%M%S)
if [ -z "$out" ]; then
  mkdir -p "$root/artifacts/bench"
  out="$root/artifacts/bench/scale-$stamp.md"
fi

results="$work/results.tsv"   # N.step, target, tool, wall s, user s, sys s, peak RSS KiB, vault CPU s, exit code, note
corpora="$work/corpora.txt"   # one corpus.py summary line per N
: >"$results"
: >"$corpora"
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$SECONDS

start_vault
warm_vault

for count in "${file_counts[@]}"; do
  corpus="$work/corpus-$count"
  log "generating $count small files (seed $seed)"
  corpus_line=$(python3 "$root/bench/corpus.py" small --out "$corpus" --files "$count" --seed "$seed")
  log "$corpus_line"
  corpus_description=${corpus_line#corpus: shape small, }
  echo "${corpus_description%, seed *}" >>"$corpora"
  # A new pair of repositories per N, so every first backup starts from empty.
  repo_suffix="-$count"
  init_repositories "-$count"
  # Tools alternate within each step, so drift in the machine's load spreads over both.
  for step in backup-1 backup-2; do
    for target in "${target_list[@]}"; do
      for tool in "${tools[@]}"; do measure "$count.$step" "$target" "$tool" backup "$corpus"; done
    done
  done
  # One corpus on disk at a time (500k files are about 1 GiB in half a million inodes).
  if [ "$keep" -eq 0 ]; then rm -rf "$corpus"; fi
done

finished=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
minutes=$(( (SECONDS - t0 + 59) / 60 ))

{
  echo "Run: $started to $finished ($minutes min), \`bench/scale.sh --files $files --targets $targets --seed $seed\`."
  describe_machine "$load_start"
  echo "Corpora (\`corpus.py small\`, seed $seed): $(paste -sd ';' "$corpora" | sed 's/;/; /g')."
  echo
  python3 - "$results" <<'PYTHON'
import sys
from collections import defaultdict

results = defaultdict(dict)
counts = []
for line in open(sys.argv[1]):
    step, target, tool, wall, user, sys_, rss, vault_cpu, code, note = line.rstrip("\n").split("\t")
    count, step = step.split(".", 1)
    if int(count) not in counts:
        counts.append(int(count))
    results[(int(count), step, target)][tool] = dict(wall=wall, user=user, sys=sys_, rss=rss, vault=vault_cpu, code=code)

steps = [("backup-1", "first backup"), ("backup-2", "second backup, unchanged")]
targets = [("vault", "vault (S3, HTTPS)"), ("folder", "local folder")]

def values(run):
    if run is None or run["code"] != "0":
        return dict(wall="", cpu="", rss="", vault="")
    return dict(wall=f"{float(run['wall']):.1f}", cpu=f"{float(run['user']) + float(run['sys']):.1f}",
                rss=f"{int(run['rss']) / 1024:.0f}", vault=f"{float(run['vault']):.1f}")

def cell(run, value):
    if run is None:
        return "–"
    if run["code"] != "0":
        return f"failed (exit {run['code']})"
    return value

def ratio(a, b):
    try:
        a, b = float(a), float(b)
    except ValueError:
        return "–"
    return "–" if a == 0 else f"{b / a:.2f}"

print("| Target | Files | Step | Measure | ztdr | restic | restic/ztdr |")
print("|---|---:|---|---|---:|---:|---:|")
for target, target_name in targets:
    for count in counts:
        for step, step_name in steps:
            runs = results.get((count, step, target))
            if not runs:
                continue
            z, r = runs.get("ztdr"), runs.get("restic")
            zv, rv = values(z), values(r)
            measures = [("wall s", "wall"), ("CPU s (user+sys)", "cpu"), ("peak RSS MiB", "rss")]
            if target == "vault":
                measures.append(("vault CPU s", "vault"))
            for label, key in measures:
                print(f"| {target_name} | {count:,} | {step_name} | {label} | {cell(z, zv[key])} | {cell(r, rv[key])} "
                      f"| {ratio(zv[key], rv[key])} |")
PYTHON
  echo
  echo "restic/ztdr above 1 means ztdr took less (time, CPU, memory). CPU and RSS are the client process's;"
  echo "\"vault CPU s\" is what the ztdr-vault process spent meanwhile (it shares the same cores)."
} >"$out"

cat "$out"
echo
echo "table written to $out"
