# --keep-columns (issue 12 item 4): the named columns of each input row
# (CSV header names, JSONL keys) are stored in the report at run time
# (columns records), so `report --format csv` appends them per desktop
# from the report alone, after the 16 columns, escaped and with formula
# injection neutralised; they survive a resume.  An unknown name is an
# error naming the file, the column and the columns there are, and
# nothing is sent.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
export HOME
command -v python3 >/dev/null 2>&1 || fail "python3 is missing"
AK=keep-test-id
SK=keep-test-secret-2b9d
export ALIBABA_CLOUD_ACCESS_KEY_ID=$AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK

N=30
sim_start --desktops $((N * 3)) --seed 41 --write-fleet "$T/fleet.csv" \
  --access-key-id "$AK" --access-key-secret "$SK"
wait_fleet "$T/fleet.csv" $((N * 3))

# Name and Owner for each desktop of slice K: "Desk <i>, floor 2" (a
# comma), Owner "=HYPERLINK(...)" for the first (a formula), empty for
# the second; plus an ID the simulator does not know (it fails, and keeps
# its columns).
mkcsv()
{
  sed -n "$(($1 * N + 2)),$(($1 * N + N + 1))p" "$T/fleet.csv" |
    awk -F, 'BEGIN { print "DesktopId,RegionId,Owner,Extra,Name" }
      { o = NR == 1 ? "\"=HYPERLINK(\"\"http://x\"\")\"" : NR == 2 ? "" : "user" NR
        printf "%s,%s,%s,x,\"Desk %d, floor 2\"\n", $1, $2, o, NR }
      END { print "ecd-zz0keep0unknown," $2 ",ghost,x,Ghost desk" }' > "$2"
}

