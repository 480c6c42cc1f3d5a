# Pre-flight and no false failures, admin API against ecd-sim: Stopped
# desktops, desktops with a user connected (--skip-connected) and lost
# answers.  Every desktop ends in its true state: the Stopped and the
# Connected ones excluded with their reason and never in a RebootDesktops
# call, every other one ok and rebooted exactly once (the simulator's
# stats), none failed, no split; a lost answer ends ok with the evidence
# (confirmed_by).  Then: an unknown desktop fails without a reboot call,
# --no-preflight makes no DescribeDesktops call, and resume re-sends
# nothing excluded.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET

N=600
sim_start --desktops $N --seed 91 --write-fleet "$T/fleet.csv"
wait_fleet "$T/fleet.csv" $N
sim_stop
# The true states: every 10th desktop Stopped, every 7th other one with a
# user connected.
tail -n +2 "$T/fleet.csv" | cut -d, -f1 | awk '
  NR % 10 == 0 { print $0 ",stuck"; next }
  NR % 7 == 0 { print $0 ",connected" }' > "$T/states.txt"
grep ',stuck$' "$T/states.txt" | cut -d, -f1 | sort > "$T/stopped"
grep ',connected$' "$T/states.txt" | cut -d, -f1 | sort > "$T/connected"
tail -n +2 "$T/fleet.csv" | cut -d, -f1 | sort | comm -23 - "$T/stopped" |
  comm -23 - "$T/connected" > "$T/running"
nrun=$(wc -l < "$T/running")

# Lost answers: the reboot is done, the answer never comes.  3 s reboots,
# so that the retry finds the desktop Stopping or Starting.
sim_start --desktops $N --seed 91 --fail-desktops "$T/states.txt" \
  --lost-rate 0.15 --reboot-ms 3000
rc=0
"$WR" run --endpoint "$ENDPOINT" --rate 0 --canary 20 --wave-size 200 \
  --skip-connected --report "$T/r.jsonl" --progress never "$T/fleet.csv" \
  > "$T/out" 2> "$T/err" || rc=$?
sim_stop
R=$T/r.jsonl
[ "$rc" -eq 0 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc, expected 0"; }
check_report "$R"
[ "$(simstat .calls.RebootDesktops.lost)" -gt 0 ] ||
  fail "no answer was lost: the test proves nothing"

# leaves STATUS [REASON]: the sorted desktops of the leaves so ended.
leaves()
{
  jq -r --arg s "$1" --arg r "${2:-}" 'select(.type=="chunk" and
      .status==$s and ($r == "" or .reason == $r)) | .desktop_ids[]' "$R" |
    sort
}
leaves excluded status:Stopped | cmp -s - "$T/stopped" ||
  fail "excluded status:Stopped are not the Stopped desktops"
leaves excluded connected | cmp -s - "$T/connected" ||
  fail "excluded connected are not the connected desktops"
leaves ok | cmp -s - "$T/running" || fail "the ok desktops are not the Running ones"
[ "$(count_desktops failed "$R")" -eq 0 ] ||
  fail "failed desktops: $(jq -c 'select(.status=="failed")' "$R" | head -n 3)"
# Each Running desktop rebooted once, no other one at all.
rebooted_once_each "$nrun"
jq -r '.reboots | keys[]' "$T/stats.json" | sort | cmp -s - "$T/running" ||
  fail "the simulator rebooted other desktops than the Running ones"
jq -r 'select(.action=="RebootDesktops") | .desktop_ids[]?' "$T/sim.log" |
  sort -u | comm -12 - "$T/stopped" | grep -q . &&
  fail "a Stopped desktop was in a RebootDesktops call"
# No split call: the excluded ones never reached a call, and a lost answer
# is not a failure.
[ "$(jq -s '[.[] | select(.type=="chunk" and .status=="split"
      and .by != "preflight")] | length' "$R")" -eq 0 ] ||
  fail "chunks were split: $(jq -c 'select(.status=="split" and .by != "preflight") | .chunk' "$R" | head -n 5)"
[ "$(jq -s '[.[] | select(.type=="chunk" and .confirmed_by != null)] | length' "$R")" -gt 0 ] ||
  fail "no ok chunk says what confirmed its lost attempt"
jq -r 'select(.confirmed_by != null) | .confirmed_by' "$R" |
  grep -qv '^IncorrectDesktopStatus: ecd-[0-9a-f]* is \(Stopping\|Starting\)' &&
  fail "confirmed_by without the evidence: $(jq -r 'select(.confirmed_by) | .confirmed_by' "$R" | head -n 2)"
# The pre-flight calls, their RequestIds, the summary's counts.
npf=$(jq -s '[.[] | select(.type=="preflight" and .request_id != null)] | length' "$R")
[ "$npf" -ge 6 ] || fail "$npf preflight records with a RequestId, expected >= 6"
[ "$(jq -s '[.[] | select(.type=="preflight") | .desktops] | add' "$R")" -eq $N ] ||
  fail "pre-flight did not describe every desktop once"
jq -e --argjson s "$(wc -l < "$T/stopped")" --argjson c "$(wc -l < "$T/connected")" \
  'select(.type=="summary") | .excluded_desktops == ($s + $c) and
   .excluded_by_reason["status:Stopped"] == $s and
   .excluded_by_reason.connected == $c and .failed_desktops == 0' "$R" \
  > /dev/null || fail "summary: $(jq -c 'select(.type=="summary")' "$R")"
