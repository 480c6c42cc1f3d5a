# Admin mode with each way of signing: V3 (ACS3-HMAC-SHA256), V1
# (HMAC-SHA1), and an STS token with both.  The simulator verifies every
# signature; every call must be accepted and no protocol violation seen.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T            # no ~/.aliyun/config.json of the user's
export HOME

AK=admin-test-id
SK=admin-test-secret-9f3e1b
STS=admin-test-sts-token-4d2a

# run_part NAME SIGNATURE CHUNK FLEET [STS]
run_part()
{
  _rc=0
  env ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK \
    ${5:+ALIBABA_CLOUD_SECURITY_TOKEN=$5} \
    "$WR" run --endpoint "$ENDPOINT" --signature "$2" --chunk-size "$3" \
    --rate 0 --concurrency 8 --report "$T/$1.jsonl" --progress never "$4" \
    > "$T/$1.out" 2> "$T/$1.err" || _rc=$?
  [ "$_rc" -eq 0 ] || { tail -n 20 "$T/$1.err" >&2; fail "$1: run exited $_rc"; }
  check_report "$T/$1.jsonl"
  _n=$(($(wc -l < "$4") - 1))
  [ "$(count_desktops ok "$T/$1.jsonl")" -eq "$_n" ] ||
    fail "$1: $(count_desktops ok "$T/$1.jsonl") ok desktops, expected $_n"
  [ "$(jq -r 'select(.type=="chunk") | .client_token' "$T/$1.jsonl" | sort -u)" = null ] ||
    fail "$1: admin-mode chunks must have a null client_token"
}

# check_auth AUTH NAME: the simulator accepted, signed with AUTH, exactly
# the calls of run NAME (one a chunk: nothing was retried) and no other.
check_auth()
{
  _seen=$(jq -r --arg a "$1" 'select(.action=="RebootDesktops" and .auth==$a)
      | .outcome' "$T/sim.log" | sort | uniq -c | tr -s ' ')
  _want=" $(grep -c '"type":"chunk"' "$T/$2.jsonl") ok"
  [ "$_seen" = "$_want" ] ||
    fail "$2: $1 calls seen by the simulator: '$_seen', expected '$_want'"
}

# Without STS: one simulator, two disjoint halves of its fleet.
sim_start --desktops 600 --seed 21 --write-fleet "$T/fleet.csv" \
  --access-key-id "$AK" --access-key-secret "$SK"
wait_fleet "$T/fleet.csv" 600
head -n 301 "$T/fleet.csv" > "$T/a.csv"
{ head -n 1 "$T/fleet.csv"; tail -n 300 "$T/fleet.csv"; } > "$T/b.csv"
run_part v3 v3 50 "$T/a.csv"
run_part v1 v1 100 "$T/b.csv"
sim_stop
[ "$(simstat .violations_total)" -eq 0 ] ||
  fail "violations: $(jq -c .violations "$T/stats.json")"
[ "$(simstat .desktops_rebooted)" -eq 600 ] ||
  fail "simulator rebooted $(simstat .desktops_rebooted) desktops, expected 600"
check_auth v3 v3
check_auth v1 v1

# With an STS token, which the simulator then requires on every call.
sim_start --desktops 200 --seed 22 --write-fleet "$T/fleet2.csv" \
  --access-key-id "$AK" --access-key-secret "$SK" --security-token "$STS"
wait_fleet "$T/fleet2.csv" 200
head -n 101 "$T/fleet2.csv" > "$T/c.csv"
{ head -n 1 "$T/fleet2.csv"; tail -n 100 "$T/fleet2.csv"; } > "$T/d.csv"
run_part sts-v3 v3 20 "$T/c.csv" "$STS"
run_part sts-v1 v1 20 "$T/d.csv" "$STS"
# A call without the token must be refused: the check above is not vacuous.
rc=0
head -n 2 "$T/fleet2.csv" > "$T/e.csv"
env ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK \
  "$WR" run --endpoint "$ENDPOINT" --retries 0 --rate 0 \
  --report "$T/nosts.jsonl" --progress never "$T/e.csv" \
  > "$T/nosts.out" 2> "$T/nosts.err" || rc=$?
sim_stop
# A refused credential stops the run (issue 10: fail fast): exit 3.
[ "$rc" -eq 3 ] || fail "a call without the STS token: exit $rc, expected 3"
[ "$(simstat .violations_total)" -eq 1 ] ||
  fail "violations: $(jq -c .violations "$T/stats.json"), expected exactly one (the call without the STS token)"
# The refused call is the one error; the runs' calls were all accepted.
[ "$(jq -r 'select(.outcome!="ok") | .code' "$T/sim.log")" = InvalidSecurityToken.MismatchWithAccessKey ] ||
  fail "unexpected refusals: $(jq -c 'select(.outcome!="ok")' "$T/sim.log" | head -n 3)"
jq -c 'select(.outcome=="ok")' "$T/sim.log" > "$T/accepted.log"
mv "$T/accepted.log" "$T/sim.log"
check_auth v3 sts-v3
check_auth v1 sts-v1
note "ok: v3, v1, sts-v3, sts-v1 accepted with no violation"
