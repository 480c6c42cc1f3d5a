#!/bin/sh
# A small real run against ecd-sim, then `report` on its report: one CSV
# row per desktop, each with the RequestId that the simulator itself
# logged for a successful RebootDesktops naming that desktop.  Two IDs the
# simulator does not know make the run split chunks and fail them alone.
# Then a run stopped by its canary and finished by `resume`, audited as
# one run.  Args: BUILD_DIR SOURCE_DIR.
set -u
BUILD=$(cd "$1" && pwd)
WR="$BUILD/wuying-reboot"
SIM="$BUILD/ecd-sim"
LC_ALL=C
export LC_ALL
command -v jq > /dev/null 2>&1 || { echo "FAIL: jq is missing (make deps)"; exit 1; }
T=$(mktemp -d)
SIM_PID=
SIM2_PID=
cleanup() {
  for p in $SIM_PID $SIM2_PID; do
    kill "$p" 2> /dev/null
    wait "$p" 2> /dev/null
  done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fails=0

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# wait_port NAME PID: poll (bounded) for the port on $T/NAME.out's first line.
wait_port() {
  i=0
  while [ ! -s "$T/$1.out" ] && [ $i -lt 400 ] && kill -0 "$2" 2> /dev/null; do
    sleep 0.05
    i=$((i + 1))
  done
  PORT=$(head -n 1 "$T/$1.out")
  [ -n "$PORT" ] || { echo "FAIL: ecd-sim did not start: $(cat "$T/$1.err")"; exit 1; }
}

"$SIM" --port 0 --desktops 200 --write-fleet "$T/fleet.csv" \
  --log "$T/sim.log" --reboot-ms 200 > "$T/sim.out" 2> "$T/sim.err" &
SIM_PID=$!
wait_port sim "$SIM_PID"

printf 'ecd-00000000000000dead,cn-hangzhou\necd-00000000000000beef,cn-shanghai\n' \
  >> "$T/fleet.csv"
# --no-preflight: the unknown IDs go through the calls and their splits
# (pre-flight would fail them without a call: test_run_preflight.sh).
ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret \
  "$WR" run --endpoint "http://127.0.0.1:$PORT" --rate 0 --progress never \
  --no-preflight \
  --report "$T/run.jsonl" "$T/fleet.csv" > "$T/run.out" 2> "$T/run.err"
run_rc=$?
[ "$run_rc" = 1 ] || fail "run: exit $run_rc, expected 1 (two unknown IDs): $(tail -n 5 "$T/run.err")"
[ -s "$T/run.jsonl" ] || { echo "FAIL: no report written"; exit 1; }

"$WR" report --format csv "$T/run.jsonl" > "$T/audit.csv" 2> "$T/err" ||
  fail "report --format csv: exit $?: $(cat "$T/err")"
[ "$(wc -l < "$T/audit.csv")" = 203 ] ||
  fail "csv: $(wc -l < "$T/audit.csv") lines, expected 203 (header + 202 desktops)"
tail -n +2 "$T/fleet.csv" | cut -d, -f1 | sort > "$T/want"
tail -n +2 "$T/audit.csv" | cut -d, -f1 | sort > "$T/got"
cmp -s "$T/want" "$T/got" || fail "csv: the desktops are not those of the input, once each"
n=$(awk -F, '$4 == "ok"' "$T/audit.csv" | wc -l)
[ "$n" = 200 ] || fail "csv: $n ok rows, expected 200"
awk -F, '$4 == "failed" { print $1 }' "$T/audit.csv" | sort > "$T/failed"
printf 'ecd-00000000000000beef\necd-00000000000000dead\n' | cmp -s - "$T/failed" ||
  fail "csv: failed rows are not the two unknown IDs: $(cat "$T/failed")"
grep -q '^ecd-00000000000000dead,cn-hangzhou,[0-9.]*,failed,[^,]*,InvalidDesktopId.NotFound,' \
  "$T/audit.csv" || fail "csv: no error code on the unknown ID: $(grep dead "$T/audit.csv")"

# The request ids are the report's...
jq -r 'select(.type == "chunk" and .status != "split") |
       .request_id as $r | .desktop_ids[] | "\(.),\($r // "")"' "$T/run.jsonl" |
  sort > "$T/report_rids"
awk -F, 'NR > 1 { print $1 "," $5 }' "$T/audit.csv" | sort > "$T/csv_rids"
cmp -s "$T/report_rids" "$T/csv_rids" || fail "csv: request ids differ from the report's"
# ...and each ok one is a 200 the simulator logged for that desktop.
jq -r 'select(.action == "RebootDesktops" and .http_status == 200) |
       .request_id as $r | .desktop_ids[] | "\(.),\($r)"' "$T/sim.log" |
  sort > "$T/sim_rids"
awk -F, '$4 == "ok" { print $1 "," $5 }' "$T/audit.csv" | sort > "$T/ok_rids"
[ -z "$(comm -23 "$T/ok_rids" "$T/sim_rids")" ] ||
  fail "csv: ok rows whose RequestId the simulator never gave: $(comm -23 "$T/ok_rids" "$T/sim_rids" | head -n 3)"

"$WR" report --format json "$T/run.jsonl" > "$T/audit.json" 2> "$T/err" ||
  fail "report --format json: exit $?: $(cat "$T/err")"
jq -e --argjson rc "$run_rc" '.desktops.ok == 200 and .desktops.failed == 2 and
  .desktops.pending == 0 and .exit_code == $rc and .chunks.split > 0 and
  .failures[0].error_code == "InvalidDesktopId.NotFound"' "$T/audit.json" > /dev/null ||
  fail "json: $(head -c 800 "$T/audit.json")"
"$WR" report "$T/run.jsonl" > "$T/audit.txt" 2> "$T/err" ||
  fail "report: exit $?: $(cat "$T/err")"
grep -q "complete, with failures, exit code 1" "$T/audit.txt" ||
  fail "text: $(head -n 3 "$T/audit.txt")"
grep -q "testsecret" "$T/audit.txt" "$T/audit.json" "$T/audit.csv" && fail "an audit mentions a secret"

# Stopped by the canary (an unknown ID in it), finished by resume: the
# audit is of the whole run, and says it was resumed.
"$SIM" --port 0 --desktops 60 --write-fleet "$T/fleet2.csv" \
  --log "$T/sim2.log" --reboot-ms 200 > "$T/sim2.out" 2> "$T/sim2.err" &
SIM2_PID=$!
wait_port sim2 "$SIM2_PID"
{ head -n 1 "$T/fleet2.csv"; echo 'ecd-00000000000000dead,cn-hangzhou'
  tail -n +2 "$T/fleet2.csv"; } > "$T/canary.csv"
export ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
"$WR" run --endpoint "http://127.0.0.1:$PORT" --rate 0 --canary 5 \
  --no-preflight --progress never --report "$T/r2.jsonl" "$T/canary.csv" > /dev/null 2> "$T/run2.err"
rc=$?
[ "$rc" = 3 ] || fail "canary run: exit $rc, expected 3: $(tail -n 3 "$T/run2.err")"
"$WR" report --format json "$T/r2.jsonl" > "$T/a2.json" 2> "$T/err"
jq -e '.desktops.skipped == 56 and .desktops.failed == 1 and .exit_code == 3
       and .stop_reason == "canary"' "$T/a2.json" > /dev/null ||
  fail "canary audit: $(head -c 600 "$T/a2.json")"
"$WR" resume "$T/r2.jsonl" --rate 50 --progress never > /dev/null 2> "$T/res2.err"
rc=$?
[ "$rc" = 1 ] || fail "resume: exit $rc, expected 1: $(tail -n 3 "$T/res2.err")"
"$WR" report "$T/r2.jsonl" > "$T/a2.txt" 2> "$T/err" || fail "report after resume: $(cat "$T/err")"
grep -q "complete, with failures, exit code 1" "$T/a2.txt" &&
  grep -q "^  resumed      1 time, last at " "$T/a2.txt" &&
  grep -q "^  ok           60$" "$T/a2.txt" ||
  fail "resumed audit: $(head -n 20 "$T/a2.txt")"
"$WR" report --format csv "$T/r2.jsonl" > "$T/a2.csv"
[ "$(awk -F, '$4 == "ok"' "$T/a2.csv" | wc -l)" = 60 ] &&
  [ "$(wc -l < "$T/a2.csv")" = 62 ] || fail "resumed csv: $(awk -F, '{print $4}' "$T/a2.csv" | sort | uniq -c)"
jq -r 'select(.action == "RebootDesktops" and .http_status == 200) |
       .request_id as $r | .desktop_ids[] | "\(.),\($r)"' "$T/sim2.log" |
  sort > "$T/sim2_rids"
awk -F, '$4 == "ok" { print $1 "," $5 }' "$T/a2.csv" | sort > "$T/ok2_rids"
[ -z "$(comm -23 "$T/ok2_rids" "$T/sim2_rids")" ] ||
  fail "resumed csv: RequestIds the simulator never gave"

# Provenance (issue 12): one session record per session, who ran it, the
# credentials' source and masked key id, the input's own size and
# SHA-256, and where each option came from (the resume's --rate too).
sum=$(sha256sum "$T/canary.csv" | cut -d' ' -f1)
size=$(wc -c < "$T/canary.csv" | tr -d ' ')
me=$(id -un)
jq -s -e --arg sum "$sum" --arg size "$size" --arg me "$me" '
  [.[] | select(.type == "session")] as $s |
  ($s | length) == 2 and $s[0].kind == "run" and $s[1].kind == "resume" and
  $s[0].user == $me and $s[0].pid > 0 and ($s[0].host | length) > 0 and
  ($s[0].credentials.source | startswith("environment")) and
  $s[0].credentials.access_key_id_masked == "***" and
  $s[0].inputs[0].sha256 == $sum and $s[0].inputs[0].bytes == ($size | tonumber) and
  $s[0].inputs[0].rows == 61 and
  $s[0].option_origins.canary == "command line" and
  $s[0].option_origins.rate == "command line" and
  $s[0].option_origins.retries == "default" and
  $s[1].options.rate == 50 and $s[1].option_origins.rate == "resume override" and
  $s[1].option_origins.canary == "run" and
  (.[0].input_files[0].sha256 == $sum)' "$T/r2.jsonl" > /dev/null ||
  fail "session records: $(grep '"session"' "$T/r2.jsonl" | head -c 1500)"
grep -q testid "$T/r2.jsonl" && fail "the report holds the whole AccessKey ID"
grep -q "Session 1 (resume): .*calls/s (limit 50/s); overrides: --rate 50" "$T/a2.txt" &&
  grep -q "user $me on host" "$T/a2.txt" && grep -q "sha256 $sum" "$T/a2.txt" ||
  fail "resumed audit lacks the sessions: $(sed -n '/Who ran it/,$p' "$T/a2.txt" | head -n 30)"

[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
