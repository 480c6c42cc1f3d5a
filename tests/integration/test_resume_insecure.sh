# A tampered report cannot turn on --insecure (issue 13, item 12): the
# run.options of a finished run's report are edited to a plain-http
# endpoint off loopback with "insecure": true, and its final records cut
# so that there is something to resume.  resume applies run's endpoint
# policy: exit 2 with the endpoint message, the report unchanged, nothing
# sent.  With --insecure on resume's own command line the endpoint is
# accepted (the run then stops at the credentials, which are left out on
# purpose: no traffic ever goes to a non-loopback host).
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
export HOME

sim_start --desktops 6 --seed 5 --write-fleet "$T/fleet.csv"
wait_fleet "$T/fleet.csv" 6
R=$T/report.jsonl
ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret \
  "$WR" run --endpoint "$ENDPOINT" --chunk-size 2 --report "$R" --no-preflight \
  --progress never "$T/fleet.csv" > "$T/out" 2> "$T/err" ||
  { cat "$T/err" >&2; fail "the run against ecd-sim failed"; }
sim_stop
calls=$(simstat .calls_total)

# A name under .invalid resolves nowhere (RFC 6761).
BAD=http://wr-tampered.invalid:1
jq -c --arg e "$BAD" 'if .type == "run"
    then .endpoint = $e | .options.endpoint = $e | .options.insecure = true
    else . end | select(.type == "run" or .type == "plan")' "$R" > "$T/t.jsonl"
mv "$T/t.jsonl" "$R"
[ "$(jq -r 'select(.type=="run") | .options.insecure' "$R")" = true ] ||
  fail "the tampered report does not hold insecure: true"
cp "$R" "$T/before.jsonl"

rc=0
ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret \
  "$WR" resume "$R" --progress never > "$T/out1" 2> "$T/err1" || rc=$?
[ "$rc" -eq 2 ] || { cat "$T/err1" >&2; fail "resume of a tampered report exited $rc, expected 2"; }
grep -q 'insecure.*ignored' "$T/err1" ||
  { cat "$T/err1" >&2; fail "no warning that the report's insecure is ignored"; }
grep -q "endpoint: \"$BAD\"" "$T/err1" ||
  { cat "$T/err1" >&2; fail "resume does not name the refused endpoint"; }
grep -qi 'plain http' "$T/err1" || grep -qi 'https' "$T/err1" ||
  { cat "$T/err1" >&2; fail "the endpoint message does not say why"; }
cmp -s "$R" "$T/before.jsonl" || fail "a refused resume changed the report"

# --insecure on the command line: the policy lets it pass, and the run
# stops before any call at the missing credentials (exit 2, another
# message).
rc=0
env -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET \
  "$WR" resume "$R" --insecure --progress never > "$T/out2" 2> "$T/err2" || rc=$?
[ "$rc" -eq 2 ] || { cat "$T/err2" >&2; fail "resume --insecure without credentials exited $rc, expected 2"; }
grep -q 'endpoint:' "$T/err2" &&
  { cat "$T/err2" >&2; fail "resume --insecure still refuses the endpoint"; }
grep -qi 'credential\|access.key' "$T/err2" ||
  { cat "$T/err2" >&2; fail "resume --insecure did not get as far as the credentials"; }
grep -q 'ignored' "$T/err2" &&
  { cat "$T/err2" >&2; fail "resume --insecure warns that insecure is ignored"; }
cmp -s "$R" "$T/before.jsonl" || fail "a resume stopped at the credentials changed the report"
[ "$calls" -eq "$(jq -s '[.[] | select(.type=="plan")] | length' "$R")" ] ||
  fail "the simulator saw $calls calls, not one a chunk"
note "ok: a report's insecure: true is ignored; --insecure on the command line counts"
