#!/bin/sh
# --select and `list` against ecd-sim: each key alone and combined (AND
# across keys, OR within one) selects exactly the desktops a direct awk
# filter over the simulator's --write-fleet file gives; paging over more
# than 1,000 desktops returns each once; `list` output is `run` input as
# it is; an API error or a repeating NextToken mid-paging exits 2 with
# nothing rebooted; the selection is in the report and in `report`;
# resume never selects again.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
export HOME
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
N=1300
REG=cn-hangzhou,cn-shanghai
F=$T/fleet.csv

# The fleet file's columns: 1 DesktopId, 2 RegionId, 3 DesktopName,
# 4 OfficeSiteId, 5 DesktopGroupId, 6 EndUserIds, 7 Tags, 8 PolicyGroupId,
# 9 ImageId, 10 DesktopType, 11 ResourceGroupId.  A first start writes it
# and picks the Stopped desktops.
sim_start --desktops $N --seed 17 --regions $REG --write-fleet "$F"
wait_fleet "$F" $N
sim_stop
awk -F, 'NR > 1 && NR % 9 == 0 { print $1 ",stuck" }' "$F" > "$T/stuck.txt"
sim_start --desktops $N --seed 17 --regions $REG --fail-desktops "$T/stuck.txt" \
  --reboot-ms 0

# want AWK-CONDITION: the IDs of the fleet file's rows that meet it, and
# are not pooled unless the condition names the pool ($5).
want()
{
  case $1 in *'$5'*) pool=1 ;; *) pool='$5 == ""' ;; esac
  awk -F, -v stuck="$T/stuck.txt" '
    BEGIN { while ((getline l < stuck) > 0) { split(l, a, ","); st[a[1]] = 1 } }
    function has(list, item,   n, i, x) {
      n = split(list, x, ";"); for (i = 1; i <= n; i++) if (x[i] == item) return 1
      return 0 }
    NR > 1 && ('"$pool"') && ('"$1"') { print $1 }' "$F" | sort
}

# got ARGS...: the IDs `list` prints for these --select options.
got()
{
  _rc=0
  "$WR" list --endpoint "$ENDPOINT" --region $REG --rate 0 "$@" \
    > "$T/list.csv" 2> "$T/list.err" || _rc=$?
  [ $_rc -eq 0 ] || fail "list $*: exit $_rc: $(cat "$T/list.err")"
  tail -n +2 "$T/list.csv" | cut -d, -f1 | sort
}

same()
{
  name=$1
  cond=$2
  shift 2
  want "$cond" > "$T/want"
  got "$@" > "$T/got"
  [ -s "$T/want" ] || fail "$name: the reference selects nothing (a useless case)"
  cmp -s "$T/want" "$T/got" ||
    fail "$name: list selected $(wc -l < "$T/got"), the fleet file says" \
      "$(wc -l < "$T/want"): $(diff "$T/want" "$T/got" | head -n 4 | tr '\n' ' ')"
  note "ok: $name ($(wc -l < "$T/got") desktops)"
}

# Each key alone.
same office-site '$4 == "cn-hangzhou+dir-1"' --select office-site=cn-hangzhou+dir-1
same group '$5 == "dg-02"' --select group=dg-02
same status-stopped '($1 in st)' --select status=Stopped
same status-running '!($1 in st)' --select status=Running
same tag 'has($7, "env=prod")' --select tag:env=prod
same user 'has($6, "u007")' --select user=u007
same policy '$8 == "pg-1"' --select policy=pg-1
same image '$9 == "m-2"' --select image=m-2
same name '$3 == "desk-000010"' --select name=desk-000010
same type '$10 == "eds.graphics.8c32g"' --select type=eds.graphics.8c32g
same resource-group '$11 == "rg-1"' --select resource-group=rg-1
# Combined: OR within a key, AND across keys.
same office-sites-or '$4 == "cn-hangzhou+dir-0" || $4 == "cn-shanghai+dir-2"' \
  --select office-site=cn-hangzhou+dir-0 --select office-site=cn-shanghai+dir-2
same tags-or-and '(has($7, "env=prod") || has($7, "env=dev")) && has($7, "patch-ring=2")' \
  --select tag:env=prod --select tag:env=dev --select tag:patch-ring=2
same users-or-status '(has($6, "u001") || has($6, "u060") || has($6, "u020")) && !($1 in st)' \
  --select user=u001 --select user=u060 --select user=u020 --select status=Running
