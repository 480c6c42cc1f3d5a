# Fail fast (issue 10 item 3): a wrong AccessKey secret stops the run at
# the first answer (exit 3, stderr names the code, nothing more sent, the
# rest skipped); `resume` with the right secret then finishes it, every
# desktop rebooted exactly once.  Also an STS token the server refuses.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T            # no ~/.aliyun/config.json of the user's
export HOME

AK=ff-test-id
SK=ff-test-secret-7c1d
BAD=ff-wrong-secret-0000
N=200
CONC=4

sim_start --desktops $N --seed 91 --write-fleet "$T/fleet.csv" \
  --access-key-id "$AK" --access-key-secret "$SK"
wait_fleet "$T/fleet.csv" $N
R=$T/run.jsonl
rc=0
env ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$BAD \
  "$WR" run --endpoint "$ENDPOINT" --chunk-size 10 --rate 0 \
  --concurrency $CONC --retries 3 --report "$R" --progress never \
  --no-preflight "$T/fleet.csv" > "$T/out1" 2> "$T/err1" || rc=$?
sim_stop
[ "$rc" -eq 3 ] || { cat "$T/err1" >&2; fail "wrong secret: exit $rc, expected 3"; }
check_report "$R"
calls=$(simstat .calls_total)
[ "$calls" -ge 1 ] && [ "$calls" -le $CONC ] ||
  fail "wrong secret: the simulator saw $calls calls, expected 1..$CONC"
[ "$(simstat .desktops_rebooted)" -eq 0 ] || fail "a refused call rebooted"
grep -q 'SignatureDoesNotMatch' "$T/err1" ||
  fail "stderr does not name SignatureDoesNotMatch: $(cat "$T/err1")"
grep -q 'stopping (credentials)' "$T/err1" ||
  fail "stderr does not say why the run stopped: $(cat "$T/err1")"
grep -q -e "$BAD" -e "$SK" "$T/err1" "$T/out1" "$R" &&
  fail "a secret reached stderr, stdout or the report"
[ "$(jq -r 'select(.type=="summary") | .stop_reason' "$R")" = credentials ] ||
  fail "summary stop_reason: $(jq -c 'select(.type=="summary")' "$R")"
# Every call answered is failed and marked for resume; none retried; the
# rest never sent.
failed=$(jq -s '[.[] | select(.type=="chunk" and .status=="failed")] | length' "$R")
pend=$(jq -s '[.[] | select(.type=="chunk" and .status=="failed" and
    .retry_pending==true and .error_code=="SignatureDoesNotMatch"
    and .attempts==1)] | length' "$R")
[ "$failed" -eq "$calls" ] && [ "$pend" -eq "$calls" ] ||
  fail "failed chunks $failed, marked for resume $pend, calls $calls"
fd=$(count_desktops failed "$R")
[ "$(count_desktops skipped "$R")" -eq $((N - fd)) ] ||
  fail "skipped desktops: $(count_desktops skipped "$R"), expected $((N - fd))"
nplan=$(jq -c 'select(.type=="plan")' "$R" | wc -l)
[ "$(jq -s '[.[] | select(.type=="split")] | length' "$R")" -eq 0 ] ||
  fail "an auth error split a chunk"

# Fixed credentials: resume finishes the run, on a simulator with the
# same fleet; the first rebooted nothing, so once each here is once each.
sim_start --fleet "$T/fleet.csv" --seed 92 \
  --access-key-id "$AK" --access-key-secret "$SK"
rc=0
env ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK \
  "$WR" resume "$R" --endpoint "$ENDPOINT" --progress never \
  > "$T/out2" 2> "$T/err2" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { cat "$T/err2" >&2; fail "resume: exit $rc, expected 0"; }
rebooted_once_each $N
[ "$(simstat .calls_total)" -eq "$nplan" ] ||
  fail "resume made $(simstat .calls_total) calls, expected one a chunk ($nplan)"
[ "$(simstat .violations_total)" -eq 0 ] ||
  fail "violations: $(jq -c .violations "$T/stats.json")"
[ "$(tail -n 1 "$R" | jq -r .exit_code)" -eq 0 ] ||
  fail "the whole run's summary: $(tail -n 1 "$R")"
note "ok: wrong secret stopped after $calls call(s); resume rebooted $N once each"

# With the pre-flight (the default), the first call is DescribeDesktops:
# its refusal stops the run before any reboot, every desktop is skipped
# (none failed: nothing was sent), and resume finishes the run.
sim_start --fleet "$T/fleet.csv" --seed 94 \
  --access-key-id "$AK" --access-key-secret "$SK"
RP=$T/preflight.jsonl
rc=0
env ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$BAD \
  "$WR" run --endpoint "$ENDPOINT" --chunk-size 10 --rate 0 \
  --concurrency $CONC --report "$RP" --progress never "$T/fleet.csv" \
  > "$T/out6" 2> "$T/err6" || rc=$?
