#!/bin/sh
# Temporary credentials that expire mid-run and cannot be renewed
# (ecd-sim --sts 4: they live 4 s; 40 calls at 4/s take 10 s; every
# AssumeRole after the first gets 503): the renewal is tried before the
# expiry and a few times after it while the calls wait, then the run
# stops with exit 3 ("credentials expired") and a resumable report; the
# waiting calls fail no desktop.  Once STS answers again (/__sts?fail=0),
# `resume` (new credentials) completes every desktop, none rebooted
# twice.  An STS token in the environment that expired stops the
# pre-flight as "credentials expired".  Then credentials that expire before their stated Expiration
# (ecd-sim --sts-lie: a client clock behind): the calls refused with
# InvalidSecurityToken.Expired are sent again after an immediate renewal,
# fail nothing and count for no --max-errors.  Also: `plan` warns about an STS token in the environment, which
# nothing can renew, when the run may outlast it.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
creds_isolate
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true

AK=LTAI5tExpirySrcKey0007
SK=expiry-source-secret
sim_start --desktops 40 --seed 9 --write-fleet "$T/fleet.csv" --sts 4 \
  --sts-fail-after 1 --sts-fail 1000000 \
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
grep -q "renewing the credentials failed (.*HTTP 503" "$T/run.err" ||
  fail "run: the failed renewals are not said"
grep -q "expired at .* and could not be renewed" "$T/run.err" ||
  fail "run: giving up is not explained"
grep -q "temporary credentials expired" "$T/run.err" ||
  fail "run: the expiry is not explained"
[ "$(jq -r 'select(.type=="summary") | .stop_reason' "$T/r.jsonl")" = \
  "credentials expired" ] || fail "run: stop_reason is not 'credentials expired'"
ok1=$(count_desktops ok "$T/r.jsonl")
[ "$ok1" -gt 0 ] && [ "$ok1" -lt 40 ] || fail "run: $ok1 ok desktops, expected some"
# Before the expiry, one try at it, and the tries after it.
[ "$(curl -s "$ENDPOINT/__sts" | jq .failed)" -ge 3 ] ||
  fail "the renewal was not tried before giving up"
curl -s "$ENDPOINT/__sts?fail=0" | jq -e '.fail_left == 0' > /dev/null ||
  fail "the sim's STS did not come back"

RC=0
"$WR" resume --rate 0 --progress never "$T/r.jsonl" \
  > "$T/resume.out" 2> "$T/resume.err" || RC=$?
[ "$RC" -eq 0 ] || { tail -n 5 "$T/resume.err" >&2; fail "resume: exit $RC"; }