same group-or-image '($5 == "dg-00" || $5 == "dg-03") && ($9 == "m-0" || $9 == "m-1")' \
  --select group=dg-00 --select group=dg-03 --select image=m-0 --select image=m-1
same five-keys '$4 == "cn-shanghai+dir-1" && has($7, "patch-ring=3") && $10 != "eds.general.2c8g" && $11 == "rg-0" && $8 != "pg-2"' \
  --select office-site=cn-shanghai+dir-1 --select tag:patch-ring=3 \
  --select type=eds.general.4c16g --select type=eds.graphics.8c32g \
  --select resource-group=rg-0 --select policy=pg-1 \
  --select policy=system-all-enabled-policy

# Paging: no filter lists every unpooled desktop of both regions, each
# once, in pages of 100.
same everything '1'
[ -z "$(tail -n +2 "$T/list.csv" | cut -d, -f1 | sort | uniq -d)" ] ||
  fail "paging returned a desktop twice"
NU=$(want 1 | wc -l)
[ "$NU" -gt 1000 ] || fail "only $NU desktops to page over"
PAGES=$(jq -r 'select(.action == "DescribeDesktops" and .outcome == "ok")
  | .request_id' "$T/sim.log" | wc -l)
[ "$PAGES" -gt 10 ] || fail "only $PAGES DescribeDesktops pages in the sim log"

# An unknown key is a usage error naming the valid ones, before anything
# is sent.
rc=0
"$WR" list --endpoint "$ENDPOINT" --region $REG --select colour=blue \
  > /dev/null 2> "$T/err" || rc=$?
[ $rc -eq 2 ] || fail "unknown key: exit $rc"
grep -q 'unknown key "colour"; the valid keys are office-site, group, status, tag:KEY, user, policy, image, name, type, resource-group' "$T/err" ||
  fail "unknown key: $(cat "$T/err")"

# A refused signature is an API error: exit 2, the secret nowhere.
rc=0
ALIBABA_CLOUD_ACCESS_KEY_SECRET=wrong-secret-5e1ec7 "$WR" list \
  --endpoint "$ENDPOINT" --region $REG > "$T/out" 2> "$T/err" || rc=$?
[ $rc -eq 2 ] && grep -q "page 1 of the query (no filter): SignatureDoesNotMatch" "$T/err" ||
  fail "wrong secret: exit $rc: $(cat "$T/err")"
! grep -q wrong-secret-5e1ec7 "$T/err" "$T/out" || fail "the secret was printed"

# An empty selection: exit 2, or 0 with --allow-empty.
rc=0
"$WR" list --endpoint "$ENDPOINT" --region $REG --select name=nobody \
  > /dev/null 2> "$T/err" || rc=$?
[ $rc -eq 2 ] && grep -q "matched no desktop" "$T/err" ||
  fail "empty selection: exit $rc: $(cat "$T/err")"
"$WR" list --endpoint "$ENDPOINT" --region $REG --select name=nobody \
  --allow-empty > "$T/empty.csv" 2> "$T/err" || fail "--allow-empty: exit $?"
[ "$(wc -l < "$T/empty.csv")" -eq 1 ] || fail "--allow-empty: not a header only"
rc=0
"$WR" run --endpoint "$ENDPOINT" --region $REG --select name=nobody \
  --report "$T/empty.jsonl" > /dev/null 2> "$T/err" || rc=$?
[ $rc -eq 2 ] && [ ! -e "$T/empty.jsonl" ] ||
  fail "run with an empty selection: exit $rc, or a report"

# list output is run input as it is: CSV and JSONL.
"$WR" list --endpoint "$ENDPOINT" --region $REG --select tag:team=blue \
  --select status=Running -o "$T/blue.csv" 2> "$T/err" || fail "list -o: exit $?"
"$WR" list --endpoint "$ENDPOINT" --region $REG --select tag:team=blue \
  --select status=Running --format jsonl -o "$T/blue.jsonl" 2> "$T/err" ||
  fail "list --format jsonl: exit $?"
jq -e '(.EndUserIds | type) == "array" and (.Tags | type) == "object"
  and .Tags.team == "blue"' "$T/blue.jsonl" > /dev/null ||
  fail "list --format jsonl: not real arrays and objects"
"$WR" plan --json "$T/blue.jsonl" | jq -r 'select(.type == "plan")
  | .desktop_ids[]' | sort > "$T/planned"
tail -n +2 "$T/blue.csv" | cut -d, -f1 | sort > "$T/listed"
cmp -s "$T/planned" "$T/listed" || fail "the JSONL list plans other desktops"
"$WR" run --endpoint "$ENDPOINT" --rate 0 --progress never \
  --report "$T/blue.jsonl.report" "$T/blue.csv" > /dev/null 2> "$T/err" ||
  fail "run of the list: exit $?: $(tail -n 3 "$T/err")"
jq -r 'select(.action == "RebootDesktops" and .outcome == "ok")
  | .desktop_ids[]' "$T/sim.log" | sort > "$T/rebooted"
cmp -s "$T/rebooted" "$T/listed" || fail "run of the list rebooted other desktops"
note "ok: list -> run rebooted the $(wc -l < "$T/listed") listed desktops"

# With INPUT: the input's desktops that match, pooled ones too (an input
# names them on purpose).
head -n 400 "$F" > "$T/part.csv"
"$WR" plan --json --select tag:env=test --select status=Running \
  --endpoint "$ENDPOINT" "$T/part.csv" 2> "$T/err" |
  jq -r 'select(.type == "plan") | .desktop_ids[]' | sort > "$T/got"
awk -F, -v stuck="$T/stuck.txt" '
  BEGIN { while ((getline l < stuck) > 0) { split(l, a, ","); st[a[1]] = 1 } }
  NR > 1 && NR <= 400 && !($1 in st) &&
  ("env=test" == $7 || index($7, "env=test;") == 1) { print $1 }' "$F" |
  sort > "$T/want"
[ -s "$T/want" ] && cmp -s "$T/want" "$T/got" ||
  fail "INPUT + --select: $(wc -l < "$T/got") planned, $(wc -l < "$T/want") wanted"
sim_stop

# A run by selection: the report keeps it, `report` says it, and resume
# does not select again.
sim_start --desktops $N --seed 17 --regions $REG --fail-desktops "$T/stuck.txt" \
  --reboot-ms 0
rc=0
"$WR" run --endpoint "$ENDPOINT" --region $REG --select tag:patch-ring=2 \
  --select status=Running --rate 0 --progress never --report "$T/r.jsonl" \
  --deadline 2020-01-01T00:00:00Z > /dev/null 2> "$T/err" || rc=$?
[ $rc -eq 3 ] || fail "run past its deadline: exit $rc: $(tail -n 3 "$T/err")"
SEL=$(want 'has($7, "patch-ring=2") && !($1 in st)' | wc -l)
head -n 1 "$T/r.jsonl" | jq -e --argjson n "$SEL" '.selection
  | .count == $n and (.request_ids | length) == .pages and .pages >= 2
  and .regions == ["cn-hangzhou", "cn-shanghai"]
  and (.taken_at | test("^[0-9-]+T[0-9:]+Z$"))
  and .filters == [{"key": "tag", "tag": "patch-ring", "value": "2"},
                   {"key": "status", "value": "Running"}]' > /dev/null ||
  fail "the run record's selection: $(head -n 1 "$T/r.jsonl" | jq -c .selection)"
LISTINGS=$(jq -c 'select(.action == "DescribeDesktops"
  and (.desktop_ids | length) == 0)' "$T/sim.log" | wc -l)
"$WR" resume "$T/r.jsonl" --deadline +1h --progress never > /dev/null 2> "$T/err" ||
  fail "resume: exit $?: $(tail -n 3 "$T/err")"
[ "$(jq -c 'select(.action == "DescribeDesktops"
  and (.desktop_ids | length) == 0)' "$T/sim.log" | wc -l)" -eq "$LISTINGS" ] ||
  fail "resume selected from the API again"
[ "$(count_desktops ok "$T/r.jsonl")" -eq "$SEL" ] ||
  fail "resume rebooted $(count_desktops ok "$T/r.jsonl") of $SEL"
"$WR" report "$T/r.jsonl" > "$T/report.txt" || fail "report: exit $?"
grep -q "^  selection    selected [0-9,]* desktops with tag patch-ring=2 with status Running at [0-9:]* UTC on " \
  "$T/report.txt" ||
  fail "report does not say the selection: $(head -n 12 "$T/report.txt")"
for f in markdown html; do
  "$WR" report --format $f "$T/r.jsonl" | grep -q "Selection.*selected [0-9,]* desktops with tag patch-ring=2" ||
    fail "report --format $f has no selection row"
done
"$WR" report --format json "$T/r.jsonl" | jq -e --argjson n "$SEL" \
  '.selection.count == $n and (.selection.text | startswith("selected "))' \
  > /dev/null || fail "report --format json has no selection"
sim_stop

# A page that fails after its retries, or a NextToken that repeats: exit
# 2, nothing rebooted, no report.
for fault in "--describe-fail-page 3" "--describe-repeat-token 4"; do
  # shellcheck disable=SC2086
  sim_start --desktops $N --seed 17 --regions $REG $fault
  rc=0
  "$WR" run --endpoint "$ENDPOINT" --region $REG --select status=Running \
    --rate 0 --retries 2 --report "$T/f.jsonl" > /dev/null 2> "$T/err" || rc=$?
  sim_stop
  [ $rc -eq 2 ] || fail "$fault: run exited $rc: $(tail -n 3 "$T/err")"
  [ ! -e "$T/f.jsonl" ] || fail "$fault: a report was written"
  [ "$(simstat .reboots_total)" -eq 0 ] || fail "$fault: something was rebooted"
  ! grep -q RebootDesktops "$T/sim.log" || fail "$fault: RebootDesktops was sent"
  case $fault in
  *fail-page*) grep -q "page 3 of the query DesktopStatus=Running: ServiceUnavailable" "$T/err" &&
    grep -q "after 3 attempt(s)" "$T/err" ;;
  *) grep -q "page 4 (RequestId [0-9A-F-]*): NextToken \"p4\.[0-9]*\.[0-9]*\" was given before" "$T/err" ;;
  esac || fail "$fault: $(cat "$T/err")"
  note "ok: $fault: exit 2, nothing sent"
