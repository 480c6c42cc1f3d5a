# One writer per report: `run` and `resume` hold an exclusive lock on it
# for their lifetime.  While a slow run (--rate 2) holds its report, a
# `resume` of it exits 2 at once, naming the run's pid, and sends nothing;
# `report` (read-only) still reads it.  After SIGINT stops the run, a slow
# resume holds the report in turn and a second resume is refused the same
# way, before it reads the file.  A last resume finishes the run: every
# desktop rebooted exactly once, the report whole.
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

# refused PID WHAT: a resume of $R while PID holds it exits 2 at once,
# names PID, and starts no session (a resume record comes before any
# call; the holder's own calls go on, so the simulator cannot tell).
refused()
{
  _before=$(grep -c '"type":"resume"' "$R" || :)
  _rc=0
  _t0=$(date +%s%N)
  timeout 10 "$WR" resume "$R" --endpoint "$ENDPOINT" --progress never \
    > "$T/rout" 2> "$T/rerr" || _rc=$?
  _ms=$((($(date +%s%N) - _t0) / 1000000))
  [ "$_rc" -eq 2 ] || { cat "$T/rerr" >&2; fail "$2: resume exited $_rc while pid $1 held the report, expected 2"; }
  [ "$_ms" -lt 1000 ] || fail "$2: the refusal took $_ms ms"
  grep -q "pid $1" "$T/rerr" || fail "$2: the message does not name pid $1: $(cat "$T/rerr")"
  grep -q "$R" "$T/rerr" || fail "$2: the message does not name the report: $(cat "$T/rerr")"
  kill -0 "$1" 2>/dev/null || fail "$2: pid $1 ended before the check was over (too fast)"
  [ "$(grep -c '"type":"resume"' "$R" || :)" -eq "$_before" ] ||
    fail "$2: the refused resume started a session"
  grep -q 'resuming' "$T/rerr" && fail "$2: the refused resume says it is resuming"
  :
}

# stop PID: SIGINT, then its exit code (3: stopped, resumable).
stop()
{
  kill -INT "$1"
  wait_for gone "$1" || fail "pid $1 did not stop after SIGINT"
  _rc=0
  wait "$1" || _rc=$?
  [ "$_rc" -eq 3 ] || { tail -n 5 "$T/err" >&2; fail "pid $1 exited $_rc after SIGINT, expected 3"; }
}

N=40
sim_start --desktops "$N" --seed 93 --write-fleet "$T/fleet.csv"
wait_fleet "$T/fleet.csv" "$N"
R=$T/report.jsonl
"$WR" run --endpoint "$ENDPOINT" --chunk-size 1 --rate 2 --concurrency 1 \
  --report "$R" --progress never "$T/fleet.csv" > "$T/out" 2> "$T/err" &
WR_PID=$!
wait_for chunk_records "$R" 1 || fail "the run wrote no chunk record"
refused "$WR_PID" "during run"
"$WR" report --format json "$R" > "$T/audit.json" ||
  fail "report could not read a report that a run holds"
stop "$WR_PID"
WR_PID=
"$WR" report --format json "$R" > "$T/audit.json" || fail "the stopped run's report does not load"

# A slow resume holds it now.
done_before=$(grep -c '"type":"chunk"' "$R")
"$WR" resume "$R" --endpoint "$ENDPOINT" --rate 2 --progress never \
  > "$T/out" 2> "$T/err" &
WR_PID=$!
wait_for chunk_records "$R" $((done_before + 1)) || fail "the first resume wrote no chunk record"
refused "$WR_PID" "during resume"
stop "$WR_PID"
WR_PID=

rc=0
"$WR" resume "$R" --endpoint "$ENDPOINT" --rate 0 --progress never \
  > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" -eq 0 ] || { tail -n 5 "$T/err" >&2; fail "the last resume exited $rc, expected 0"; }
sim_stop
rebooted_once_each "$N"
"$WR" report --format json "$R" > "$T/audit.json" || fail "the finished report does not load"
[ "$(jq -r .complete "$T/audit.json")" = true ] || fail "the finished report is not complete"
note "ok: a second process on a held report exits 2 naming the holder, nothing sent"
