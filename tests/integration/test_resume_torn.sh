# resume after a crash: the report is cut in the middle of a chunk record
# (as a kill -9 mid-write leaves it), so the torn last line and every
# record after it are gone.  resume ignores the torn line (says so, cuts
# it off), re-sends every chunk without a final record with its original
# ClientToken -- the simulator had already rebooted those, so each call is
# a replay, not a second reboot -- and exits 0 with a clean report.  Also
# a last record that is whole but lost its newline: kept, not re-sent.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
LOGIN=torn-login-token-77b2
SESSION=torn-session-id-1c4d
WUYING_LOGIN_TOKEN=$LOGIN
WUYING_SESSION_ID=$SESSION
WUYING_SESSION_TOKEN=torn-session-token-08aa
export HOME WUYING_LOGIN_TOKEN WUYING_SESSION_ID WUYING_SESSION_TOKEN

N=120
# half: cut in the middle of the 15th chunk record (torn).  nonl: cut just
# before its newline (a whole record without its '\n': kept, and resume
# adds the newline before appending).
for mode in half nonl; do
  N=120
  sim_start --desktops "$N" --seed 62 --write-fleet "$T/fleet-$mode.csv" \
    --client-id wr-test-client --login-token "$LOGIN" --session-id "$SESSION"
  wait_fleet "$T/fleet-$mode.csv" "$N"
  R=$T/report-$mode.jsonl
  rc=0
  "$WR" run --api client --endpoint "$ENDPOINT" --client-id wr-test-client \
    --client-os Windows --client-version 7.0.0 --chunk-size 3 --rate 0 \
    --concurrency 8 --report "$R" --progress never "$T/fleet-$mode.csv" \
    > "$T/out" 2> "$T/err" || rc=$?
  [ "$rc" -eq 0 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc, expected 0"; }

  # The crash: keep the lines before the 15th chunk record and some of it.
  line=$(grep -n '"type":"chunk"' "$R" | sed -n 15p | cut -d: -f1)
  [ -n "$line" ] || fail "fewer than 15 chunk records"
  keep=$(head -n $((line - 1)) "$R" | wc -c)
  len=$(sed -n "${line}p" "$R" | wc -c)
  if [ "$mode" = half ]; then cut=$((len / 2)); else cut=$((len - 1)); fi
  head -c $((keep + cut)) "$R" > "$T/cut" && cat "$T/cut" > "$R"
  lost=$(grep -c '"type":"chunk"' "$T/cut" || :)
  [ "$lost" -eq 15 ] || fail "the cut report holds $lost chunk records (the last one included), expected 15"
  calls_before=$(jq -r 'select(.action=="RebootDesktops")' "$T/sim.log" | jq -s length)

  rc=0
  "$WR" resume "$R" --endpoint "$ENDPOINT" --progress never \
    > "$T/out2" 2> "$T/err2" || rc=$?
  [ "$rc" -eq 0 ] || { tail -n 20 "$T/err2" >&2; fail "resume exited $rc, expected 0"; }
  if [ "$mode" = half ]; then
    grep -q 'torn' "$T/err2" || fail "resume did not mention the torn line"
  else
    grep -q 'torn' "$T/err2" && fail "$mode: a whole last record was called torn"
    # the 15th record was kept: its chunk was not sent again
    c15=$(sed -n "${line}p" "$R" | jq -r .chunk)
    [ "$(jq -r --arg c "$c15" 'select(.type=="chunk" and .chunk==$c) | .chunk' "$R" | wc -l)" -eq 1 ] ||
      fail "$mode: chunk $c15 (whole, without newline) was sent again"
  fi
  jq -e . "$R" > /dev/null || fail "$R: a line is not JSON (the torn line stayed?)"
  [ "$(tail -n 1 "$R" | jq -r .type)" = summary ] || fail "the last record is not a summary"
  [ "$(tail -n 1 "$R" | jq -r .exit_code)" -eq 0 ] || fail "summary exit_code is not 0"
  dup=$(jq -r 'select(.type=="chunk") | .chunk' "$R" | sort | uniq -d | head -n 3)
  [ -z "$dup" ] || fail "chunks with two final records: $dup"
  jq -r 'select(.type=="plan") | .desktop_ids[]' "$R" | sort > "$T/planned"
  jq -r 'select(.type=="chunk" and .status=="ok") | .desktop_ids[]' "$R" | sort > "$T/ok"
  cmp -s "$T/planned" "$T/ok" || fail "planned desktops and ok records differ"
  "$WR" report --format json "$R" > "$T/audit.json" || fail "report refused the resumed report"
  [ "$(jq -r '.complete' "$T/audit.json")" = true ] || fail "audit: not complete"
  [ "$(jq -r '.torn_line' "$T/audit.json")" = null ] || [ "$(jq -r '.torn_line' "$T/audit.json")" = 0 ] ||
    fail "audit still sees a torn line"

  # Every re-sent chunk was done before the crash: the simulator replayed it.
  resent=$(jq -r 'select(.action=="RebootDesktops")' "$T/sim.log" | jq -s length)
  resent=$((resent - calls_before))
  sim_stop
  [ "$resent" -gt 0 ] || fail "resume sent nothing"
  [ "$(simstat '.calls.RebootDesktops.replayed')" -eq "$resent" ] ||
    fail "$(simstat '.calls.RebootDesktops.replayed') replays for $resent re-sent calls"
  rebooted_once_each "$N"
  note "ok ($mode): last line handled, $resent chunks re-sent as replays, each desktop rebooted once"
done