done
# Fleet files with attributes: list's JSONL (EndUserIds arrays, Tags
# objects) and a CSV with quoted cells load into ecd-sim, and a selection
# over them matches a jq filter over the same file.
jq -c 'select(.RegionId == "cn-hangzhou")' "$T/blue.jsonl" > "$T/fleet2.jsonl"
sim_start --fleet "$T/fleet2.jsonl" --regions $REG
"$WR" list --endpoint "$ENDPOINT" --region $REG --select tag:env=prod \
  --select user=u010 --select user=u011 --select user=u012 --select user=u013 \
  --select user=u014 --select user=u015 --select user=u016 --select user=u017 \
  --format jsonl 2> "$T/err" | jq -r .DesktopId | sort > "$T/got" ||
  fail "list over a JSONL fleet: $(cat "$T/err")"
jq -r 'select(.Tags.env == "prod" and (.EndUserIds | any(. as $u |
  ["u010","u011","u012","u013","u014","u015","u016","u017"] | index($u))))
  | .DesktopId' "$T/fleet2.jsonl" | sort > "$T/want"
sim_stop
[ -s "$T/want" ] && cmp -s "$T/want" "$T/got" ||
  fail "JSONL fleet: got $(wc -l < "$T/got"), want $(wc -l < "$T/want")"
