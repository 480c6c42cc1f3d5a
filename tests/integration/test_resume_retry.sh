# resume --retry-failed (admin mode, --verify): a run against a simulator
# failing half its calls (--fail-rate 0.5, --retries 0) ends with failed
# desktops; `resume` without the flag changes nothing and names it; with
# it, against a simulator without the fault (restarted, the same fleet)
# where one failed desktop is now Stopped, every failed desktop is re-sent
# once in a new chunk "<id>.r1" linked to its original (retry_of), the
# Stopped one is excluded by pre-flight, the rest end ok and verified, no
# desktop ok in the run is sent again, and the audit (text and json) tells
# the final state with the history.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET

N=100
FLEET="--desktops $N --seed 91 --regions cn-hangzhou --reboot-ms 1000"
# shellcheck disable=SC2086
sim_start $FLEET --write-fleet "$T/fleet.csv" --fail-rate 0.5
wait_fleet "$T/fleet.csv" "$N"
R=$T/r.jsonl
rc=0
"$WR" run --endpoint "$ENDPOINT" --rate 0 --chunk-size 5 --retries 0 \
  --verify --verify-timeout 60s --report "$R" --progress never \
  "$T/fleet.csv" > "$T/run.out" 2> "$T/run.err" || rc=$?
sim_stop
[ "$rc" -eq 1 ] || { tail -n 20 "$T/run.err" >&2; fail "run exited $rc, expected 1 (failures)"; }
check_report "$R"
[ "$(simstat .max_reboots_per_desktop)" -le 1 ] || fail "a desktop was rebooted twice in the run"
jq -r 'select(.action=="RebootDesktops" and .outcome=="ok") | .desktop_ids[]' \
  "$T/sim.log" | sort > "$T/rebooted1"
okA=$(count_desktops ok "$R")
failed=$(count_desktops failed "$R")
fchunks=$(jq -s '[.[] | select(.type=="chunk" and .status=="failed")] | length' "$R")
[ "$failed" -gt 1 ] || fail "the run had $failed failed desktops; expected several"
[ $((okA + failed)) -eq "$N" ] || fail "$okA ok + $failed failed != $N"
[ "$(wc -l < "$T/rebooted1")" -eq "$okA" ] ||
  fail "the simulator rebooted $(wc -l < "$T/rebooted1") desktops, the report says $okA ok"

# --- without --retry-failed: nothing, and the flag is named ---------------
cp "$R" "$T/before.jsonl"
rc=0
"$WR" resume "$R" --endpoint "$ENDPOINT" --progress never 2> "$T/res0.err" || rc=$?
[ "$rc" -eq 0 ] || fail "resume of a finished report exited $rc"
grep -q "nothing to resume.*--retry-failed.*re-sends the $failed failed desktop" "$T/res0.err" ||
  { cat "$T/res0.err" >&2; fail "resume did not name --retry-failed"; }
cmp -s "$R" "$T/before.jsonl" || fail "resume without --retry-failed changed the report"

# --- with it, the fault gone and one failed desktop now Stopped -----------
STUCK=$(jq -r 'select(.type=="chunk" and .status=="failed") | .desktop_ids[0]' "$R" | head -n 1)
echo "$STUCK,stuck" > "$T/stuck.txt"
# shellcheck disable=SC2086
sim_start $FLEET --fail-desktops "$T/stuck.txt"
rc=0
"$WR" resume "$R" --retry-failed --endpoint "$ENDPOINT" --progress never \
  > "$T/res.out" 2> "$T/res.err" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { tail -n 20 "$T/res.err" >&2; fail "resume --retry-failed exited $rc, expected 0"; }
grep -q -- "--retry-failed: $failed failed desktop(s) in $fchunks chunk(s) are sent again" "$T/res.err" ||
  fail "resume did not say what it retries"
jq -r 'select(.action=="RebootDesktops" and .outcome=="ok") | .desktop_ids[]' \
  "$T/sim.log" | sort > "$T/rebooted2"
