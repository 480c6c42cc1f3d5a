# resume appends to its report, so REPORT must be a regular file.  A pipe
# (/dev/stdin fed a resumable report), a FIFO (which must not hang), a
# character device (/dev/null) and a directory are each refused at once:
# exit 2, a message naming the file, and nothing sent to the simulator.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET

N=20
sim_start --desktops "$N" --seed 91 --write-fleet "$T/fleet.csv"
wait_fleet "$T/fleet.csv" "$N"
R=$T/report.jsonl
"$WR" run --endpoint "$ENDPOINT" --chunk-size 2 --rate 0 --report "$R" \
  --progress never "$T/fleet.csv" > "$T/out" 2> "$T/err" ||
  fail "run failed: $(tail -n 3 "$T/err")"
# A resumable report: the run's chunk records and summary are gone.
grep -v '"type":"chunk"\|"type":"summary"\|"type":"wave"' "$R" > "$T/resumable.jsonl"
calls=$(jq -s 'map(select(.action=="RebootDesktops")) | length' "$T/sim.log")

mkfifo "$T/fifo"
mkdir "$T/dir"
for f in /dev/stdin "$T/fifo" /dev/null "$T/dir"; do
  rc=0
  # stdin is a pipe holding the report; timeout: a FIFO nobody writes to
  # must not block resume.
  cat "$T/resumable.jsonl" | timeout 10 "$WR" resume "$f" \
    --endpoint "$ENDPOINT" --progress never > "$T/rout" 2> "$T/rerr" || rc=$?
  [ "$rc" -ne 124 ] || fail "resume $f hung"
  [ "$rc" -eq 2 ] || { cat "$T/rerr" >&2; fail "resume $f exited $rc, expected 2"; }
  grep -q "$f" "$T/rerr" || fail "resume $f: the message does not name it: $(cat "$T/rerr")"
  grep -q 'not a regular file' "$T/rerr" ||
    fail "resume $f: the message does not say why: $(cat "$T/rerr")"
  [ ! -s "$T/rout" ] || fail "resume $f wrote to stdout: $(head -c 200 "$T/rout")"
done
now=$(jq -s 'map(select(.action=="RebootDesktops")) | length' "$T/sim.log")
sim_stop
[ "$now" -eq "$calls" ] || fail "resume sent $((now - calls)) calls for a non-file report"
note "ok: a pipe, a FIFO, /dev/null and a directory refused, exit 2, nothing sent"