sim_stop
[ "$rc" -eq 3 ] || { cat "$T/err6" >&2; fail "pre-flight, wrong secret: exit $rc, expected 3"; }
[ "$(simstat .calls_total)" -eq 1 ] ||
  fail "pre-flight, wrong secret: $(simstat .calls_total) calls, expected 1"
grep -q 'DescribeDesktops: the server answered SignatureDoesNotMatch' "$T/err6" ||
  fail "stderr does not name the describe refusal: $(cat "$T/err6")"
[ "$(jq -r 'select(.type=="summary") | .stop_reason' "$RP")" = credentials ] ||
  fail "pre-flight summary: $(jq -c 'select(.type=="summary")' "$RP")"
[ "$(count_desktops skipped "$RP")" -eq $N ] && [ "$(count_desktops failed "$RP")" -eq 0 ] ||
  fail "pre-flight stop: $(count_desktops skipped "$RP") skipped, $(count_desktops failed "$RP") failed"
sim_start --fleet "$T/fleet.csv" --seed 95 \
  --access-key-id "$AK" --access-key-secret "$SK"
rc=0
env ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK \
  "$WR" resume "$RP" --endpoint "$ENDPOINT" --progress never \
  > "$T/out7" 2> "$T/err7" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { cat "$T/err7" >&2; fail "pre-flight resume: exit $rc, expected 0"; }
rebooted_once_each $N
note "ok: a refused pre-flight stopped the run before any reboot; resume finished it"

# An STS token the server does not accept: the same stop, its own code.
sim_start --desktops 40 --seed 93 --write-fleet "$T/fleet2.csv" \
  --access-key-id "$AK" --access-key-secret "$SK" --security-token good-sts
wait_fleet "$T/fleet2.csv" 40
rc=0
env ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK \
  ALIBABA_CLOUD_SECURITY_TOKEN=stale-sts \
  "$WR" run --endpoint "$ENDPOINT" --chunk-size 5 --rate 0 --concurrency 1 \
  --report "$T/sts.jsonl" --progress never "$T/fleet2.csv" \
  > "$T/out3" 2> "$T/err3" || rc=$?
sim_stop
[ "$rc" -eq 3 ] || fail "refused STS token: exit $rc, expected 3"
[ "$(simstat .calls_total)" -eq 1 ] ||
  fail "refused STS token: $(simstat .calls_total) calls, expected 1"
grep -q 'InvalidSecurityToken' "$T/err3" ||
  fail "stderr does not name the STS error: $(cat "$T/err3")"
grep -q -e stale-sts -e good-sts "$T/err3" "$T/sts.jsonl" &&
  fail "an STS token reached stderr or the report"
note "ok: a refused STS token stopped after 1 call"

# Client API: a LoginToken the server refuses stops the run the same way;
# with the right one, resume finishes it with the chunks' own ClientTokens.
sim_start --desktops 60 --seed 94 --write-fleet "$T/fleet3.csv" \
  --client-id ff-client --login-token good-login-token-1 \
  --session-id good-session-1
wait_fleet "$T/fleet3.csv" 60
R3=$T/client.jsonl
rc=0
WUYING_LOGIN_TOKEN=stale-login-token-9 WUYING_SESSION_ID=good-session-1 \
  "$WR" run --api client --endpoint "$ENDPOINT" --client-id ff-client \
  --client-os Windows --client-version 7.0.0 --chunk-size 5 --rate 0 \
  --concurrency 2 --report "$R3" --progress never "$T/fleet3.csv" \
  > "$T/out4" 2> "$T/err4" || rc=$?
[ "$rc" -eq 3 ] || { cat "$T/err4" >&2; fail "client, refused LoginToken: exit $rc, expected 3"; }
grep -q 'InvalidLoginToken' "$T/err4" ||
  fail "stderr does not name InvalidLoginToken: $(cat "$T/err4")"
grep -q -e stale-login-token -e good-login-token -e good-session "$T/err4" "$R3" &&
  fail "a client secret reached stderr or the report"
c1=$(jq -s '[.[] | select(.type=="chunk" and .status=="failed")] | length' "$R3")
[ "$c1" -ge 1 ] && [ "$c1" -le 2 ] || fail "client: $c1 chunks answered, expected 1..2"
rc=0
WUYING_LOGIN_TOKEN=good-login-token-1 WUYING_SESSION_ID=good-session-1 \
  "$WR" resume "$R3" --endpoint "$ENDPOINT" --progress never \
  > "$T/out5" 2> "$T/err5" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { cat "$T/err5" >&2; fail "client resume: exit $rc, expected 0"; }
rebooted_once_each 60
# Each chunk's ClientToken is the one its plan record gave it.
[ "$(jq -s '[.[] | select(.type=="plan") | {(.chunk): .client_token}] | add as $p
    | [.[] | select(.type=="chunk") | select(.client_token != $p[.chunk])]
    | length' "$R3")" -eq 0 ] || fail "client: a chunk changed its ClientToken"
note "ok: client API: a refused LoginToken stopped the run; resume finished it"
