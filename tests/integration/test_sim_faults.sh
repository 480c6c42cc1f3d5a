#!/bin/sh
# ecd-sim's fault switches and flow control over HTTP: reset, lost, hang,
# garbage, 500/503, latency, throttling with x-acs-retry-after, seeded
# reproducibility, the 1-second window statistic, SIGINT.
set -u
BUILD=$1
SRC=$2
T=$(mktemp -d)
. "$SRC/tests/sim/sim_lib.sh"
trap sim_cleanup EXIT
trap 'exit 1' INT TERM
C="$BUILD/tests/sim/sim-client"

stat_of() { $C --endpoint "$E" --get /__stats | jq -r "$1"; }

start_sim reset --desktops 3 --write-fleet "$T/f.csv" --reset-rate 1
D=$(ids "$T/f.csv" cn-hangzhou 1)
out=$($C --endpoint "$E" --ids "$D")
check "reset: no response" "$(printf "%s\n" "$out" | status)" 0
check "reset: transport error" "$(printf "%s\n" "$out" | jq '.error != null')" true
check "reset: nothing done" "$(stat_of .reboots_total)" 0
check "reset: counted" "$(stat_of .calls.RebootDesktops.reset)" 1
check "reset: not a violation" "$(stat_of .violations_total)" 0
stop_sim reset

start_sim lost --desktops 3 --lost-rate 1 --log "$T/lost.jsonl"
out=$($C --endpoint "$E" --ids "$D")
check "lost: no response" "$(printf "%s\n" "$out" | status)" 0
check "lost: the reboot was done" "$(stat_of ".reboots[\"$D\"]")" 1
check "lost: counted" "$(stat_of .calls.RebootDesktops.lost)" 1
check "lost: logged with its RequestId" \
  "$(jq -r 'select(.outcome == "lost") | .request_id | length' "$T/lost.jsonl")" 36
# The case ClientToken exists for: the retry of a lost call is a replay.
D2=$(ids "$T/f.csv" cn-shanghai 1)
out=$($C --endpoint "$E" --api client --region cn-shanghai --client-token L1 \
  --ids "$D2")
check "lost (client): no response" "$(printf "%s\n" "$out" | status)" 0
out=$($C --endpoint "$E" --api client --region cn-shanghai --client-token L1 \
  --ids "$D2")
check "lost (client): the retry is answered" "$(printf "%s\n" "$out" | status)" 200
check "lost (client): with the lost call's RequestId" \
  "$(printf "%s\n" "$out" | rid)" \
  "$(jq -r 'select(.client_token == "L1" and .outcome == "lost") | .request_id' \
     "$T/lost.jsonl")"
check "lost (client): rebooted once" "$(stat_of ".reboots[\"$D2\"]")" 1
check "lost (client): replayed" "$(stat_of .calls.RebootDesktops.replayed)" 1
stop_sim lost

start_sim garbage --desktops 3 --garbage-rate 1
out=$($C --endpoint "$E" --ids "$D")
check "garbage: 502" "$(printf "%s\n" "$out" | status)" 502
check "garbage: not JSON" "$(printf "%s\n" "$out" | jq -r '.body | (fromjson? | "json") // "html"')" html
check "garbage: nothing done" "$(stat_of .reboots_total)" 0
stop_sim garbage

start_sim fail --desktops 3 --fail-rate 1
out=$($C --endpoint "$E" --ids "$D")
case "$(printf "%s\n" "$out" | status) $(printf "%s\n" "$out" | code)" in
  "500 InternalError"|"503 ServiceUnavailable") echo "ok: fail: 500/503" ;;
  *) fail "fail: got $out" ;;
esac
check "fail: nothing done" "$(stat_of .reboots_total)" 0
stop_sim fail