grep -q "excluded by pre-flight (not rebooted): " "$T/err" ||
  fail "stderr does not count the excluded desktops"

# Every audit format counts them.
"$WR" report "$R" > "$T/a.txt" || fail "report: exit $?"
grep -q "^  excluded     $(($(wc -l < "$T/stopped") + $(wc -l < "$T/connected"))) " "$T/a.txt" &&
  grep -q "^    status:Stopped: $(wc -l < "$T/stopped")$" "$T/a.txt" ||
  fail "text audit: $(sed -n 10,25p "$T/a.txt")"
"$WR" report --format json "$R" > "$T/a.json" || fail "report json: exit $?"
jq -e --argjson s "$(wc -l < "$T/stopped")" '.preflight.excluded[] |
  select(.reason == "status:Stopped") | .desktops == $s' "$T/a.json" \
  > /dev/null || fail "json audit: $(jq -c .preflight "$T/a.json")"
"$WR" report --format csv "$R" > "$T/a.csv" || fail "report csv: exit $?"
[ "$(grep -c ',excluded,,,status:Stopped,' "$T/a.csv")" -eq "$(wc -l < "$T/stopped")" ] ||
  fail "csv: $(grep -m 2 ',excluded,' "$T/a.csv")"
for f in markdown html; do
  "$WR" report --format $f "$R" > "$T/a.$f" || fail "report $f: exit $?"
  grep -q "status:Stopped" "$T/a.$f" || fail "$f audit does not name the reason"
done
# resume: nothing left, the excluded ones are final.
rc=0
"$WR" resume "$R" --progress never > /dev/null 2> "$T/res.err" || rc=$?
[ "$rc" -eq 0 ] && grep -q "nothing to resume" "$T/res.err" ||
  fail "resume: exit $rc: $(cat "$T/res.err")"

# An unknown desktop: failed InvalidDesktopId.NotFound, without a reboot
# call; the canary wave stops the run before any reboot.
cp "$T/fleet.csv" "$T/f2.csv"
UNKNOWN=ecd-00000000000000dead
{ head -n 1 "$T/fleet.csv"; echo "$UNKNOWN,cn-hangzhou"; tail -n +2 "$T/fleet.csv"; } \
  > "$T/f2.csv"
sim_start --desktops $N --seed 91 --fail-desktops "$T/states.txt"
rc=0
"$WR" run --endpoint "$ENDPOINT" --rate 0 --canary 10 --report "$T/u.jsonl" \
  --progress never "$T/f2.csv" > /dev/null 2> "$T/u.err" || rc=$?
sim_stop
[ "$rc" -eq 3 ] || fail "unknown ID in the canary: exit $rc, expected 3: $(tail -n 3 "$T/u.err")"
check_report "$T/u.jsonl"
jq -s -e --arg u "$UNKNOWN" '[.[] | select(.type=="chunk" and
  .status=="failed")] | length == 1 and (.[0] | .desktop_ids == [$u] and
  .error_code == "InvalidDesktopId.NotFound" and .attempts == 0)' \
  "$T/u.jsonl" > /dev/null || fail "the unknown ID: $(jq -c 'select(.status=="failed")' "$T/u.jsonl")"
[ "$(simstat '.calls.RebootDesktops.ok + .calls.RebootDesktops.error')" -eq 0 ] ||
  fail "RebootDesktops was called in a canary stopped by pre-flight"
[ "$(jq -r 'select(.type=="summary") | .stop_reason' "$T/u.jsonl")" = canary ] ||
  fail "stop_reason is not canary"

# --no-preflight: no DescribeDesktops at all; the Stopped desktops go to
# the calls (and fail there).
sim_start --desktops 100 --seed 91 --regions cn-hangzhou \
  --write-fleet "$T/f3.csv" --stopped-rate 0.1
wait_fleet "$T/f3.csv" 100
rc=0
"$WR" run --endpoint "$ENDPOINT" --rate 0 --no-preflight --report "$T/n.jsonl" \
  --progress never "$T/f3.csv" > /dev/null 2> "$T/n.err" || rc=$?
sim_stop
[ "$(simstat '.calls.DescribeDesktops.ok')" -eq 0 ] ||
  fail "--no-preflight made DescribeDesktops calls"
[ "$rc" -eq 1 ] && [ "$(count_desktops failed "$T/n.jsonl")" -gt 0 ] ||
  fail "--no-preflight with Stopped desktops: exit $rc"
[ "$(count_desktops excluded "$T/n.jsonl")" -eq 0 ] || fail "--no-preflight excluded desktops"

# Usage errors.
rc=0
"$WR" run --no-preflight --skip-connected --endpoint "$ENDPOINT" \
  "$T/f3.csv" > /dev/null 2> "$T/e.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--skip-connected needs the pre-flight" "$T/e.err" ||
  fail "--skip-connected --no-preflight: exit $rc: $(cat "$T/e.err")"

note "ok: $nrun rebooted once each, $(wc -l < "$T/stopped") Stopped and $(wc -l < "$T/connected") connected excluded, $(jq -s '[.[] | select(.confirmed_by)] | length' "$R") chunks confirmed after a lost answer, $npf pre-flight calls"
