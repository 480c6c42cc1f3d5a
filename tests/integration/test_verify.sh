# --verify against ecd-sim: each wave waits until its desktops are Running
# again (DescribeDesktops), a verify record per wave says so, and the next
# wave starts only then.  (A desktop that never comes back is covered by
# tests/unit/test_dispatch.c: the simulator cannot reboot one and keep it
# down.)
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET

# Two waves of 60, reboots taking 1.5 s.
sim_start --desktops 120 --seed 81 --regions cn-hangzhou \
  --write-fleet "$T/fleet.csv" --reboot-ms 1500
wait_fleet "$T/fleet.csv" 120
rc=0
"$WR" run --endpoint "$ENDPOINT" --rate 0 --wave-size 60 --verify \
  --verify-timeout 60s --report "$T/ok.jsonl" --progress never \
  "$T/fleet.csv" > "$T/ok.out" 2> "$T/ok.err" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { tail -n 20 "$T/ok.err" >&2; fail "run exited $rc, expected 0"; }
check_report "$T/ok.jsonl"
[ "$(jq -c 'select(.type=="verify")' "$T/ok.jsonl" | wc -l)" -eq 2 ] ||
  fail "expected two verify records"
[ "$(jq -s '[.[] | select(.type=="verify") | .running] | add' "$T/ok.jsonl")" -eq 120 ] ||
  fail "not every desktop was seen Running again"
[ "$(jq -r 'select(.type=="verify") | .timed_out' "$T/ok.jsonl" | sort -u)" = false ] ||
  fail "a verify timed out"
# The second wave's calls came after the first wave's check.
v1=$(jq -r 'select(.type=="verify" and .wave==1) | .finished_at' "$T/ok.jsonl")
first2=$(jq -rs --argjson w 2 '[.[] | select(.type=="plan" and .wave==$w) | .chunk] as $c
    | [.[] | select(.type=="chunk" and (.chunk as $x | $c | index($x))) | .started_at]
    | min' "$T/ok.jsonl")
# (RFC 3339 UTC with milliseconds sorts as text; the same millisecond is
# fine: the record is written before the next call starts.)
[ -n "$first2" ] &&
  [ "$(printf '%s\n%s\n' "$v1" "$first2" | sort | head -n 1)" = "$v1" ] ||
  fail "wave 2 started ($first2) before wave 1 was verified ($v1)"
[ "$(simstat '.calls.DescribeDesktops.ok')" -gt 0 ] || fail "no DescribeDesktops call"
[ "$(simstat .violations_total)" -eq 0 ] ||
  fail "violations: $(jq -c .violations "$T/stats.json")"

note "ok: two waves verified, $(simstat '.calls.DescribeDesktops.ok') DescribeDesktops calls"
