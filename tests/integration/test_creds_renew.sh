#!/bin/sh
# Temporary credentials renewed during a long run (issue 15, item 4):
# ecd-sim --sts 20 issues credentials that live 20 s; a RamRoleArn
# profile's are renewed half-way (the margin for so short a life), so a
# run of 66 s (132 calls at 2/s) renews them several times.  The second
# renewal's first two AssumeRole calls fail (--sts-fail-after 2
# --sts-fail 2) while the credentials are still valid: they stay in use,
# the renewal is tried again and recovers.  Truth: every desktop ok and
# rebooted once, no call refused as expired, the renewals recorded in
# the report, and at -vvv no secret anywhere.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
creds_isolate
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true

N=132
AK=LTAI5tRenewSourceKey01
SK=renew-source-secret-0001
sim_start --desktops "$N" --seed 15 --write-fleet "$T/fleet.csv" --sts 20 \
  --sts-fail-after 2 --sts-fail 2 --reboot-ms 0 \
  --access-key-id "$AK" --access-key-secret "$SK"
wait_fleet "$T/fleet.csv" "$N"
export ALIBABA_CLOUD_STS_ENDPOINT=$ENDPOINT
cat > "$HOME/.aliyun/config.json" <<JSON
{"current": "role", "profiles": [{"name": "role", "mode": "RamRoleArn",
 "access_key_id": "$AK", "access_key_secret": "$SK",
 "ram_role_arn": "acs:ram::1:role/ops"}]}
JSON
chmod 600 "$HOME/.aliyun/config.json"

RC=0
"$WR" run -vvv --endpoint "$ENDPOINT" --rate 2 --chunk-size 1 \
  --progress never --report "$T/r.jsonl" "$T/fleet.csv" \
  > "$T/run.out" 2> "$T/run.err" || RC=$?
[ "$RC" -eq 0 ] || { grep -v 'trace:' "$T/run.err" | tail -n 8 >&2; fail "run: exit $RC"; }
check_report "$T/r.jsonl"
[ "$(count_desktops ok "$T/r.jsonl")" -eq "$N" ] || fail "run: not $N ok desktops"
[ "$(count_desktops failed "$T/r.jsonl")" -eq 0 ] || fail "run: failed desktops"

# STS: the first credentials, then a renewal every ~10 s (66 s: 5 or
# more), two of its calls refused; no ECD call was refused as expired.
curl -s "$ENDPOINT/__sts" > "$T/sts.json"
[ "$(jq .assume_role "$T/sts.json")" -ge 5 ] ||
  fail "AssumeRole answered $(jq .assume_role "$T/sts.json") times, expected >= 5"
[ "$(jq .failed "$T/sts.json")" -eq 2 ] ||
  fail "the sim failed $(jq .failed "$T/sts.json") AssumeRole calls, expected 2"
[ "$(jq .expired_refused "$T/sts.json")" -eq 0 ] ||
  fail "$(jq .expired_refused "$T/sts.json") calls refused as expired"

# The failed renewal: a warning that the current credentials stay, then
# the recovery; each renewal is a record with the masked key and expiry.
[ "$(grep -c "warning: renewing the credentials failed (.*STS AssumeRole: HTTP 503 ServiceUnavailable" \
  "$T/run.err")" -eq 2 ] || fail "not two warnings for the failed renewals"
grep -q "the current ones stay in use until" "$T/run.err" ||
  fail "the warning does not say the credentials stay in use"
grep -q "credentials renewed after 2 failed attempt(s)" "$T/run.err" ||
  fail "no note of the recovery"
grep -q "renewed [0-9]* time(s) during the run" "$T/run.err" ||
  fail "no count of renewals at the end"
nrec=$(jq -s '[.[] | select(.type=="credentials" and .event=="renewed")] | length' "$T/r.jsonl")
ar=$(jq .assume_role "$T/sts.json")
# One record per renewal; a renewal that ends after the summary (the run
# ended meanwhile) has none.
[ "$nrec" -le $((ar - 1)) ] && [ "$nrec" -ge $((ar - 2)) ] && [ "$nrec" -ge 4 ] ||
  fail "$nrec renewal records for $ar AssumeRole calls"
jq -s -e '[.[] | select(.type=="credentials")] | all(.step == "cli_profile"
  and (.access_key_id | test("^STS\\.\\*\\*\\*[0-9]{4}$"))
  and (.expires_at | test("Z$")) and (.renewed_at | test("Z$")))' \
  "$T/r.jsonl" > /dev/null || fail "a renewal record is not as documented"
[ "$(jq -s '[.[] | select(.type=="credentials") | .access_key_id] | unique | length' "$T/r.jsonl")" -eq "$nrec" ] ||
  fail "the renewals did not bring new AccessKeys"

# The report reads back, and `report` shows the renewals.
"$WR" report "$T/r.jsonl" > "$T/report.txt" 2> "$T/report.err" ||
  fail "report: $(cat "$T/report.err")"
! grep -q "newer kind" "$T/report.txt" "$T/report.err" ||
  fail "report: the credentials records are unknown to it"
grep -q "credentials renewed $nrec times (last key STS\.\*\*\*[0-9]\{4\}, expires .*Z)" \
  "$T/report.txt" || fail "report: the renewals are not shown"

# No secret at -vvv: the source secret, any issued secret or token.
for f in "$T/run.out" "$T/run.err" "$T/r.jsonl" "$T/report.txt"; do
  for s in "$SK" simStsSecret CAISsimStsToken; do
    ! grep -qF -- "$s" "$f" || fail "$s in $f"
  done
done
grep -q "trace: > " "$T/run.err" || fail "-vvv traced no request"

sim_stop
rebooted_once_each "$N"
[ "$(simstat .violations_total)" -eq 0 ] ||
  fail "violations: $(jq -c .violations "$T/stats.json")"
echo "test_creds_renew: ok"