# Each failed desktop but the Stopped one rebooted once; none ok before.
rebooted_once_each $((failed - 1))
[ -z "$(comm -12 "$T/rebooted1" "$T/rebooted2")" ] ||
  fail "desktops ok in the run were rebooted again: $(comm -12 "$T/rebooted1" "$T/rebooted2" | head -n 3)"
grep -qx "$STUCK" "$T/rebooted2" && fail "the Stopped desktop $STUCK was rebooted"

# The retry records: one per failed chunk, linked, ids <id>.r1, every
# desktop of its original, after the resume record.
jq -s -e --argjson n "$fchunks" '
  ([.[] | select(.type=="chunk" and .status=="failed") | {(.chunk): .desktop_ids}] | add) as $f
  | [.[] | select(.type=="retry")] as $r
  | ($r | length) == $n and
    all($r[]; .chunk == (.retry_of + ".r1") and $f[.retry_of] == .desktop_ids
              and .client_token == null)' "$R" > /dev/null ||
  fail "retry records do not link each failed chunk: $(jq -c 'select(.type=="retry") | {chunk, retry_of}' "$R" | head -n 3)"
[ "$(jq -s 'map(.type) | (index("resume")) < (index("retry"))' "$R")" = true ] ||
  fail "a retry record before the resume record"
# Its chunk ends excluded, by pre-flight: the retry chunk split in parts.
[ "$(jq -r --arg d "$STUCK" 'select(.type=="chunk" and .status=="excluded"
    and (.desktop_ids | index($d))) | .reason' "$R")" = "status:Stopped" ] ||
  fail "the Stopped desktop is not excluded with status:Stopped"

# The audit: final states from the newest attempt, the history kept.
"$WR" report --format json "$R" > "$T/a.json"
jq -e --argjson n "$N" --argjson f "$failed" --argjson c "$fchunks" '
  .desktops.ok == $n - 1 and .desktops.failed == 0 and
  .preflight.excluded_desktops == 1 and .failures == [] and
  .failed_desktops == [] and .exit_code == 0 and .complete == true and
  .retried.desktops == $f and .retried.chunks == $c and
  .retried.now_ok == $f - 1 and .retried.failed_again == 0 and
  .retried.other == 1 and (.retried.links | length) == $c and
  .verification.running == $n - 1 and .verification.not_verified == 0' \
  "$T/a.json" > /dev/null ||
  fail "json audit: $(jq -c '{desktops, retried: (.retried | del(.links)), verification, failures}' "$T/a.json")"
"$WR" report "$R" > "$T/a.txt"
grep -q "^  outcome      complete, exit code 0" "$T/a.txt" || fail "text audit: outcome"
grep -q "^  failed       0$" "$T/a.txt" || fail "text audit: failed is not 0"
grep -q "^  retried      $failed failed desktops re-sent in $fchunks chunks (resume --retry-failed): $((failed - 1)) now ok, 0 failed again, 1 excluded" \
  "$T/a.txt" || fail "text audit: no retried line"
grep -q "^Retried failures (resume --retry-failed)" "$T/a.txt" || fail "text audit: no Retried section"
grep -q "Failed desktops, by error code" "$T/a.txt" &&
  fail "text audit lists failures that were retried ok"
"$WR" report --format csv "$R" > "$T/a.csv"
[ "$(awk -F, '$4 == "failed"' "$T/a.csv" | wc -l)" -eq 0 ] || fail "csv: failed rows left"
[ "$(awk -F, 'NR > 1' "$T/a.csv" | wc -l)" -eq "$N" ] || fail "csv: not one row per desktop"
[ "$(awk -F, '$3 ~ /\.r1/' "$T/a.csv" | wc -l)" -eq "$failed" ] ||
  fail "csv: the retried desktops are not in their retry chunks"
note "ok: $failed failed desktops in $fchunks chunks retried: $((failed - 1)) ok, 1 excluded"

