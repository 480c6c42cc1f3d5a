# The soak (issue 13): N desktops through ecd-sim with every fault on at
# once, in client and in admin mode, at --rate 0.  Checked, not just
# measured: every desktop ends in exactly one ok/failed/skipped leaf, the
# run ends by itself (exit 0 or 1, never 3: no stop), one summary; in
# client mode every desktop is ok and rebooted exactly once (ClientToken),
# in admin mode at least once (a lost or ambiguous answer may reboot a
# desktop twice: the admin API has no ClientToken).  Peak RSS is measured
# with /usr/bin/time -v for each size: it should grow with the plan (the
# ids), not with the calls, retries or faults.
#
#   sh tests/bench/soak.sh BUILD_DIR [SIZES] [MODES]
#     SIZES default "25000 50000 100000", MODES default "client admin"
#
# Faults (each on every call, seeded): 5% 500/503, 2% reset, 2% lost
# (reboot done, answer dropped), 0.5% hang (cut by --timeout 1), 2% a
# non-JSON 502, 2% a 200 HTML page, throttling above --qps 400, latency
# 2 ms.  make bench runs all sizes; test_soak.sh runs 10,000.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/integration/run_lib.sh"
run_setup "${1:-build}"
SIZES=${2:-25000 50000 100000}
MODES=${3:-client admin}
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
LOGIN=soak-login-token-6d1a
SESSION=soak-session-id-2f9c
WUYING_LOGIN_TOKEN=$LOGIN
WUYING_SESSION_ID=$SESSION
WUYING_SESSION_TOKEN=soak-session-token-8b3e
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
export WUYING_LOGIN_TOKEN WUYING_SESSION_ID WUYING_SESSION_TOKEN
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (make deps)"

FAULTS="--fail-rate 0.05 --reset-rate 0.02 --lost-rate 0.02
  --hang-rate 0.005 --hang-ms 3000 --garbage-rate 0.02 --html-ok-rate 0.02
  --qps 400 --latency-ms 2 --reboot-ms 50"

# soak MODE N: one run, checked; prints one line of figures.
soak()
{
  sk_mode=$1
  sk_n=$2
  sk_r=$T/soak-$sk_mode-$sk_n.jsonl
  SIM_NOLOG=1
  # shellcheck disable=SC2086
  sim_start --desktops "$sk_n" --seed $((sk_n % 977 + 7)) \
    --write-fleet "$T/fleet-$sk_n.csv" --threads 2 \
    --client-id wr-soak --login-token "$LOGIN" --session-id "$SESSION" \
    $FAULTS
  SIM_NOLOG=
  wait_fleet "$T/fleet-$sk_n.csv" "$sk_n"
  if [ "$sk_mode" = client ]; then
    set -- --api client --client-id wr-soak --client-os Windows \
      --client-version 7.0.0
  else
    set -- --api admin
  fi
  sk_rc=0
  /usr/bin/time -v -o "$T/time" "$WR" run "$@" --endpoint "$ENDPOINT" \
    --chunk-size 20 --rate 0 --concurrency 64 --timeout 1 --retries 30 \
    --report "$sk_r" --progress never "$T/fleet-$sk_n.csv" \
    > "$T/out" 2> "$T/err" || sk_rc=$?
  sim_stop
  [ "$sk_rc" -eq 0 ] || [ "$sk_rc" -eq 1 ] ||
    { tail -n 20 "$T/err" >&2; fail "$sk_mode $sk_n: run exited $sk_rc, expected 0 or 1"; }
  check_report "$sk_r"
  _ok=$(count_desktops ok "$sk_r")
  _failed=$(count_desktops failed "$sk_r")
  _skipped=$(count_desktops skipped "$sk_r")
  [ $((_ok + _failed + _skipped)) -eq "$sk_n" ] ||
    fail "$sk_mode $sk_n: $_ok ok + $_failed failed + $_skipped skipped is not $sk_n"
  [ "$_skipped" -eq 0 ] || fail "$sk_mode $sk_n: $_skipped desktops skipped (the run stopped?)"
  [ "$(jq -r 'select(.type=="summary") | .exit_code' "$sk_r")" -eq "$sk_rc" ] ||
    fail "$sk_mode $sk_n: the summary's exit_code is not the exit code $sk_rc"
  [ "$(simstat .violations_total)" -eq 0 ] ||
    fail "$sk_mode $sk_n: protocol violations: $(jq -c .violations "$T/stats.json")"
  if [ "$sk_mode" = client ]; then
    [ "$sk_rc" -eq 0 ] || { tail -n 20 "$T/err" >&2; fail "client $sk_n: exit $sk_rc, expected 0"; }
    [ "$_ok" -eq "$sk_n" ] || fail "client $sk_n: $_ok ok, not $sk_n"
    rebooted_once_each "$sk_n"
  else
    [ "$(simstat .desktops_rebooted)" -ge "$_ok" ] ||
      fail "admin $sk_n: $_ok ok but the simulator rebooted $(simstat .desktops_rebooted)"
  fi
  # The faults really happened (throttling depends on the speed the
  # machine allows, a sanitizer build may stay below --qps: counted only).
  for sk_o in error reset lost garbage html_ok; do
    [ "$(simstat ".calls.RebootDesktops.$sk_o // 0")" -gt 0 ] ||
      fail "$sk_mode $sk_n: the simulator injected no '$sk_o'"
  done
  _rss=$(awk -F': ' '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$T/time")
  _wall=$(awk -F': ' '/Elapsed/ { n = split($2, p, ":"); w = 0
                      for (i = 1; i <= n; i++) w = w * 60 + p[i]
                      printf "%.1f", w }' "$T/time")
  _cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 }
                     END { printf "%.1f", u + s }' "$T/time")
  printf '%-6s %7d  ok %7d  failed %5d  calls %6d  throttled %5d  max reboots %d  wall %6ss  CPU %5ss  peak RSS %6s MB\n' \
    "$sk_mode" "$sk_n" "$_ok" "$_failed" "$(simstat .calls_total)" \
    "$(simstat '.calls.RebootDesktops.throttled // 0')" \
    "$(simstat .max_reboots_per_desktop)" "$_wall" "$_cpu" "$_rss"
  rm -f "$sk_r" "$T/fleet-$sk_n.csv"
}

note "soak: every fault at once, --rate 0 --concurrency 64 --timeout 1, chunks of 20"
for m in $MODES; do
  for n in $SIZES; do
    soak "$m" "$n"
  done
done
