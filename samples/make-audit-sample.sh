#!/bin/sh
# make-audit-sample.sh BUILD_DIR OUT_DIR [--resume | --fast]
#
# The audit sample of the README and of the browser test: a run over
# 5,050 desktops against ecd-sim (127.0.0.1 only), in which 50 input IDs
# are unknown to the service (they fail, InvalidDesktopId.NotFound, found
# by pre-flight), 20 are Stopped for good (excluded, status:Stopped), the
# service throttles above 40 calls/s and fails 2% of calls (retries), with
# a canary, waves of 1,000 and --verify.  With --resume, the run stops at
# a deadline part-way and `resume` finishes it: two sessions.  --fast
# (the browser test) leaves out --verify and its waits between waves.
#
# Writes OUT_DIR/sample.jsonl (the report), sample.txt (the text audit),
# sample.html (the page) and sample.csv.  Stops the simulator it starts.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=$2
RESUME=${3:-}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
. "$SRC/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET

N=5000
SIM_NOLOG=1
sim_start --desktops $N --seed 12 --regions cn-hangzhou,cn-shanghai \
  --write-fleet "$T/sim-fleet.csv"
wait_for test -s "$T/sim-fleet.csv" || fail "ecd-sim wrote no fleet"
sim_stop
# Every 250th desktop Stopped for good; 50 IDs the service never had.
tail -n +2 "$T/sim-fleet.csv" | cut -d, -f1 |
  awk 'NR % 250 == 0 { print $0 ",stuck" }' > "$T/states.txt"
{
  cat "$T/sim-fleet.csv"
  i=0
  while [ $i -lt 50 ]; do
    printf 'ecd-%017x,cn-hangzhou\n' $((0xdead0000 + i * 7919))
    i=$((i + 1))
  done
} > "$T/fleet.csv"

sim_start --desktops $N --seed 12 --regions cn-hangzhou,cn-shanghai \
  --fail-desktops "$T/states.txt" --qps 40 --fail-rate 0.02 \
  --latency-ms 30 --reboot-ms 400
cd "$T"
R=sample.jsonl
set -- --endpoint "$ENDPOINT" --rate 50 --concurrency 8 --chunk-size 20 \
  --canary 100 --wave-size 1000 --progress never --report "$R"
[ "$RESUME" = --fast ] || set -- "$@" --verify --verify-timeout 30s
rc=0
if [ "$RESUME" = --resume ]; then
  "$WR" run "$@" --deadline +12s fleet.csv > run.out 2> run.err || rc=$?
  [ "$rc" -eq 3 ] || { cat run.err >&2; fail "run exited $rc, not 3"; }
  rc=0
  "$WR" resume "$R" --endpoint "$ENDPOINT" --rate 50 --deadline +10m \
    --progress never > resume.out 2> resume.err || rc=$?
else
  "$WR" run "$@" fleet.csv > run.out 2> run.err || rc=$?
fi
sim_stop
[ "$rc" -eq 1 ] || { cat run.err resume.err >&2 2>/dev/null; fail "exit $rc, not 1"; }
[ "$RESUME" = --resume ] || check_report "$R"
cp "$R" "$OUT/sample.jsonl"
"$WR" report "$R" > "$OUT/sample.txt"
"$WR" report --format html -o "$OUT/sample.html" "$R"
"$WR" report --format csv -o "$OUT/sample.csv" "$R"
