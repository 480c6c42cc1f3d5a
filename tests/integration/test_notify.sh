# --notify (issue 12 item 5): when a run or resume ends, and when it stops
# early, each URL gets one POST with the outcome, the counts, the exit
# code, the report path and the top failure codes, as json, a DingTalk
# markdown message (signed: timestamp and sign recomputed here with
# openssl) or a Slack message.  A receiver that answers 500, or none at
# all, is a warning: the exit code and the report are what they would
# be.  The URL's token never reaches stderr (-vvv), stdout or the report.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
export HOME
command -v python3 >/dev/null 2>&1 || fail "python3 is missing"
# The interpreter itself, not a wrapper (pyenv's shim would keep it as a
# child that a SIGTERM to the wrapper leaves running).
PY=$(python3 -c 'import sys; print(sys.executable)')
command -v openssl >/dev/null 2>&1 || fail "openssl is missing"

AK=notify-test-id
SK=notify-test-secret-5e1f
DSECRET=SECnotify0test0dingtalk0secret0d41
TOKEN=tok0notify0webhook0secret0a7c3
RX_PID=

# rx_start STATUS: the receiver in $T/rx, answering STATUS; sets $RX, the
# base URL.  rx_stop: SIGTERM, then wait.
rx_start()
{
  rx_stop
  rm -rf "$T/rx"
  mkdir "$T/rx"
  "$PY" "$2/tests/integration/notify_receiver.py" "$T/rx" "$1" \
    2> "$T/rx.err" &
  RX_PID=$!
  wait_for test -s "$T/rx/port" || { cat "$T/rx.err" >&2; fail "no receiver port"; }
  RX=http://127.0.0.1:$(cat "$T/rx/port")
}
rx_stop()
{
  [ -n "$RX_PID" ] || return 0
  kill -TERM "$RX_PID" 2>/dev/null || :
  wait "$RX_PID" 2>/dev/null || :
  RX_PID=
}
cleanup_all()
{
  rx_stop
  run_cleanup
}
trap cleanup_all EXIT
SRCDIR=$2

# wr NAME ARGS...: a run or resume against the simulator at -vvv; $rc.
wr()
{
  _name=$1
  shift
  rc=0
  env ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK \
    WUYING_REBOOT_DINGTALK_SECRET=$DSECRET \
    "$WR" "$@" --progress never -vvv > "$T/$_name.out" 2> "$T/$_name.err" ||
    rc=$?
  if grep -q -e "$TOKEN" -e "$DSECRET" -e "$SK" "$T/$_name.out" \
      "$T/$_name.err"; then
    fail "$_name: the token or a secret reached stdout or stderr"
  fi
}

N=40
sim_start --desktops $((N * 7)) --seed 31 --write-fleet "$T/fleet.csv" \
  --access-key-id "$AK" --access-key-secret "$SK"
wait_fleet "$T/fleet.csv" $((N * 7))
# input K: the K-th N desktops of the fleet (each run its own: a desktop
# just rebooted is busy), and two IDs the simulator does not know
# (InvalidDesktopId.NotFound).
input()
{
  { head -n 1 "$T/fleet.csv"
    sed -n "$(($1 * N + 2)),$(($1 * N + N + 1))p" "$T/fleet.csv"
    sed -n 2p "$T/fleet.csv" | sed 's/^ecd-[a-z0-9]*/ecd-zz0unknown01/'
    sed -n 2p "$T/fleet.csv" | sed 's/^ecd-[a-z0-9]*/ecd-zz0unknown02/'
  } > "$T/in$1.csv"
  IN=$T/in$1.csv
}
RUN="run --endpoint $ENDPOINT --rate 0 --no-preflight --chunk-size 10"

# 1. json: the summary object.
rx_start 200 "$SRCDIR"
input 0
wr json $RUN --report "$T/json.jsonl" \
  --notify "$RX/hook/$TOKEN?access_token=$TOKEN" "$IN"
[ "$rc" -eq 1 ] || { tail -n 5 "$T/json.err" >&2; fail "json: exit $rc, expected 1"; }
check_report "$T/json.jsonl"
[ -f "$T/rx/1.body" ] && [ ! -f "$T/rx/2.body" ] ||
  fail "json: expected exactly one POST, got $(ls "$T/rx")"
