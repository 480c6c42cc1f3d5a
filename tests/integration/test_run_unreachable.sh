# A fleet-wide outage is not a permanent failure (issue 13, item 6).  The
# run goes to a port nobody listens on (ecd-sim's, after it stopped):
# every call is refused, certainly never sent.  After max(10, 2 x
# concurrency) such attempts in a row the run stops: exit 3, quickly, the
# cause named on stderr and in the summary ("unreachable"), and no chunk
# `failed`: the chunks never sent are `skipped`, so resume has them all.
# Then resume with --endpoint pointing at a live ecd-sim holding the same
# fleet: exit 0, every desktop ok and rebooted exactly once.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
LOGIN=outage-login-token-3c7d
SESSION=outage-session-id-8e21
WUYING_LOGIN_TOKEN=$LOGIN
WUYING_SESSION_ID=$SESSION
WUYING_SESSION_TOKEN=outage-session-token-b40f
export HOME WUYING_LOGIN_TOKEN WUYING_SESSION_ID WUYING_SESSION_TOKEN

N=60
SIMARGS="--client-id wr-test-client --login-token $LOGIN --session-id $SESSION"
# A port that was bound and is closed now: the simulator's, once stopped.
# shellcheck disable=SC2086
sim_start --desktops "$N" --seed 29 --write-fleet "$T/fleet.csv" $SIMARGS
wait_fleet "$T/fleet.csv" "$N"
DEAD=$ENDPOINT
sim_stop

R=$T/report.jsonl
t0=$(date +%s)
rc=0
"$WR" run --api client --endpoint "$DEAD" --client-id wr-test-client \
  --client-os Windows --client-version 7.0.0 --chunk-size 2 --rate 0 \
  --concurrency 4 --retries 20 --report "$R" --progress never \
  "$T/fleet.csv" > "$T/out" 2> "$T/err" || rc=$?
t1=$(date +%s)
[ "$rc" -eq 3 ] || { tail -n 20 "$T/err" >&2; fail "a run against a closed port exited $rc, expected 3"; }
[ $((t1 - t0)) -le 30 ] || fail "the run took $((t1 - t0)) s to give up on a closed port"
grep -q 'unreachable' "$T/err" || { cat "$T/err" >&2; fail "stderr does not say the endpoint is unreachable"; }
grep -qi 'connect\|refused' "$T/err" ||
  { cat "$T/err" >&2; fail "stderr does not name the last transport error"; }
grep -q 'stopping (unreachable)' "$T/err" || { cat "$T/err" >&2; fail "no 'stopping (unreachable)' note"; }
check_report "$R"
[ "$(count_desktops failed "$R")" -eq 0 ] || fail "desktops ended failed after an outage with nothing sent"
[ "$(count_desktops skipped "$R")" -eq "$N" ] || fail "not every desktop is skipped"
[ "$(jq -r 'select(.type=="summary") | .exit_code' "$R")" -eq 3 ] || fail "the summary's exit_code is not 3"
jq -r 'select(.type=="summary") | .stop_reason' "$R" | grep -qx unreachable ||
  fail "the summary's stop_reason is not 'unreachable'"
jq -r 'select(.type=="chunk" and .attempts > 0) | .error_message' "$R" |
  grep -v "Couldn't connect.*(not sent: the run stopped)\$" && fail "a chunk tried and skipped does not keep its error and say 'not sent'"
jq -e -s '[.[] | select(.type=="chunk" and .attempts > 0)] | length > 0' "$R" > /dev/null ||
  fail "no chunk was tried before the stop"
tried=$(jq -s '[.[] | select(.type=="chunk") | .attempts] | add' "$R")
[ "$tried" -ge 10 ] || fail "the run stopped after $tried attempts, fewer than 10"

# The same fleet, alive now, on another port.
# shellcheck disable=SC2086
sim_start --fleet "$T/fleet.csv" $SIMARGS
rc=0
"$WR" resume "$R" --endpoint "$ENDPOINT" --rate 0 --progress never \
  > "$T/out1" 2> "$T/err1" || rc=$?
[ "$rc" -eq 0 ] || { tail -n 20 "$T/err1" >&2; fail "resume against a live ecd-sim exited $rc, expected 0"; }
sim_stop
rebooted_once_each "$N"
jq -s -e --argjson n "$N" '[.[] | select(.type=="chunk" and .status=="ok")
    | .desktop_ids[]] | unique | length == $n' "$R" > /dev/null ||
  fail "not every desktop has an ok record after resume"
[ "$(jq -r 'select(.type=="summary") | .exit_code' "$R" | tail -n 1)" -eq 0 ] ||
  fail "the last summary's exit_code is not 0"
note "ok: an outage stops the run (exit 3, unreachable), resume finishes it"
