#!/bin/sh
# ecd-sim over HTTP with requests built by the project's request builder
# (tests/sim/sim-client), some tampered with: signatures, timestamps,
# nonces, ID limits, ClientToken idempotency, paging, the state machine,
# credentials, fleet files, the log and the stats.
set -u
BUILD=$1
SRC=$2
T=$(mktemp -d)
. "$SRC/tests/sim/sim_lib.sh"
trap sim_cleanup EXIT
trap 'exit 1' INT TERM
C="$BUILD/tests/sim/sim-client"
A=$T/A

# --reboot-ms 2000: Stopping for 1 s, room for a loaded (ASan) machine.
start_sim A --desktops 330 --reboot-ms 2000 --write-fleet "$A.csv" \
  --log "$T/A/log.jsonl" --stats "$T/A/stats.json" \
  --regions cn-hangzhou,cn-shanghai,ap-southeast-1
F="$A.csv"
check "fleet file has 330 desktops" "$(tail -n +2 "$F" | wc -l)" 330
check "fleet header" "$(head -n 1 "$F")" \
  "DesktopId,RegionId,DesktopName,OfficeSiteId,DesktopGroupId,EndUserIds,Tags,PolicyGroupId,ImageId,DesktopType,ResourceGroupId"
check "IDs are ecd- + 17 hex" \
  "$(tail -n +2 "$F" | cut -d, -f1 | grep -cE '^ecd-[0-9a-f]{17}$')" 330

# Signed admin calls, V3 and V1.
check "V3 reboot" "$($C --endpoint "$E" --ids "$(ids "$F" cn-hangzhou 2)" | status)" 200
check "V1 reboot" "$($C --endpoint "$E" --signature v1 \
  --ids "$(ids "$F" cn-hangzhou 2 2)" | status)" 200

# Tampering.
D=$(ids "$F" cn-hangzhou 1 10)
for s in v3 v1; do
  check "$s changed parameter" "$($C --endpoint "$E" --signature $s --ids "$D" \
    --tamper param | code)" SignatureDoesNotMatch
  check "$s wrong secret" "$($C --endpoint "$E" --signature $s --ids "$D" \
    --secret wrong | code)" SignatureDoesNotMatch
  check "$s unknown key" "$($C --endpoint "$E" --signature $s --ids "$D" \
    --key-id nobody | code)" InvalidAccessKeyId.NotFound
  check "$s old timestamp" "$($C --endpoint "$E" --signature $s --ids "$D" \
    --time-offset-s -1000 | code)" InvalidTimeStamp.Expired
done
check "V3 body hash" "$($C --endpoint "$E" --ids "$D" --tamper body-hash | code)" \
  SignatureDoesNotMatch
check "V3 unsigned x-acs header" "$($C --endpoint "$E" --ids "$D" \
  --tamper unsigned-header | code)" IncompleteSignature
out=$($C --endpoint "$E" --ids "$D" --nonce fixed-nonce-1 --repeat 2)
check "reused nonce: first call" "$(printf "%s\n" "$out" | head -n 1 | status)" 200
check "reused nonce: second call" "$(printf "%s\n" "$out" | tail -n 1 | code)" \
  SignatureNonceUsed

# ID limits: 21 in client mode, 101 in admin mode (re-signed).
check "client 20 IDs" "$($C --endpoint "$E" --api client --client-token L20 \
  --region cn-shanghai \
  --ids "$(ids "$F" cn-shanghai 20)" | status)" 200
check "client 21 IDs" "$($C --endpoint "$E" --api client --client-token L21 \
  --region cn-shanghai \
  --ids "$(ids "$F" cn-shanghai 20 20)" \
  --append-id "$(ids "$F" cn-shanghai 1 40)" | code)" InvalidParameter
check "admin 100 IDs" "$($C --endpoint "$E" --region ap-southeast-1 \
  --ids "$(ids "$F" ap-southeast-1 100)" | status)" 200
check "admin 101 IDs" "$($C --endpoint "$E" --signature v1 \
  --region ap-southeast-1 \
  --ids "$(ids "$F" ap-southeast-1 100)" \
  --append-id "$(ids "$F" ap-southeast-1 1 100)" | code)" InvalidParameter
check "admin 101 IDs (V3)" "$($C --endpoint "$E" --region ap-southeast-1 \
  --ids "$(ids "$F" ap-southeast-1 100)" \
  --append-id "$(ids "$F" ap-southeast-1 1 100)" | code)" InvalidParameter

