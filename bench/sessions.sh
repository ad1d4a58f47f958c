# bench/run.sh sessions (issue 13): replay with sessions, sourced by bench/run.sh.
#
# One replay server over the bench tape (--order last: every call a hit, same bytes). In the same
# rounds, in rotated order: the default session (no header), one named session, 1,000 named sessions
# with requests spread over them at random (bench/keys.lua's SESSIONS), and a control: wrk's 1,000
# requests per key all naming one session (keys.lua's `same`), so wrk's side is that of 1,000 sessions
# and the server's that of one. Besides wrk's figures, each round's server-side time (the access log's
# `us`, p99 and p99.9) and the server's CPU per request. Then memory per live session: RssAnon of a
# fresh server before and after 10,000 sessions are started, each with a cursor. With BUILD_DIR_B, a
# second server of that build serves 1 and 1,000 sessions in the same rounds (kinds ending in -B).
# server_us_p99 LOG FROM_LINE: "p99 p99.9" of the access log's `us` in LOG's lines after FROM_LINE (the
# server's own time per request, loopback and client excluded).
server_us_p99() {
  tail -n +"$(($2 + 1))" "$1" | grep -o '"us":[0-9]*' | cut -d: -f2 | sort -n |
    awk '{v[NR] = $1} END {if (NR) print v[int((NR - 1) * 0.99) + 1], v[int((NR - 1) * 0.999) + 1]; else print "- -"}'
}

