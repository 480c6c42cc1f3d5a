# No secret ever reaches stdout, stderr or the report, at any verbosity:
# admin (AccessKey secret, STS token; V3 and V1) and client (LoginToken,
# SessionId, SessionToken) runs at -vvv, through errors and retries too.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
export HOME

AK_SECRET=SeCrEt-AK-4f1d9c0e77b2
STS_TOKEN=SeCrEt-STS-a01b77e2c9
LOGIN=SeCrEt-LOGIN-93ab1c
SESSION=SeCrEt-SESSION-5e7d0f
SESSION_TOKEN=SeCrEt-SESSTOKEN-c4d2

check_clean()
{
  for _f in "$@"; do
    [ -f "$_f" ] || fail "missing $_f"
    for _s in "$AK_SECRET" "$STS_TOKEN" "$LOGIN" "$SESSION" "$SESSION_TOKEN"; do
      if grep -q -- "$_s" "$_f"; then
        fail "$(basename "$_f") contains a secret: $(grep -o -- ".\{0,30\}$_s" "$_f" | head -n 1)"
      fi
    done
    # Catch a secret cut by URL-encoding or quoting as well.
    if grep -q 'SeCrEt' "$_f"; then
      fail "$(basename "$_f") contains part of a secret: $(grep -o '.\{0,30\}SeCrEt.\{0,10\}' "$_f" | head -n 1)"
    fi
  done
}

# requests_logged ERR REPORT NEEDLE: -vvv logged every attempt's request,
# redacted: a "request (chunk N, attempt K):" line per attempt of the
# report, each followed by the request line, and NEEDLE (a masked secret)
# as often.
requests_logged()
{
  _att=$(jq -s '[.[] | select(.type=="chunk") | .attempts] | add' "$2")
  # the pre-flight's DescribeDesktops calls are logged too, one a record
  _calls=$((_att + $(jq -s '[.[] | select(.type=="preflight")] | length' "$2")))
  _req=$(grep -c 'trace: request (chunk [0-9.]*, attempt [0-9]*):$' "$1" || :)
  [ "$_req" -eq "$_att" ] ||
    fail "$(basename "$1"): $_req requests logged at -vvv for $_att attempts"
  [ "$(grep -c 'trace: > POST http://127.0.0.1:[0-9]*/?' "$1" || :)" -eq "$_calls" ] ||
    fail "$(basename "$1"): not one request line per call at -vvv"
  [ "$(grep -c "trace: > .*\($3\)" "$1" || :)" -eq "$_calls" ] ||
    fail "$(basename "$1"): not one masked secret per request at -vvv"
}

# A little trouble, so that error and retry paths log too.
TROUBLE="--fail-rate 0.1 --reset-rate 0.05 --qps 50 --retry-after-ms 100"

# Admin, V3 and V1, with an STS token.
sim_start --desktops 200 --seed 61 --write-fleet "$T/fleet.csv" \
  --access-key-id test-id --access-key-secret "$AK_SECRET" \
  --security-token "$STS_TOKEN" $TROUBLE
wait_fleet "$T/fleet.csv" 200
head -n 101 "$T/fleet.csv" > "$T/a.csv"
{ head -n 1 "$T/fleet.csv"; tail -n 100 "$T/fleet.csv"; } > "$T/b.csv"
for sig in v3 v1; do
  f=a.csv; [ "$sig" = v3 ] || f=b.csv
  rc=0
  ALIBABA_CLOUD_ACCESS_KEY_ID=test-id ALIBABA_CLOUD_ACCESS_KEY_SECRET=$AK_SECRET \
  ALIBABA_CLOUD_SECURITY_TOKEN=$STS_TOKEN \
    "$WR" run -vvv --endpoint "$ENDPOINT" --signature "$sig" --chunk-size 10 \
    --rate 0 --retries 20 --report "$T/$sig.jsonl" --progress always \
    "$T/$f" > "$T/$sig.out" 2> "$T/$sig.err" || rc=$?
  [ "$rc" -eq 0 ] || { tail -n 5 "$T/$sig.err" >&2; fail "$sig run exited $rc"; }
  [ "$(wc -l < "$T/$sig.err")" -gt 10 ] || fail "-vvv logged almost nothing ($sig)"
  check_clean "$T/$sig.out" "$T/$sig.err" "$T/$sig.jsonl"
  requests_logged "$T/$sig.err" "$T/$sig.jsonl" 'x-acs-security-token: \*\*\*\|SecurityToken=\*\*\*'
  # The requests as they would be sent: secrets replaced, not printed.
  ALIBABA_CLOUD_ACCESS_KEY_ID=test-id ALIBABA_CLOUD_ACCESS_KEY_SECRET=$AK_SECRET \
  ALIBABA_CLOUD_SECURITY_TOKEN=$STS_TOKEN \
    "$WR" plan -vvv --endpoint "$ENDPOINT" --signature "$sig" \
    --show-requests 3 "$T/$f" > "$T/$sig-show.out" 2> "$T/$sig-show.err" ||
    fail "$sig: plan --show-requests failed: $(tail -n 3 "$T/$sig-show.err")"
  grep -q 'acs' "$T/$sig-show.out" "$T/$sig-show.err" ||
    fail "$sig: --show-requests printed no request"
  check_clean "$T/$sig-show.out" "$T/$sig-show.err"
