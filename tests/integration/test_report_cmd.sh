#!/bin/sh
# `report` on samples/sample-report.jsonl in every format, -o, and bad
# reports (exit 2, file and line named).  Args: BUILD_DIR SOURCE_DIR.
set -u
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
WR="$BUILD/wuying-reboot"
SAMPLE="$SRC/samples/sample-report.jsonl"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# run CODE ARGS...: run the tool, stdout in $TMP/out, stderr in $TMP/err.
run() {
  code=$1
  shift
  "$WR" "$@" > "$TMP/out" 2> "$TMP/err"
  got=$?
  [ "$got" = "$code" ] ||
    fail "$*: exit $got, expected $code; stderr: $(head -c 300 "$TMP/err")"
}

has() {
  grep -q -- "$2" "$1" || fail "no '$2' in $1: $(head -c 400 "$1")"
}

# text (the default)
run 0 report "$SAMPLE"
has "$TMP/out" "^Run 0f6c2a9e-5d41-4b7e-9a53-2c8e1d7b4f60 "
has "$TMP/out" 'outcome      stopped early (deadline); can be resumed (`resume` re-sends 30 desktops), exit code 3'
has "$TMP/out" "^  ok           99$"
has "$TMP/out" "^  failed       11$"
has "$TMP/out" "^  skipped      30$"
has "$TMP/out" "^  rejected     4 input rows"
has "$TMP/out" "23 RebootDesktops calls, 6 retries, 1 ambiguous, 3 splits"
has "$TMP/out" "^  cn-shanghai: 30 ok, 0 failed, 30 skipped, 0 pending$"
has "$TMP/out" "ambiguous in 1 chunk (may have been sent twice): 7$"
has "$TMP/out" "Throttling.User: 10 desktops in 1 chunk"
has "$TMP/out" "InvalidDesktopId.NotFound: 1 desktop in 1 chunk: ecd-c6c6cc0a28ba16244"
has "$TMP/out" "wave 1: 48 of 49 Running (timed out)"
[ -s "$TMP/err" ] && fail "text: unexpected stderr: $(cat "$TMP/err")"

# csv: one row per desktop of the plan, leaves only, request ids of the
# report.
run 0 report --format csv "$SAMPLE"
cp "$TMP/out" "$TMP/csv"
[ "$(head -n 1 "$TMP/csv")" = \
  "desktop_id,region,chunk,status,request_id,error_code,error_message,finished_at,wave,attempts,attempt_request_ids,ambiguous_attempts,confirmed,started_at,verify_status,verified_at" ] ||
  fail "csv header: $(head -n 1 "$TMP/csv")"
[ "$(wc -l < "$TMP/csv")" = 141 ] || fail "csv: $(wc -l < "$TMP/csv") lines, expected 141"
for s in ok:99 failed:11 skipped:30 split:0 pending:0; do
  n=$(awk -F, -v s="${s%%:*}" 'NR > 1 && $4 == s' "$TMP/csv" | wc -l)
  [ "$n" = "${s#*:}" ] || fail "csv: $n rows ${s%%:*}, expected ${s#*:}"
done
# Every desktop of the plan appears exactly once.
jq -r 'select(.type == "plan") | .desktop_ids[]' "$SAMPLE" | sort > "$TMP/planned"
tail -n +2 "$TMP/csv" | cut -d, -f1 | sort > "$TMP/rows"
cmp -s "$TMP/planned" "$TMP/rows" || fail "csv: desktops differ from the plan"
# Each ok row carries the request id of its chunk's final record.
jq -r 'select(.type == "chunk" and .status == "ok") |
       .request_id as $r | .desktop_ids[] | "\(.),\($r)"' "$SAMPLE" |
  sort > "$TMP/want_rids"
awk -F, 'NR > 1 && $4 == "ok" { print $1 "," $5 }' "$TMP/csv" | sort > "$TMP/got_rids"
cmp -s "$TMP/want_rids" "$TMP/got_rids" || fail "csv: request ids differ from the report"
grep -q '^ecd-c6c6cc0a28ba16244,cn-hangzhou,4.2.2.2,failed,[0-9A-F-]*,InvalidDesktopId.NotFound,"The specified desktop ""ecd-c6c6cc0a28ba16244"" does not exist, or it was released.",2026-11-29T20:33:09.969Z,1,1,[0-9A-F-]*,0,yes,2026-11-29T20:33:09.800Z,,$' "$TMP/csv" ||
  fail "csv: the failed row is not quoted per RFC 4180: $(grep ecd-c6c6cc0a28ba16244 "$TMP/csv")"

# json
run 0 report --format json "$SAMPLE"
jq -e '.desktops == {"planned":140,"ok":99,"failed":11,"skipped":30,"pending":0,"retry_pending":0,"not_running":1,"rejected":4,"duplicates":1}
       and .exit_code == 3 and .stop_reason == "deadline" and .complete == false
       and .calls == 23 and .failures[0].error_code == "Throttling.User"' \
  "$TMP/out" > /dev/null || fail "json: $(head -c 600 "$TMP/out")"

# markdown and html
run 0 report --format markdown "$SAMPLE"
has "$TMP/out" "^# Reboot audit: run 0f6c2a9e-5d41-4b7e-9a53-2c8e1d7b4f60$"
has "$TMP/out" "^| 4.2.2.2 | cn-hangzhou | failed | 1 | "
run 0 report --format html "$SAMPLE"
has "$TMP/out" "^<!DOCTYPE html>"
has "$TMP/out" "{&quot;DesktopId&quot;: &quot;ecd-broken&quot;,"
has "$TMP/out" "^</html>$"

