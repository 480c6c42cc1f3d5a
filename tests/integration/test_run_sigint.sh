# SIGINT during a run.  The first one stops new calls, lets the calls in
# flight finish, marks the rest `skipped`, writes the summary and exits 3;
# a second one aborts at once, leaving a report that is still whole lines.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET

chunk_records()
{
  [ -f "$1" ] && [ "$(grep -c '"type":"chunk"' "$1")" -ge "$2" ]
}

# --- one SIGINT: graceful stop ----------------------------------------------
N=400
sim_start --desktops "$N" --seed 51 --write-fleet "$T/fleet.csv" --latency-ms 300
wait_fleet "$T/fleet.csv" "$N"
R=$T/report.jsonl
"$WR" run --endpoint "$ENDPOINT" --chunk-size 1 --rate 20 --concurrency 16 \
  --report "$R" --progress never "$T/fleet.csv" > "$T/out" 2> "$T/err" &
WR_PID=$!
wait_for chunk_records "$R" 30 || fail "the run wrote no 30 chunk records"
kill -INT "$WR_PID"
wait_for gone "$WR_PID" || fail "the run did not stop after SIGINT"
rc=0
wait "$WR_PID" || rc=$?
WR_PID=
sim_stop
[ "$rc" -eq 3 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc after SIGINT, expected 3"; }
check_report "$R"
[ "$(jq -r 'select(.type=="summary") | .exit_code' "$R")" -eq 3 ] ||
  fail "summary exit_code is not 3"
ok=$(count_desktops ok "$R")
skipped=$(count_desktops skipped "$R")
[ "$ok" -ge 30 ] || fail "only $ok ok desktops"
[ "$skipped" -gt 0 ] || fail "no skipped desktops after SIGINT"
[ $((ok + skipped)) -eq "$N" ] ||
  fail "ok $ok + skipped $skipped != $N (a call in flight was abandoned?)"
grep -q "$R" "$T/err" || fail "the summary on stderr does not name the report"

# The calls in flight finished: every desktop the simulator was asked to
# reboot is `ok` in the report, and no skipped desktop was ever sent.
jq -r 'select(.action=="RebootDesktops") | .desktop_ids[]' "$T/sim.log" |
  sort -u > "$T/sent"
jq -r 'select(.type=="chunk" and .status=="ok") | .desktop_ids[]' "$R" |
  sort -u > "$T/ok"
cmp -s "$T/sent" "$T/ok" ||
  fail "desktops sent and desktops ok differ: $(comm -3 "$T/sent" "$T/ok" | head -n 3 | tr '\n' ' ')"
[ "$(jq -r 'select(.type=="chunk" and .status=="skipped") | .attempts' "$R" | sort -u)" = 0 ] ||
  fail "a skipped chunk has attempts"
note "ok: SIGINT after $ok ok, $skipped skipped, exit 3"

# --- two SIGINTs: abort at once ----------------------------------------------
sim_start --desktops 200 --seed 52 --write-fleet "$T/fleet2.csv" --latency-ms 8000
wait_fleet "$T/fleet2.csv" 200
R2=$T/report2.jsonl
# (no pre-flight: its DescribeDesktops would take the 8 s latency first)
"$WR" run --endpoint "$ENDPOINT" --chunk-size 1 --rate 50 --concurrency 8 \
  --no-preflight \
  --report "$R2" --progress never "$T/fleet2.csv" > "$T/out2" 2> "$T/err2" &
WR_PID=$!
wait_for lines_at_least "$T/sim.log" 4 || fail "no call reached the simulator"
kill -INT "$WR_PID"
# Signals do not queue: let the first be seen (the run says so) before the
# second.
wait_for grep -qi 'interrupt\|signal\|stopping' "$T/err2" ||
  fail "the run said nothing after the first SIGINT"
kill -INT "$WR_PID" 2>/dev/null || :
# Calls take 4 to 12 s; an abort must not wait for them.
n=0
while ! gone "$WR_PID"; do
  n=$((n + 1))
  [ "$n" -lt 60 ] || fail "the run did not abort within 3 s of a second SIGINT"
  sleep 0.05
done
rc=0
wait "$WR_PID" || rc=$?
WR_PID=
sim_stop
[ "$rc" -eq 3 ] || { tail -n 20 "$T/err2" >&2; fail "aborted run exited $rc, expected 3"; }
[ "$(tail -c 1 "$R2" | od -An -c | tr -d ' ')" = '\n' ] || fail "$R2: last line torn"
jq -e . "$R2" > /dev/null || fail "$R2: a line is not JSON"
note "ok: a second SIGINT aborts at once, exit 3, report whole"
