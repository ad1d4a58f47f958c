# shellcheck shell=bash disable=SC2034 # variables set here are read by run.sh
# Helpers for bench/run.sh (sourced, not run). Bash only.
#
# Servers are started with start_server, which records their pids; stop_all (installed as an EXIT trap
# by run.sh) stops every one of them, and only them, by pid.

BENCH_PIDS=()
BENCH_TMPDIRS=()  # removed on exit

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

# Stops the servers this script started (SIGTERM, then SIGKILL after 5 s).
stop_all() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  BENCH_PIDS=()
}

# The EXIT trap: every server stopped, every scratch folder on tmpfs removed.
cleanup_all() {
  stop_all
  local d
  for d in "${BENCH_TMPDIRS[@]}"; do rm -rf "$d"; done
}

# stop_server PID: stops one server started by start_server.
stop_server() {
  local pid=$1 keep=() p
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${BENCH_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  BENCH_PIDS=("${keep[@]}")
}

# start_server NAME LOGDIR CMD...: starts CMD (which must print "listening on HOST:PORT" on stdout once
# bound, as `ssm-replay serve` and ssm-bench-floor do, given --listen 127.0.0.1:0) and sets
# SERVER_PID and SERVER_PORT. stdout goes to LOGDIR/NAME.out, stderr to LOGDIR/NAME.err.
start_server() {
  local name=$1 logdir=$2
  shift 2
  "$@" >"$logdir/$name.out" 2>"$logdir/$name.err" &
  SERVER_PID=$!
  BENCH_PIDS+=("$SERVER_PID")
  SERVER_PORT=
  for _ in $(seq 200); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      die "$name exited at start: $(tail -5 "$logdir/$name.err")"
    fi
    SERVER_PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$logdir/$name.out" | head -1)
    [[ -n $SERVER_PORT ]] && break
    sleep 0.05
  done
  [[ -n $SERVER_PORT ]] || die "$name did not print its port within 10 s (see $logdir/$name.*)"
}

# to_us VALUE: a wrk latency ("312.45us", "1.20ms", "1.01s") in microseconds.
to_us() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /m$/) print n * 60e6;
    else if (v ~ /s$/) print n * 1e6; else print n }'
}

# run_wrk LABEL WRK-ARGS...: runs wrk --latency and sets WRK_RPS, WRK_P50, WRK_P99 (µs), WRK_NON2XX,
# WRK_ERRORS (socket errors) and WRK_REQUESTS; the raw output is appended to $BENCH_LOG.
run_wrk() {
  local label=$1 out
  shift
  out=$(wrk --latency "$@" 2>&1) || die "wrk failed ($label): $out"
  printf '### %s: wrk --latency %s\n%s\n\n' "$label" "$*" "$out" >>"$BENCH_LOG"
  # Threads x the per-thread rate, not wrk's "Requests/sec": that one counts what the first thread sends
  # while the others still run their Lua init (seconds over a big key file), but not that time.
  WRK_RPS=$(awk '/threads and/ {t = $1} $1 == "Req/Sec" {v = $2; m = 1; if (v ~ /k$/) m = 1e3; if (v ~ /M$/) m = 1e6
                 r = (v + 0) * m} END {if (t && r) printf "%.0f", t * r}' <<<"$out")
  WRK_P50=$(to_us "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  WRK_P99=$(to_us "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  WRK_REQUESTS=$(awk '/requests in/ {print $1}' <<<"$out")
  WRK_NON2XX=$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2}' <<<"$out")
  WRK_NON2XX=${WRK_NON2XX:-0}
  WRK_ERRORS=$(awk '/Socket errors/ {s = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i; print s}' <<<"$out")
  WRK_ERRORS=${WRK_ERRORS:-0}
  [[ -n $WRK_RPS && -n $WRK_P50 && -n $WRK_P99 ]] || die "could not read wrk's output ($label): $out"
}

