# Benchmarks of `wuying-reboot run` against ecd-sim (see README.md here).
#
#   sh tests/bench/run_bench.sh BUILD_DIR
#     [rate|overhead|floor|rss|chunk20|quota|quota-step|all] [RUNS]
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
# chunk20   400,000 desktops in 20-ID chunks (about 20,000 calls), --rate 0
#           --concurrency 64, plan, report and V3 signing included, against
#           floor_client doing the same chunks (client API, 20 IDs a call)
#           in the same rounds (tool, then floor, each against a fresh
#           simulator): CPU-s of each, their ratio, the tool's peak RSS.
#           Targets: <= 1.3 times the floor's CPU, <= 32 MB.  Needs cc.
# quota     ecd-sim --qps Q (Q = 10, 30, 100) under each --qps-model
#           (accepted, all), --rate 2Q and 5Q, max(600, 20 Q) one-desktop
#           calls, latency 20 ms: the share of Q used, (accepted - 1) /
#           (Q x (last - first accepted arrival)), and the throttled share
#           of the calls.  Targets: >= 95%, <= 3%.  About 7 min a run.
# quota-step  --qps-schedule 50@0,20@20,50@40, --rate 100 and 250, 2,600
#           calls, both models: seconds until the throttling after the
#           drop stops (target <= 5) and until a second holds 95% of the
#           risen quota (target <= 15).  About 4 min a run.
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

bench_chunk20()
{
  note "chunk20: 400,000 desktops in chunks of 20, --rate 0 --concurrency 64," \
    "tool and floor_client in the same rounds ($RUNS rounds)"
  cc -O2 -o "$T/floor_client" "$SRC/tests/bench/floor_client.c" -lcurl -luv ||
    fail "cannot build floor_client.c"
  : > "$T/c20.res"
  i=0
  while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    SIM_NOLOG=1
    sim_start --desktops 400000 --seed $((600 + i)) \
      --write-fleet "$T/c20-fleet.csv"
    wait_fleet "$T/c20-fleet.csv" 400000
    timed_run c20-$i --rate 0 --concurrency 64 "$T/c20-fleet.csv"
    sim_stop
    calls=$(simstat .calls_total)
    tcpu=$CPU; twall=$WALL; trss=$RSS
    sim_start --desktops 400000 --seed $((600 + i)) \
      --write-fleet "$T/c20-fleet.csv"
    wait_fleet "$T/c20-fleet.csv" 400000
    /usr/bin/time -v -o "$T/c20f.time" "$T/floor_client" "$PORT" \
      "$T/c20-fleet.csv" 0 64 20 > "$T/c20f.out" 2>&1 ||
      { cat "$T/c20f.out" >&2; fail "floor_client failed"; }
    sim_stop
    fcalls=$(simstat .calls_total)
    SIM_NOLOG=
    fcpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 }
                       END { printf "%.3f", u + s }' "$T/c20f.time")
    frss=$(awk -F': ' '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$T/c20f.time")
    ratio=$(awk -v a="$tcpu" -v b="$fcpu" 'BEGIN { printf "%.2f", a / b }')
    echo "$tcpu $fcpu $ratio $trss" >> "$T/c20.res"
    note "  round $i: tool $calls calls, CPU ${tcpu}s, wall ${twall}s," \
      "peak RSS ${trss} MB; floor $fcalls calls, CPU ${fcpu}s," \
      "peak RSS ${frss} MB ($(cat "$T/c20f.out")); ratio $ratio"
  done
  echo "chunk20: median tool CPU $(awk '{ print $1 }' "$T/c20.res" | median) s," \
    "floor CPU $(awk '{ print $2 }' "$T/c20.res" | median) s," \
    "ratio $(awk '{ print $3 }' "$T/c20.res" | median) (target <= 1.3)," \
    "tool peak RSS $(awk '{ print $4 }' "$T/c20.res" | median) MB (target <= 32)"
}