# ClientToken idempotency.
I2=$(ids "$F" cn-shanghai 2 60)
CL="$C --endpoint $E --api client --region cn-shanghai"
first=$($CL --client-token tok-A --ids "$I2")
again=$($CL --client-token tok-A --ids "$I2")
check "ClientToken first call" "$(printf "%s\n" "$first" | status)" 200
check "ClientToken replay: same RequestId" "$(printf "%s\n" "$again" | rid)" \
  "$(printf "%s\n" "$first" | rid)"
check "ClientToken with other IDs" "$($CL \
  --client-token tok-A --ids "$(ids "$F" cn-shanghai 1 60)" | code)" \
  IdempotentParameterMismatch
check "client call without ClientToken is refused by the builder" \
  "$($C --endpoint "$E" --api client --ids "$I2" 2>/dev/null; echo $?)" 2

# Paging through DescribeDesktops: the region's 110 desktops less the
# pooled ones (a listing leaves them out by default), in pages of 7.
$C --endpoint "$E" --action DescribeDesktops --region ap-southeast-1 \
  --max-results 7 --all-pages >"$T/pages"
NP=$(awk -F, '$2 == "ap-southeast-1" && $5 == ""' "$F" | wc -l)
check "pages" "$(wc -l <"$T/pages")" $(((NP + 6) / 7))
jq -r '.body | fromjson | .Desktops[].DesktopId' "$T/pages" | sort >"$T/seen"
awk -F, '$2 == "ap-southeast-1" && $5 == "" { print $1 }' "$F" | sort >"$T/want"
check "paging returns each desktop once" "$(sort -u "$T/seen" | wc -l) \
$(wc -l <"$T/seen")" "$NP $NP"
check "paging returns the region's unpooled desktops" "$(cmp -s "$T/seen" "$T/want"; echo $?)" 0
check "TotalCount" "$(head -n 1 "$T/pages" | jq '.body | fromjson | .TotalCount')" "$NP"

# The state machine: Running -> Stopping -> Starting -> Running.
S=$(ids "$F" cn-hangzhou 1 30)
desc() {
  $C --endpoint "$E" --action DescribeDesktops --ids "$S" |
    jq -r '.body | fromjson | .Desktops[0].DesktopStatus'
}
check "before reboot" "$(desc)" Running
check "reboot" "$($C --endpoint "$E" --ids "$S" | status)" 200
check "right after the reboot" "$(desc)" Stopping
check "reboot while not Running" "$($C --endpoint "$E" --ids "$S" | code)" \
  IncorrectDesktopStatus
st=$(desc)
i=0
while [ "$st" != Running ] && [ $i -lt 300 ]; do
  echo "$st" >>"$T/states"
  sleep 0.02
  st=$(desc)
  i=$((i + 1))
done
check "Running again after --reboot-ms" "$st" Running
# (Starting is timing-dependent here; test_sim_core checks it exactly.)
check "only Stopping/Starting seen while rebooting" \
  "$(sort -u "$T/states" | grep -cv '^Stopping$\|^Starting$')" 0
check "reboot once Running again" "$($C --endpoint "$E" --ids "$S" | status)" 200
check "unknown desktop fails the whole call" "$($C --endpoint "$E" \
  --ids "$(ids "$F" cn-hangzhou 1 50),ecd-0000000000000dead" | code)" \
  InvalidDesktopId.NotFound
check "desktop of another region" "$($C --endpoint "$E" \
  --ids "$(ids "$F" cn-shanghai 1 90)" | code)" InvalidDesktopId.NotFound

# Stats.
$C --endpoint "$E" --get /__stats >"$T/live.json"
v() { jq -r ".violations.$1" "$T/live.json"; }
check "bad_signature" "$(v bad_signature)" 6
check "unknown_access_key" "$(v unknown_access_key)" 2
check "expired_timestamp" "$(v expired_timestamp)" 2
check "nonce_reused" "$(v nonce_reused)" 1
check "too_many_ids" "$(v too_many_ids)" 3
check "token_mismatch" "$(v token_mismatch)" 1
check "violations_total" "$(jq .violations_total "$T/live.json")" 15
check "replayed" "$(jq .calls.RebootDesktops.replayed "$T/live.json")" 1
check "max_reboots_per_desktop" "$(jq .max_reboots_per_desktop "$T/live.json")" 2
check "reboots of a desktop" "$(jq ".reboots[\"$S\"]" "$T/live.json")" 2
check "max_calls_per_second is positive" \
  "$(jq '.max_calls_per_second > 0' "$T/live.json")" true
stop_sim A
check "stats file at exit" "$(jq .calls_total "$T/A/stats.json")" \
  "$(jq .calls_total "$T/live.json")"
check "one log line per call" "$(wc -l <"$T/A/log.jsonl")" \
  "$(jq .calls_total "$T/live.json")"