# -o FILE: the same bytes, nothing on stdout, no temporary left behind.
mkdir "$TMP/o"
run 0 report --format csv -o "$TMP/o/audit.csv" "$SAMPLE"
[ -s "$TMP/out" ] && fail "-o: stdout is not empty"
cmp -s "$TMP/csv" "$TMP/o/audit.csv" || fail "-o: the file differs from stdout"
[ "$(ls "$TMP/o")" = audit.csv ] || fail "-o: left behind: $(ls "$TMP/o")"
run 0 report -o "$TMP/o/audit.csv" "$SAMPLE"
has "$TMP/o/audit.csv" "^Run 0f6c2a9e"
# The audit gets the report's mode (it holds the same desktops and
# messages), not the umask's 0644; an existing file's mode is replaced.
for m in 640 600; do
  cp "$SAMPLE" "$TMP/m$m.jsonl"
  chmod "$m" "$TMP/m$m.jsonl"
  (umask 022 && "$WR" report -o "$TMP/o/m$m.txt" "$TMP/m$m.jsonl") ||
    fail "report -o for a $m report failed"
  [ "$(stat -c %a "$TMP/o/m$m.txt")" = "$m" ] ||
    fail "-o: the audit of a $m report is $(stat -c %a "$TMP/o/m$m.txt")"
done
chmod 644 "$TMP/o/m600.txt"
"$WR" report -o "$TMP/o/m600.txt" "$TMP/m600.jsonl" ||
  fail "report -o over an existing audit failed"
[ "$(stat -c %a "$TMP/o/m600.txt")" = 600 ] ||
  fail "-o over a 644 file: the audit is $(stat -c %a "$TMP/o/m600.txt")"
rm -f "$TMP/o/m"*
run 2 report -o "$TMP/nodir/x.csv" "$SAMPLE"
has "$TMP/err" "nodir/x.csv: cannot create"
cp "$SAMPLE" "$TMP/self.jsonl"
run 2 report -o "$TMP/self.jsonl" "$TMP/self.jsonl"
has "$TMP/err" "is the report itself"
cmp -s "$SAMPLE" "$TMP/self.jsonl" || fail "-o over the report changed it"

# Bad reports: exit 2, file and line named; a torn tail is only a note.
head -n 20 "$SAMPLE" > "$TMP/torn.jsonl"
printf '{"type":"chunk","chunk":"9","reg' >> "$TMP/torn.jsonl"
run 0 report --format json "$TMP/torn.jsonl"
has "$TMP/err" "torn.jsonl:21: the last line is torn"
jq -e '.has_summary == false and .torn_line == 21 and .desktops.pending > 0' \
  "$TMP/out" > /dev/null || fail "torn: $(head -c 400 "$TMP/out")"
run 0 report --format csv "$TMP/torn.jsonl"
[ "$(awk -F, '$4 == "pending"' "$TMP/out" | wc -l)" -gt 0 ] || fail "torn: no pending rows"
{ head -n 3 "$SAMPLE"; echo 'not json'; tail -n +4 "$SAMPLE"; } > "$TMP/bad.jsonl"
run 2 report "$TMP/bad.jsonl"
has "$TMP/err" "bad.jsonl:4: not a whole JSON record"
[ -s "$TMP/out" ] && fail "bad report: something on stdout"
sed 's/"report_version":1/"report_version":7/' "$SAMPLE" > "$TMP/v7.jsonl"
run 2 report "$TMP/v7.jsonl"
has "$TMP/err" "v7.jsonl:1: report_version 7 is not supported"
run 2 report "$TMP/missing.jsonl"
has "$TMP/err" "missing.jsonl: No such file"
run 2 report --format pdf "$SAMPLE"
run 2 report "$SRC/samples/fleet.csv"
has "$TMP/err" "fleet.csv:1: not a whole JSON record"

# Standard input.
"$WR" report --format json - < "$SAMPLE" > "$TMP/out" 2> "$TMP/err" ||
  fail "stdin: exit $?: $(cat "$TMP/err")"
jq -e '.desktops.ok == 99' "$TMP/out" > /dev/null || fail "stdin: wrong audit"

# The real writer's run, rejected and plan records (plan --json) read back:
# every planned desktop pending, every rejected row listed.
"$WR" plan --json --region cn-hangzhou --all-regions "$SRC/samples/messy.csv" \
  "$SRC/samples/fleet.jsonl" > "$TMP/plan.jsonl" 2> "$TMP/err" ||
  fail "plan --json: $(cat "$TMP/err")"
"$WR" report --format json "$TMP/plan.jsonl" > "$TMP/out" 2> "$TMP/err" ||
  fail "report on plan --json: $(cat "$TMP/err")"
want=$(jq -s '[.[] | select(.type == "plan") | .desktop_ids | length] | add' "$TMP/plan.jsonl")
nrej=$(jq -s '[.[] | select(.type == "rejected")] | length' "$TMP/plan.jsonl")
jq -e --argjson n "$want" --argjson r "$nrej" '.desktops.planned == $n and
  .desktops.pending == $n and .desktops.rejected == $r and .has_summary == false' \
  "$TMP/out" > /dev/null || fail "report on plan --json: $(head -c 600 "$TMP/out")"

[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
