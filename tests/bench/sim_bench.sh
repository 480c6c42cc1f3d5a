#!/bin/sh
# Throughput of ecd-sim with no injected latency, measured with wrk
# (Debian package "wrk") and tests/bench/sim_wrk.lua: client-API
# RebootDesktops calls, each with a fresh nonce and ClientToken, so every
# call takes the full path (checks, nonce and token memories, state
# machine, stats).  Prints each run and the median of RUNS runs.
# usage: sh tests/bench/sim_bench.sh [BUILD_DIR] [RUNS] [SECONDS] [CONNECTIONS]
set -u
BUILD=${1:-build}
RUNS=${2:-3}
SECS=${3:-5}
CONNS=${4:-32}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 2; }
T=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

rates=""
for run in $(seq "$RUNS"); do
  # A fresh sim per run: the nonces of a run are reused by the next one.
  "$BUILD/ecd-sim" --port 0 --desktops 50000 --regions cn-hangzhou \
    --reboot-ms 0 --write-fleet "$T/fleet.csv" >"$T/port" 2>/dev/null &
  PID=$!
  i=0
  while [ ! -s "$T/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
  port=$(head -n 1 "$T/port")
  SIM_FLEET="$T/fleet.csv" wrk -t2 -c"$CONNS" -d"${SECS}s" \
    -s "$HERE/sim_wrk.lua" "http://127.0.0.1:$port/" >"$T/wrk"
  rate=$(awk '/Requests\/sec/ { print $2 }' "$T/wrk")
  curl -s "http://127.0.0.1:$port/__stats" >"$T/stats"
  ok=$(jq .calls.RebootDesktops.ok "$T/stats")
  total=$(jq .calls_total "$T/stats")
  viol=$(jq .violations_total "$T/stats")
  echo "run $run: $rate calls/s ($ok ok of $total, $viol violations)"
  if [ "$ok" != "$total" ] || [ "$viol" != 0 ]; then
    echo "unexpected outcomes: $(jq -c .calls "$T/stats")"; exit 1
  fi
  rates="$rates $rate"
  kill "$PID"
  wait "$PID"
  PID=
  rm -f "$T/port"
done
median=$(echo "$rates" | tr ' ' '\n' | grep . | sort -n |
  awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "median: $median calls/s (wrk -t2 -c$CONNS -d${SECS}s, $RUNS runs)"
