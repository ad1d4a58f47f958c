#!/usr/bin/env bash
# ssm-replay benchmarks (not tests: they print figures and ratios from one run, never fail on a number).
#
#   bash bench/run.sh                 replay + record   (what `make bench` runs, ~5 minutes)
#   bash bench/run.sh replay          replay server vs the cpp-httplib floor (issue 3)
#   bash bench/run.sh record          record proxy's added latency and throughput (issue 4)
#   bash bench/run.sh sessions        replay in the default session, 1 session and 1,000 sessions;
#                                     memory per live session with 10,000 (issue 13; bench/sessions.sh)
#   bash bench/run.sh instructions    user-space instructions per request of replay vs the floor, under
#                                     callgrind: repeatable where req/s is not (bench/instructions.sh)
#   bash bench/run.sh scale [N]       generate N tapes, import, stats, dictionary, list, replay on N vs
#                                     1k tapes over all their keys, server RSS with a cursor on every key
#                                     (issue 5); N defaults to 100000. For 1M: ~8 GB of tapes (kept
#                                     for reuse) plus ~10 GB of stores while it runs, under BENCH_WORK.
#   bash bench/run.sh density [N...]  a plain `import` of N generated tapes into a new store: data.mdb
#                                     and pages in use vs the tape files and vs talkback's bytes per
#                                     interaction, and the import time (issue 15); N defaults to 10000
#                                     and 1000000 (tapes kept for reuse under BENCH_WORK, as scale's).
#
# Environment: BUILD_DIR (default build), BUILD_DIR_B (another build, or a folder holding an ssm-replay:
# it serves the same stores in the same rounds, for a side-by-side before/after), BENCH_WORK (scratch, default
# $BUILD_DIR/bench-work), DURATION (seconds per wrk run, default 10), ROUNDS (alternating rounds per
# comparison, default 3), THREADS / CONNECTIONS (wrk, default 2 / 16), LOG_LEVEL (serve --log-level,
# default info: the access log is part of the cost), SEED (generator, default 1), DICT (scale: 0 skips
# train-dict and the re-import with the dictionary), KEEP_STORES (scale: keep the stores), JOBS (build,
# default 2). Scale only: KEY_SAMPLE (draw the N store's requests from this many of its keys instead of
# all), and, to iterate without regenerating or re-importing, TAPES_DIR (tapes generated before,
# read-only; with more tapes than N, N takes its first N/1000 shard folders), STORE / STORE_1K (serve
# these stores, built before, e.g. kept with KEEP_STORES=1, instead of importing; never deleted),
# SERVE_ARGS (extra `serve` arguments for every replay server). Density only: TALKBACK_BPI (talkback's
# bytes per interaction on these tapes, default 2697: issue 15's figure), IMPORT_ARGS. Instructions only:
# INSTR_FEW / INSTR_MANY (the calls of its two runs per server, default 1000 / 5000).
# Every server started here listens on a free 127.0.0.1 port and is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source bench/lib.sh
# shellcheck source=bench/sessions.sh
source bench/sessions.sh
# shellcheck source=bench/instructions.sh
source bench/instructions.sh

BUILD_DIR=${BUILD_DIR:-build}
BENCH_WORK=${BENCH_WORK:-$BUILD_DIR/bench-work}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
LOG_LEVEL=${LOG_LEVEL:-info}
SEED=${SEED:-1}
DICT=${DICT:-1}
JOBS=${JOBS:-2}

BIN=$BUILD_DIR/ssm-replay
FLOOR=$BUILD_DIR/bench/ssm-bench-floor
GEN=$BUILD_DIR/bench/ssm-bench-gen-tapes
BIN_B=${BUILD_DIR_B:+$BUILD_DIR_B/ssm-replay}

trap cleanup_all EXIT
trap 'exit 130' INT TERM

build() {
  [[ -f $BUILD_DIR/CMakeCache.txt ]] ||
    die "$BUILD_DIR is not configured: run \`make build\` (or cmake -S . -B $BUILD_DIR -DSSM_REPLAY_BENCH=ON) first"
  grep -q '^SSM_REPLAY_BENCH:BOOL=ON' "$BUILD_DIR/CMakeCache.txt" ||
    die "$BUILD_DIR was configured with -DSSM_REPLAY_BENCH=OFF: reconfigure with -DSSM_REPLAY_BENCH=ON"
  command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
  log "building ssm-replay and the bench tools in $BUILD_DIR ..."
  cmake --build "$BUILD_DIR" -j "$JOBS" --target ssm-replay ssm-bench-floor ssm-bench-gen-tapes >/dev/null ||
    die "build failed: cmake --build $BUILD_DIR --target ssm-replay ssm-bench-floor ssm-bench-gen-tapes"
  if [[ -f ${BUILD_DIR_B:-}/CMakeCache.txt ]]; then
    cmake --build "$BUILD_DIR_B" -j "$JOBS" --target ssm-replay >/dev/null ||
      die "build failed: cmake --build $BUILD_DIR_B --target ssm-replay"
  fi
  [[ -z ${BUILD_DIR_B:-} || -x $BIN_B ]] || die "BUILD_DIR_B=$BUILD_DIR_B holds no ssm-replay"
}

# one_tape_bench NAME [import]: a fresh work folder $BENCH_WORK/NAME (in BENCH_DIR; BENCH_LOG is its
# wrk.log) holding bench/make_bench_tape.py's tape and body, with BENCH_COMMAND_ID, BENCH_INSTANCE_ID and
# BODY_BYTES set; with `import`, the tape imported into BENCH_DIR/store.
one_tape_bench() {
  BENCH_DIR=$BENCH_WORK/$1
  rm -rf "$BENCH_DIR" && mkdir -p "$BENCH_DIR"
  BENCH_LOG=$BENCH_DIR/wrk.log
  : >"$BENCH_LOG"
  BODY_BYTES=$(python3 bench/make_bench_tape.py "$BENCH_DIR")
  # shellcheck disable=SC1091 # written by make_bench_tape.py just above
  set -a && source "$BENCH_DIR/key.env" && set +a
  if [[ ${2:-} == import ]]; then
    "$BIN" import --store "$BENCH_DIR/store" "$BENCH_DIR/tapes" >>"$BENCH_LOG" 2>&1 || die "import failed (see $BENCH_LOG)"
  fi
}