start_sim hang --desktops 3 --hang-rate 1 --hang-ms 1000
out=$($C --endpoint "$E" --ids "$D" --timeout-ms 10000)
check "hang: closed without a response" "$(printf "%s\n" "$out" | status)" 0
check "hang: after --hang-ms" "$(printf "%s\n" "$out" | jq '.elapsed_ms >= 990')" true
out=$($C --endpoint "$E" --ids "$D" --timeout-ms 100)
check "hang: a client timeout fires first" \
  "$(printf "%s\n" "$out" | jq '.elapsed_ms < 900 and .error != null')" true
check "hang: counted" "$(stat_of .calls.RebootDesktops.hang)" 2
check "hang: nothing done" "$(stat_of .reboots_total)" 0
stop_sim hang

# Stopping while a connection hangs: answered (closed) at once, exit 0.
start_sim hang2 --desktops 3 --hang-rate 1 --hang-ms 60000 --log "$T/hang2.jsonl"
$C --endpoint "$E" --ids "$D" --timeout-ms 30000 >"$T/hang2.out" &
cpid=$!
i=0
while [ ! -s "$T/hang2.jsonl" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
stop_sim hang2
wait "$cpid"
check "hang at shutdown: connection closed" "$(status <"$T/hang2.out")" 0
check "hang at shutdown: long before --hang-ms" \
  "$(jq '.elapsed_ms < 20000' "$T/hang2.out")" true

start_sim latency --desktops 3 --latency-ms 200
out=$($C --endpoint "$E" --ids "$D")
check "latency: answered" "$(printf "%s\n" "$out" | status)" 200
check "latency: at least half the mean" "$(printf "%s\n" "$out" | jq '.elapsed_ms >= 95')" true
stop_sim latency

# Throttling: pages of one DescribeDesktops walk arrive within milliseconds.
start_sim qps --desktops 30 --qps 2 --retry-after-ms 500
$C --endpoint "$E" --action DescribeDesktops --max-results 1 --all-pages \
  >"$T/qps.out"
check "qps: two calls pass" "$(head -n 2 "$T/qps.out" | status | paste -sd, -)" 200,200
case "$(sed -n 3p "$T/qps.out" | status)" in
  400|429|503) echo "ok: qps: throttled status" ;;
  *) fail "qps: third call: $(sed -n 3p "$T/qps.out")" ;;
esac
check "qps: Throttling.User" "$(sed -n 3p "$T/qps.out" | code)" Throttling.User
check "qps: x-acs-retry-after" "$(sed -n 3p "$T/qps.out" | jq -r .retry_after)" 500
check "qps: throttled counted" "$(stat_of .calls.DescribeDesktops.throttled)" 1
check "qps: throttled calls count in the window" \
  "$(stat_of .max_calls_per_second_by_action.DescribeDesktops)" 3
check "qps: not a violation" "$(stat_of .violations_total)" 0
pid=$(cat "$T/qps/pid")
kill -INT "$pid"
wait "$pid"
check "SIGINT exits 0" "$?" 0

# Same seed, same calls: same outcomes and RequestIds.
for run in 1 2 3; do
  seed=7
  [ $run -eq 3 ] && seed=8
  start_sim seed$run --desktops 3 --fail-rate 0.4 --garbage-rate 0.2 \
    --seed $seed --log "$T/seed$run.jsonl"
  for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    $C --endpoint "$E" --action DescribeDesktops >/dev/null
  done
  stop_sim seed$run
  jq -r '"\(.http_status) \(.request_id)"' "$T/seed$run.jsonl" >"$T/seq$run"
done
check "seeded: reproducible" "$(cmp -s "$T/seq1" "$T/seq2"; echo $?)" 0
check "seeded: another seed differs" "$(cmp -s "$T/seq1" "$T/seq3"; echo $?)" 1
check "seeded: faults happened" "$(grep -vc '^200 ' "$T/seq1" | grep -v '^0$')" \
  "$(grep -vc '^200 ' "$T/seq1")"

[ "$FAILS" -eq 0 ] || { echo "$FAILS check(s) failed"; exit 1; }
echo "all ecd-sim fault checks passed"
