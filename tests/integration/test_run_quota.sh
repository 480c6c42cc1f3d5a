# Adaptive rate against an unknown quota: ecd-sim accepts 20 RebootDesktops
# calls in any sliding second and throttles the rest (HTTP 400/429/503,
# Throttling.User); the tool runs 400 one-desktop calls at --rate 100.
# Under each quota model (throttled calls free, or counted too), it must
# use at least 90% of the quota -- (accepted - 1) / (20 x first-to-last
# accepted arrival) -- with at most 5% of the calls throttled, and never
# start more than --rate (+1) calls in a second.  (The old halve-then-
# linear rule used 76-80%; the controller reaches 96-98%, see
# tests/bench/README.md "quota".)
set -eu
SRC=$2
. "$SRC/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
export HOME

Q=20
RATE=100
N=400
for model in accepted all; do
  sim_start --desktops "$N" --seed 41 --write-fleet "$T/fleet.csv" \
    --latency-ms 20 --qps "$Q" --qps-model "$model"
  wait_fleet "$T/fleet.csv" "$N"
  rc=0
  ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret \
    "$WR" run --endpoint "$ENDPOINT" --chunk-size 1 --rate "$RATE" \
    --concurrency 16 --report "$T/report-$model.jsonl" --progress never \
    "$T/fleet.csv" > "$T/out" 2> "$T/err" || rc=$?
  sim_stop
  [ "$rc" -eq 0 ] || { tail -n 20 "$T/err" >&2; fail "$model: run exited $rc"; }
  check_report "$T/report-$model.jsonl"
  [ "$(count_desktops ok "$T/report-$model.jsonl")" -eq "$N" ] ||
    fail "$model: not every desktop ok"
  max=$(simstat .max_calls_per_second_by_action.RebootDesktops)
  [ "$max" -le $((RATE + 1)) ] ||
    fail "$model: busiest 1-second window held $max calls, limit $RATE (+1)"
  set -- $(jq -r 'select(.action == "RebootDesktops") |
                  "\(.time) \(.outcome)"' "$T/sim.log" |
    awk -F'[T:Z ]' '{ printf "%.0f %s\n", ($2 * 3600 + $3 * 60 + $4) * 1000, $6 }' |
    awk -v Q="$Q" -f "$SRC/tests/bench/quota_stats.awk")
  used=$2 thr=$4
  [ "$6" -eq "$N" ] || fail "$model: the simulator accepted $6 calls, expected $N"
  awk -v u="$used" -v t="$thr" 'BEGIN { exit !(u >= 90 && t <= 5) }' ||
    fail "$model: used $used% of the quota of $Q/s with $thr% of the calls" \
      "throttled; expected >= 90% and <= 5%"
  note "ok: $model: used $used% of the quota of $Q/s, $thr% throttled," \
    "busiest window $max"
done