# csvcheck REPORT_CSV INPUT: every desktop's kept Name and Owner equal the
# input's (the formula with a leading quote), 16 + 2 columns.
csvcheck()
{
  python3 - "$1" "$2" <<'PY' || fail "report csv $1 does not carry the input's columns"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
want = {r["DesktopId"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
head = rows[0]
assert len(head) == 18 and head[16:] == ["Name", "Owner"], head
seen = 0
for r in rows[1:]:
    assert len(r) == 18, r
    w = want[r[0]]
    owner = w["Owner"]
    if owner and owner[0] in "=+-@":
        owner = "'" + owner
    assert r[16] == w["Name"] and r[17] == owner, (r, w)
    seen += 1
assert seen == len(want), (seen, len(want))
PY
}

# 1. CSV: run, then the audit's CSV.
mkcsv 0 "$T/a.csv"
rc=0
"$WR" run --endpoint "$ENDPOINT" --rate 0 --no-preflight --chunk-size 7 \
  --keep-columns Name,Owner --report "$T/a.jsonl" --progress never \
  "$T/a.csv" > "$T/a.out" 2> "$T/a.err" || rc=$?
[ "$rc" -eq 1 ] || { cat "$T/a.err" >&2; fail "run: exit $rc, expected 1 (one unknown ID)"; }
check_report "$T/a.jsonl"
[ "$(jq -c 'select(.type=="columns")' "$T/a.jsonl" | wc -l)" -eq \
  "$(jq -c 'select(.type=="plan")' "$T/a.jsonl" | wc -l)" ] ||
  fail "not one columns record per plan record"
"$WR" report "$T/a.jsonl" --format csv -o "$T/a.report.csv" ||
  fail "report --format csv"
csvcheck "$T/a.report.csv" "$T/a.csv"
grep -q "^ecd-zz0keep0unknown,.*,failed,.*,Ghost desk,ghost$" "$T/a.report.csv" ||
  fail "the failed desktop lacks its columns: $(grep zz0keep "$T/a.report.csv")"
grep -q "'=HYPERLINK" "$T/a.report.csv" || fail "the formula is not neutralised"

# 2. Stopped before any call (a past deadline), then resumed: the columns
# come from the report, the input is not read again.
mkcsv 1 "$T/b.csv"
rc=0
"$WR" run --endpoint "$ENDPOINT" --rate 0 --no-preflight \
  --keep-columns Owner --keep-columns Name --deadline 2020-01-01T00:00:00Z \
  --report "$T/b.jsonl" --progress never "$T/b.csv" > /dev/null 2> "$T/b.err" ||
  rc=$?
[ "$rc" -eq 3 ] || fail "deadline run: exit $rc"
mv "$T/b.csv" "$T/b.input.csv"
rc=0
"$WR" resume "$T/b.jsonl" --deadline +1h --progress never > /dev/null \
  2> "$T/b2.err" || rc=$?
[ "$rc" -eq 1 ] || { cat "$T/b2.err" >&2; fail "resume: exit $rc, expected 1"; }
"$WR" report "$T/b.jsonl" --format csv > "$T/b.report.csv"
head -n 1 "$T/b.report.csv" | grep -q ',verified_at,Owner,Name$' ||
  fail "resume: header $(head -n 1 "$T/b.report.csv")"
grep -q '^ecd-zz0keep0unknown,.*,ghost,Ghost desk$' "$T/b.report.csv" ||
  fail "resume: the columns are lost"

# 3. JSONL keys, from a job file; a list value as its JSON text.
sed -n "$((2 * N + 2)),$((2 * N + 6))p" "$T/fleet.csv" |
  awk -F, '{ printf "{\"DesktopId\":\"%s\",\"RegionId\":\"%s\",\"Name\":\"j%d\",\"EndUserIds\":[\"u%d\",\"v\"]}\n", $1, $2, NR, NR }' \
  > "$T/c.jsonl"
printf '{"keep-columns": ["EndUserIds", "Name"]}\n' > "$T/job.json"
"$WR" run --job "$T/job.json" --endpoint "$ENDPOINT" --rate 0 --no-preflight \
  --report "$T/c.report.jsonl" --progress never "$T/c.jsonl" > /dev/null \
  2> "$T/c.err" || { cat "$T/c.err" >&2; fail "jsonl run"; }
"$WR" report "$T/c.report.jsonl" --format csv > "$T/c.csv"
head -n 1 "$T/c.csv" | grep -q ',EndUserIds,Name$' || fail "jsonl: header"
grep -q ',"\[""u1"",""v""\]",j1$' "$T/c.csv" ||
  fail "jsonl: row $(sed -n 2p "$T/c.csv")"

# 4. Unknown names: exit 2, the file, the column and what it has; the
# report is not even created.
rc=0
"$WR" run --endpoint "$ENDPOINT" --keep-columns Name,Owner2 \
  --report "$T/d.jsonl" "$T/a.csv" > /dev/null 2> "$T/d.err" || rc=$?
[ "$rc" -eq 2 ] || fail "unknown CSV column: exit $rc"
grep -q "a.csv:1: --keep-columns: no column \"Owner2\"; the header names: DesktopId, RegionId, Owner, Extra, Name" "$T/d.err" ||
  fail "unknown CSV column: $(cat "$T/d.err")"
[ ! -e "$T/d.jsonl" ] || fail "a report was written"
rc=0
"$WR" plan --keep-columns Nme "$T/c.jsonl" > /dev/null 2> "$T/e.err" || rc=$?
[ "$rc" -eq 2 ] || fail "unknown JSONL key: exit $rc"
grep -q 'c.jsonl: --keep-columns: no object has the key "Nme"; the keys of line 1: DesktopId, RegionId, Name, EndUserIds' "$T/e.err" ||
  fail "unknown JSONL key: $(cat "$T/e.err")"
rc=0
"$WR" plan --keep-columns Name,Name "$T/a.csv" > /dev/null 2> "$T/f.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'given twice' "$T/f.err" || fail "a name twice: $rc"
# The plan's JSON shows the columns records too (the report's preamble).
"$WR" plan --keep-columns Name --json "$T/a.csv" > "$T/plan.jsonl"
[ "$(jq -r 'select(.type=="columns") | .columns.Name[]' "$T/plan.jsonl" | wc -l)" -eq $((N + 1)) ] ||
  fail "plan --json: columns records"
sim_stop
exit 0
