# resume finishes the chunks whose retry was pending when the run stopped
# (client mode).  ecd-sim's quota falls from 50 to 2 calls a second 0.3 s
# into the run (--qps-schedule) while the run sends at --rate 50, and
# throttled calls count towards it (--qps-model all): the adaptive limiter
# keeps throttling rare at a steady quota, but such a drop throttles
# every call until the limiter has slowed below the new quota, so
# throttled chunks wait in the retry heap; SIGINT stops the
# run (exit 3) and those chunks get `failed` records with
# "retry_pending": true.  `report` shows them as re-sendable.  `resume`,
# against the SAME simulator (its ClientToken memory must survive),
# re-sends them and the skipped ones with their plan's tokens and copes
# with the throttling: exit 0, every desktop in exactly one `ok` leaf, the
# simulator rebooted each exactly once, and the audit is complete.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
LOGIN=pending-login-token-77ab
SESSION=pending-session-id-41c2
WUYING_LOGIN_TOKEN=$LOGIN
WUYING_SESSION_ID=$SESSION
WUYING_SESSION_TOKEN=pending-session-token-0d9e
export HOME WUYING_LOGIN_TOKEN WUYING_SESSION_ID WUYING_SESSION_TOKEN

chunk_records()
{
  [ -f "$1" ] && [ "$(grep -c '"type":"chunk"' "$1")" -ge "$2" ]
}

