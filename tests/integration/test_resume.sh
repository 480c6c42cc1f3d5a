# resume after an interrupt (client mode): SIGINT stops the run (exit 3,
# the chunks never sent are `skipped`), `resume` sends exactly those with
# their original ClientTokens and exits 0; every desktop of the plan is in
# exactly one `ok` record over the whole file, the simulator rebooted each
# exactly once, and `report` finds nothing pending.  Then: resuming the
# complete report does nothing (exit 0, file unchanged), and an option
# that would change the plan is refused (exit 2, file unchanged).
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
LOGIN=resume-login-token-5a1e
SESSION=resume-session-id-93c0
WUYING_LOGIN_TOKEN=$LOGIN
WUYING_SESSION_ID=$SESSION
WUYING_SESSION_TOKEN=resume-session-token-e1f7
export HOME WUYING_LOGIN_TOKEN WUYING_SESSION_ID WUYING_SESSION_TOKEN

chunk_records()
{
  [ -f "$1" ] && [ "$(grep -c '"type":"chunk"' "$1")" -ge "$2" ]
}

N=240
sim_start --desktops "$N" --seed 61 --write-fleet "$T/fleet.csv" \
  --client-id wr-test-client --login-token "$LOGIN" --session-id "$SESSION" \
  --latency-ms 200
wait_fleet "$T/fleet.csv" "$N"
R=$T/report.jsonl
"$WR" run --api client --endpoint "$ENDPOINT" --client-id wr-test-client \
  --client-os Windows --client-version 7.0.0 --chunk-size 2 --rate 40 \
  --concurrency 8 --report "$R" --progress never "$T/fleet.csv" \
  > "$T/out" 2> "$T/err" &
