# Rate limit: with --rate R, the simulator's busiest sliding 1-second window
# holds at most R+1 calls, over a run of several seconds, and the run
# achieves close to R calls/s.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
export HOME

RATE=30
N=180              # one desktop a call: 6 s at 30/s
sim_start --desktops "$N" --seed 31 --write-fleet "$T/fleet.csv" --latency-ms 20
wait_fleet "$T/fleet.csv" "$N"
rc=0
ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret \
  "$WR" run --endpoint "$ENDPOINT" --chunk-size 1 --rate "$RATE" \
  --concurrency 16 --report "$T/report.jsonl" --progress never "$T/fleet.csv" \
  > "$T/out" 2> "$T/err" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc"; }
check_report "$T/report.jsonl"
[ "$(count_desktops ok "$T/report.jsonl")" -eq "$N" ] || fail "not every desktop ok"

calls=$(simstat .calls_total)
max=$(simstat .max_calls_per_second)
[ "$calls" -ge "$N" ] || fail "simulator saw $calls calls, expected at least $N"
[ "$max" -le $((RATE + 1)) ] ||
  fail "busiest 1-second window held $max calls, limit $RATE (+1)"

# Achieved rate, first to last arrival, from the simulator's log.
rate=$(jq -r '.time' "$T/sim.log" | awk -F'[T:Z]' '
  { ms = ($2 * 3600 + $3 * 60 + $4) * 1000
    if (NR == 1) first = ms
    last = ms }
  END { span = last - first; if (span < 0) span += 86400000
        printf "%.1f", (NR - 1) * 1000 / span }')
awk -v r="$rate" -v R="$RATE" 'BEGIN { exit !(r >= 0.9 * R) }' ||
  fail "achieved $rate calls/s, expected at least 90% of $RATE"
note "ok: $calls calls, busiest window $max (limit $RATE), achieved $rate calls/s"