# An STS token in the environment (nothing can renew it) that expired
# before the run: the pre-flight DescribeDesktops is refused, and the run
# stops as "credentials expired" (not "credentials"), nothing failed.
curl -s "$ENDPOINT/credentials-uri" > "$T/env.json"
EXP=$(jq -r .Expiration "$T/env.json")
past_expiry() { [ "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \> "$EXP" ]; }
wait_for past_expiry || fail "the environment's token did not expire"
RC=0
env ALIBABA_CLOUD_ACCESS_KEY_ID="$(jq -r .AccessKeyId "$T/env.json")" \
  ALIBABA_CLOUD_ACCESS_KEY_SECRET="$(jq -r .AccessKeySecret "$T/env.json")" \
  ALIBABA_CLOUD_SECURITY_TOKEN="$(jq -r .SecurityToken "$T/env.json")" \
  "$WR" run --endpoint "$ENDPOINT" --rate 0 --progress never \
  --report "$T/r3.jsonl" "$T/fleet.csv" > "$T/run3.out" 2> "$T/run3.err" ||
  RC=$?
[ "$RC" -eq 3 ] || { tail -n 5 "$T/run3.err" >&2; fail "env token: exit $RC, expected 3"; }
jq -s -e '[.[] | select(.type=="summary")][0] | .stop_reason ==
  "credentials expired" and .failed_desktops == 0 and .skipped_desktops == 40' \
  "$T/r3.jsonl" > /dev/null ||
  fail "env token: $(jq -c 'select(.type=="summary")' "$T/r3.jsonl")"
grep -q "temporary credentials expired (InvalidSecurityToken.Expired)" \
  "$T/run3.err" || fail "env token: the expiry is not explained"
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

# ---- refused as expired before the stated Expiration ---------------------
# They live 3 s but say 63 s: renewed at the first refusal, not before.
sim_start --desktops 40 --seed 10 --write-fleet "$T/fleet2.csv" --sts 3 \
  --sts-lie 60 --reboot-ms 300 \
  --access-key-id "$AK" --access-key-secret "$SK"
wait_fleet "$T/fleet2.csv" 40
export ALIBABA_CLOUD_STS_ENDPOINT=$ENDPOINT
RC=0
"$WR" run -v --endpoint "$ENDPOINT" --rate 4 --chunk-size 1 --max-errors 0 \
  --verify --progress never --report "$T/r2.jsonl" "$T/fleet2.csv" \
  > "$T/run2.out" 2> "$T/run2.err" || RC=$?
[ "$RC" -eq 0 ] || { tail -n 5 "$T/run2.err" >&2; fail "skewed: exit $RC"; }
check_report "$T/r2.jsonl"
[ "$(count_desktops ok "$T/r2.jsonl")" -eq 40 ] || fail "skewed: not 40 ok"
curl -s "$ENDPOINT/__sts" > "$T/sts2.json"
[ "$(jq .expired_refused "$T/sts2.json")" -ge 1 ] ||
  fail "skewed: no call was refused as expired (the test tests nothing)"
grep -q "the server refused the credentials as expired: renewing them now" \
  "$T/run2.err" || fail "skewed: the refusal did not start a renewal"
[ "$(jq -s '[.[] | select(.type=="credentials")] | length' "$T/r2.jsonl")" -ge 1 ] ||
  fail "skewed: no renewal record"
! grep -q "InvalidSecurityToken" "$T/r2.jsonl" ||
  fail "skewed: an expired answer reached the report"
sim_stop
rebooted_once_each 40

# An STS token in the environment cannot be renewed and its expiry is
# unknown: `plan` warns when the run may outlast the shortest STS life
# (40 calls at 0.04/s: 1000 s > 900 s), and not for a short run.
env ALIBABA_CLOUD_ACCESS_KEY_ID=STS.NEnvTokenKey00001 \
  ALIBABA_CLOUD_ACCESS_KEY_SECRET=env-secret ALIBABA_CLOUD_SECURITY_TOKEN=CAISenvToken \
  "$WR" plan --rate 0.04 --chunk-size 1 "$T/fleet.csv" > /dev/null 2> "$T/plan.err" ||
  fail "plan: $(cat "$T/plan.err")"
grep -q "STS token from ALIBABA_CLOUD_SECURITY_TOKEN cannot be renewed and its expiry is unknown" \
  "$T/plan.err" || fail "plan: no warning about the token in the environment"
! grep -qF -e env-secret -e CAISenvToken "$T/plan.err" || fail "plan: a secret in its warning"
env ALIBABA_CLOUD_ACCESS_KEY_ID=STS.NEnvTokenKey00001 \
  ALIBABA_CLOUD_ACCESS_KEY_SECRET=env-secret ALIBABA_CLOUD_SECURITY_TOKEN=CAISenvToken \
  "$WR" plan --rate 4 --chunk-size 1 "$T/fleet.csv" > /dev/null 2> "$T/plan.err" ||
  fail "plan: $(cat "$T/plan.err")"
! grep -q "cannot be renewed" "$T/plan.err" || fail "plan: a warning for a 10 s run"
"$WR" plan --rate 0.04 --chunk-size 1 "$T/fleet.csv" > /dev/null 2> "$T/plan.err" ||
  fail "plan: $(cat "$T/plan.err")"
! grep -q "cannot be renewed" "$T/plan.err" || fail "plan: a warning without a token"
echo "test_creds_expiry: ok"
