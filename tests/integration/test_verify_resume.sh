# --verify tells the whole truth across an interrupt and a resume: every
# ok desktop is Running, not Running or not verified, in the summary on
# stderr, the summary record, and the audit (text, json, csv); a SIGINT
# while a wave is being verified leaves a verify record naming the
# desktops it could not check ("interrupted"), and `resume` checks exactly
# those first (a record with "earlier_sessions"), after which none is left
# unverified and no desktop was rebooted twice.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET

# has_wave2 REPORT: wave 2's calls are over (its wave record is written
# just before its check starts, which takes a reboot, 6 s, at least).
has_wave2()
{
  [ -f "$1" ] && grep -q '"type":"wave","wave":2' "$1"
}

N=200
sim_start --desktops "$N" --seed 83 --regions cn-hangzhou \
  --write-fleet "$T/fleet.csv" --reboot-ms 6000
wait_fleet "$T/fleet.csv" "$N"
R=$T/r.jsonl
"$WR" run --endpoint "$ENDPOINT" --rate 0 --wave-size 100 --verify \
  --verify-timeout 60s --report "$R" --progress never "$T/fleet.csv" \
  > "$T/run.out" 2> "$T/run.err" &
WR_PID=$!
wait_for has_wave2 "$R" || fail "wave 2 was never sent"
kill -INT "$WR_PID"
wait_for gone "$WR_PID" || fail "the run did not stop after SIGINT"
rc=0
wait "$WR_PID" || rc=$?
WR_PID=
[ "$rc" -eq 3 ] || { tail -n 20 "$T/run.err" >&2; fail "run exited $rc after SIGINT, expected 3"; }
check_report "$R"

# The summary record: the three counts add up to the ok desktops.
S=$(tail -n 1 "$R")
ok=$(printf '%s' "$S" | jq .ok_desktops)
run_=$(printf '%s' "$S" | jq .verify.running)
nr=$(printf '%s' "$S" | jq .verify.not_running)
nv=$(printf '%s' "$S" | jq .verify.not_verified)
[ "$ok" -eq "$N" ] || fail "$ok desktops ok, expected $N"
[ $((run_ + nr + nv)) -eq "$ok" ] ||
  fail "summary: $run_ Running + $nr not Running + $nv not verified != $ok ok"
[ "$nv" -gt 0 ] || fail "the interrupt left no desktop unverified (it came too late?)"
# The cut-short check's record names them.
[ "$(jq -s '[.[] | select(.type=="verify" and .interrupted=="interrupt")
    | .not_verified | length] | add // 0' "$R")" -eq "$nv" ] ||
  fail "the interrupted verify record does not name the $nv unverified desktops"
grep -q "verify: $run_ desktops Running again, $nr not Running after the --verify-timeout, $nv not verified" \
  "$T/run.err" || { cat "$T/run.err" >&2; fail "stderr does not count the three"; }

# The audit agrees, in json, csv and text.
"$WR" report --format json "$R" > "$T/a1.json"
jq -e --argjson ok "$ok" --argjson r "$run_" --argjson nr "$nr" --argjson nv "$nv" \
  '.desktops.ok == $ok and .verification.running == $r and
   .verification.not_running == $nr and .verification.not_verified == $nv and
   .verification.running + .verification.not_running +
   .verification.not_verified == .desktops.ok' "$T/a1.json" > /dev/null ||
  fail "json audit: $(jq -c .verification "$T/a1.json")"
"$WR" report --format csv "$R" > "$T/a1.csv"
[ "$(awk -F, '$15 == "not verified"' "$T/a1.csv" | wc -l)" -eq "$nv" ] ||
  fail "csv: not $nv rows 'not verified'"
[ "$(awk -F, '$15 == "Running"' "$T/a1.csv" | wc -l)" -eq "$run_" ] ||
  fail "csv: not $run_ rows 'Running'"
"$WR" report "$R" > "$T/a1.txt"
grep -q "^  not verified $nv of the ok" "$T/a1.txt" || fail "text audit: not verified is not $nv"
grep -q "complete, but\|stopped early" "$T/a1.txt" || fail "text audit outcome"

# --- resume verifies what was left ----------------------------------------
rc=0
"$WR" resume "$R" --endpoint "$ENDPOINT" --progress never \
  > "$T/res.out" 2> "$T/res.err" || rc=$?
[ "$rc" -eq 0 ] || { tail -n 20 "$T/res.err" >&2; fail "resume exited $rc, expected 0"; }
grep -q "$nv desktop(s) rebooted by an earlier session were never verified" "$T/res.err" ||
  fail "resume did not say it verifies the $nv left"
[ "$(jq -s '[.[] | select(.type=="verify" and .earlier_sessions==true)
    | .desktops] | add // 0' "$R")" -eq "$nv" ] ||
  fail "no verify record of the $nv desktops left by the run"
S=$(tail -n 1 "$R")
[ "$(printf '%s' "$S" | jq -c .verify)" = "{\"running\":$N,\"not_running\":0,\"not_verified\":0}" ] ||
  fail "the resume's summary: $(printf '%s' "$S" | jq -c .verify)"
grep -q "verify: $N desktops Running again, 0 not Running after the --verify-timeout, 0 not verified" \
  "$T/res.err" || fail "resume's stderr does not count the three"
"$WR" report --format json "$R" > "$T/a2.json"
jq -e --argjson n "$N" '.verification == {"requested":true,"verified":$n,
   "running":$n,"not_running":0,"not_verified":0} and .desktops.ok == $n' \
  "$T/a2.json" > /dev/null || fail "json audit after resume: $(jq -c .verification "$T/a2.json")"
"$WR" report --format csv "$R" > "$T/a2.csv"
[ "$(awk -F, '$15 == "Running"' "$T/a2.csv" | wc -l)" -eq "$N" ] ||
  fail "csv after resume: not $N rows 'Running'"
"$WR" report "$R" > "$T/a2.txt"
grep -q "^  not verified 0 of the ok" "$T/a2.txt" || fail "text audit after resume"
grep -q "(left by an earlier session): $nv of $nv Running" "$T/a2.txt" ||
  fail "text audit: no line for the check of the earlier session's desktops"

# Nothing left: resume says so and changes nothing.
cp "$R" "$T/before.jsonl"
"$WR" resume "$R" --endpoint "$ENDPOINT" --progress never 2> "$T/res2.err" ||
  fail "resume of a finished report failed"
grep -q "nothing to resume" "$T/res2.err" || fail "no 'nothing to resume'"
cmp -s "$R" "$T/before.jsonl" || fail "resume of a finished report changed it"

sim_stop
rebooted_once_each "$N"
[ "$(simstat .violations_total)" -eq 0 ] ||
  fail "violations: $(jq -c .violations "$T/stats.json")"
note "ok: $nv of $N not verified after SIGINT, 0 after resume"
