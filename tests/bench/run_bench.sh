# Benchmarks of `wuying-reboot run` against ecd-sim (see README.md here).
#
#   sh tests/bench/run_bench.sh BUILD_DIR [rate|overhead|floor|rss|all] [RUNS]
#
# rate      5,000 one-desktop calls at --rate 200, simulator latency 50 ms:
#           achieved calls/s (first to last arrival at the simulator) and
#           the busiest sliding 1-second window.  Targets: >= 196/s, <= 201.
# overhead  20,000 one-desktop calls, --rate 0 --concurrency 64, no latency:
#           calls/s, client CPU seconds (user+sys) per 1,000 calls, peak
#           RSS.  Targets: >= 10,000 calls/s, <= 0.05 CPU-s per 1,000.
# floor     the overhead work done by floor_client.c, a minimal libcurl
#           multi-socket + libuv client (no signing, no report): what
#           libcurl and the kernel cost by themselves.  Needs cc.
# rss       100,000 desktops in chunks of 20 (5,000 calls), --rate 0
#           --concurrency 64: peak RSS.  Target: <= 32 MB.
# Each is run RUNS times (default 3) and the median printed.  Use a
# RelWithDebInfo build (build/), not the sanitizer one.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/integration/run_lib.sh"
run_setup "${1:-build}"
WHAT=${2:-all}
RUNS=${3:-3}
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (make deps)"

