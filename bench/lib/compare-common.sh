# Shared by bench/restic-compare.sh and bench/scale.sh (sourced, not run): build and find the binaries, the work
# folder, the vault (start, stop, its CPU), the command line of each tool against each target, and one measured run.
#
# The caller sets before sourcing: root (the repository), script (its name, for messages), seed, work (or ""),
# keep, build; before start_vault: target_list; before measure: results (the TSV measure appends to). Optional:
# repo_suffix (appended to each tool's repository name, so one vault can hold several repositories per tool).

repo_suffix="${repo_suffix:-}"
vault_pid=""
caches_dropped=no
clock_ticks=$(getconf CLK_TCK)

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# Installs missing tools, builds ztdr-vault (Release) and publishes ztdr as scripts/install.sh installs it (native
# AOT: what users run) unless build=0, and sets vault_bin and ztdr_bin.
prepare_binaries() {
  bash "$root/scripts/deps.sh"
  if [ "$build" -eq 1 ]; then
    log "building ztdr and ztdr-vault (Release)"
    dotnet build "$root/src/Ztdr.Vault.Host" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
    bash "$root/scripts/install.sh" --out "$root/artifacts/publish/ztdr" >&2
  fi
  vault_bin="$root/artifacts/bin/Ztdr.Vault.Host/release/ztdr-vault"
  ztdr_bin="$root/artifacts/publish/ztdr/ztdr"
  local binary
  for binary in "$vault_bin" "$ztdr_bin"; do
    [ -x "$binary" ] || { echo "$script: $binary is missing; run without --no-build" >&2; exit 1; }
  done
}

# Creates work (a new folder in /tmp named after PREFIX when none was given) and sets the EXIT trap that stops the
# vault and removes work unless keep=1.
prepare_work() {
  local prefix=$1
  if [ -z "$work" ]; then
    work=$(mktemp -d "/tmp/$prefix.XXXXXX")
  elif [ -e "$work" ]; then
    echo "$script: $work exists; give a new folder" >&2
    exit 1
  else
    mkdir -p "$work"
  fi
  trap cleanup EXIT
}

