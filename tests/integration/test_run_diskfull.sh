# A report that cannot be written (the file size limit, as a full disk
# would) stops the run cleanly: exit 3, a message naming the report file,
# and a report that is still whole JSON lines -- never half a record.
# The kernel's RLIMIT_FSIZE gives a real short write followed by EFBIG.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET

N=300
run_it()
{
  "$WR" run --endpoint "$ENDPOINT" --chunk-size 5 --rate 0 --concurrency 4 \
    --report "$1" --progress never "$T/fleet.csv"
}

# A full run first, to learn how big the report grows.
sim_start --desktops "$N" --seed 71 --write-fleet "$T/fleet.csv"
wait_fleet "$T/fleet.csv" "$N"
run_it "$T/full.jsonl" > "$T/full.out" 2> "$T/full.err" ||
  fail "the unlimited run failed: $(tail -n 3 "$T/full.err")"
sim_stop
size=$(wc -c < "$T/full.jsonl")

# The same run on a fresh simulator, with room for about 60% of it: the
# plan fits, the chunk records run out of room mid-run.
limit=$((size * 6 / 10 / 512))
sim_start --desktops "$N" --seed 71
rc=0
( ulimit -f "$limit" && trap '' XFSZ && run_it "$T/cut.jsonl" ) \
  > "$T/cut.out" 2> "$T/cut.err" || rc=$?
sim_stop
R=$T/cut.jsonl
[ "$rc" -eq 3 ] || { tail -n 5 "$T/cut.err" >&2; fail "exit $rc on a write error, expected 3"; }
grep -q "$R" "$T/cut.err" || fail "the error does not name the report file: $(cat "$T/cut.err")"
[ "$(wc -c < "$R")" -le $((limit * 512)) ] || fail "the report outgrew the limit?"
[ "$(tail -c 1 "$R" | od -An -c | tr -d ' ')" = '\n' ] || fail "$R: last line torn"
jq -e . "$R" > /dev/null || fail "$R: a line is not JSON"
done_chunks=$(grep -c '"type":"chunk"' "$R" || :)
[ "$done_chunks" -gt 0 ] || fail "no chunk record before the limit (limit too low)"
[ "$done_chunks" -lt $((N / 5)) ] || fail "every chunk recorded: the limit was not hit"
# Calls did not go on after the report stopped recording them.
[ "$(simstat .calls_total)" -lt $((N / 5)) ] ||
  fail "the run kept calling ($(simstat .calls_total) calls) after the report failed"
note "ok: write error after $done_chunks chunk records, exit 3, report whole"
