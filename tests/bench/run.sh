#!/bin/sh
# make bench: every benchmark, one after the other (figures, not pass/fail).
#   sh tests/bench/run.sh BUILD_DIR [RUNS]
set -eu
BUILD=${1:-build}
RUNS=${2:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
sh "$HERE/plan_bench.sh" "$BUILD" "$RUNS"
sh "$HERE/run_bench.sh" "$BUILD" all "$RUNS"
sh "$HERE/soak.sh" "$BUILD"
if command -v valgrind >/dev/null 2>&1; then
  sh "$HERE/instructions.sh" "$BUILD"
else
  echo "instruction counts skipped: valgrind is not installed (apt-get install valgrind)"
fi
if command -v wrk >/dev/null 2>&1; then
  sh "$HERE/sim_bench.sh" "$BUILD" "$RUNS"
else
  echo "sim benchmark skipped: wrk is not installed (apt-get install wrk)"
fi
