#!/bin/sh
# The credentials chain against ecd-sim --sts (fake STS, ECS metadata
# service and credentials URI on loopback): each step alone, their
# precedence, each config.json mode, a source_profile cycle, a full run
# with RamRoleArn credentials (0 failures), and no secret in any output
# at -vvv, the STS error paths included.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
creds_isolate
mkdir -p "$HOME/.alibabacloud"

AK=LTAI5tCredsSrcKey0042
SK='credsSrc+Secret/=9'
SRC_STS='CAIScredsSrcSts+tok/en=='
OIDC_TOKEN='eyJoidcTestToken.payload.sig'
FORBIDDEN="$SK
credsSrc%2BSecret%2F%3D9
$SRC_STS
CAIScredsSrcSts%2Btok%2Fen%3D%3D
CAIScredsSrcSts%252Btok
$OIDC_TOKEN
simStsSecret
CAISsimStsToken
simImdsToken"

# --reboot-ms 0: the later runs reboot the same desktops again at once.
sim_start --desktops 40 --seed 5 --write-fleet "$T/fleet.csv" --sts 600 --reboot-ms 0 \
  --access-key-id "$AK" --access-key-secret "$SK"
wait_fleet "$T/fleet.csv" 40
head -n 3 "$T/fleet.csv" > "$T/small.csv"
STS_EP=http://127.0.0.1:$PORT
META=http://127.0.0.1:$PORT
export ALIBABA_CLOUD_STS_ENDPOINT=$STS_EP
export WUYING_REBOOT_TEST_METADATA_URL=$META
sts() { curl -s "$ENDPOINT/__sts" | jq -r ".$1"; }

# wr NAME ARGS...: run the tool at -vvv, output in $T/NAME.{out,err},
# exit code in $RC; no secret may appear.
wr()
{
  _n=$1
  shift
  RC=0
  _cmd=$1
  shift
  "$WR" "$_cmd" -v -v -v "$@" > "$T/$_n.out" 2> "$T/$_n.err" || RC=$?
  echo "$FORBIDDEN" | while IFS= read -r s; do
    [ -n "$s" ] || continue
    if grep -qF -- "$s" "$T/$_n.out" "$T/$_n.err"; then
      grep -nF -- "$s" "$T/$_n.out" "$T/$_n.err" | sed 's/^/  /' >&2
      echo x >> "$T/leaks"
    fi
  done
  [ ! -s "$T/leaks" ] || fail "$_n: a secret appears in the output"
}
PLAN="plan --show-requests 1 --endpoint $ENDPOINT $T/small.csv"

# expect_step NAME STEP [RC]: the run NAME got its credentials from STEP.
expect_step()
{
  [ "$RC" -eq "${3:-0}" ] || { tail -n 5 "$T/$1.err" >&2; fail "$1: exit $RC"; }
  grep -q "credentials: step $2," "$T/$1.err" ||
    { grep credentials "$T/$1.err" >&2; fail "$1: credentials not from $2"; }
}

# ---- each step alone ------------------------------------------------------
ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export ALIBABA_CLOUD_ECS_METADATA_DISABLED
wr none $PLAN
[ "$RC" -eq 2 ] || fail "no credentials: exit $RC, expected 2"
for w in environment OIDC config.json "credentials file" \
  "ECS metadata: disabled" "credentials URI"; do
  grep -q "no credentials found.*$w" "$T/none.err" ||
    fail "no credentials: the error does not report step '$w'"
done

ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK wr env $PLAN
expect_step env env

printf '%s\n' "$OIDC_TOKEN" > "$T/oidc.token"
ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/oidc \
  ALIBABA_CLOUD_OIDC_PROVIDER_ARN=acs:ram::1:oidc-provider/ack \
  ALIBABA_CLOUD_OIDC_TOKEN_FILE=$T/oidc.token wr oidc $PLAN
