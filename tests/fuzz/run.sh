#!/bin/sh
# run.sh BUILD_DIR [SECONDS [NAME...]]: run the libFuzzer targets that
# BUILD_DIR holds (cmake -DWR_FUZZ=ON with clang: make fuzz-check, make
# fuzz).  Each target first runs over its committed corpus,
# tests/fuzz/corpus/NAME (a regression run: every seed once), then fuzzes
# afresh for SECONDS (default 30) from it.  New inputs go to a temporary
# directory, or to FUZZ_CORPUS_DIR/NAME when that is set, never into the
# repository.  Prints the executions and crashes of each target; a crash,
# leak, sanitizer report or timeout is kept in BUILD_DIR/fuzz-artifacts
# (emptied first) and makes the exit status 1.
set -u
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [SECONDS [NAME...]]" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || exit 2
SECONDS_EACH=${2:-30}
shift $(($# < 2 ? $# : 2))
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
NAMES=${*:-"ingest job plan report response sim_request audit"}
ART="$BUILD/fuzz-artifacts"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/wr-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' HUP INT PIPE TERM
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
rm -rf "$ART"   # what an earlier run kept
mkdir -p "$ART"

# The longest input each target is given (its seeds fit).
max_len() {
  case "$1" in
    ingest|report) echo 65536 ;;
    sim_request) echo 16384 ;;
    plan|response) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

# The number in "stat::NAME: N" of a libFuzzer log, 0 when absent.
fuzz_stat() {
  sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -n 1 | grep . || echo 0
}

failed=0
total_execs=0
for name in $NAMES; do
  bin="$BUILD/tests/fuzz/fuzz_$name"
  seeds="$HERE/corpus/$name"
  [ -x "$bin" ] || { echo "fuzz_$name: not built in $BUILD" >&2; exit 2; }
  [ -d "$seeds" ] || { echo "fuzz_$name: no corpus $seeds" >&2; exit 2; }
  if [ -n "${FUZZ_CORPUS_DIR:-}" ]; then
    work="$FUZZ_CORPUS_DIR/$name"
  else
    work="$TMP/corpus-$name"
  fi
  mkdir -p "$work" "$TMP/art-$name" "$TMP/none-$name"
  opts="-max_len=$(max_len "$name") -timeout=20 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix=$TMP/art-$name/"
  nseeds=$(find "$seeds" -type f | wc -l)
  # 1. Regression: every committed seed once (-runs=0: no mutation).
  # shellcheck disable=SC2086
  "$bin" $opts -runs=0 "$TMP/none-$name" "$seeds" > "$TMP/$name.seeds.log" 2>&1
  rc1=$?
  # 2. Fresh fuzzing from the seeds (and what earlier runs found).
  rc2=0
  if [ $rc1 -eq 0 ] && [ "$SECONDS_EACH" -gt 0 ]; then
    # shellcheck disable=SC2086
    "$bin" $opts -max_total_time="$SECONDS_EACH" "$work" "$seeds" \
      > "$TMP/$name.fuzz.log" 2>&1
    rc2=$?
  else
    : > "$TMP/$name.fuzz.log"
  fi
  execs=$(fuzz_stat number_of_executed_units "$TMP/$name.fuzz.log")
  crashes=$(find "$TMP/art-$name" -type f | wc -l)
  if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ]; then
    [ "$crashes" -gt 0 ] || crashes=1   # failed without an artifact
  fi
  total_execs=$((total_execs + execs))
  if [ $rc1 -ne 0 ]; then
    printf 'fuzz_%-12s FAIL on its corpus (%s seeds): %s crash(es)\n' \
      "$name" "$nseeds" "$crashes"
    log="$TMP/$name.seeds.log"
  else
    printf 'fuzz_%-12s %3s seeds ok; %ss: %s executions, %s crashes\n' \
      "$name" "$nseeds" "$SECONDS_EACH" "$execs" "$crashes"
    log="$TMP/$name.fuzz.log"
  fi
  if [ "$crashes" -gt 0 ]; then
    failed=1
    cp "$log" "$ART/fuzz_$name.log"
    find "$TMP/art-$name" -type f -exec cp {} "$ART/" \;
    # The report's first line and the frames in the project's code.
    grep -m 2 -E "^==[0-9]+==.*ERROR|runtime error|^fuzz_$name: " "$log"
    grep -E "#[0-9]+ 0x[0-9a-f]+ in [^ ]+ $SRC/" "$log" | head -n 8
    echo "  log: $ART/fuzz_$name.log, input(s) in $ART/ (reproduce:" \
         "$bin FILE)"
  fi
done
echo "fuzz: $total_execs executions in all; $([ $failed -eq 0 ] && echo \
  'no crash' || echo 'FAILED')"
exit $failed