# rotated ROUND NAME...: the names rotated left by ROUND - 1.
rotated() {
  local k=$((($1 - 1) % ($# - 1))) names=("${@:2}")
  printf '%s ' "${names[@]:k}" "${names[@]:0:k}"
}

header() {
  printf '\n== %s ==\n' "$1"
  printf 'machine: %s\n' "$(machine_line)"
}

# ------------------------------------------------------------------------------------------------
# Issue 3: replay vs the framework floor, same ~2 KB body, same tuning.

bench_replay() {
  one_tape_bench replay import
  local w=$BENCH_DIR

  start_server floor "$w" "$FLOOR" --listen 127.0.0.1:0 --body "$w/body.json"
  local floor_port=$SERVER_PORT floor_pid=$SERVER_PID
  start_server replay "$w" "$BIN" serve --mode replay --order last --store "$w/store" --listen 127.0.0.1:0 \
    --log-level "$LOG_LEVEL"
  local replay_port=$SERVER_PORT replay_pid=$SERVER_PID

  # Both must answer the very same bytes, or the comparison is meaningless.
  local req="{\"CommandId\": \"$BENCH_COMMAND_ID\", \"InstanceId\": \"$BENCH_INSTANCE_ID\"}" port
  for port in "$floor_port" "$replay_port"; do
    curl -sS -o "$w/answer.$port" -w '%{http_code}' -H 'X-Amz-Target: AmazonSSM.GetCommandInvocation' \
      -H 'Content-Type: application/x-amz-json-1.1' --data "$req" "http://127.0.0.1:$port/" >"$w/status.$port"
    [[ $(cat "$w/status.$port") == 200 ]] || die "port $port answered HTTP $(cat "$w/status.$port")"
  done
  cmp -s "$w/answer.$floor_port" "$w/answer.$replay_port" ||
    die "the replay server's answer differs from the floor's body ($w/answer.*)"

  local -A port_of=([floor]=$floor_port [replay]=$replay_port) pid_of=([floor]=$floor_pid [replay]=$replay_pid)
  local servers=(floor replay)
  if [[ -n ${BUILD_DIR_B:-} ]]; then  # the same store served by a second build, in the same rounds
    start_server replay-b "$w" "$BIN_B" serve --mode replay --order last --store "$w/store" --listen 127.0.0.1:0 \
      --log-level "$LOG_LEVEL"
    port_of[replay-B]=$SERVER_PORT pid_of[replay-B]=$SERVER_PID
    servers+=(replay-B)
  fi
  local wrk_args=(-t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/gcinv.lua) which
  for which in "${servers[@]}"; do
    [[ $which == floor ]] && continue
    curl -sS -o "$w/answer.$which" -H 'X-Amz-Target: AmazonSSM.GetCommandInvocation' \
      -H 'Content-Type: application/x-amz-json-1.1' --data "$req" "http://127.0.0.1:${port_of[$which]}/"
    cmp -s "$w/answer.$floor_port" "$w/answer.$which" || die "$which's answer differs from the floor's body"
  done
  for which in "${servers[@]}"; do
    run_wrk "warm-up $which" -t"$THREADS" -c"$CONNECTIONS" -d2s -s bench/gcinv.lua "http://127.0.0.1:${port_of[$which]}/"
  done

  # Server CPU per answered request: robust to the machine's other load, unlike req/s and tails.
  local -A rps=() p50s=() p99s=() cpu=() user=() reqs=()
  local rows=() bad=0 round order before before_user after after_user
  for round in $(seq "$ROUNDS"); do
    # Rotate the order, so every server takes every position and drift in the load hits them alike.
    order=$(rotated "$round" "${servers[@]}")
    for which in $order; do
      read -r before before_user <<<"$(cpu_and_user_ticks "${pid_of[$which]}")"
      run_wrk "round $round $which" "${wrk_args[@]}" "http://127.0.0.1:${port_of[$which]}/"
      rps[$which]+="$WRK_RPS " p50s[$which]+="$WRK_P50 " p99s[$which]+="$WRK_P99 "
      rows+=("$(printf '%-6s %-9s %12s %10s %10s' "$round" "$which" "$WRK_RPS" "$WRK_P50" "$WRK_P99")")
      read -r after after_user <<<"$(cpu_and_user_ticks "${pid_of[$which]}")"
      cpu[$which]=$((${cpu[$which]:-0} + after - before))
      user[$which]=$((${user[$which]:-0} + after_user - before_user))
      reqs[$which]=$((${reqs[$which]:-0} + WRK_REQUESTS))
      bad=$((bad + WRK_NON2XX + WRK_ERRORS))
    done
  done
  local mem
  read -ra mem <<<"$(proc_mem "$replay_pid")"

  header "replay vs framework floor (issue 3)"
  printf 'answer: %s bytes (GetCommandInvocation Success, --order last: every call a hit); wrk -t%s -c%s -d%ss, keep-alive\n' \
    "$BODY_BYTES" "$THREADS" "$CONNECTIONS" "$DURATION"
  [[ -n ${BUILD_DIR_B:-} ]] && printf 'replay: %s; replay-B: %s\n' "$BIN" "$BIN_B"
  printf '%-6s %-9s %12s %10s %10s\n' round server req/s p50_us p99_us
  printf '%s\n' "${rows[@]}"
  local fr fp50 fp99 cf
  fr=$(median_of "${rps[floor]}") fp50=$(median_of "${p50s[floor]}") fp99=$(median_of "${p99s[floor]}")
  cf=$(us_per_request "${cpu[floor]}" "${reqs[floor]}")
  printf '%-6s %-9s %12s %10s %10s   CPU/request %s us (user space %s)\n' median floor "$fr" "$fp50" "$fp99" "$cf" \
    "$(us_per_request "${user[floor]}" "${reqs[floor]}")"
  local rr rp50 rp99 ratio_rps ratio_p99 cr round_ratios
  for which in "${servers[@]}"; do
    [[ $which == floor ]] && continue
    rr=$(median_of "${rps[$which]}") rp50=$(median_of "${p50s[$which]}") rp99=$(median_of "${p99s[$which]}")
    cr=$(us_per_request "${cpu[$which]}" "${reqs[$which]}")
    ratio_rps=$(calc "$rr / $fr" 3) ratio_p99=$(calc "$rp99 / $fp99" 3)
    printf '%-6s %-9s %12s %10s %10s   CPU/request %s us (/floor %s; user space %s)\n' median "$which" "$rr" \
      "$rp50" "$rp99" "$cr" "$(calc "$cr / $cf" 2)" "$(us_per_request "${user[$which]}" "${reqs[$which]}")"
    printf '  %s/floor req/s: %s (target >= 0.90: %s)   p99: %s (target <= 1.20: %s)   p50: %s\n' "$which" \
      "$ratio_rps" "$(verdict "$ratio_rps >= 0.90")" "$ratio_p99" "$(verdict "$ratio_p99 <= 1.20")" \
      "$(calc "$rp50 / $fp50" 3)"
    printf '  %s/floor 95 %% intervals over the rounds (bench/ratio_interval.py): req/s %s, p99 %s\n' "$which" \
      "$(interval_of "${rps[$which]}" "${rps[floor]}")" "$(interval_of "${p99s[$which]}" "${p99s[floor]}")"
    # A round's servers run back to back, its rounds minutes apart: the spread of the rounds' ratios
    # shows how far the machine's changing load moves one run's verdict.
    round_ratios=$(ratios_of "${rps[$which]}" "${rps[floor]}")
    printf '  %s/floor req/s round by round: %s(min %s, median %s, max %s)\n' "$which" "$round_ratios" \
      "$(min_of "$round_ratios")" "$(calc "$(median_of "$round_ratios")" 3)" "$(max_of "$round_ratios")"
  done
  printf 'non-2xx or socket errors: %s; replay server VmHWM %s KiB, VmRSS %s KiB; log level %s\n' \
    "$bad" "${mem[0]}" "${mem[1]}" "$LOG_LEVEL"
  printf 'reproduce: LOG_LEVEL=%s DURATION=%s ROUNDS=%s BUILD_DIR=%s%s bash bench/run.sh replay   (raw wrk output: %s)\n' \
    "$LOG_LEVEL" "$DURATION" "$ROUNDS" "$BUILD_DIR" "${BUILD_DIR_B:+ BUILD_DIR_B=$BUILD_DIR_B}" "$BENCH_LOG"
  stop_all
}

# ------------------------------------------------------------------------------------------------
# Issue 4: record mode over a fast local upstream (the floor server), vs calling it directly.

bench_record() {
  one_tape_bench record
  local w=$BENCH_DIR
  # 1,000 realistic keys: the first call of each in the run replaces its tape, later ones append.
  "$GEN" --out "$w/gen" --count 1000 --seed "$SEED" >>"$BENCH_LOG"
  local keys=$w/gen/0000/keys.tsv

  start_server upstream "$w" "$FLOOR" --listen 127.0.0.1:0 --body "$w/body.json"
  local up_port=$SERVER_PORT
  # Dummy operator credentials: the local upstream checks no signature.
  local creds=(env -u AWS_SESSION_TOKEN -u AWS_PROFILE AWS_ACCESS_KEY_ID=AKIDBENCHEXAMPLE0000
    AWS_SECRET_ACCESS_KEY=bench/secret/not-a-real-one AWS_REGION=us-east-1)
  start_server record "$w" "${creds[@]}" "$BIN" serve --mode record --store "$w/store" \
    --upstream "http://127.0.0.1:$up_port" --listen 127.0.0.1:0 --log-level "$LOG_LEVEL"
  local rec_port=$SERVER_PORT rec_pid=$SERVER_PID
  start_server passthrough "$w" "${creds[@]}" "$BIN" serve --mode passthrough --store "$w/pt-store" \
    --upstream "http://127.0.0.1:$up_port" --listen 127.0.0.1:0 --log-level "$LOG_LEVEL"
  local pt_port=$SERVER_PORT

  local status
  status=$(curl -sS -o "$w/answer" -w '%{http_code}' -H 'X-Amz-Target: AmazonSSM.GetCommandInvocation' \
    -H 'Content-Type: application/x-amz-json-1.1' --data '{"CommandId": "3f6b2a9e-1c4d-4e8f-9a7b-5d2c8e1f0a34", "InstanceId": "i-0a1b2c3d4e5f60718"}' \
    "http://127.0.0.1:$rec_port/")
  [[ $status == 200 ]] || die "record proxy answered HTTP $status: $(head -c 300 "$w/answer")"
  cmp -s "$w/answer" "$w/body.json" || die "record proxy changed the upstream's body ($w/answer)"

  local lat_args=(-t1 -c1 -d"${DURATION}s" -s bench/keys.lua)
  local tput_args=(-t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/keys.lua)
  local -A port_of=([direct]=$up_port [record]=$rec_port [passthrough]=$pt_port)
  local paths=(direct record passthrough)
  # The same record proxy with `--no-fsync` (commits not synced: safe against a killed process, not an
  # OS crash) separates the disk sync from the proxy's own work.
  start_server record-nofsync "$w" "${creds[@]}" "$BIN" serve --mode record --no-fsync --store "$w/store-nofsync" \
    --upstream "http://127.0.0.1:$up_port" --listen 127.0.0.1:0 --log-level "$LOG_LEVEL"
  port_of[record-nofsync]=$SERVER_PORT
  paths=(direct record record-nofsync passthrough)
  local which round
  for which in "${paths[@]}"; do
    run_wrk "warm-up $which" -t1 -c1 -d2s -s bench/keys.lua "http://127.0.0.1:${port_of[$which]}/" -- "$keys"
  done

  local -A p50s=() p99s=()
  local rows=() bad=0 recorded_calls=0
  for round in $(seq "$ROUNDS"); do
    for which in "${paths[@]}"; do
      run_wrk "latency round $round $which" "${lat_args[@]}" "http://127.0.0.1:${port_of[$which]}/" -- "$keys"
      p50s[$which]+="$WRK_P50 " p99s[$which]+="$WRK_P99 "
      rows+=("$(printf '%-6s %-15s %10s %10s %10s' "$round" "$which" "$WRK_RPS" "$WRK_P50" "$WRK_P99")")
      bad=$((bad + WRK_NON2XX + WRK_ERRORS))
    done
  done
  local trows=()
  local -A rps_of=()
  for which in "${paths[@]}"; do
    run_wrk "throughput $which" "${tput_args[@]}" "http://127.0.0.1:${port_of[$which]}/" -- "$keys"
    trows+=("$(printf '%-15s %10s %10s %10s' "$which" "$WRK_RPS" "$WRK_P50" "$WRK_P99")")
    bad=$((bad + WRK_NON2XX + WRK_ERRORS))
    rps_of[$which]=$WRK_RPS
  done
  # Calls the disk-backed record proxy answered (wrk counts completed responses, warm-up included).
  recorded_calls=$(awk '/^### .*record: / {want = 1} /^### / && !/record: / {want = 0}
                        want && /requests in/ {s += $1} END {print s + 1}' "$BENCH_LOG")
  local mem fsync
  read -ra mem <<<"$(proc_mem "$rec_pid")"
  stop_all
  read -ra fsync <<<"$(fsync_probe "$w")"
  # Every answered call must be on tape (the proxy answers only after the commit).
  local stats_out stored
  stats_out=$("$BIN" stats --store "$w/store" 2>&1 || true)
  printf '### stats\n%s\n' "$stats_out" >>"$BENCH_LOG"
  stored=$(awk '$1 == "interactions" {print $2}' <<<"$stats_out")

  header "record mode over a local upstream (issue 4)"
  printf 'upstream: ssm-bench-floor answering a %s-byte body; clients: wrk with 1,000 realistic keys (bench/keys.lua)\n' \
    "$(wc -c <"$w/body.json")"
  printf 'record: store on %s, default durability (each group commit fsynced before answering); record-nofsync: --no-fsync\n' \
    "$(df --output=source "$w" | tail -1)"
  printf 'disk: 4 KiB write + fdatasync in %s takes p50 %s us, p99 %s us (measured after the runs)\n' "$w" \
    "${fsync[0]}" "${fsync[1]}"
  printf 'latency, one client (wrk -t1 -c1 -d%ss):\n' "$DURATION"
  printf '%-6s %-15s %10s %10s %10s\n' round path req/s p50_us p99_us
  printf '%s\n' "${rows[@]}"
  local md50 md99 m50 m99 added50
  md50=$(median_of "${p50s[direct]}") md99=$(median_of "${p99s[direct]}")
  for which in "${paths[@]}"; do
    [[ $which == direct ]] && continue
    m50=$(median_of "${p50s[$which]}") m99=$(median_of "${p99s[$which]}")
    printf '%-15s adds p50 %6s us, p99 %8s us (medians of rounds)' "$which" "$(calc "$m50 - $md50" 0)" \
      "$(calc "$m99 - $md99" 0)"
    if [[ $which == record ]]; then
      added50=$(calc "$m50 - $md50" 0)
      printf '   target <= 300 us at p50: %s' "$(verdict "$added50 <= 300")"
    fi
    printf '\n'
  done
  printf 'throughput, %s concurrent clients (wrk -t%s -c%s -d%ss):\n' "$CONNECTIONS" "$THREADS" "$CONNECTIONS" "$DURATION"
  printf '%-15s %10s %10s %10s\n' path req/s p50_us p99_us
  printf '%s\n' "${trows[@]}"
  for which in "${paths[@]}"; do
    [[ $which == direct ]] && continue
    printf '%s/direct req/s: %s   ' "$which" "$(calc "${rps_of[$which]} / ${rps_of[direct]}" 3)"
  done
  printf '\nrecorded: %s interactions in the store for %s calls the record proxy answered (must be >=: %s)\n' \
    "$stored" "$recorded_calls" "$( ((stored >= recorded_calls)) && echo ok || echo LOST)"
  printf 'store after the run:\n%s\n' "$(sed 's/^/  /' <<<"$stats_out")"
  printf 'non-2xx or socket errors: %s; record server VmHWM %s KiB; log level %s\n' "$bad" "${mem[0]}" "$LOG_LEVEL"
  printf 'reproduce: LOG_LEVEL=%s DURATION=%s ROUNDS=%s BUILD_DIR=%s bash bench/run.sh record   (raw wrk output: %s)\n' \
    "$LOG_LEVEL" "$DURATION" "$ROUNDS" "$BUILD_DIR" "$BENCH_LOG"
}

# ------------------------------------------------------------------------------------------------
# Issue 5: scale.

# stored_bytes STATS-OUTPUT: the "stored bytes" figure of `ssm-replay stats`.
stored_bytes() { awk '$1 == "stored" && $2 == "bytes" {print $3}' <<<"$1"; }

# serve_scale NAME STORE [ARGS...]: starts a replay server (--order last, $SERVE_ARGS, ARGS) on STORE;
# sets SERVER_PORT/SERVER_PID.
serve_scale() {
  local name=$1 store=$2 extra=()
  shift 2
  read -ra extra <<<"${SERVE_ARGS:-}"
  start_server "$name" "$BENCH_WORK/scale" "$BIN" serve --mode replay --order last --store "$store" \
    --listen 127.0.0.1:0 --log-level "$LOG_LEVEL" "${extra[@]}" "$@"
}

# cursors_of PORT: how many cursors the server at PORT holds (its metrics' ssm_replay_cursors).
cursors_of() { curl -s "http://127.0.0.1:$1/__replay/metrics" | awk '$1 == "ssm_replay_cursors" {print $2}'; }

# walk_all_keys LABEL PORT KEYFILE: one call on every key of KEYFILE (bench/walk_keys.lua) until the
# server at PORT holds a cursor for each (at most 600 s); sets WALK_S. wrk runs until interrupted.
walk_all_keys() {
  local label=$1 port=$2 keys=$3 total t0 wrk_pid
  total=$(wc -l <"$keys") t0=$(now_ns)
  printf '### %s: wrk -s bench/walk_keys.lua over %s keys\n' "$label" "$total" >>"$BENCH_LOG"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3600s -s bench/walk_keys.lua "http://127.0.0.1:$port/" -- "$keys" \
    "$THREADS" >>"$BENCH_LOG" 2>&1 &
  wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null && (($(cursors_of "$port") < total)); do
    (($(now_ns) - t0 < 600 * 1000000000)) || { log "scale: $label: not every key has a cursor after 600 s"; break; }
    sleep 1
  done
  kill -INT "$wrk_pid" 2>/dev/null
  wait "$wrk_pid" || true
  WALK_S=$(calc "($(now_ns) - $t0) / 1e9" 0)
}

# stats_field STATS-OUTPUT NAME: the first number of a line of `ssm-replay stats` ("tapes", "interactions").
stats_field() { awk -v f="$2" '$1 == f {print $2; exit}' <<<"$1"; }

# How the N store was built, for the size line: a reused STORE was built by hand.
store_build_label() {
  if [[ -n ${STORE:-} ]]; then echo "reused (STORE)"
  elif ((DICT)); then echo "dictionary, compacted"
  else echo "NO dictionary (DICT=0), compacted"; fi
}

bench_scale() {
  local n=${1:-100000}
  local w=$BENCH_WORK/scale
  local tapes=${TAPES_DIR:-$w/tapes-$n-seed$SEED}
  mkdir -p "$w"
  BENCH_LOG=$w/bench.log
  : >"$BENCH_LOG"
  log "scale: $(df -h "$w" | tail -1 | awk '{print $4}') free under $w; load $(cut -d' ' -f1-3 /proc/loadavg)"

  # 1. Tapes (kept between runs: regenerating 1M takes minutes).
  local gen_s="(reused)"
  if [[ -n ${TAPES_DIR:-} ]]; then
    [[ -f $tapes/generated.txt ]] || die "TAPES_DIR=$tapes holds no generated.txt (a complete ssm-bench-gen-tapes run)"
  elif [[ ! -f $tapes/generated.txt ]]; then
    rm -rf "$tapes"
    log "scale: generating $n tapes into $tapes ..."
    time_cmd gen_s "$GEN" --out "$tapes" --count "$n" --seed "$SEED"
  fi
  local raw_bytes interactions generated
  raw_bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$tapes/generated.txt")
  interactions=$(sed -n 's/.*interactions=\([0-9]*\).*/\1/p' "$tapes/generated.txt")
  generated=$(sed -n 's/.*tapes=\([0-9]*\).*/\1/p' "$tapes/generated.txt")
  # What N is made of: the whole folder, or (TAPES_DIR with more tapes) its first N/1000 shards.
  local inputs=("$tapes")
  if ((generated > n)); then
    ((n % 1000 == 0)) || die "N=$n: a subset of $tapes is whole shards of 1,000 tapes"
    inputs=()
    local shard
    for ((shard = 0; shard < n / 1000; shard++)); do inputs+=("$tapes/$(printf '%04d' "$shard")"); done
    raw_bytes=$(find "${inputs[@]}" -type f -name '*.json' -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
    interactions=  # from the store's stats below
  elif ((generated < n)); then
    die "$tapes holds $generated tapes, fewer than N=$n"
  fi

  # 2. Import into a new store (the tape files were just written or read: mostly in the page cache).
  local store=$w/store-$n store_dict=${STORE:-$w/store-$n-dict}
  local s1k_plain=$w/store-1k s1k_dict=${STORE_1K:-$w/store-1k-dict}
  rm -rf "$store" "$s1k_plain"
  [[ -n ${STORE:-} ]] || rm -rf "$store_dict"
  [[ -n ${STORE_1K:-} ]] || rm -rf "$s1k_dict"
  local import_s="(STORE)" import_dict_s="(STORE)" train_s="(STORE)" compact_s="(STORE)"
  local st_plain="" file_plain=0 file_reimported=0
  if [[ -z ${STORE:-} ]]; then
    log "scale: importing ..."
    time_cmd import_s "$BIN" import --store "$store" "${inputs[@]}"
    st_plain=$("$BIN" stats --store "$store" 2>&1)
    printf '### stats (no dictionary)\n%s\n' "$st_plain" >>"$BENCH_LOG"
    file_plain=$(stat -c %s "$store/data.mdb")

    # 3. Dictionary: train on the store, re-import everything (new records use it), then a compacted copy
    #    (what a user would ship) is measured and served.
    if ((DICT)); then
      log "scale: train-dict, re-import, compact ..."
      time_cmd train_s "$BIN" train-dict --store "$store"
      time_cmd import_dict_s "$BIN" import --store "$store" "${inputs[@]}"
      file_reimported=$(stat -c %s "$store/data.mdb")
    else
      train_s="(skipped: DICT=0)" import_dict_s="(skipped)"
    fi
    time_cmd compact_s "$BIN" compact --store "$store" --out "$store_dict"
    rm -rf "$store"
  fi
  local st_dict file_dict
  st_dict=$("$BIN" stats --store "$store_dict" 2>&1)
  [[ -n $st_plain ]] || st_plain=$st_dict
  [[ $(stats_field "$st_dict" tapes) == "$n" ]] || die "the N store $store_dict holds $(stats_field "$st_dict" tapes) tapes, not $n"
  [[ -n $interactions ]] || interactions=$(stats_field "$st_dict" interactions)
  printf '### stats (dictionary, compacted)\n%s\n' "$st_dict" >>"$BENCH_LOG"
  file_dict=$(stat -c %s "$store_dict/data.mdb")
  local stored_plain stored_dict
  stored_plain=$(stored_bytes "$st_plain") stored_dict=$(stored_bytes "$st_dict")

  # 4. list --command-id: a command from the middle of the set, a fresh process each time (the time a
  #    user waits, process start and store open included).
  local mid cid
  mid=$(printf '%04d' $(((n / 1000) / 2)))
  [[ -f $tapes/$mid/keys.tsv ]] || mid=0000
  cid=$(head -1 "$tapes/$mid/keys.tsv" | cut -f1)
  local list_times=() t0 t1 listed
  for _ in 1 2 3 4 5; do
    t0=$(now_ns)
    listed=$("$BIN" list --store "$store_dict" --command-id "$cid" | wc -l)
    t1=$(now_ns)
    list_times+=("$(calc "($t1 - $t0) / 1e6" 1)")
  done
  local list_ms
  list_ms=$(median_of "${list_times[@]}")

  # 5. Replay: the N store against a 1k store (the same set's first 1,000 tapes) encoded the same way
  #    (with DICT=1: a dictionary trained on it, then re-imported).
  if [[ -z ${STORE_1K:-} ]]; then
    time_cmd _ "$BIN" import --store "$s1k_plain" "$tapes/0000"
    time_cmd _ "$BIN" compact --store "$s1k_plain" --out "$s1k_dict"
    if ((DICT)); then
      time_cmd _ "$BIN" train-dict --store "$s1k_dict"
      time_cmd _ "$BIN" import --store "$s1k_dict" "$tapes/0000"
    fi
  fi
  local keys_n=$w/keys-$n.tsv keys_1k=$tapes/0000/keys.tsv
  # Every GetCommandInvocation key of the N store (each wrk thread holds them in Lua), or with
  # KEY_SAMPLE a fixed sample of them.
  local key_files=()
  if ((generated > n)); then key_files=("${inputs[@]/%//keys.tsv}"); else key_files=("$tapes"/*/keys.tsv); fi
  if [[ -n ${KEY_SAMPLE:-} ]]; then
    cat "${key_files[@]}" | shuf -n "$KEY_SAMPLE" --random-source=<(yes "$SEED") >"$keys_n"
  else
    cat "${key_files[@]}" >"$keys_n"
  fi
  local servers=(1k N)
  local -A port_of=() pid_of=() keys_of=([1k]=$keys_1k [N]=$keys_n [1k-B]=$keys_1k [N-B]=$keys_n)
  serve_scale replay-1k "$s1k_dict" && port_of[1k]=$SERVER_PORT pid_of[1k]=$SERVER_PID
  serve_scale replay-n "$store_dict" && port_of[N]=$SERVER_PORT pid_of[N]=$SERVER_PID
  if [[ -n ${BUILD_DIR_B:-} ]]; then  # the same stores served by a second build, in the same rounds
    BIN=$BIN_B serve_scale replay-1k-b "$s1k_dict" && port_of[1k-B]=$SERVER_PORT pid_of[1k-B]=$SERVER_PID
    BIN=$BIN_B serve_scale replay-n-b "$store_dict" && port_of[N-B]=$SERVER_PORT pid_of[N-B]=$SERVER_PID
    servers+=(1k-B N-B)
  fi
  local which round
  for which in "${servers[@]}"; do
    run_wrk "warm-up $which" -t"$THREADS" -c"$CONNECTIONS" -d2s -s bench/keys.lua \
      "http://127.0.0.1:${port_of[$which]}/" -- "${keys_of[$which]}"
  done
  local -A rps=() p99s=() cpu=() reqs=()
  local rows=() bad=0 order before
  for round in $(seq "$ROUNDS"); do
    order=$(rotated "$round" "${servers[@]}")
    for which in $order; do
      before=$(cpu_ticks "${pid_of[$which]}")
      run_wrk "round $round $which" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/keys.lua \
        "http://127.0.0.1:${port_of[$which]}/" -- "${keys_of[$which]}"
      rps[$which]+="$WRK_RPS " p99s[$which]+="$WRK_P99 "
      cpu[$which]=$((${cpu[$which]:-0} + $(cpu_ticks "${pid_of[$which]}") - before))
      reqs[$which]=$((${reqs[$which]:-0} + WRK_REQUESTS))
      rows+=("$(printf '%-6s %-10s %12s %10s %10s' "$round" "$which" "$WRK_RPS" "$WRK_P50" "$WRK_P99")")
      bad=$((bad + WRK_NON2XX + WRK_ERRORS))
    done
  done
  # Memory: after the rounds, and after one call on each key the random draws left out, so that the N
  # servers hold a cursor for every key of the store.
  local -A drawn=() walked=() cursors_drawn=() cursors_walked=() walk_s=()
  local mem_1k
  for which in "${servers[@]}"; do
    [[ $which == N* ]] || continue
    drawn[$which]=$(proc_mem "${pid_of[$which]}") cursors_drawn[$which]=$(cursors_of "${port_of[$which]}")
    walk_all_keys "walk $which" "${port_of[$which]}" "${keys_of[$which]}"
    walked[$which]=$(proc_mem "${pid_of[$which]}") cursors_walked[$which]=$(cursors_of "${port_of[$which]}")
    walk_s[$which]=$WALK_S
  done
  read -ra mem_1k <<<"$(proc_mem "${pid_of[1k]}")"
  stop_all

  header "scale: $n tapes (issue 5)"
  printf 'generated: %s tapes, %s interactions, raw JSON %s (%s bytes, %s B/tape), %s s (seed %s): %s\n' \
    "$n" "$interactions" "$(human_bytes "$raw_bytes")" "$raw_bytes" "$((raw_bytes / n))" "$gen_s" "$SEED" "$tapes"
  printf '%-46s %14s  %s\n' step figure target
  if [[ -n ${STORE:-} ]]; then
    printf '%-46s %14s  (STORE=%s: import, dictionary and compact not run)\n' "N store" "reused" "$STORE"
  else
    printf '%-46s %12s s  <= 60 s for 1M: %s (%s s per 1M tapes, %s tapes/s)\n' "import (new store, no dictionary)" \
      "$import_s" "$(verdict "$import_s * 1000000 / $n <= 60")" "$(calc "$import_s * 1000000 / $n" 1)" \
      "$(calc "$n / $import_s" 0)"
    ((DICT)) && printf '%-46s %12s s\n' "train-dict" "$train_s"
    ((DICT)) && printf '%-46s %12s s  (%s tapes/s)\n' "re-import, records with the dictionary" "$import_dict_s" \
      "$(calc "$n / $import_dict_s" 0)"
    printf '%-46s %12s s\n' "compact" "$compact_s"
    printf '%-46s %14s  %5s%% of raw JSON (stored values: %s, %s%%)\n' "data.mdb, no dictionary" \
      "$(human_bytes "$file_plain")" "$(calc "100 * $file_plain / $raw_bytes" 1)" "$(human_bytes "$stored_plain")" \
      "$(calc "100 * $stored_plain / $raw_bytes" 1)"
    ((DICT)) && printf '%-46s %14s  %5s%% of raw JSON\n' "data.mdb after re-import (before compact)" \
      "$(human_bytes "$file_reimported")" "$(calc "100 * $file_reimported / $raw_bytes" 1)"
  fi
  printf '%-46s %14s  %5s%% of raw JSON (stored values: %s, %s%%); target <= 20%%: %s\n' \
    "data.mdb, $(store_build_label)" "$(human_bytes "$file_dict")" "$(calc "100 * $file_dict / $raw_bytes" 1)" \
    "$(human_bytes "$stored_dict")" "$(calc "100 * $stored_dict / $raw_bytes" 1)" \
    "$(verdict "$file_dict <= 0.2 * $raw_bytes")"
  printf '%-46s %12s ms  target <= 50 ms: %s (runs: %s ms; %s tapes listed)\n' \
    "list --command-id (fresh process)" "$list_ms" "$(verdict "$list_ms <= 50")" "${list_times[*]}" \
    "$((listed > 0 ? listed - 1 : 0))"
  [[ -n ${BUILD_DIR_B:-} ]] && printf '1k, N: %s; 1k-B, N-B: %s\n' "$BIN" "$BIN_B"
  printf 'replay, wrk -t%s -c%s -d%ss, --order last, keys drawn at random: 1k: the %s keys of the 1k store; N: %s keys of the %s store\n' \
    "$THREADS" "$CONNECTIONS" "$DURATION" "$(wc -l <"$keys_1k")" "$(wc -l <"$keys_n")" "$n"
  printf '%-6s %-10s %12s %10s %10s\n' round store req/s p50_us p99_us
  printf '%s\n' "${rows[@]}"
  local r1k rn
  r1k=$(median_of "${rps[1k]}") rn=$(median_of "${rps[N]}")
  printf 'median req/s: 1k %s, N %s; N/1k = %s (target >= 0.90: %s); p99 N/1k = %s\n' \
    "$r1k" "$rn" "$(calc "$rn / $r1k" 3)" "$(verdict "$rn / $r1k >= 0.90")" \
    "$(calc "$(median_of "${p99s[N]}") / $(median_of "${p99s[1k]}")" 2)"
  local c1k cn
  c1k=$(us_per_request "${cpu[1k]}" "${reqs[1k]}") cn=$(us_per_request "${cpu[N]}" "${reqs[N]}")
  printf 'server CPU per request (all rounds): 1k %s us, N %s us (N/1k %s)\n' "$c1k" "$cn" "$(calc "$cn / $c1k" 2)"
  if [[ -n ${BUILD_DIR_B:-} ]]; then
    local r1kb rnb c1kb cnb
    r1kb=$(median_of "${rps[1k-B]}") rnb=$(median_of "${rps[N-B]}")
    c1kb=$(us_per_request "${cpu[1k-B]}" "${reqs[1k-B]}") cnb=$(us_per_request "${cpu[N-B]}" "${reqs[N-B]}")
    printf 'B: median req/s: 1k-B %s, N-B %s; N-B/1k-B = %s (target >= 0.90: %s); p99 N-B/1k-B = %s\n' \
      "$r1kb" "$rnb" "$(calc "$rnb / $r1kb" 3)" "$(verdict "$rnb / $r1kb >= 0.90")" \
      "$(calc "$(median_of "${p99s[N-B]}") / $(median_of "${p99s[1k-B]}")" 2)"
    printf 'B: server CPU per request: 1k-B %s us, N-B %s us (N-B/1k-B %s); N/N-B req/s %s, CPU %s\n' "$c1kb" "$cnb" \
      "$(calc "$cnb / $c1kb" 2)" "$(calc "$rn / $rnb" 3)" "$(calc "$cn / $cnb" 3)"
  fi
  # The target is on the process's own memory: mapped store pages are page cache the kernel reclaims.
  local d w
  for which in "${servers[@]}"; do
    [[ $which == N* ]] || continue
    read -ra d <<<"${drawn[$which]}"
    read -ra w <<<"${walked[$which]}"
    printf 'server %s memory serving the %s store: after the rounds RssAnon %s KiB (%s cursors); after one call on every key (%s s) RssAnon %s KiB (%s cursors of %s keys), VmHWM %s KiB, RssFile %s KiB (mapped store pages); target RssAnon <= 64 MB: %s\n' \
      "$which" "$n" "${d[2]}" "${cursors_drawn[$which]}" "${walk_s[$which]}" "${w[2]}" "${cursors_walked[$which]}" \
      "$(wc -l <"${keys_of[$which]}")" "${w[0]}" "${w[3]}" "$(verdict "${w[2]} <= 65536")"
  done
  printf 'server RSS serving the 1k store:  VmHWM %s KiB (RssAnon %s KiB + RssFile %s KiB)\n' "${mem_1k[0]}" \
    "${mem_1k[2]}" "${mem_1k[3]}"
  printf 'non-2xx or socket errors: %s; log level %s\n' "$bad" "$LOG_LEVEL"
  printf 'stats of the served store:\n%s\n' "$(sed 's/^/  /' <<<"$st_dict")"
  local knobs="" knob
  for knob in TAPES_DIR STORE STORE_1K SERVE_ARGS KEY_SAMPLE BUILD_DIR_B; do
    [[ -n ${!knob:-} ]] && knobs+="$knob='${!knob}' "
  done
  printf 'reproduce: %sLOG_LEVEL=%s DURATION=%s ROUNDS=%s SEED=%s DICT=%s BUILD_DIR=%s bash bench/run.sh scale %s   (log: %s)\n' \
    "$knobs" "$LOG_LEVEL" "$DURATION" "$ROUNDS" "$SEED" "$DICT" "$BUILD_DIR" "$n" "$BENCH_LOG"
  if [[ -z ${KEEP_STORES:-} ]]; then
    rm -rf "$s1k_plain"
    [[ -n ${STORE:-} ]] || rm -rf "$store_dict"
    [[ -n ${STORE_1K:-} ]] || rm -rf "$s1k_dict"
  fi
}

# Issue 15: density of a plain import.

# generated_tapes N: the folder of N generated tapes (seed $SEED) under $BENCH_WORK/scale, generating it
# when missing (shared with the scale benchmark).
generated_tapes() {
  local n=$1 tapes=$BENCH_WORK/scale/tapes-$1-seed$SEED
  if [[ ! -f $tapes/generated.txt ]]; then
    rm -rf "$tapes"
    mkdir -p "$BENCH_WORK/scale"
    log "density: generating $n tapes into $tapes ..."
    "$GEN" --out "$tapes" --count "$n" --seed "$SEED" >&2 || die "generating $n tapes failed"
  fi
  printf '%s' "$tapes"
}

# density_row N: imports N generated tapes into a new store with a plain `import` and prints one row.
density_row() {
  local n=$1 w=$BENCH_WORK/density tapes store import_s
  tapes=$(generated_tapes "$n")
  store=$w/store-$n
  rm -rf "$store"
  local raw interactions
  raw=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$tapes/generated.txt")
  interactions=$(sed -n 's/.*interactions=\([0-9]*\).*/\1/p' "$tapes/generated.txt")
  # In the page cache, as just after generating them ("$tapes/": through a symlinked folder too).
  find "$tapes/" -name "*.json" -exec cat {} + >/dev/null
  local extra=()
  read -ra extra <<<"${IMPORT_ARGS:-}"
  time_cmd import_s "$BIN" import --store "$store" "${extra[@]}" "$tapes"
  local st file used talkback=${TALKBACK_BPI:-2697}
  st=$("$BIN" stats --store "$store" 2>&1)
  printf '### stats %s\n%s\n' "$n" "$st" >>"$BENCH_LOG"
  [[ $(stats_field "$st" interactions) == "$interactions" ]] ||
    die "the store holds $(stats_field "$st" interactions) interactions, the tapes $interactions"
  file=$(stat -c %s "$store/data.mdb")
  used=$(awk '$1 == "pages" && $2 == "in" {print $4; exit}' <<<"$st")
  printf '%9s %11s %9s %11s %8s %9s %8s %11s %9s %10s\n' "$n" "$(human_bytes "$raw")" "$(calc "$raw / $interactions" 0)" \
    "$(human_bytes "$file")" "$(calc "$file / $interactions" 0)" "$(calc "100 * $file / $raw" 1)%" \
    "$(calc "100 * $used / $raw" 1)%" "$(calc "100 * $file / $interactions / $talkback" 1)%" \
    "$(verdict "$file <= 0.25 * $raw && 4 * $file / $interactions <= $talkback")" "$import_s s"
  [[ -n ${KEEP_STORES:-} ]] || rm -rf "$store"
}

bench_density() {
  local sizes=("$@")
  ((${#sizes[@]})) || sizes=(10000 1000000)
  mkdir -p "$BENCH_WORK/density"
  BENCH_LOG=$BENCH_WORK/density/bench.log
  : >"$BENCH_LOG"
  header "density: a plain import into a new store (issue 15)"
  printf '%9s %11s %9s %11s %8s %9s %8s %11s %9s %10s\n' tapes "JSON" "JSON/int" data.mdb "B/int" "of JSON" \
    "in use" "of talkback" "<= 25 %" import
  local n
  for n in "${sizes[@]}"; do density_row "$n"; done
  printf 'data.mdb: the file'"'"'s size (st_size; what `stats` prints as "data file"); "in use": the pages its tables use\n'
  printf '(`stats` "pages in use"), the rest being free pages. talkback: %s B per interaction (TALKBACK_BPI).\n' \
    "${TALKBACK_BPI:-2697}"
  printf '1M import target: <= 60 s. reproduce: SEED=%s BUILD_DIR=%s bash bench/run.sh density %s   (log: %s)\n' \
    "$SEED" "$BUILD_DIR" "${sizes[*]}" "$BENCH_LOG"
}

main() {
  local what=${1:-default}
  case $what in
    default | replay | record | sessions | instructions | scale | density) ;;
    *) die "unknown benchmark '$what': use replay, record, sessions, instructions, scale [N] or density [N...]" ;;
  esac
  build
  mkdir -p "$BENCH_WORK"
  case $what in
    default) bench_replay; bench_record ;;
    replay) bench_replay ;;
    record) bench_record ;;
    sessions) bench_sessions ;;
    instructions) bench_instructions ;;
    scale) bench_scale "${2:-100000}" ;;
    density) shift; bench_density "$@" ;;
  esac
}

main "$@"
