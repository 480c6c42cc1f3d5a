# 2,000 desktops in client mode through every kind of trouble the
# simulator can make: transient errors, resets, lost responses (reboot done,
# answer dropped), hangs (cut by a short --timeout), throttling below the
# configured rate, and latency.  Every desktop must end `ok`, rebooted
# exactly once (ClientToken idempotency), with a request_id the simulator
# really sent, and one final record per chunk.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"

LOGIN=faults-login-token-51f0
SESSION=faults-session-id-77aa
sim_start --desktops 2000 --seed 11 --write-fleet "$T/fleet.csv" \
  --client-id wr-test-client --login-token "$LOGIN" --session-id "$SESSION" \
  --fail-rate 0.05 --reset-rate 0.02 --lost-rate 0.03 \
  --hang-rate 0.01 --hang-ms 4000 --qps 40 --latency-ms 10
wait_fleet "$T/fleet.csv" 2000

rc=0
WUYING_LOGIN_TOKEN=$LOGIN WUYING_SESSION_ID=$SESSION \
WUYING_SESSION_TOKEN=faults-session-token-0c3d \
  "$WR" run --api client --endpoint "$ENDPOINT" --client-id wr-test-client \
  --client-os Windows --client-version 7.0.0 \
  --chunk-size 5 --rate 60 --concurrency 16 --timeout 1 --retries 30 \
  --report "$T/report.jsonl" --progress never \
  "$T/fleet.csv" > "$T/out" 2> "$T/err" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc, expected 0"; }

R=$T/report.jsonl
check_report "$R"
[ "$(count_desktops ok "$R")" -eq 2000 ] ||
  fail "ok desktops: $(count_desktops ok "$R"), expected 2000"
notok=$(jq -r 'select(.type=="chunk" and .status!="ok") | .chunk' "$R" | head -n 3)
[ -z "$notok" ] || fail "chunks not ok: $notok"
[ "$(jq -r 'select(.type=="summary") | .exit_code' "$R")" -eq 0 ] ||
  fail "summary exit_code is not 0"

# The simulator rebooted each desktop exactly once.
rebooted_once_each 2000
[ "$(simstat .violations_total)" -eq 0 ] ||
  fail "protocol violations: $(jq -c .violations "$T/stats.json")"

# The faults really happened (else this test proves nothing).  With ~400
# calls each kind is all but certain, except a 1% hang (e^-4): not required.
for o in error reset lost throttled; do
  n=$(simstat ".calls.RebootDesktops.$o // 0")
  [ "$n" -gt 0 ] || fail "the simulator injected no '$o' (seed or options changed?)"
done

# Every ok chunk's request_id is one the simulator sent (or would have,
# for a lost answer replayed later).
jq -r 'select(.action=="RebootDesktops") | .request_id // empty' "$T/sim.log" |
  sort -u > "$T/sim_ids"
jq -r 'select(.type=="chunk" and .status=="ok") | .request_id' "$R" |
  sort -u > "$T/ok_ids"
nok=$(grep -c '"type":"chunk"' "$R")
[ "$(wc -l < "$T/ok_ids")" -eq "$nok" ] ||
  fail "$(wc -l < "$T/ok_ids") distinct request_ids for $nok ok chunks"
unknown=$(comm -23 "$T/ok_ids" "$T/sim_ids" | head -n 3)
[ -z "$unknown" ] || fail "request_ids the simulator never sent: $unknown"

# Retries were counted in the report.
retried=$(jq -s '[.[] | select(.type=="chunk" and .attempts > 1)] | length' "$R")
[ "$retried" -gt 0 ] || fail "no chunk needed a retry"
note "ok: 2000 desktops, $retried chunks retried, $(simstat .calls_total) calls:" \
  "$(jq -c .calls.RebootDesktops "$T/stats.json")"
