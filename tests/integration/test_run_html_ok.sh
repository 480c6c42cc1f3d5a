# A 200 that is not an ECD answer (a proxy page, a captive portal: the
# simulator's --html-ok-rate, "<html>...OK...</html>", nothing done) is
# never a success: the chunk is retried as ambiguous and ends ok only with
# a RequestId the simulator really sent, or failed, never ok with "".
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"

LOGIN=html-login-token-51f0
SESSION=html-session-id-77aa
client_run()
{
  WUYING_LOGIN_TOKEN=$LOGIN WUYING_SESSION_ID=$SESSION \
  WUYING_SESSION_TOKEN=html-session-token-0c3d \
    "$WR" run --api client --endpoint "$ENDPOINT" --client-id wr-test-client \
    --client-os Windows --client-version 7.0.0 \
    --chunk-size 5 --rate 0 --concurrency 8 --timeout 5 \
    --progress never "$@"
}

# Half the answers are HTML pages: every chunk still ends ok, each with
# a real RequestId, and each desktop rebooted once.
sim_start --desktops 200 --seed 5 --write-fleet "$T/fleet.csv" \
  --client-id wr-test-client --login-token "$LOGIN" --session-id "$SESSION" \
  --html-ok-rate 0.5
wait_fleet "$T/fleet.csv" 200
rc=0
client_run --retries 40 --report "$T/r1.jsonl" "$T/fleet.csv" \
  > "$T/out" 2> "$T/err" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc, expected 0"; }
R=$T/r1.jsonl
check_report "$R"
[ "$(count_desktops ok "$R")" -eq 200 ] ||
  fail "ok desktops: $(count_desktops ok "$R"), expected 200"
rebooted_once_each 200
[ "$(simstat '.calls.RebootDesktops.html_ok // 0')" -gt 0 ] ||
  fail "the simulator sent no HTML page (seed or options changed?)"
empty=$(jq -r 'select(.type=="chunk" and .status=="ok" and
    (.request_id // "") == "") | .chunk' "$R" | head -n 3)
[ -z "$empty" ] || fail "chunks ok without a RequestId: $empty"
jq -r 'select(.action=="RebootDesktops") | .request_id // empty' "$T/sim.log" |
  sort -u > "$T/sim_ids"
jq -r 'select(.type=="chunk" and .status=="ok") | .request_id' "$R" |
  sort -u > "$T/ok_ids"
unknown=$(comm -23 "$T/ok_ids" "$T/sim_ids" | head -n 3)
[ -z "$unknown" ] || fail "request_ids the simulator never sent: $unknown"
amb=$(jq -s '[.[] | select(.type=="chunk") | .ambiguous_attempts] | add' "$R")
[ "$amb" -gt 0 ] || fail "no attempt counted as ambiguous"

# Only HTML pages: nothing is ok, every chunk fails after its retries,
# each attempt counted as ambiguous, and the message says why.
sim_start --desktops 10 --seed 6 --write-fleet "$T/fleet2.csv" \
  --client-id wr-test-client --login-token "$LOGIN" --session-id "$SESSION" \
  --html-ok-rate 1
wait_fleet "$T/fleet2.csv" 10
rc=0
client_run --retries 1 --report "$T/r2.jsonl" "$T/fleet2.csv" \
  > "$T/out" 2> "$T/err" || rc=$?
sim_stop
[ "$rc" -eq 1 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc, expected 1"; }
R=$T/r2.jsonl
check_report "$R"
[ "$(count_desktops ok "$R")" -eq 0 ] ||
  fail "ok desktops: $(count_desktops ok "$R"), expected 0"
[ "$(count_desktops failed "$R")" -eq 10 ] ||
  fail "failed desktops: $(count_desktops failed "$R"), expected 10"
[ "$(simstat .desktops_rebooted)" -eq 0 ] || fail "the simulator rebooted a desktop"
bad=$(jq -r 'select(.type=="chunk" and (.attempts != 2 or
    .ambiguous_attempts != 2 or (.error_message | test("not an ECD answer")
    | not))) | .chunk' "$R" | head -n 3)
[ -z "$bad" ] || fail "chunks not retried as ambiguous: $bad ($(grep -m1 '"chunk"' "$R" | grep '"type":"chunk"'))"
note "ok: 200 desktops through $(simstat '.calls.RebootDesktops.html_ok') HTML pages ($amb ambiguous attempts); all-HTML run failed every chunk"
