# make demo: rehearse a mass reboot against the local simulator.
#
#   sh tests/demo.sh BUILD_DIR
#
# Starts ecd-sim on a free loopback port with 3,000 desktops and a little
# realistic trouble (throttling below the requested rate, 2% transient
# errors, 1% dropped connections, ~40 ms latency), reboots the whole fleet
# with `wuying-reboot run --progress always`, prints the summary and where
# the report is, and stops the simulator.  The credentials are the
# simulator's test ones, set here in the environment for the demo only.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/tests/integration/run_lib.sh"
run_setup "${1:-build}"

OUT=$BUILD/demo
mkdir -p "$OUT"
REPORT=$OUT/report-$(date -u +%Y%m%dT%H%M%SZ).jsonl
DESKTOPS=3000

echo "== starting ecd-sim: $DESKTOPS desktops, throttling at 30 calls/s," \
  "2% errors, 1% resets, ~40 ms latency"
sim_start --desktops "$DESKTOPS" --seed 2026 --write-fleet "$OUT/fleet.csv" \
  --qps 30 --retry-after-ms 250 --fail-rate 0.02 --reset-rate 0.01 \
  --latency-ms 40
wait_fleet "$OUT/fleet.csv" "$DESKTOPS"
echo "   listening on $ENDPOINT (pid $SIM_PID); fleet: $OUT/fleet.csv"
echo
echo "== wuying-reboot run --endpoint $ENDPOINT --rate 40 --concurrency 16 \\"
echo "     --progress always --report $REPORT $OUT/fleet.csv"
rc=0
ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret \
  "$WR" run --endpoint "$ENDPOINT" --rate 40 --concurrency 16 \
  --progress always --report "$REPORT" "$OUT/fleet.csv" || rc=$?
echo
sim_stop

echo "== the report: $REPORT"
jq -r 'select(.type=="chunk") | .status' "$REPORT" | sort | uniq -c |
  awk '{ printf "   %-8s %s chunks\n", $2, $1 }'
jq -r 'select(.type=="summary") |
  "   desktops: \(.ok_desktops) ok, \(.failed_desktops) failed, \(.skipped_desktops) skipped; exit code \(.exit_code)"' "$REPORT"
jq -s -r '[.[] | select(.type=="chunk")] |
  "   attempts: \(map(.attempts) | add) for \(length) chunks (\(map(select(.attempts > 1)) | length) retried)"' "$REPORT"
echo "   one line per chunk, e.g.:"
jq -c 'select(.type=="chunk" and .attempts > 1) | {chunk, status, attempts, request_id, attempt_request_ids, latency_ms}' "$REPORT" |
  head -n 1 | sed 's/^/   /'
echo
echo "== what ecd-sim saw"
jq -r '"   calls: \(.calls_total) (" + (.calls.RebootDesktops | to_entries
      | map(select(.value > 0) | "\(.key) \(.value)") | join(", ")) + ")",
    "   desktops rebooted: \(.desktops_rebooted), at most \(.max_reboots_per_desktop) time(s) each",
    "   busiest second: \(.max_calls_per_second) calls; protocol violations: \(.violations_total)"' \
  "$T/stats.json"
echo
# A window selected from the API instead of a file: ring 2 of the patch
# rollout, Running desktops only (jobs/patch-ring-2.json does the same).
REPORT2=$OUT/report-ring2-$(date -u +%Y%m%dT%H%M%SZ).jsonl
REGIONS=cn-hangzhou,cn-shanghai,ap-southeast-1
sim_start --desktops "$DESKTOPS" --seed 2026 --latency-ms 40
echo "== wuying-reboot run --endpoint $ENDPOINT --region $REGIONS \\"
echo "     --select tag:patch-ring=2 --select status=Running --rate 40 --report $REPORT2"
rc2=0
ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret \
  "$WR" run --endpoint "$ENDPOINT" --region "$REGIONS" \
  --select tag:patch-ring=2 --select status=Running --rate 40 \
  --progress never --report "$REPORT2" || rc2=$?
sim_stop
"$WR" report "$REPORT2" | grep -E '^  (selection|outcome)' || :
[ "$rc" -ne 0 ] || rc=$rc2
echo
echo "Try: jq -c 'select(.type==\"chunk\" and .attempts > 1)' $REPORT | head"
echo "     jq .selection $REPORT2 | head -n 20"
exit "$rc"