done
sim_stop

# Client mode.
sim_start --desktops 100 --seed 62 --write-fleet "$T/fleet2.csv" \
  --client-id test-client --login-token "$LOGIN" --session-id "$SESSION" $TROUBLE
wait_fleet "$T/fleet2.csv" 100
rc=0
WUYING_LOGIN_TOKEN=$LOGIN WUYING_SESSION_ID=$SESSION \
WUYING_SESSION_TOKEN=$SESSION_TOKEN \
  "$WR" run -vvv --api client --endpoint "$ENDPOINT" --client-id test-client \
  --client-os Windows --client-version 7.0.0 --rate 0 --retries 20 \
  --report "$T/client.jsonl" --progress always "$T/fleet2.csv" \
  > "$T/client.out" 2> "$T/client.err" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { tail -n 5 "$T/client.err" >&2; fail "client run exited $rc"; }
check_clean "$T/client.out" "$T/client.err" "$T/client.jsonl"
requests_logged "$T/client.err" "$T/client.jsonl" 'LoginToken=\*\*\*'
WUYING_LOGIN_TOKEN=$LOGIN WUYING_SESSION_ID=$SESSION \
WUYING_SESSION_TOKEN=$SESSION_TOKEN \
  "$WR" plan -vvv --api client --endpoint "$ENDPOINT" --client-id test-client \
  --client-os Windows --client-version 7.0.0 --show-requests 3 \
  "$T/fleet2.csv" > "$T/client-show.out" 2> "$T/client-show.err" ||
  fail "client: plan --show-requests failed: $(tail -n 3 "$T/client-show.err")"
grep -q 'ClientToken' "$T/client-show.out" "$T/client-show.err" ||
  fail "client: --show-requests printed no request"
check_clean "$T/client-show.out" "$T/client-show.err"

# A bad secret (the call is refused) must not be echoed back either.
sim_start --desktops 10 --seed 63 --write-fleet "$T/fleet3.csv" \
  --access-key-id test-id --access-key-secret other-secret
wait_fleet "$T/fleet3.csv" 10
rc=0
ALIBABA_CLOUD_ACCESS_KEY_ID=test-id ALIBABA_CLOUD_ACCESS_KEY_SECRET=$AK_SECRET \
  "$WR" run -vvv --endpoint "$ENDPOINT" --rate 0 --retries 1 \
  --report "$T/bad.jsonl" --progress never "$T/fleet3.csv" \
  > "$T/bad.out" 2> "$T/bad.err" || rc=$?
sim_stop
# A refused signature stops the run at once (fail fast): exit 3.
[ "$rc" -eq 3 ] || fail "a refused signature: exit $rc, expected 3"
grep -q 'SignatureDoesNotMatch' "$T/bad.err" ||
  fail "a refused signature: stderr does not name the code"
check_clean "$T/bad.out" "$T/bad.err" "$T/bad.jsonl"
# Only -vvv shows requests.
sim_start --desktops 10 --seed 64 --write-fleet "$T/fleet4.csv" \
  --access-key-id test-id --access-key-secret "$AK_SECRET"
wait_fleet "$T/fleet4.csv" 10
ALIBABA_CLOUD_ACCESS_KEY_ID=test-id ALIBABA_CLOUD_ACCESS_KEY_SECRET=$AK_SECRET \
  "$WR" run -vv --endpoint "$ENDPOINT" --rate 0 --report "$T/vv.jsonl" \
  --progress never "$T/fleet4.csv" > "$T/vv.out" 2> "$T/vv.err" ||
  fail "the -vv run failed: $(tail -n 3 "$T/vv.err")"
sim_stop
grep -q 'debug:' "$T/vv.err" || fail "-vv logged no debug line"
grep -q 'request (\|> POST' "$T/vv.err" && fail "-vv logged a request"
note "ok: no secret in stdout, stderr or report at -vvv, which logs each request redacted"