expect_step oidc oidc
[ "$(sts assume_role_oidc)" -eq 1 ] || fail "oidc: $(sts assume_role_oidc) AssumeRoleWithOIDC calls"

cat > "$HOME/.aliyun/config.json" <<JSON
{"current": "role", "profiles": [
 {"name": "ak", "mode": "AK", "access_key_id": "$AK", "access_key_secret": "$SK"},
 {"name": "sts", "mode": "StsToken", "access_key_id": "$AK",
  "access_key_secret": "$SK", "sts_token": "$SRC_STS"},
 {"name": "role", "mode": "RamRoleArn", "access_key_id": "$AK",
  "access_key_secret": "$SK", "ram_role_arn": "acs:ram::1:role/ops",
  "ram_session_name": "ops-window"},
 {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "role",
  "ram_role_arn": "acs:ram::1:role/second"},
 {"name": "loop1", "mode": "ChainableRamRoleArn", "source_profile": "loop2",
  "ram_role_arn": "acs:ram::1:role/x"},
 {"name": "loop2", "mode": "ChainableRamRoleArn", "source_profile": "loop1",
  "ram_role_arn": "acs:ram::1:role/y"},
 {"name": "ecs", "mode": "EcsRamRole"},
 {"name": "ecsnamed", "mode": "EcsRamRole", "ram_role_name": "no-such-role"},
 {"name": "oidc", "mode": "OIDC", "ram_role_arn": "acs:ram::1:role/o",
  "oidc_provider_arn": "acs:ram::1:oidc-provider/p",
  "oidc_token_file": "$T/oidc.token", "ram_session_name": "s1"},
 {"name": "uri", "mode": "CredentialsURI",
  "credentials_uri": "$ENDPOINT/credentials-uri"},
 {"name": "ext", "mode": "External", "process_command": "touch $T/ran"},
 {"name": "odd", "mode": "Kerberos"},
 {"name": "badkey", "mode": "RamRoleArn", "access_key_id": "$AK",
  "access_key_secret": "wrong-secret", "ram_role_arn": "acs:ram::1:role/ops"},
 {"name": "stsrole", "mode": "RamRoleArn", "access_key_id": "$AK",
  "access_key_secret": "wrong-secret", "sts_token": "$SRC_STS",
  "ram_role_arn": "acs:ram::1:role/ops"}]}
JSON
chmod 600 "$HOME/.aliyun/config.json"
n0=$(sts assume_role)
wr profile $PLAN
expect_step profile cli_profile
grep -q "mode RamRoleArn" "$T/profile.err" || fail "profile: source not named"
[ "$(sts assume_role)" -eq $((n0 + 1)) ] || fail "profile: AssumeRole not called once"
mv "$HOME/.aliyun/config.json" "$HOME/.aliyun/config.off"

printf '[default]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n' \
  "$AK" "$SK" > "$HOME/.alibabacloud/credentials"
wr ini $PLAN
expect_step ini ini_profile
printf '[default]\ntype = ram_role_arn\naccess_key_id = %s\naccess_key_secret = %s\nrole_arn = acs:ram::1:role/ini\nrole_session_name = ini\n' \
  "$AK" "$SK" > "$HOME/.alibabacloud/credentials"
n0=$(sts assume_role)
wr ini_role $PLAN
expect_step ini_role ini_profile
[ "$(sts assume_role)" -eq $((n0 + 1)) ] || fail "ini ram_role_arn: no AssumeRole"
mv "$HOME/.alibabacloud/credentials" "$HOME/.alibabacloud/credentials.off"

unset ALIBABA_CLOUD_ECS_METADATA_DISABLED
t0=$(sts imds_token)
wr ecs $PLAN
expect_step ecs ecs_ram_role
[ "$(sts imds_token)" -gt "$t0" ] || fail "ecs: no metadata token was asked for"
[ "$(sts imds_v1)" -eq 0 ] || fail "ecs: a metadata call without the token"
ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export ALIBABA_CLOUD_ECS_METADATA_DISABLED