bench_sessions() {
  one_tape_bench sessions import
  local w=$BENCH_DIR
  printf '%s\t%s\t-\n' "$BENCH_COMMAND_ID" "$BENCH_INSTANCE_ID" >"$w/keys.tsv"

  start_server replay "$w" "$BIN" serve --mode replay --order last --store "$w/store" --listen 127.0.0.1:0 \
    --log-level "$LOG_LEVEL"
  local url="http://127.0.0.1:$SERVER_PORT/" kind
  local -A args_of=([default]="-s bench/keys.lua $url -- $w/keys.tsv"
    [1-session]="-s bench/keys.lua $url -- $w/keys.tsv 1" [1000-sessions]="-s bench/keys.lua $url -- $w/keys.tsv 1000"
    [1000-as-1]="-s bench/keys.lua $url -- $w/keys.tsv 1000 same")
  local kinds=(default 1-session 1000-sessions 1000-as-1)
  local -A pid_of=() access_of=()
  for kind in "${kinds[@]}"; do pid_of[$kind]=$SERVER_PID access_of[$kind]=$w/replay.err; done
  if [[ -n ${BIN_B:-} ]]; then
    start_server replay-b "$w" "$BIN_B" serve --mode replay --order last --store "$w/store" --listen 127.0.0.1:0 \
      --log-level "$LOG_LEVEL"
    args_of[1-session-B]="-s bench/keys.lua http://127.0.0.1:$SERVER_PORT/ -- $w/keys.tsv 1"
    args_of[1000-sessions-B]="-s bench/keys.lua http://127.0.0.1:$SERVER_PORT/ -- $w/keys.tsv 1000"
    for kind in 1-session-B 1000-sessions-B; do
      kinds+=("$kind") pid_of[$kind]=$SERVER_PID access_of[$kind]=$w/replay-b.err
    done
  fi
  for kind in "${kinds[@]}"; do
    # shellcheck disable=SC2086 # the args are words
    run_wrk "warm-up $kind" -t"$THREADS" -c"$CONNECTIONS" -d2s ${args_of[$kind]}
  done
  local -A rps=() p99s=() cpu=() reqs=() srv99s=() srv999s=()
  local rows=() bad=0 round before lines srv
  for round in $(seq "$ROUNDS"); do
    for kind in $(rotated "$round" "${kinds[@]}"); do
      before=$(cpu_ticks "${pid_of[$kind]}") lines=$(wc -l <"${access_of[$kind]}")
      # shellcheck disable=SC2086
      run_wrk "round $round $kind" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" ${args_of[$kind]}
      read -ra srv <<<"$(server_us_p99 "${access_of[$kind]}" "$lines")"
      rps[$kind]+="$WRK_RPS " p99s[$kind]+="$WRK_P99 " srv99s[$kind]+="${srv[0]} " srv999s[$kind]+="${srv[1]} "
      rows+=("$(printf '%-6s %-14s %12s %10s %10s %10s %10s %8s' "$round" "$kind" "$WRK_RPS" "$WRK_P50" "$WRK_P99" \
        "${srv[0]}" "${srv[1]}" "$(cut -d' ' -f1 /proc/loadavg)")")
      cpu[$kind]=$((${cpu[$kind]:-0} + $(cpu_ticks "${pid_of[$kind]}") - before))
      reqs[$kind]=$((${reqs[$kind]:-0} + WRK_REQUESTS))
      bad=$((bad + WRK_NON2XX + WRK_ERRORS))
    done
  done
  local live
  live=$(curl -sS "${url}__replay/metrics" | awk '$1 == "ssm_replay_sessions_live" {print $2}')
  stop_all

  # Memory: a fresh server, 10,000 sessions started (each with one cursor), RssAnon before and after.
  start_server memory "$w" "$BIN" serve --mode replay --order last --store "$w/store" --listen 127.0.0.1:0 \
    --log-level warn --max-sessions 20000
  local mem_port=$SERVER_PORT mem_pid=$SERVER_PID
  python3 bench/start_sessions.py "$mem_port" 100 0 || die "could not start the warm-up sessions"
  local m0 m1
  read -ra m0 <<<"$(proc_mem "$mem_pid")"
  python3 bench/start_sessions.py "$mem_port" 10000 100 || die "could not start 10,000 sessions"
  read -ra m1 <<<"$(proc_mem "$mem_pid")"
  stop_all

  header "sessions (issue 13)"
  printf 'replay --order last, one ~%s-byte answer; wrk -t%s -c%s -d%ss keep-alive; server log level %s\n' \
    "$(wc -c <"$w/body.json")" "$THREADS" "$CONNECTIONS" "$DURATION" "$LOG_LEVEL"
  printf '%-6s %-14s %12s %10s %10s %10s %10s %8s\n' round sessions req/s p50_us p99_us srv_p99 srv_p999 load
  printf '%s\n' "${rows[@]}"
  local r_def r_one r_many c
  r_def=$(median_of "${rps[default]}") r_one=$(median_of "${rps[1-session]}") r_many=$(median_of "${rps[1000-sessions]}")
  for kind in "${kinds[@]}"; do
    c=$(us_per_request "${cpu[$kind]}" "${reqs[$kind]}")
    printf 'median %-14s req/s %s  p99 %s us  CPU/request %s us  server-side p99 %s us, p99.9 %s us\n' "$kind" \
      "$(median_of "${rps[$kind]}")" "$(median_of "${p99s[$kind]}")" "$c" "$(median_of "${srv99s[$kind]}")" \
      "$(median_of "${srv999s[$kind]}")"
  done
  local p_one p_many
  p_one=$(median_of "${p99s[1-session]}") p_many=$(median_of "${p99s[1000-sessions]}")
  printf '1000 sessions / 1 session: req/s %s (target >= 0.90: %s), p99 %s (target <= 1.10: %s); 1 session / default: req/s %s\n' \
    "$(calc "$r_many / $r_one" 3)" "$(verdict "$r_many / $r_one >= 0.90")" \
    "$(calc "$p_many / $p_one" 2)" "$(verdict "$p_many / $p_one <= 1.10")" "$(calc "$r_one / $r_def" 3)"
  if [[ -n ${BIN_B:-} ]]; then
    printf 'B (%s) / A: 1 session req/s %s, p99 %s; 1000 sessions req/s %s, p99 %s\n' "$BIN_B" \
      "$(calc "$(median_of "${rps[1-session-B]}") / $r_one" 3)" "$(calc "$(median_of "${p99s[1-session-B]}") / $p_one" 2)" \
      "$(calc "$(median_of "${rps[1000-sessions-B]}") / $r_many" 3)" "$(calc "$(median_of "${p99s[1000-sessions-B]}") / $p_many" 2)"
  fi
  printf 'sessions live after the rounds: %s; non-2xx or socket errors: %s\n' "$live" "$bad"
  printf 'memory: RssAnon %s KiB with 100 sessions, %s KiB with 10,100: %s bytes per live session\n' \
    "${m0[2]}" "${m1[2]}" "$(calc "(${m1[2]} - ${m0[2]}) * 1024 / 10000" 0)"
  printf 'reproduce: LOG_LEVEL=%s DURATION=%s ROUNDS=%s BUILD_DIR=%s%s bash bench/run.sh sessions   (raw wrk output: %s)\n' \
    "$LOG_LEVEL" "$DURATION" "$ROUNDS" "$BUILD_DIR" "${BUILD_DIR_B:+ BUILD_DIR_B=$BUILD_DIR_B}" "$BENCH_LOG"
}