cat > "$T/fleet3.csv" << 'END'
DesktopId,RegionId,DesktopName,OfficeSiteId,Tags,EndUserIds
ecd-aaa01,cn-hangzhou,"Finance, 3rd floor",os-1,"env=prod;note=a,b",alice
ecd-aaa02,cn-hangzhou,"Finance, 3rd floor",os-2,env=prod,bob
ecd-aaa03,cn-hangzhou,"Sales ""west""",os-1,env=dev,alice;bob
END
sim_start --fleet "$T/fleet3.csv"
"$WR" list --endpoint "$ENDPOINT" --region cn-hangzhou \
  --select "name=Finance, 3rd floor" --select tag:note=a,b 2> "$T/err" \
  > "$T/q.csv" || fail "list over a quoted CSV fleet: $(cat "$T/err")"
"$WR" list --endpoint "$ENDPOINT" --region cn-hangzhou --select user=bob \
  --select 'name=Sales "west"' 2> "$T/err" > "$T/q2.csv" ||
  fail "list by a quoted name: $(cat "$T/err")"
sim_stop
[ "$(tail -n +2 "$T/q.csv")" = \
  'ecd-aaa01,cn-hangzhou,"Finance, 3rd floor",Running,Disconnected,os-1,,alice,"env=prod;note=a,b"' ] ||
  fail "quoted CSV fleet: $(cat "$T/q.csv")"
[ "$(tail -n +2 "$T/q2.csv" | cut -d, -f1)" = ecd-aaa03 ] &&
  grep -q '^ecd-aaa03,cn-hangzhou,"Sales ""west""",' "$T/q2.csv" ||
  fail "quoted name: $(cat "$T/q2.csv")"
"$WR" plan --json "$T/q.csv" | jq -e 'select(.type == "plan")
  | .desktop_ids == ["ecd-aaa01"]' > /dev/null || fail "the quoted list does not plan"
echo "ok: select"