ALIBABA_CLOUD_CREDENTIALS_URI=$ENDPOINT/credentials-uri wr uri $PLAN
expect_step uri credentials_uri
grep -q "credentials-uri" "$T/uri.err" && fail "uri: the URI's path is shown"

# ---- precedence: each step beats the ones after it ------------------------
mv "$HOME/.aliyun/config.off" "$HOME/.aliyun/config.json"
mv "$HOME/.alibabacloud/credentials.off" "$HOME/.alibabacloud/credentials"
unset ALIBABA_CLOUD_ECS_METADATA_DISABLED
export ALIBABA_CLOUD_CREDENTIALS_URI=$ENDPOINT/credentials-uri
ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/oidc \
  ALIBABA_CLOUD_OIDC_PROVIDER_ARN=acs:ram::1:oidc-provider/ack \
  ALIBABA_CLOUD_OIDC_TOKEN_FILE=$T/oidc.token \
  ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK \
  wr p1 $PLAN
expect_step p1 env
ALIBABA_CLOUD_ROLE_ARN=acs:ram::1:role/oidc \
  ALIBABA_CLOUD_OIDC_PROVIDER_ARN=acs:ram::1:oidc-provider/ack \
  ALIBABA_CLOUD_OIDC_TOKEN_FILE=$T/oidc.token wr p2 $PLAN
expect_step p2 oidc
wr p3 $PLAN
expect_step p3 cli_profile
ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true wr p4 $PLAN
expect_step p4 ini_profile
mv "$HOME/.alibabacloud/credentials" "$HOME/.alibabacloud/credentials.off"
ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true wr p5 $PLAN
expect_step p5 ecs_ram_role
ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true ALIBABA_CLOUD_ECS_METADATA_DISABLED=true \
  wr p6 $PLAN
expect_step p6 credentials_uri
unset ALIBABA_CLOUD_CREDENTIALS_URI
ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
export ALIBABA_CLOUD_ECS_METADATA_DISABLED

# ---- each mode ------------------------------------------------------------
for p in ak sts role ecs oidc uri; do
  [ "$p" = ecs ] && unset ALIBABA_CLOUD_ECS_METADATA_DISABLED
  wr "mode_$p" $PLAN --profile "$p"
  expect_step "mode_$p" cli_profile
done
n0=$(sts assume_role)
wr mode_chain $PLAN --profile chain
expect_step mode_chain cli_profile
[ "$(sts assume_role)" -eq $((n0 + 2)) ] || fail "chain: $(($(sts assume_role) - n0)) AssumeRole calls, expected 2"
wr cycle $PLAN --profile loop1
[ "$RC" -eq 2 ] && grep -q "loops back to 'loop1'" "$T/cycle.err" ||
  fail "a source_profile cycle: exit $RC, $(tail -n 1 "$T/cycle.err")"
wr ext $PLAN --profile ext
[ "$RC" -eq 2 ] && grep -q "mode External" "$T/ext.err" || fail "External: exit $RC"
[ ! -e "$T/ran" ] || fail "External: the process_command was run"
wr odd $PLAN --profile odd
[ "$RC" -eq 2 ] && grep -q "unknown mode 'Kerberos'" "$T/odd.err" || fail "unknown mode: exit $RC"
wr ecsnamed $PLAN --profile ecsnamed
[ "$RC" -eq 2 ] && grep -q "HTTP 404" "$T/ecsnamed.err" || fail "EcsRamRole with an unknown role: exit $RC"

# ---- STS error paths: exit 2, the code shown, no secret ---------------------
wr badkey $PLAN --profile badkey
[ "$RC" -eq 2 ] && grep -q SignatureDoesNotMatch "$T/badkey.err" ||
  fail "a wrong secret: exit $RC, $(tail -n 1 "$T/badkey.err")"
