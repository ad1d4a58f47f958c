#!/usr/bin/env bash
# Fuzzes each libFuzzer target in turn for a bounded time, starting from the committed corpus and crash
# reproducers. The targets (ASan+UBSan, coverage-instrumented) are those of the sanitizer build
# (`make test-sanitize`'s build-sanitize/, configured with -DSSM_REPLAY_FUZZ=ON): this script configures
# that build when missing and builds the targets it fuzzes. Exits non-zero when any target crashes, leaks,
# times out or fails a check; the input that did it is kept under <build-dir>/fuzz/artifacts/<target>/
# and the command to reproduce it is printed. See README.md.
#
#   run.sh [--build-dir DIR] [--seconds N] [--jobs N] [--no-build] [--merge] [TARGET...]
#
#   --build-dir  the sanitizer build (default: build-sanitize); its fuzz/ keeps the working corpus
#   --seconds    fuzzing time per target (default: $FUZZ_SECONDS, else 5)
#   --jobs       compile jobs (default: 2)
#   --no-build   the targets are built already (ctest's fuzz.short: its build made them)
#   --merge      after fuzzing, fold what the run found that adds coverage into tests/fuzz/corpus/
#   TARGET       request_parser, tape_file, record_codec, tape_info_codec (default: all)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build_dir="$root/build-sanitize"
seconds="${FUZZ_SECONDS:-5}"
jobs=2
build=1
merge=0
targets=()
while (($#)); do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --merge) merge=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=(request_parser tape_file record_codec tape_info_codec)
for t in "${targets[@]}"; do
  [ -f "$here/fuzz_$t.cc" ] || { echo "run.sh: no fuzz target '$t' (no $here/fuzz_$t.cc)" >&2; exit 2; }
done
build_dir="$(mkdir -p "$build_dir" && cd "$build_dir" && pwd)"
fuzz_dir="$build_dir/fuzz"
mkdir -p "$fuzz_dir/logs"

if ((build)); then
  if ! grep -qs '^SSM_REPLAY_FUZZ:BOOL=ON' "$build_dir/CMakeCache.txt"; then
    make -C "$root" configure-sanitize SANITIZE_DIR="$build_dir"
  fi
  build_targets=()
  for t in "${targets[@]}"; do build_targets+=(--target "fuzz_$t"); done
  start=$SECONDS
  if ! cmake --build "$build_dir" -j "$jobs" "${build_targets[@]}" >"$fuzz_dir/logs/build.log" 2>&1; then
    tail -n 60 "$fuzz_dir/logs/build.log" >&2
    echo "run.sh: building the fuzz targets failed (log: $fuzz_dir/logs/build.log)" >&2
    exit 1
  fi
  echo "fuzz: built ${targets[*]} in $((SECONDS - start)) s"
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
for t in "${targets[@]}"; do
  bin="$build_dir/tests/fuzz/fuzz_$t"
  work="$fuzz_dir/corpus/$t"          # what this and earlier runs found; never the source tree
  artifacts="$fuzz_dir/artifacts/$t"
  log="$fuzz_dir/logs/$t.log"
  rm -rf "$artifacts"  # only this run's findings are reported
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  dirs=("$work" "$here/corpus/$t")
  [ -d "$here/regressions/$t" ] && dirs+=("$here/regressions/$t")
  opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  [ -f "$here/dict/$t.dict" ] && opts+=(-dict="$here/dict/$t.dict")
  if "$bin" "${opts[@]}" "${dirs[@]}" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
    echo "fuzz_$t: ok, ${runs:-?} runs in ${seconds} s (${cov:-no coverage line}); log $log"
  else
    status=$?
    echo "fuzz_$t: FAILED (exit $status); last lines of $log:" >&2
    tail -n 60 "$log" >&2
    for a in "$artifacts"/*; do
      [ -f "$a" ] || continue
      echo "  reproducer: $a" >&2
      echo "    replay:   $bin $a" >&2
      echo "    keep it:  cp $a $here/regressions/$t/  (then fix the bug; ctest replays it)" >&2
    done
    failed+=("$t")
  fi
  if ((merge)); then
    "$bin" -merge=1 "$here/corpus/$t" "$work" >"$fuzz_dir/logs/$t.merge.log" 2>&1
    echo "fuzz_$t: merged into $here/corpus/$t ($(ls "$here/corpus/$t" | wc -l) files)"
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds} s each without a failure"