cleanup() {
  if [ -n "$vault_pid" ]; then
    kill "$vault_pid" 2>/dev/null || true
    wait "$vault_pid" 2>/dev/null || true
  fi
  if [ "$keep" -eq 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}

# The vault, when target_list has "vault": a fresh data folder, served over HTTPS on a free loopback port, bucket
# "backups" with Object Lock. Sets vault_pid, endpoint, ca, backup_key and backup_secret.
start_vault() {
  [[ " ${target_list[*]} " == *" vault "* ]] || return 0
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$vault_bin" init --data "$work/vault" --credentials-out "$work/vault-credentials" --bucket backups >"$work/vault-init.log"
  "$vault_bin" serve --data "$work/vault" --listen "127.0.0.1:$port" >"$work/vault.log" 2>&1 &
  vault_pid=$!
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$vault_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "$script: the vault did not start listening on 127.0.0.1:$port; its log:" >&2
    tail -n 20 "$work/vault.log" >&2
    exit 1
  fi
  endpoint="https://127.0.0.1:$port"
  ca="$work/vault/tls/ca.crt"
  # restic 0.14 takes keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, not from a profile.
  backup_key=$(awk '/^\[/{p=($0=="[backup]")} p && $1=="aws_access_key_id"{print $3}' "$work/vault-credentials")
  backup_secret=$(awk '/^\[/{p=($0=="[backup]")} p && $1=="aws_secret_access_key"{print $3}' "$work/vault-credentials")
  [ -n "$backup_key" ] && [ -n "$backup_secret" ] || { echo "$script: no backup profile in $work/vault-credentials" >&2; exit 1; }
  log "vault serving at $endpoint (pid $vault_pid)"
}

# warm_vault: each tool backs up, restores and checks a small corpus into its own "-warmup" repositories on the
# vault, untimed. The vault is an appliance that runs for months: its JIT warm-up (a quarter of its CPU during the
# first backup after a start, by perf) is no client's cost, and without this it was charged to whichever tool ran
# first, always ztdr.
warm_vault() {
  [[ " ${target_list[*]} " == *" vault "* ]] || return 0
  local warm="$work/warmup" saved=$repo_suffix tool
  python3 "$root/bench/corpus.py" generate --out "$warm/corpus" --size 64M --seed 7 >/dev/null
  repo_suffix=-warmup
  for tool in "${tools[@]}"; do
    {
      if [ "$tool" = ztdr ]; then run ztdr vault init --retention 1d; else run restic vault init --repository-version 2; fi
      run "$tool" vault backup "$warm/corpus"
      run "$tool" vault restore latest --target "$warm/restored-$tool"
      if [ "$tool" = ztdr ]; then run ztdr vault verify --read-data; else run restic vault check --read-data; fi
    } >"$work/warmup-$tool.log" 2>&1 || { cat "$work/warmup-$tool.log" >&2; exit 1; }
  done
  repo_suffix=$saved
  rm -rf "$warm"
  log "vault warmed up (each tool: backup, restore and check of a 64 MiB corpus, untimed)"
}

vault_cpu_ticks() { if [ -n "$vault_pid" ]; then awk '{print $14 + $15}' "/proc/$vault_pid/stat"; else echo 0; fi; }

# Sets cmd to the command line that runs one tool against one target with the environment it needs (env execs the
# tool, so /usr/bin/time measures the tool itself); the caller appends the tool's arguments.
command_for() {
  local tool=$1 target=$2 password="bench password $seed"
  if [ "$tool" = ztdr ] && [ "$target" = vault ]; then
    cmd=(env ZTDR_REPOSITORY="s3:$endpoint/backups/ztdr$repo_suffix" ZTDR_PASSWORD="$password"
      AWS_SHARED_CREDENTIALS_FILE="$work/vault-credentials" AWS_PROFILE=backup AWS_CA_BUNDLE="$ca" AWS_CONFIG_FILE=/dev/null
      "$ztdr_bin")
  elif [ "$tool" = ztdr ]; then
    cmd=(env ZTDR_REPOSITORY="$work/repo-ztdr$repo_suffix" ZTDR_PASSWORD="$password" "$ztdr_bin")
  elif [ "$target" = vault ]; then
    cmd=(env RESTIC_REPOSITORY="s3:$endpoint/backups/restic$repo_suffix" RESTIC_PASSWORD="$password"
      RESTIC_CACHE_DIR="$work/restic-cache-vault" AWS_ACCESS_KEY_ID="$backup_key" AWS_SECRET_ACCESS_KEY="$backup_secret"
      restic --cacert "$ca")
  else
    cmd=(env RESTIC_REPOSITORY="$work/repo-restic$repo_suffix" RESTIC_PASSWORD="$password"
      RESTIC_CACHE_DIR="$work/restic-cache-folder" restic)
  fi
}

run() {
  local cmd
  command_for "$1" "$2"
  shift 2
  "${cmd[@]}" "$@"
}

# init_repositories LABEL: a new ztdr and a new restic repository on every target; LABEL names the logs.
init_repositories() {
  local label=$1 target
  for target in "${target_list[@]}"; do
    run ztdr "$target" init --retention 1d >"$work/init-ztdr-$target$label.log" 2>&1 \
      || { cat "$work/init-ztdr-$target$label.log" >&2; exit 1; }
    run restic "$target" init --repository-version 2 >"$work/init-restic-$target$label.log" 2>&1 \
      || { cat "$work/init-restic-$target$label.log" >&2; exit 1; }
  done
}

drop_caches() {
  sync
  if { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then caches_dropped=yes; fi
}

# measure STEP TARGET TOOL ARGS...: one timed run after a cache drop; a failure is recorded, not fatal.
measure() {
  local step=$1 target=$2 tool=$3
  shift 3
  local logfile="$work/logs/$step-$target-$tool.log" timefile="$work/logs/$step-$target-$tool.time"
  mkdir -p "$work/logs"
  drop_caches
  cut -d' ' -f1 /proc/loadavg >>"$work/load.txt"
  log "$step: $tool -> $target (load $(cut -d' ' -f1 /proc/loadavg))"
  local before after code=0
  before=$(vault_cpu_ticks)
  local cmd
  command_for "$tool" "$target"
  /usr/bin/time -f '%e %U %S %M' -o "$timefile" "${cmd[@]}" "$@" >"$logfile" 2>&1 || code=$?
  after=$(vault_cpu_ticks)
  local vault_cpu
  vault_cpu=$(awk -v a="$after" -v b="$before" -v t="$clock_ticks" 'BEGIN{printf "%.2f", (a - b) / t}')
  if [ "$code" -ne 0 ]; then
    log "  FAILED (exit $code); last lines of $logfile:"
    tail -n 5 "$logfile" >&2
  fi
  # /usr/bin/time writes "Command exited with non-zero status N" before the numbers when the command fails.
  local wall user sys rss
  read -r wall user sys rss < <(tail -n 1 "$timefile")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$step" "$target" "$tool" "$wall" "$user" "$sys" "$rss" "$vault_cpu" "$code" "" >>"$results"
  log "  wall ${wall}s, cpu $(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}')s, rss $((rss / 1024)) MiB, vault cpu ${vault_cpu}s"
  return 0
}

# describe_machine LOAD_START [VERSIONS_EXTRA]: the Machine and Versions header lines (after the run: the load
# figures come from work/load.txt); VERSIONS_EXTRA ends the Versions line.
describe_machine() {
  local load_start=$1 versions_extra=${2:-} load_end load_during cpu_model memory filesystem ztdr_commit ztdr_dirty
  load_end=$(cut -d' ' -f1-3 /proc/loadavg)
  load_during=$(sort -g "$work/load.txt" | awk '{v[NR]=$1} END{printf "%s-%s (median %s)", v[1], v[NR], v[int((NR+1)/2)]}')
  ztdr_commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  ztdr_dirty=$(git -C "$root" status --porcelain 2>/dev/null | grep -qv '^??' && echo " (with local changes)" || true)
  cpu_model=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)
  memory=$(awk '/MemTotal/{printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
  filesystem=$(df -T "$work" | awk 'NR==2{print $2}')
  echo "Machine: $(nproc) cores ($cpu_model), $memory, Linux $(uname -r), work folder on $filesystem;" \
    "load average (1/5/15 min) $load_start at start, $load_end at end; 1-min load when each measured command started:" \
    "$load_during; page cache dropped before each command: $caches_dropped."
  echo "Versions: ztdr $ztdr_commit$ztdr_dirty (Release, native AOT, .NET $(dotnet --version 2>/dev/null || echo '?')); $(restic version | cut -d' ' -f1-2)" \
    "(repository version 2, default compression)$versions_extra."
}