wr stsrole $PLAN --profile stsrole
[ "$RC" -eq 2 ] && grep -q "InvalidSecurityToken\|SignatureDoesNotMatch\|MissingSecurityToken" "$T/stsrole.err" ||
  fail "a source STS token the STS refuses: exit $RC"
ALIBABA_CLOUD_STS_ENDPOINT=http://127.0.0.1:1 wr nosts $PLAN --profile role
[ "$RC" -eq 2 ] && grep -q "STS AssumeRole" "$T/nosts.err" || fail "no STS: exit $RC"
WUYING_REBOOT_TEST_METADATA_URL=http://example.com wr badmeta $PLAN --profile ecs
[ "$RC" -eq 2 ] && grep -q "loopback" "$T/badmeta.err" ||
  fail "a test metadata URL off loopback must be refused: exit $RC"
ALIBABA_CLOUD_STS_ENDPOINT=http://sts.example.com wr httpsts $PLAN --profile role
[ "$RC" -eq 2 ] || fail "plain http to a non-loopback STS must be refused: exit $RC"

# ---- a run with RamRoleArn credentials, end to end ------------------------
n0=$(sts assume_role)
wr run run --endpoint "$ENDPOINT" --profile role --rate 0 --progress never \
  --report "$T/run.jsonl" "$T/fleet.csv"
[ "$RC" -eq 0 ] || { tail -n 5 "$T/run.err" >&2; fail "run: exit $RC"; }
check_report "$T/run.jsonl"
[ "$(count_desktops ok "$T/run.jsonl")" -eq 40 ] || fail "run: not 40 ok desktops"
[ "$(sts assume_role)" -eq $((n0 + 1)) ] || fail "run: AssumeRole not called once"
head -n 1 "$T/run.jsonl" | jq -e '.credentials.step == "cli_profile" and
  (.credentials.access_key_id | test("^STS\\.\\*\\*\\*[0-9]{4}$")) and
  (.credentials.source | test("mode RamRoleArn")) and
  (.credentials.expires_at | test("Z$"))' > /dev/null ||
  fail "run: provenance $(head -n 1 "$T/run.jsonl" | jq -c .credentials)"
echo "$FORBIDDEN" | while IFS= read -r s; do
  [ -z "$s" ] || ! grep -qF -- "$s" "$T/run.jsonl" || echo x >> "$T/leaks"
done
[ ! -s "$T/leaks" ] || fail "run: a secret is in the report"

# Credentials that expire (600 s) before the estimated end (40 calls at
# 0.05/s: 800 s) are renewable: -v says they are renewed during the run
# (no warning); the run is then interrupted.
# A job started with & ignores SIGINT until the tool installs its handler
# (when it starts sending): the interrupt waits for its first reboot call.
n0=$(wc -l < "$T/sim.log")
"$WR" run -v --endpoint "$ENDPOINT" --profile role --rate 0.05 --chunk-size 1 \
  --progress never --report "$T/long.jsonl" "$T/fleet.csv" \
  > "$T/long.out" 2> "$T/long.err" &
WR_PID=$!
wait_for grep -q "they are renewed during the run" "$T/long.err" ||
  fail "no note that the credentials are renewed: $(cat "$T/long.err")"
wait_for lines_at_least "$T/sim.log" $((n0 + 1)) ||
  fail "the long run sent no reboot call"
kill -INT "$WR_PID"
wait_for gone "$WR_PID" || fail "the long run did not stop after SIGINT"
RC=0
wait "$WR_PID" || RC=$?
WR_PID=
[ "$RC" -eq 3 ] || fail "the interrupted run: exit $RC, expected 3"
! grep -q "cannot be renewed" "$T/long.err" ||
  fail "renewable credentials were said not to be"
sim_stop
[ "$(simstat .violations_total)" -eq 0 ] ||
  fail "violations: $(jq -c .violations "$T/stats.json")"
echo "test_creds_sts: ok"