B=$T/rx/1.body
[ "$(jq -r .event "$B")" = run ] || fail "json: event $(jq -c .event "$B")"
[ "$(jq -r .exit_code "$B")" -eq 1 ] || fail "json: exit_code $(jq .exit_code "$B")"
[ "$(jq -r .desktops.ok "$B")" -eq $N ] || fail "json: ok $(jq .desktops.ok "$B")"
[ "$(jq -r .desktops.failed "$B")" -eq 2 ] || fail "json: failed $(jq .desktops "$B")"
[ "$(jq -r .desktops.planned "$B")" -eq $((N + 2)) ] || fail "json: planned"
[ "$(jq -r '.top_failures[0].code' "$B")" = InvalidDesktopId.NotFound ] ||
  fail "json: top failure $(jq -c .top_failures "$B")"
[ "$(jq -r '.top_failures[0].desktops' "$B")" -eq 2 ] || fail "json: 2 desktops"
[ "$(jq -r .report "$B")" = "$T/json.jsonl" ] || fail "json: report $(jq .report "$B")"
[ "$(jq -r .run_id "$B")" = "$(head -n 1 "$T/json.jsonl" | jq -r .run_id)" ] ||
  fail "json: run_id"
[ "$(cat "$T/rx/1.path")" = "/hook/$TOKEN?access_token=$TOKEN" ] ||
  fail "json: path and query sent as $(cat "$T/rx/1.path")"
grep -q "notify $RX: notified (HTTP 200" "$T/json.err" ||
  fail "json: no 'notified' line at -vvv: $(grep notify "$T/json.err")"
grep -q -e "$TOKEN" -e "$RX" "$T/json.jsonl" &&
  fail "json: the report holds the notify URL or its token"

# 2. dingtalk, signed: recompute the signature from the timestamp sent.
rx_start 200 "$SRCDIR"
input 1
wr ding $RUN --report "$T/ding.jsonl" --notify-format dingtalk \
  --notify "$RX/robot/send?access_token=$TOKEN" "$IN"
[ "$rc" -eq 1 ] || fail "dingtalk: exit $rc"
B=$T/rx/1.body
[ "$(jq -r .msgtype "$B")" = markdown ] || fail "dingtalk: msgtype $(jq .msgtype "$B")"
jq -r .markdown.title "$B" | grep -q '^wuying-reboot run: complete, with failures (exit 1)$' ||
  fail "dingtalk: title $(jq .markdown.title "$B")"
jq -r .markdown.text "$B" | grep -q "$((N + 2)) planned, $N ok, 2 failed" ||
  fail "dingtalk: text $(jq .markdown.text "$B")"
jq -r .markdown.text "$B" | grep -q "InvalidDesktopId.NotFound (2)" ||
  fail "dingtalk: text lacks the failure code"
Q=$(cat "$T/rx/1.path")
case $Q in
  "/robot/send?access_token=$TOKEN&timestamp="*"&sign="*) ;;
  *) fail "dingtalk: query $Q" ;;
