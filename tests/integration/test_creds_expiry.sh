#!/bin/sh
# Temporary credentials that expire mid-run (ecd-sim --sts 4: they live
# 4 s; 40 calls at 4/s take 10 s): the calls refused with
# InvalidSecurityToken.Expired fail no desktop; the run stops with exit 3
# and a resumable report, and `resume` (new credentials from STS)
# completes every desktop, none rebooted twice.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T/home
mkdir -p "$HOME/.aliyun"
chmod 700 "$HOME/.aliyun"
export HOME
unset ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET \
  ALIBABA_CLOUD_SECURITY_TOKEN ALIBABA_CLOUD_PROFILE ALIBABACLOUD_PROFILE \
  ALICLOUD_PROFILE ALIBABA_CLOUD_CREDENTIALS_URI 2> /dev/null || :
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true

AK=LTAI5tExpirySrcKey0007
SK=expiry-source-secret
sim_start --desktops 40 --seed 9 --write-fleet "$T/fleet.csv" --sts 4 \
  --access-key-id "$AK" --access-key-secret "$SK"
wait_fleet "$T/fleet.csv" 40
export ALIBABA_CLOUD_STS_ENDPOINT=$ENDPOINT
cat > "$HOME/.aliyun/config.json" <<JSON
{"current": "role", "profiles": [{"name": "role", "mode": "RamRoleArn",
 "access_key_id": "$AK", "access_key_secret": "$SK",
 "ram_role_arn": "acs:ram::1:role/ops"}]}
JSON
chmod 600 "$HOME/.aliyun/config.json"

RC=0
"$WR" run --endpoint "$ENDPOINT" --rate 4 --chunk-size 1 --progress never \
  --report "$T/r.jsonl" "$T/fleet.csv" > "$T/run.out" 2> "$T/run.err" ||
  RC=$?
[ "$RC" -eq 3 ] || { tail -n 5 "$T/run.err" >&2; fail "run: exit $RC, expected 3"; }
grep -q "before the run's estimated end" "$T/run.err" ||
  fail "run: no warning that the credentials expire before the end"
grep -q "temporary credentials expired" "$T/run.err" ||
  fail "run: the expiry is not explained"
[ "$(jq -r 'select(.type=="summary") | .stop_reason' "$T/r.jsonl")" = \
  "credentials expired" ] || fail "run: stop_reason is not 'credentials expired'"
ok1=$(count_desktops ok "$T/r.jsonl")
[ "$ok1" -gt 0 ] && [ "$ok1" -lt 40 ] || fail "run: $ok1 ok desktops, expected some"
[ "$(curl -s "$ENDPOINT/__sts" | jq .expired_refused)" -ge 1 ] ||
  fail "the sim refused no expired credentials"

RC=0
"$WR" resume --rate 0 --progress never "$T/r.jsonl" \
  > "$T/resume.out" 2> "$T/resume.err" || RC=$?
[ "$RC" -eq 0 ] || { tail -n 5 "$T/resume.err" >&2; fail "resume: exit $RC"; }
sim_stop
[ "$(simstat .desktops_rebooted)" -eq 40 ] ||
  fail "the sim rebooted $(simstat .desktops_rebooted) desktops, expected 40"
[ "$(jq -r 'select(.outcome=="ok" and .action=="RebootDesktops") | .desktop_ids[]?' \
  "$T/sim.log" 2> /dev/null | sort | uniq -d | wc -l)" -eq 0 ] ||
  fail "a desktop was rebooted twice"
jq -s -e '[.[] | select(.type=="resume")][0].credentials.step ==
  "cli_profile"' "$T/r.jsonl" > /dev/null ||
  fail "resume: no provenance in its record"
jq -s -e '[.[] | select(.type=="summary")][-1] | .ok_desktops == 40 and
  .failed_desktops == 0' "$T/r.jsonl" > /dev/null ||
  fail "resume: the last summary is not 40 ok, 0 failed"
echo "test_creds_expiry: ok"