# --- --max-errors across sessions: a retried failure counts once ----------
# (on a copy of the run's report, against a simulator that fails every call:
# the retries fail again, at pre-flight, and trip --max-errors 0; the
# whole run then has $failed failed desktops, not twice as many)
cp "$T/before.jsonl" "$T/m.jsonl"
# shellcheck disable=SC2086
sim_start $FLEET --fail-rate 1
rc=0
"$WR" resume "$T/m.jsonl" --retry-failed --max-errors 0 --endpoint "$ENDPOINT" \
  --progress never > "$T/m.out" 2> "$T/m.err" || rc=$?
sim_stop
[ "$rc" -eq 3 ] || { tail -n 5 "$T/m.err" >&2; fail "--max-errors 0 resume exited $rc, expected 3"; }
[ "$(tail -n 1 "$T/m.jsonl" | jq -c '[.failed_desktops, .ok_desktops, .stop_reason]')" = \
  "[$failed,$okA,\"max-errors\"]" ] ||
  fail "max-errors resume summary: $(tail -n 1 "$T/m.jsonl" | jq -c .)"
[ "$(simstat .desktops_rebooted)" -eq 0 ] || fail "a desktop was rebooted by a failing simulator"
"$WR" report --format json "$T/m.jsonl" | jq -e --argjson f "$failed" \
  '.desktops.failed == $f and .retried.failed_again == $f' > /dev/null ||
  fail "max-errors resume: the audit counts the failures twice"

# --- client mode: each retry chunk has a fresh ClientToken -----------------
WUYING_LOGIN_TOKEN=retry-login-token
WUYING_SESSION_ID=retry-session-id
export WUYING_LOGIN_TOKEN WUYING_SESSION_ID
CLI="--desktops 60 --seed 92 --client-id wr-retry --login-token $WUYING_LOGIN_TOKEN --session-id $WUYING_SESSION_ID"
# shellcheck disable=SC2086
sim_start $CLI --write-fleet "$T/fleet2.csv" --fail-rate 0.5
wait_fleet "$T/fleet2.csv" 60
C=$T/c.jsonl
rc=0
"$WR" run --api client --client-id wr-retry --client-os Windows \
  --client-version 7.0.0 --endpoint "$ENDPOINT" --rate 0 --chunk-size 5 \
  --retries 0 --report "$C" --progress never "$T/fleet2.csv" \
  > "$T/c.out" 2> "$T/c.err" || rc=$?
sim_stop
[ "$rc" -eq 1 ] || { tail -n 5 "$T/c.err" >&2; fail "client run exited $rc, expected 1"; }
cfailed=$(count_desktops failed "$C")
# shellcheck disable=SC2086
sim_start $CLI
rc=0
"$WR" resume "$C" --retry-failed --endpoint "$ENDPOINT" --progress never \
  > "$T/c2.out" 2> "$T/c2.err" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { tail -n 5 "$T/c2.err" >&2; fail "client resume --retry-failed exited $rc"; }
rebooted_once_each "$cfailed"
[ "$(jq -s '[.[] | select(.type=="retry")] | length' "$C")" -gt 0 ] || fail "client: no retry record"
[ -z "$(jq -r 'select(.type=="plan" or .type=="retry") | .client_token' "$C" | sort | uniq -d)" ] ||
  fail "client: a retry chunk reuses a ClientToken"
[ "$(jq -r 'select(.type=="retry") | .client_token' "$C" | grep -c '^[0-9a-f-]\{36\}$')" -eq \
  "$(jq -s '[.[] | select(.type=="retry")] | length' "$C")" ] || fail "client: a retry without a ClientToken"
"$WR" report --format json "$C" | jq -e '.desktops.ok == 60 and .desktops.failed == 0' > /dev/null ||
  fail "client: the audit does not show every desktop ok"
note "ok: client mode, $cfailed failed desktops retried with fresh ClientTokens"