# sim_calls ACTION: "MS OUTCOME" lines of the simulator's log, arrival order.
sim_calls()
{
  jq -r --arg a "$1" 'select(.action == $a) | "\(.time) \(.outcome)"' \
    "$T/sim.log" |
    awk -F'[T:Z ]' '{ printf "%.0f %s\n", ($2 * 3600 + $3 * 60 + $4) * 1000, $6 }'
}

bench_quota()
{
  note "quota: --qps Q, both models, --rate 2Q and 5Q, latency 20 ms ($RUNS runs)"
  for model in accepted all; do
    for q in 10 30 100; do
      for x in 2 5; do
        r=$((q * x))
        n=$((q * 20)); [ "$n" -ge 600 ] || n=600
        : > "$T/q.used"; : > "$T/q.thr"
        i=0
        while [ "$i" -lt "$RUNS" ]; do
          i=$((i + 1))
          sim_start --desktops "$n" --seed $((400 + i)) --qps "$q" \
            --qps-model "$model" --write-fleet "$T/q-fleet.csv" --latency-ms 20
          wait_fleet "$T/q-fleet.csv" "$n"
          timed_run "quota-$model-$r-$i" --chunk-size 1 --rate "$r" --concurrency 32 \
            "$T/q-fleet.csv"
          sim_stop
          set -- $(sim_calls RebootDesktops | awk -v Q="$q" -f "$SRC/tests/bench/quota_stats.awk")
          echo "$2" >> "$T/q.used"; echo "$4" >> "$T/q.thr"
          note "  $model Q $q R $r run $i: used $2% of Q, throttled $4%," \
            "$6 accepted over $8 s, busiest window $(simstat .max_calls_per_second_by_action.RebootDesktops)"
        done
        echo "quota: model $model Q $q --rate $r: median used $(median < "$T/q.used")% of Q" \
          "(target >= 95), throttled $(median < "$T/q.thr")% (target <= 3)"
      done
    done
  done
}

bench_quota_step()
{
  note "quota-step: --qps-schedule 50@0,20@20,50@40, both models ($RUNS runs)"
  for model in accepted all; do
    for r in 100 250; do
      : > "$T/qs.stop"; : > "$T/qs.reach"
      i=0
      while [ "$i" -lt "$RUNS" ]; do
        i=$((i + 1))
        sim_start --desktops 2600 --seed $((500 + i)) --qps-schedule \
          50@0,20@20,50@40 --qps-model "$model" \
          --write-fleet "$T/qs-fleet.csv" --latency-ms 20
        wait_fleet "$T/qs-fleet.csv" 2600
        timed_run "qstep-$model-$r-$i" --chunk-size 1 --rate "$r" --concurrency 32 \
          "$T/qs-fleet.csv"
        sim_stop
        set -- $(sim_calls RebootDesktops | awk -v Q=50 -v LOW=20 \
          -v DROP=20000 -v RISE=40000 -f "$SRC/tests/bench/quota_stats.awk")
        echo "$2" >> "$T/qs.stop"; echo "$4" >> "$T/qs.reach"
        note "  $model R $r run $i: throttling stopped $2 s after the drop" \
          "($6 throttles from 5 s after it to the rise), 95% of 50 reached" \
          "$4 s after the rise"
      done
      echo "quota-step: model $model --rate $r: median stop $(median < "$T/qs.stop") s" \
        "(target <= 5), reach $(median < "$T/qs.reach") s (target <= 15)"
    done
  done
}

case $WHAT in
  rate) bench_rate ;;
  overhead) bench_overhead ;;
  floor) bench_floor ;;
  rss) bench_rss ;;
  chunk20) bench_chunk20 ;;
  quota) bench_quota ;;
  quota-step) bench_quota_step ;;
  all) bench_rate; bench_overhead; bench_rss ;;
  *) fail "unknown benchmark '$WHAT' (rate, overhead, floor, rss, chunk20, quota, quota-step or all)" ;;
esac