# Floating point helpers (awk).
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
# Each takes numbers as arguments, or as space-separated lists within arguments.
numbers() { printf '%s\n' "$@" | tr -s ' ' '\n' | grep -v '^$'; }
max_of() { numbers "$@" | sort -g | tail -1; }
min_of() { numbers "$@" | sort -g | head -1; }
median_of() { numbers "$@" | sort -g | awk '{a[NR] = $1} END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# ratios_of "A1 A2 ..." "B1 B2 ...": A1/B1 A2/B2 ..., three decimals each (lists of the same length).
ratios_of() { paste -d' ' <(numbers "$1") <(numbers "$2") | awk '{ printf "%.3f ", $1 / $2 }'; }
# interval_of "A1 A2 ..." "B1 B2 ...": "LOW-HIGH", the 95 % bootstrap interval of median(A) / median(B)
# over the rounds (bench/ratio_interval.py).
interval_of() { python3 bench/ratio_interval.py "$1" "$2" | tr ' ' '-'; }

# verdict OK-CONDITION: "met" or "MISSED" (condition evaluated by awk).
verdict() { awk "BEGIN { exit !($1) }" && echo "met" || echo "MISSED"; }

# proc_mem PID: "VmHWM VmRSS RssAnon RssFile" in KiB.
proc_mem() {
  awk '/^VmHWM:/ {h = $2} /^VmRSS:/ {r = $2} /^RssAnon:/ {a = $2} /^RssFile:/ {f = $2}
       END {print h, r, a, f}' "/proc/$1/status"
}

# cpu_and_user_ticks PID: "ALL USER", the user + system CPU time the process used so far and its
# user-space part, in clock ticks (getconf CLK_TCK).
cpu_and_user_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13, $12 }' "/proc/$1/stat"; }
# cpu_ticks PID: the user + system part of cpu_and_user_ticks.
cpu_ticks() { cpu_and_user_ticks "$1" | cut -d' ' -f1; }
CLK_TCK=$(getconf CLK_TCK)
# us_per_request TICKS REQUESTS: CPU microseconds per request, one decimal.
us_per_request() { calc "$1 * 1e6 / $CLK_TCK / $2" 1; }

# now_ns: monotonic enough for timing commands of seconds.
now_ns() { date +%s%N; }

# time_cmd VAR CMD...: runs CMD, stores its wall time in seconds in VAR; stdout and stderr of CMD go
# to $BENCH_LOG. Fails the benchmark if CMD fails.
time_cmd() {
  local var=$1 start end
  shift
  start=$(now_ns)
  printf '### %s\n' "$*" >>"$BENCH_LOG"
  "$@" >>"$BENCH_LOG" 2>&1 || die "failed: $* (see $BENCH_LOG)"
  end=$(now_ns)
  printf -v "$var" '%s' "$(calc "($end - $start) / 1e9" 3)"
}

# fsync_probe DIR: "p50 p99" in µs of 100 × (4 KiB write + fdatasync) in DIR: what one durable commit
# costs at least on that disk right now.
fsync_probe() {
  python3 - "$1" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], ".fsync-probe")
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
ts = []
for i in range(100):
    os.pwrite(fd, b"x" * 4096, (i % 16) * 4096)
    t = time.perf_counter()
    os.fdatasync(fd)
    ts.append(time.perf_counter() - t)
os.close(fd)
os.unlink(path)
ts.sort()
print("%.0f %.0f" % (ts[50] * 1e6, ts[98] * 1e6))
PY
}

human_bytes() {
  awk -v b="$1" 'BEGIN { split("B KiB MiB GiB TiB", u); i = 1; while (b >= 1024 && i < 5) { b /= 1024; i++ }
                        printf (i == 1 ? "%d %s" : "%.1f %s"), b, u[i] }'
}

machine_line() {
  printf '%s, %s CPUs (%s), %s RAM, load %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" \
    "$(awk -F: '/model name/ {gsub(/^ +/, "", $2); print $2; exit}' /proc/cpuinfo)" \
    "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
}
