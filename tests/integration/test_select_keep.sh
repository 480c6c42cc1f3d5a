#!/bin/sh
# A fleet selected from the API (run --select without INPUT) keeps each
# desktop's DesktopName, OfficeSiteId and EndUserIds (issue 12 item 4),
# plus any other column of the selection --keep-columns names: `report
# --format csv` shows them, equal to the simulator's --write-fleet file.
# A name the selection does not have is a usage error before any call.
# With INPUT + --select, the kept columns are the input's only.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
export HOME
command -v python3 >/dev/null 2>&1 || fail "python3 is missing"
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
REG=cn-hangzhou,cn-shanghai
F=$T/fleet.csv

sim_start --desktops 120 --seed 29 --regions $REG --write-fleet "$F" \
  --reboot-ms 0
wait_fleet "$F" 120

# 1. No INPUT: the three columns first, then Tags; "desktopname" is one of
# the three (ASCII case ignored), not kept twice.
"$WR" run --endpoint "$ENDPOINT" --region $REG --select tag:env=prod \
  --keep-columns desktopname,Tags --rate 0 --progress never \
  --report "$T/r.jsonl" > /dev/null 2> "$T/err" ||
  fail "run --select: exit $?: $(tail -n 3 "$T/err")"
"$WR" report --format csv -o "$T/r.csv" "$T/r.jsonl" || fail "report csv: exit $?"
python3 - "$T/r.csv" "$F" <<'PY' || fail "the CSV's kept columns are not the fleet's"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
fleet = {r["DesktopId"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
head = rows[0]
assert head[16:] == ["DesktopName", "OfficeSiteId", "EndUserIds", "Tags"], head
users = 0
for r in rows[1:]:
    assert len(r) == 20, r
    w = fleet[r[0]]
    assert "env=prod" in w["Tags"].split(";"), (r, w)
    assert r[16:19] == [w["DesktopName"], w["OfficeSiteId"], w["EndUserIds"]], (r, w)
    assert r[19] == w["Tags"], (r, w)
    assert r[3] == "ok", r
    users += ";" in r[18]
assert len(rows) > 5 and users > 0, (len(rows), users)
print("ok: %d desktops, %d with several users" % (len(rows) - 1, users))
PY
jq -s -e '[.[] | select(.type == "columns") | .columns | keys_unsorted]
  | length > 0 and all(. == ["DesktopName", "OfficeSiteId", "EndUserIds", "Tags"])' \
  "$T/r.jsonl" > /dev/null || fail "no columns record of the selection's columns"

# 2. A column the selection does not have: exit 2 before any call.
CALLS=$(wc -l < "$T/sim.log")
rc=0
"$WR" run --endpoint "$ENDPOINT" --region $REG --select tag:env=prod \
  --keep-columns Owner --report "$T/bad.jsonl" > /dev/null 2> "$T/err" || rc=$?
[ $rc -eq 2 ] && [ ! -e "$T/bad.jsonl" ] &&
  grep -q 'keep-columns: a fleet selected from the API has no column "Owner"; it has: DesktopId, RegionId, DesktopName' "$T/err" ||
  fail "unknown kept column: exit $rc: $(cat "$T/err")"
[ "$(wc -l < "$T/sim.log")" -eq "$CALLS" ] || fail "unknown kept column: a call was made"

# 3. INPUT + --select: the input's Owner only (a comma in it), for the
# input's desktops that match.
awk -F, 'NR == 1 { print "DesktopId,RegionId,Owner" }
  NR > 1 && NR <= 80 { printf "%s,%s,\"owner %d, desk\"\n", $1, $2, NR }' \
  "$F" > "$T/in.csv"
"$WR" run --endpoint "$ENDPOINT" --select tag:env=prod --keep-columns Owner \
  --rate 0 --progress never --report "$T/i.jsonl" "$T/in.csv" > /dev/null \
  2> "$T/err" || fail "run INPUT --select: exit $?: $(tail -n 3 "$T/err")"
sim_stop
"$WR" report --format csv -o "$T/i.csv" "$T/i.jsonl" || fail "report csv: exit $?"
python3 - "$T/i.csv" "$T/in.csv" <<'PY' || fail "INPUT + --select: not the input's columns"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
inp = {r["DesktopId"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
assert rows[0][16:] == ["Owner"], rows[0]
assert len(rows) > 2, rows
for r in rows[1:]:
    assert len(r) == 17 and r[16] == inp[r[0]]["Owner"], r
PY
echo "ok: select_keep"