median()
{
  sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# timed_run NAME ARGS...: the run under /usr/bin/time -v; sets
# CPU (user+sys s), RSS (MB) and WALL (s).
timed_run()
{
  _name=$1
  shift
  _rc=0
  /usr/bin/time -v -o "$T/$_name.time" "$WR" run --endpoint "$ENDPOINT" \
    --report "$T/$_name.jsonl" --progress never "$@" \
    > "$T/$_name.out" 2> "$T/$_name.err" || _rc=$?
  [ "$_rc" -eq 0 ] || { tail -n 5 "$T/$_name.err" >&2; fail "$_name: exit $_rc"; }
  CPU=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 }
                    END { printf "%.3f", u + s }' "$T/$_name.time")
  RSS=$(awk -F': ' '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$T/$_name.time")
  WALL=$(awk -F': ' '/Elapsed/ { n = split($2, p, ":"); w = 0
                      for (i = 1; i <= n; i++) w = w * 60 + p[i]
                      printf "%.3f", w }' "$T/$_name.time")
}

bench_rate()
{
  note "rate: 5,000 calls at --rate 200, latency 50 ms ($RUNS runs)"
  : > "$T/rate.achieved"; : > "$T/rate.window"
  i=0
  while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    sim_start --desktops 5000 --seed $((100 + i)) \
      --write-fleet "$T/rate-fleet.csv" --latency-ms 50
    wait_fleet "$T/rate-fleet.csv" 5000
    timed_run rate$i --chunk-size 1 --rate 200 --concurrency 32 \
      "$T/rate-fleet.csv"
    sim_stop
    SIM_NOLOG=
    achieved=$(jq -r 'select(.action=="RebootDesktops") | .time' "$T/sim.log" |
      awk -F'[T:Z]' '{ ms = ($2 * 3600 + $3 * 60 + $4) * 1000
                       if (NR == 1) first = ms; last = ms }
                     END { span = last - first; if (span < 0) span += 86400000
                           printf "%.1f", (NR - 1) * 1000 / span }')
    window=$(simstat .max_calls_per_second)
    echo "$achieved" >> "$T/rate.achieved"
    echo "$window" >> "$T/rate.window"
    note "  run $i: achieved $achieved calls/s, busiest window $window," \
      "calls $(simstat .calls_total), wall ${WALL}s"
  done
  a=$(median < "$T/rate.achieved")
  w=$(sort -n "$T/rate.window" | tail -n 1)
  echo "rate: median achieved $a calls/s (target >= 196), worst busiest" \
    "window $w (target <= 201)"
}

bench_overhead()
{
  note "overhead: 20,000 calls, --rate 0 --concurrency 64, no latency ($RUNS runs)"
  : > "$T/ov.cps"; : > "$T/ov.cpu"; : > "$T/ov.rss"
  i=0
  while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    SIM_NOLOG=1
    sim_start --desktops 20000 --seed $((200 + i)) \
      --write-fleet "$T/ov-fleet.csv"
    wait_fleet "$T/ov-fleet.csv" 20000
    timed_run ov$i --chunk-size 1 --rate 0 --concurrency 64 "$T/ov-fleet.csv"
    sim_stop
    SIM_NOLOG=
    calls=$(simstat .calls_total)
    cps=$(awk -v c="$calls" -v w="$WALL" 'BEGIN { printf "%.0f", c / w }')
    per=$(awk -v c="$calls" -v t="$CPU" 'BEGIN { printf "%.4f", t * 1000 / c }')
    echo "$cps" >> "$T/ov.cps"; echo "$per" >> "$T/ov.cpu"; echo "$RSS" >> "$T/ov.rss"
    note "  run $i: $calls calls in ${WALL}s = $cps calls/s, CPU ${CPU}s" \
      "= $per CPU-s/1000 calls, peak RSS ${RSS} MB"
  done
  echo "overhead: median $(median < "$T/ov.cps") calls/s (target >= 10000)," \
    "$(median < "$T/ov.cpu") CPU-s per 1,000 calls (target <= 0.05)," \
    "peak RSS $(median < "$T/ov.rss") MB"
}

bench_floor()
{
  note "floor: floor_client, 20,000 calls, 64 in flight, no latency ($RUNS runs)"
  cc -O2 -o "$T/floor_client" "$SRC/tests/bench/floor_client.c" -lcurl -luv ||
    fail "cannot build floor_client.c"
  : > "$T/fl.cps"; : > "$T/fl.cpu"
  i=0
  while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    SIM_NOLOG=1
    sim_start --desktops 20000 --seed $((200 + i)) \
      --write-fleet "$T/fl-fleet.csv"
    wait_fleet "$T/fl-fleet.csv" 20000
    /usr/bin/time -v -o "$T/fl.time" "$T/floor_client" "$PORT" \
      "$T/fl-fleet.csv" 20000 64 > "$T/fl.out" 2>&1 ||
      { cat "$T/fl.out" >&2; fail "floor_client failed"; }
    sim_stop
    SIM_NOLOG=
    CPU=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 }
                      END { printf "%.3f", u + s }' "$T/fl.time")
    WALL=$(awk -F': ' '/Elapsed/ { n = split($2, p, ":"); w = 0
                        for (k = 1; k <= n; k++) w = w * 60 + p[k]
                        printf "%.3f", w }' "$T/fl.time")
    cps=$(awk -v w="$WALL" 'BEGIN { printf "%.0f", 20000 / w }')
    per=$(awk -v t="$CPU" 'BEGIN { printf "%.4f", t * 1000 / 20000 }')
    echo "$cps" >> "$T/fl.cps"; echo "$per" >> "$T/fl.cpu"
    note "  run $i: $(cat "$T/fl.out"), ${WALL}s = $cps calls/s," \
      "CPU ${CPU}s = $per CPU-s/1000 calls"
  done
  echo "floor: median $(median < "$T/fl.cps") calls/s," \
    "$(median < "$T/fl.cpu") CPU-s per 1,000 calls"
}

bench_rss()
{
  note "rss: 100,000 desktops, chunks of 20, --rate 0 --concurrency 64 ($RUNS runs)"
  : > "$T/rss.rss"
  i=0
  while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    SIM_NOLOG=1
    sim_start --desktops 100000 --seed $((300 + i)) \
      --write-fleet "$T/rss-fleet.csv"
    wait_fleet "$T/rss-fleet.csv" 100000
    timed_run rss$i --rate 0 --concurrency 64 "$T/rss-fleet.csv"
    sim_stop
    SIM_NOLOG=
    echo "$RSS" >> "$T/rss.rss"
    note "  run $i: $(simstat .calls_total) calls in ${WALL}s, CPU ${CPU}s," \
      "peak RSS ${RSS} MB"
  done
  echo "rss: median peak RSS $(median < "$T/rss.rss") MB for 100,000 desktops" \
    "(target <= 32)"
}

case $WHAT in
  rate) bench_rate ;;
  overhead) bench_overhead ;;
  floor) bench_floor ;;
  rss) bench_rss ;;
  all) bench_rate; bench_overhead; bench_rss ;;
  *) fail "unknown benchmark '$WHAT' (rate, overhead, floor, rss or all)" ;;
esac