check "log lines have every field" "$(jq -c 'keys' "$T/A/log.jsonl" | sort -u)" \
  '["action","auth","client_token","code","desktop_ids","http_status","outcome","region","request_id","time"]'
check "log: the replay" "$(jq -r 'select(.outcome == "replayed") | .client_token' \
  "$T/A/log.jsonl")" tok-A
check "log: auth kinds" "$(jq -r .auth "$T/A/log.jsonl" | sort -u | paste -sd, -)" \
  client,v1,v3

# Credentials: STS token and client session values.
start_sim B --desktops 9 --write-fleet "$T/B.csv" --security-token STS-TOKEN \
  --client-id cid --login-token LT --session-id SID
D=$(ids "$T/B.csv" cn-hangzhou 1)
check "STS token required" "$($C --endpoint "$E" --ids "$D" | code)" \
  InvalidSecurityToken.MismatchWithAccessKey
check "STS token (V3)" "$($C --endpoint "$E" --ids "$D" --security-token STS-TOKEN \
  | status)" 200
check "wrong login token" "$($C --endpoint "$E" --api client --client-token c1 \
  --client-id cid --login-token XX --session-id SID --ids "$D" | code)" \
  InvalidLoginToken
check "wrong client id" "$($C --endpoint "$E" --api client --client-token c1 \
  --client-id other --login-token LT --session-id SID --ids "$D" | code)" \
  InvalidClientId
check "missing session id" "$($C --endpoint "$E" --api client --client-token c1 \
  --client-id cid --login-token LT --ids "$D" | code)" MissingParameter
grep -q "STS-TOKEN\|LT\b\|SID" "$T/B/err" && fail "a secret reached stderr"
stop_sim B

# A fleet file (the project's ingest) and --fail-desktops.
printf 'DesktopId,RegionId\necd-aaa1,cn-hangzhou\necd-aaa2,cn-hangzhou\n"ecd-aaa3",cn-shanghai\n' \
  >"$T/fleet.csv"
printf 'ecd-aaa1\necd-aaa2,unknown\n' >"$T/fail.txt"
start_sim C --fleet "$T/fleet.csv" --fail-desktops "$T/fail.txt"
check "stuck desktop" "$($C --endpoint "$E" --ids ecd-aaa1 | code)" \
  IncorrectDesktopStatus
check "stuck desktop is Stopped" "$($C --endpoint "$E" --action DescribeDesktops \
  --ids ecd-aaa1 | jq -r '.body | fromjson | .Desktops[0].DesktopStatus')" Stopped
check "DesktopStatus filter" "$($C --endpoint "$E" --action DescribeDesktops \
  --status Stopped | jq -c '.body | fromjson | [.Desktops[].DesktopId]')" \
  '["ecd-aaa1"]'
check "DesktopStatus filter, none" "$($C --endpoint "$E" --action DescribeDesktops \
  --status Running | jq '.body | fromjson | .TotalCount')" 0
check "unknown desktop" "$($C --endpoint "$E" --ids ecd-aaa2 | code)" \
  InvalidDesktopId.NotFound
check "fleet file region" "$($C --endpoint "$E" --region cn-shanghai \
  --ids ecd-aaa3 | status)" 200
stop_sim C
printf 'DesktopId\necd-ok1\nnot-an-id\n' >"$T/bad.csv"
"$BUILD/ecd-sim" --port 0 --fleet "$T/bad.csv" >/dev/null 2>"$T/bad.err"
check "bad fleet file exits 2" "$?" 2
check "bad fleet file message names file and line" \
  "$(grep -c "bad.csv:3" "$T/bad.err")" 1
check "--help names the default credentials" \
  "$("$BUILD/ecd-sim" --help | grep -c 'default testid\|default testsecret')" 2
# --port-file and a JSONL fleet.
printf '{"DesktopId":"ecd-j1","RegionId":"cn-beijing"}\n"ecd-j2"\n' >"$T/fleet.jsonl"
start_sim D --fleet "$T/fleet.jsonl" --regions cn-qingdao --port-file "$T/D.port"
check "--port-file" "$(cat "$T/D.port")" "$PORT"
check "JSONL fleet, region from the row" "$($C --endpoint "$E" --region cn-beijing \
  --ids ecd-j1 | status)" 200
check "JSONL fleet, default region" "$($C --endpoint "$E" --region cn-qingdao \
  --ids ecd-j2 | status)" 200
stop_sim D
"$BUILD/ecd-sim" --qps -1 >/dev/null 2>"$T/bad.err"
check "bad option exits 2" "$?" 2
check "bad option message" "$(grep -c -- '--qps' "$T/bad.err")" 1

[ "$FAILS" -eq 0 ] || { echo "$FAILS check(s) failed"; exit 1; }
echo "all ecd-sim checks passed"