esac
TS=${Q#*timestamp=}
TS=${TS%%&*}
SIGN=${Q#*sign=}
NOW=$(date +%s)
[ $((TS / 1000 - NOW)) -le 5 ] && [ $((NOW - TS / 1000)) -le 300 ] ||
  fail "dingtalk: timestamp $TS is not now in ms"
WANT=$(printf '%s\n%s' "$TS" "$DSECRET" |
  openssl dgst -sha256 -hmac "$DSECRET" -binary | openssl base64 -A |
  sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')
[ "$SIGN" = "$WANT" ] || fail "dingtalk: sign $SIGN, expected $WANT"

# 3. slack: {"text"}.
rx_start 200 "$SRCDIR"
input 2
wr slack $RUN --report "$T/slack.jsonl" --notify-format slack \
  --notify "$RX/services/T0/B0/$TOKEN" "$IN"
[ "$rc" -eq 1 ] || fail "slack: exit $rc"
B=$T/rx/1.body
[ "$(jq -r 'keys | join(",")' "$B")" = text ] || fail "slack: keys $(jq -c keys "$B")"
jq -r .text "$B" | grep -q '^\*wuying-reboot run\*: complete, with failures' ||
  fail "slack: text $(jq .text "$B")"
jq -r .text "$B" | grep -q 'exit code: 1' || fail "slack: no exit code"
[ -z "$(sed -n 's/.*?//p' "$T/rx/1.path")" ] || fail "slack: a query was added"

# 4. A receiver that answers 500, then none at all: a warning, the same
# exit code, a whole report that never mentions it.
rx_start 500 "$SRCDIR"
input 3
wr e500 $RUN --report "$T/e500.jsonl" --notify "$RX/hook/$TOKEN" "$IN"
[ "$rc" -eq 1 ] || fail "500: exit $rc, expected 1 as without --notify"
[ -f "$T/rx/1.body" ] || fail "500: nothing was posted"
grep -q "warning.*notify $RX: HTTP 500; not notified" "$T/e500.err" ||
  fail "500: no warning: $(grep -i notify "$T/e500.err")"
check_report "$T/e500.jsonl"
grep -q -e "$RX" -e '"notif[a-z]*":' "$T/e500.jsonl" &&
  fail "500: the report mentions the notification"
DEAD=$RX
rx_stop
input 4
wr down $RUN --report "$T/down.jsonl" --notify "$DEAD/hook/$TOKEN" "$IN"
[ "$rc" -eq 1 ] || fail "down: exit $rc, expected 1"
grep -q "warning.*notify $DEAD: POST .*; not notified" "$T/down.err" ||
  fail "down: no warning: $(grep -i notify "$T/down.err")"
check_report "$T/down.jsonl"
for r in json ding slack e500 down; do
  [ "$(jq -c 'select(.type=="summary") | [.ok_desktops, .failed_desktops, .exit_code]' "$T/$r.jsonl")" = "[$N,2,1]" ] ||
    fail "$r: summary $(jq -c 'select(.type=="summary")' "$T/$r.jsonl")"
  grep -q "$TOKEN" "$T/$r.jsonl" && fail "$r: the token is in the report"
done

# 5. Stopped early (a deadline in the past), then resumed: both notify.
rx_start 200 "$SRCDIR"
sed -n "1p;$((5 * N + 2)),$((6 * N + 1))p" "$T/fleet.csv" > "$T/early.csv"
wr early $RUN --report "$T/early.jsonl" --deadline 2020-01-01T00:00:00Z \
  --notify "$RX/hook/$TOKEN" "$T/early.csv"
[ "$rc" -eq 3 ] || fail "early: exit $rc, expected 3"
[ "$(jq -r .exit_code "$T/rx/1.body")" -eq 3 ] || fail "early: exit_code"
jq -r .outcome "$T/rx/1.body" | grep -q '^stopped early (deadline)' ||
  fail "early: outcome $(jq .outcome "$T/rx/1.body")"
[ "$(jq -r .desktops.skipped "$T/rx/1.body")" -eq $N ] || fail "early: skipped"
wr resumed resume "$T/early.jsonl" --deadline +1h --notify "$RX/hook/$TOKEN"
[ "$rc" -eq 0 ] || { tail -n 5 "$T/resumed.err" >&2; fail "resume: exit $rc"; }
[ "$(jq -r .event "$T/rx/2.body")" = resume ] || fail "resume: event"
[ "$(jq -r .exit_code "$T/rx/2.body")" -eq 0 ] || fail "resume: exit_code"
[ "$(jq -r .desktops.ok "$T/rx/2.body")" -eq $N ] || fail "resume: ok"
grep -q "$TOKEN" "$T/early.jsonl" && fail "resume: the token is in the report"
rx_stop
sim_stop

# 6. URLs the policy refuses: exit 2, the token never shown.
for u in "http://example.com/hook?token=$TOKEN" \
         "https://user:$TOKEN@example.com/hook" "ftp://example.com/$TOKEN" \
         "https://example.com/a b$TOKEN" "https://example.com/$TOKEN#frag"; do
  rc=0
  "$WR" plan --notify "$u" "$T/fleet.csv" \
    > "$T/bad.out" 2> "$T/bad.err" || rc=$?
  [ "$rc" -eq 2 ] || fail "--notify '$u': exit $rc, expected 2"
  grep -q -- '--notify: ' "$T/bad.err" || fail "--notify '$u': $(cat "$T/bad.err")"
  grep -q "$TOKEN" "$T/bad.err" "$T/bad.out" && fail "--notify '$u': the token is shown"
done
# A job file's list; plan checks it and sends nothing.
printf '{"notify": ["https://example.com/%s"], "notify-format": "slack"}\n' \
  "$TOKEN" > "$T/job.json"
chmod 600 "$T/job.json"
"$WR" plan --job "$T/job.json" "$T/fleet.csv" \
  > "$T/job.out" 2> "$T/job.err" || fail "plan --job with notify: $(cat "$T/job.err")"
"$WR" plan --job "$T/job.json" --json "$T/fleet.csv" \
  > "$T/job.jsonl" 2>&1 || fail "plan --json"
grep -q "$TOKEN" "$T/job.jsonl" && fail "plan --json shows the notify URL"
[ "$(head -n 1 "$T/job.jsonl" | jq -r '.options["notify-format"]')" = slack ] ||
  fail "run.options lacks notify-format"
exit 0
