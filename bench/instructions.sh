# shellcheck shell=bash disable=SC2153 # FLOOR, BIN and BIN_B are set by run.sh, which sources this
# bench/run.sh instructions: user-space instructions per request, sourced by bench/run.sh.
#
# The replay bench's req/s moves by 10 % between identical runs on a shared 2-core machine; this
# figure hardly does (the floor's is the same to the instruction, a replay server's within ~1 %: its log
# writer batches lines as timing allows), so it is the one that shows a change of a few per cent.
# Each server (the floor, replay, and replay-B with BUILD_DIR_B) runs under callgrind twice,
# answering INSTR_FEW and then INSTR_MANY calls (bench/fixed_requests.py, the bench tape, every call a
# hit); the difference over INSTR_MANY - INSTR_FEW is the cost of one request with start-up and exit
# taken out, over every thread (request threads and the log writer). Kernel time (the socket calls,
# the same for all three servers) is not counted: the ratio to the floor is that of the user-space work.

# instructions_of NAME CALLS CMD...: callgrind's instruction total for CMD serving CALLS calls.
instructions_of() {
  local name=$1 calls=$2 out
  shift 2
  out=$BENCH_DIR/$name.$calls.callgrind
  start_server "$name.$calls" "$BENCH_DIR" valgrind --tool=callgrind --callgrind-out-file="$out" "$@"
  python3 bench/fixed_requests.py "$SERVER_PORT" "$calls" || die "$name: the calls failed"
  stop_server "$SERVER_PID"
  awk '$1 == "summary:" || $1 == "totals:" {print $2; exit}' "$out"
}

# per_request NAME CMD...: instructions per request of CMD (the difference between two runs).
per_request() {
  local name=$1 few many
  shift
  few=$(instructions_of "$name" "$INSTR_FEW" "$@")
  many=$(instructions_of "$name" "$INSTR_MANY" "$@")
  [[ -n $few && -n $many ]] || die "$name: no callgrind totals (see $BENCH_DIR/$name.*)"
  calc "($many - $few) / ($INSTR_MANY - $INSTR_FEW)" 0
}

bench_instructions() {
  command -v valgrind >/dev/null || die "valgrind is needed (Debian: apt-get install valgrind)"
  INSTR_FEW=${INSTR_FEW:-1000} INSTR_MANY=${INSTR_MANY:-5000}
  one_tape_bench instructions import
  local w=$BENCH_DIR serve_args=(serve --mode replay --order last --store "$BENCH_DIR/store" --listen 127.0.0.1:0
    --log-level "$LOG_LEVEL")
  local floor replay replay_b=
  floor=$(per_request floor "$FLOOR" --listen 127.0.0.1:0 --body "$w/body.json")
  replay=$(per_request replay "$BIN" "${serve_args[@]}")
  [[ -n ${BIN_B:-} ]] && replay_b=$(per_request replay-b "$BIN_B" "${serve_args[@]}")

  header "instructions per request (callgrind; user space, every thread)"
  printf 'answer: %s bytes (GetCommandInvocation Success, every call a hit); %s and %s calls on one keep-alive connection\n' \
    "$BODY_BYTES" "$INSTR_FEW" "$INSTR_MANY"
  printf '%-9s %14s %9s\n' server instructions /floor
  printf '%-9s %14s\n' floor "$floor"
  printf '%-9s %14s %9s\n' replay "$replay" "$(calc "$replay / $floor" 3)"
  [[ -n $replay_b ]] && printf '%-9s %14s %9s   (%s)\n' replay-B "$replay_b" "$(calc "$replay_b / $floor" 3)" "$BIN_B"
  printf 'reproduce: LOG_LEVEL=%s INSTR_FEW=%s INSTR_MANY=%s BUILD_DIR=%s%s bash bench/run.sh instructions\n' \
    "$LOG_LEVEL" "$INSTR_FEW" "$INSTR_MANY" "$BUILD_DIR" "${BUILD_DIR_B:+ BUILD_DIR_B=$BUILD_DIR_B}"
  stop_all
}