WR_PID=$!
wait_for chunk_records "$R" 20 || fail "the run wrote no 20 chunk records"
kill -INT "$WR_PID"
wait_for gone "$WR_PID" || fail "the run did not stop after SIGINT"
rc=0
wait "$WR_PID" || rc=$?
WR_PID=
[ "$rc" -eq 3 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc after SIGINT, expected 3"; }
skipped=$(count_desktops skipped "$R")
[ "$skipped" -gt 0 ] || fail "no skipped desktops after SIGINT"
jq -r 'select(.type=="plan") | "\(.chunk) \(.client_token)"' "$R" | sort > "$T/tokens.plan"
cp "$R" "$T/before.jsonl"

# --- a resume interrupted in turn ----------------------------------------------
n0=$(grep -c '"type":"chunk"' "$R")
"$WR" resume "$R" --endpoint "$ENDPOINT" --rate 20 --concurrency 4 \
  --progress never > "$T/out1" 2> "$T/err1" &
WR_PID=$!
wait_for chunk_records "$R" $((n0 + 10)) || fail "the first resume wrote no 10 chunk records"
kill -INT "$WR_PID"
wait_for gone "$WR_PID" || fail "resume did not stop after SIGINT"
rc=0
wait "$WR_PID" || rc=$?
WR_PID=
[ "$rc" -eq 3 ] || { tail -n 20 "$T/err1" >&2; fail "interrupted resume exited $rc, expected 3"; }
[ "$(tail -n 1 "$R" | jq -r .exit_code)" -eq 3 ] || fail "the interrupted session's summary exit_code is not 3"
[ "$(tail -n 1 "$R" | jq -r .skipped_desktops)" -gt 0 ] || fail "the interrupted session skipped nothing"
"$WR" report "$R" > /dev/null || fail "report refused a report resumed and interrupted"

# --- resume to the end -----------------------------------------------------------
rc=0
"$WR" resume "$R" --endpoint "$ENDPOINT" --rate 100 --concurrency 16 \
  --progress never > "$T/out2" 2> "$T/err2" || rc=$?
[ "$rc" -eq 0 ] || { tail -n 20 "$T/err2" >&2; fail "resume exited $rc, expected 0"; }
# The first session's bytes are untouched: resume only appends.
cmp -s "$T/before.jsonl" "$R" && fail "resume appended nothing"
head -c "$(wc -c < "$T/before.jsonl")" "$R" | cmp -s - "$T/before.jsonl" ||
  fail "resume changed the first session's records"
tail -n +"$(($(wc -l < "$T/before.jsonl") + 1))" "$R" > "$T/session2"
[ "$(head -n 1 "$T/session2" | jq -r .type)" = resume ] ||
  fail "the session does not start with a resume record"
[ "$(grep -c '"type":"resume"' "$T/session2")" -eq 2 ] || fail "not two resume records"
[ "$(tail -n 1 "$R" | jq -r .type)" = summary ] || fail "the last record is not a summary"
[ "$(tail -n 1 "$R" | jq -r '.exit_code')" -eq 0 ] || fail "the last summary's exit_code is not 0"
[ "$(tail -n 1 "$R" | jq -r '.ok_desktops')" -eq "$N" ] ||
  fail "the last summary counts $(tail -n 1 "$R" | jq -r .ok_desktops) ok desktops, not $N (the whole run)"
# Exactly the skipped chunks were sent again (each ok once), with their
# plan's tokens.
jq -r 'select(.type=="chunk" and .status=="skipped") | .chunk' "$T/before.jsonl" | sort > "$T/want"
jq -r 'select(.type=="chunk" and .status=="ok") | .chunk' "$T/session2" | sort > "$T/got"
cmp -s "$T/want" "$T/got" ||
  fail "resume sent other chunks than the skipped ones: $(comm -3 "$T/want" "$T/got" | head -n 3 | tr '\n' ' ')"
jq -r 'select(.type=="chunk") | "\(.chunk) \(.client_token)"' "$T/session2" | sort -u > "$T/tokens.sent"
[ -z "$(comm -13 "$T/tokens.plan" "$T/tokens.sent")" ] ||
  fail "a chunk was re-sent with another ClientToken than its plan's"
# Every desktop in exactly one ok record over the whole file.
jq -r 'select(.type=="plan") | .desktop_ids[]' "$R" | sort > "$T/planned"
jq -r 'select(.type=="chunk" and .status=="ok") | .desktop_ids[]' "$R" | sort > "$T/ok"
[ "$(wc -l < "$T/planned")" -eq "$N" ] || fail "the plan does not hold $N desktops"
cmp -s "$T/planned" "$T/ok" ||
  fail "planned desktops and ok records differ: $(comm -3 "$T/planned" "$T/ok" | head -n 3 | tr '\n' ' ')"
# The audit agrees: complete, nothing pending.
"$WR" report --format json "$R" > "$T/audit.json" || fail "report refused the resumed report"
[ "$(jq -r '.exit_code' "$T/audit.json")" -eq 0 ] || fail "audit: exit_code not 0"
[ "$(jq -r '.complete' "$T/audit.json")" = true ] || fail "audit: not complete"
[ "$(jq -r '.pending_chunks | length' "$T/audit.json")" -eq 0 ] || fail "audit: pending chunks"
[ "$(jq -r '.resumes' "$T/audit.json")" -eq 2 ] || fail "audit: not resumed twice"
"$WR" report "$R" > "$T/audit.txt" || fail "report (text) refused the resumed report"
grep -qi 'differ' "$T/audit.txt" && fail "audit: the summary disagrees with the records"
note "ok: SIGINT ($skipped skipped), resume interrupted, resumed again: $(wc -l < "$T/got") chunks sent, exit 0"

# --- resume of a complete report: nothing to do --------------------------------
cp "$R" "$T/complete.jsonl"
rc=0
"$WR" resume "$R" --endpoint "$ENDPOINT" > "$T/out3" 2> "$T/err3" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/err3" >&2; fail "resume of a complete report exited $rc"; }
grep -q 'nothing to resume' "$T/err3" || fail "no 'nothing to resume' message"
cmp -s "$R" "$T/complete.jsonl" || fail "resume of a complete report changed it"
note "ok: nothing to resume"

# --- an option that changes the plan: usage error ------------------------------
cp "$T/before.jsonl" "$T/pristine.jsonl"
for opt in "--chunk-size 4" "--region cn-shanghai" "--api admin" "--report $T/x"; do
  rc=0
  # shellcheck disable=SC2086
  "$WR" resume "$T/before.jsonl" $opt --endpoint "$ENDPOINT" > "$T/out4" 2> "$T/err4" || rc=$?
  [ "$rc" -eq 2 ] || fail "resume $opt exited $rc, expected 2"
  grep -q -- "${opt%% *}" "$T/err4" || fail "resume $opt: the error does not name the option"
  cmp -s "$T/before.jsonl" "$T/pristine.jsonl" || fail "resume $opt changed the report"
done
note "ok: options that change the plan are refused"

# --- the run's deadline has passed: refused until a new one is given ----------
head -n 1 "$T/pristine.jsonl" |
  jq -c '.options.deadline = "2020-01-01T00:00:00.000Z"' > "$T/late.jsonl"
tail -n +2 "$T/pristine.jsonl" >> "$T/late.jsonl"
cp "$T/late.jsonl" "$T/late0.jsonl"
rc=0
"$WR" resume "$T/late.jsonl" --endpoint "$ENDPOINT" > "$T/out5" 2> "$T/err5" || rc=$?
[ "$rc" -eq 2 ] || fail "resume after the deadline exited $rc, expected 2"
grep -q 'deadline.*has passed' "$T/err5" || fail "no message about the passed deadline"
cmp -s "$T/late.jsonl" "$T/late0.jsonl" || fail "a refused resume changed the report"
note "ok: a passed deadline is refused"
sim_stop

# No secret reached the report or stderr of any session.
for secret in "$LOGIN" "$SESSION" "$WUYING_SESSION_TOKEN"; do
  if grep -qF "$secret" "$R" "$T"/err*; then
    fail "a secret reached the report or stderr"
  fi
done

# The simulator rebooted each desktop exactly once over both sessions.
rebooted_once_each "$N"
note "ok: each of $N desktops rebooted exactly once"