throttled()
{
  [ -f "$T/sim.log" ] && [ "$(grep -c '"code":"Throttling' "$T/sim.log")" -ge "$1" ]
}

N=80
sim_start --desktops "$N" --seed 73 --write-fleet "$T/fleet.csv" \
  --client-id wr-test-client --login-token "$LOGIN" --session-id "$SESSION" \
  --qps-schedule 50@0,2@0.3 --qps-model all --latency-ms 20
wait_fleet "$T/fleet.csv" "$N"
R=$T/report.jsonl
"$WR" run --api client --endpoint "$ENDPOINT" --client-id wr-test-client \
  --client-os Windows --client-version 7.0.0 --chunk-size 2 --rate 50 \
  --concurrency 8 --retries 10 --report "$R" --progress never -v \
  "$T/fleet.csv" > "$T/out" 2> "$T/err" &
WR_PID=$!
wait_for chunk_records "$R" 4 || fail "the run wrote no 4 chunk records"
wait_for throttled 10 || fail "the simulator throttled fewer than 10 calls"
kill -INT "$WR_PID"
wait_for gone "$WR_PID" || fail "the run did not stop after SIGINT"
rc=0
wait "$WR_PID" || rc=$?
WR_PID=
[ "$rc" -eq 3 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc after SIGINT, expected 3"; }
check_report "$R"
jq -c 'select(.type=="chunk" and .retry_pending==true)' "$R" > "$T/pending"
npend=$(wc -l < "$T/pending")
[ "$npend" -ge 1 ] || fail "no chunk record with retry_pending after SIGINT under throttling"
[ "$(jq -r .status "$T/pending" | sort -u)" = failed ] ||
  fail "a retry_pending record is not failed"
jq -r '.error_message' "$T/pending" | grep -qv 'not retried: the run stopped' &&
  fail "a retry_pending record does not say 'not retried: the run stopped'"
[ "$(jq -r 'select(.retry_pending==true) | .error_code' "$T/pending" | grep -c .)" -eq "$npend" ] ||
  fail "a retry_pending record lost its last error code"
# Every failed record is retry_pending here (nothing fails finally).
[ "$(count_desktops failed "$R")" -eq "$(jq -s '[.[].desktop_ids | length] | add' "$T/pending")" ] ||
  fail "a failed record without retry_pending"
jq -r '.chunk' "$T/pending" | sort > "$T/pending.ids"
jq -r 'select(.type=="chunk" and .status=="skipped") | .chunk' "$R" | sort > "$T/skipped.ids"
jq -r 'select(.type=="plan") | "\(.chunk) \(.client_token)"' "$R" | sort > "$T/tokens.plan"
cp "$R" "$T/before.jsonl"

# The audit: failed, retry pending, the run can be resumed.
rc=0
"$WR" report "$R" > "$T/audit0.txt" || rc=$?
grep -q 'retry pending' "$T/audit0.txt" || fail "report (text) does not show the retry-pending chunks"
grep -q 'can be resumed' "$T/audit0.txt" || fail "report (text) does not say the run can be resumed"
"$WR" report --format json "$R" > "$T/audit0.json" || :
[ "$(jq -r '.desktops.retry_pending' "$T/audit0.json")" -eq "$(count_desktops failed "$R")" ] ||
  fail "report (json): retry_pending_desktops is not the failed desktops"
[ "$(jq -r '.complete' "$T/audit0.json")" = false ] || fail "report (json): complete before resume"
for f in markdown html; do
  "$WR" report --format "$f" "$R" > "$T/audit0.$f" || :
  grep -q 'retry pending' "$T/audit0.$f" ||
    fail "report ($f) does not show the retry-pending chunks"
  grep -q 'can be resumed' "$T/audit0.$f" ||
    fail "report ($f) does not say the run can be resumed"
done
note "ok: SIGINT under throttling: exit 3, $npend chunk(s) retry_pending, $(wc -l < "$T/skipped.ids") skipped"

# --- resume against the same simulator, still throttling ---------------------
rc=0
"$WR" resume "$R" --endpoint "$ENDPOINT" --rate 4 --concurrency 2 \
  --retries 20 --progress never > "$T/out2" 2> "$T/err2" || rc=$?
[ "$rc" -eq 0 ] || { tail -n 20 "$T/err2" >&2; fail "resume exited $rc, expected 0"; }
tail -n +"$(($(wc -l < "$T/before.jsonl") + 1))" "$R" > "$T/session2"
[ "$(head -n 1 "$T/session2" | jq -r .type)" = resume ] ||
  fail "the session does not start with a resume record"
[ "$(tail -n 1 "$R" | jq -r '.exit_code')" -eq 0 ] || fail "the last summary's exit_code is not 0"
[ "$(tail -n 1 "$R" | jq -r '.ok_desktops')" -eq "$N" ] ||
  fail "the last summary counts $(tail -n 1 "$R" | jq -r .ok_desktops) ok desktops, not $N"
[ "$(tail -n 1 "$R" | jq -r '.failed_desktops')" -eq 0 ] ||
  fail "the last summary still counts failed desktops"
# Exactly the retry-pending and skipped chunks were sent, with their tokens.
sort "$T/pending.ids" "$T/skipped.ids" > "$T/want"
jq -r 'select(.type=="chunk" and .status=="ok") | .chunk' "$T/session2" | sort > "$T/got"
cmp -s "$T/want" "$T/got" ||
  fail "resume sent other chunks than the retry-pending and skipped ones: $(comm -3 "$T/want" "$T/got" | head -n 3 | tr '\n' ' ')"
jq -r 'select(.type=="chunk") | "\(.chunk) \(.client_token)"' "$T/session2" | sort -u > "$T/tokens.sent"
[ -z "$(comm -13 "$T/tokens.plan" "$T/tokens.sent")" ] ||
  fail "a chunk was re-sent with another ClientToken than its plan's"
# Every desktop in exactly one ok record over the whole file.
jq -r 'select(.type=="plan") | .desktop_ids[]' "$R" | sort > "$T/planned"
jq -r 'select(.type=="chunk" and .status=="ok") | .desktop_ids[]' "$R" | sort > "$T/ok"
[ "$(wc -l < "$T/planned")" -eq "$N" ] || fail "the plan does not hold $N desktops"
cmp -s "$T/planned" "$T/ok" ||
  fail "planned desktops and ok records differ: $(comm -3 "$T/planned" "$T/ok" | head -n 3 | tr '\n' ' ')"
"$WR" report --format json "$R" > "$T/audit.json" || fail "report refused the resumed report"
[ "$(jq -r '.complete' "$T/audit.json")" = true ] || fail "audit: not complete after resume"
[ "$(jq -r '.desktops.failed' "$T/audit.json")" -eq 0 ] || fail "audit: failed desktops after resume"
[ "$(jq -r '.desktops.retry_pending' "$T/audit.json")" -eq 0 ] || fail "audit: retry pending after resume"
rc=0
"$WR" resume "$R" --endpoint "$ENDPOINT" > "$T/out3" 2> "$T/err3" || rc=$?
[ "$rc" -eq 0 ] || fail "resume of the complete report exited $rc"
grep -q 'nothing to resume' "$T/err3" || fail "no 'nothing to resume' after the resume"
note "ok: resume re-sent $(wc -l < "$T/got") chunks ($npend retry-pending), exit 0"
sim_stop

for secret in "$LOGIN" "$SESSION" "$WUYING_SESSION_TOKEN"; do
  if grep -qF "$secret" "$R" "$T"/err*; then
    fail "a secret reached the report or stderr"
  fi
done
rebooted_once_each "$N"
note "ok: each of $N desktops rebooted exactly once"

# --- admin mode: no ClientToken, so resume warns about the re-sent chunks ----
AK=pending-admin-id
SK=pending-admin-secret-3b8d
ALIBABA_CLOUD_ACCESS_KEY_ID=$AK
ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK
export ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
sim_start --desktops "$N" --seed 79 --write-fleet "$T/fleet2.csv" \
  --access-key-id "$AK" --access-key-secret "$SK" --qps-schedule 50@0,2@0.3 \
  --qps-model all --latency-ms 20
wait_fleet "$T/fleet2.csv" "$N"
A=$T/admin.jsonl
"$WR" run --endpoint "$ENDPOINT" --chunk-size 2 --rate 50 --concurrency 8 \
  --retries 10 --report "$A" --progress never "$T/fleet2.csv" \
  > "$T/out5" 2> "$T/err5" &
WR_PID=$!
wait_for chunk_records "$A" 4 || fail "admin: the run wrote no 4 chunk records"
wait_for throttled 10 || fail "admin: the simulator throttled fewer than 10 calls"
kill -INT "$WR_PID"
wait_for gone "$WR_PID" || fail "admin: the run did not stop after SIGINT"
rc=0
wait "$WR_PID" || rc=$?
WR_PID=
[ "$rc" -eq 3 ] || { tail -n 20 "$T/err5" >&2; fail "admin: run exited $rc, expected 3"; }
apend=$(jq -c 'select(.type=="chunk" and .retry_pending==true)' "$A" | wc -l)
[ "$apend" -ge 1 ] || fail "admin: no chunk record with retry_pending"
rc=0
"$WR" resume "$A" --endpoint "$ENDPOINT" --rate 4 --concurrency 2 \
  --retries 20 --progress never > "$T/out6" 2> "$T/err6" || rc=$?
[ "$rc" -eq 0 ] || { tail -n 20 "$T/err6" >&2; fail "admin: resume exited $rc, expected 0"; }
grep -q "warning: .*: $apend chunk(s) were waiting for a retry when the run stopped" "$T/err6" ||
  { cat "$T/err6" >&2; fail "admin: resume did not warn about the $apend re-sent retry-pending chunks"; }
grep -q 'rebooted a second time' "$T/err6" || fail "admin: the warning does not name the risk"
jq -r 'select(.type=="plan") | .desktop_ids[]' "$A" | sort > "$T/planned2"
jq -r 'select(.type=="chunk" and .status=="ok") | .desktop_ids[]' "$A" | sort > "$T/ok2"
cmp -s "$T/planned2" "$T/ok2" || fail "admin: planned desktops and ok records differ"
sim_stop
grep -qF "$SK" "$A" "$T/err5" "$T/err6" && fail "admin: the secret reached the report or stderr"
[ "$(simstat .max_reboots_per_desktop)" -eq 1 ] ||
  fail "admin: a desktop was rebooted $(simstat .max_reboots_per_desktop) times"
note "ok: admin mode: $apend retry-pending chunk(s) re-sent with a warning, exit 0"
