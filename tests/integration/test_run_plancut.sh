# A plan cut short.  The run writes its plan records in 1 MiB batches
# before the first call; with the file size limit (as a full disk would)
# between the first batch and the second, the report keeps the run record
# and only part of the plan.  Nothing was sent, so `run` exits 2 and says
# so; `report` calls the run "plan incomplete", never complete; `resume`
# refuses it with exit 2 (N of M chunks recorded, start a new run from the
# inputs, named) and sends nothing.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET

N=20000
sim_start --desktops "$N" --seed 95 --write-fleet "$T/fleet.csv"
wait_fleet "$T/fleet.csv" "$N"
R=$T/report.jsonl
# The whole plan is some 2 MiB (one desktop a chunk); room for 1.5 MiB.
"$WR" plan --chunk-size 1 --json "$T/fleet.csv" > "$T/plan.jsonl" 2> /dev/null ||
  fail "plan failed"
size=$(wc -c < "$T/plan.jsonl")
[ "$size" -gt $((1536 * 1024 + 65536)) ] || fail "the plan is only $size bytes: one batch"
rc=0
( ulimit -f 3072 && trap '' XFSZ &&
  "$WR" run --endpoint "$ENDPOINT" --chunk-size 1 --rate 0 --report "$R" \
    --progress never "$T/fleet.csv" ) > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" -eq 2 ] || { tail -n 5 "$T/err" >&2; fail "run exited $rc with its plan cut short, expected 2 (nothing sent)"; }
grep -q "$R" "$T/err" || fail "the error does not name the report: $(cat "$T/err")"
grep -q 'nothing was sent' "$T/err" || fail "run does not say that nothing was sent: $(cat "$T/err")"
[ "$(head -n 1 "$R" | jq -r .type)" = run ] || fail "no run record"
planned=$(grep -c '"type":"plan"' "$R" || :)
chunks=$(head -n 1 "$R" | jq -r .chunks)
[ "$planned" -gt 0 ] && [ "$planned" -lt "$chunks" ] ||
  fail "the report holds $planned of $chunks plan records: not cut between batches"

# report: plan incomplete, never complete.
rc=0
"$WR" report "$R" > "$T/audit.txt" 2> "$T/aerr" || rc=$?
[ "$rc" -eq 0 ] || fail "report exited $rc: $(cat "$T/aerr")"
grep -q 'plan incomplete' "$T/audit.txt" || fail "report does not say 'plan incomplete': $(head -n 5 "$T/audit.txt")"
grep -qi 'outcome.*complete' "$T/audit.txt" &&
  ! grep -qi 'outcome.*plan incomplete' "$T/audit.txt" && fail "report calls it complete"
"$WR" report --format json "$R" > "$T/audit.json" || fail "report --format json failed"
[ "$(jq -r .complete "$T/audit.json")" = false ] || fail "audit json: complete is not false"
jq -r .outcome "$T/audit.json" | grep -q 'plan incomplete' ||
  fail "audit json outcome: $(jq -r .outcome "$T/audit.json")"

# resume: refused, nothing sent, the report unchanged.
cp "$R" "$T/before.jsonl"
rc=0
"$WR" resume "$R" --endpoint "$ENDPOINT" --progress never > "$T/rout" 2> "$T/rerr" || rc=$?
[ "$rc" -eq 2 ] || { tail -n 5 "$T/rerr" >&2; fail "resume exited $rc on an incomplete plan, expected 2"; }
grep -q "plan is incomplete" "$T/rerr" || fail "resume does not say the plan is incomplete: $(cat "$T/rerr")"
grep -q "$planned of $chunks chunks" "$T/rerr" || fail "resume does not say '$planned of $chunks chunks': $(cat "$T/rerr")"
grep -q "$T/fleet.csv" "$T/rerr" || fail "resume does not name the inputs: $(cat "$T/rerr")"
cmp -s "$R" "$T/before.jsonl" || fail "resume changed the report"
sim_stop
[ "$(simstat .calls_total)" -eq 0 ] || fail "$(simstat .calls_total) calls were sent"
note "ok: plan cut at $planned of $chunks chunks: run exit 2, report 'plan incomplete', resume refused"
