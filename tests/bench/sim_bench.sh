#!/bin/sh
# Throughput of ecd-sim with no injected latency, measured with wrk (Debian
# package "wrk"), in two modes:
#  client: sim_wrk.lua, client-API RebootDesktops (anonymous, so wrk builds
#          it) with a fresh SignatureNonce and ClientToken per call;
#  v3:     sim_wrk_signed.lua, admin RebootDesktops signed ACS3-HMAC-SHA256
#          by the project's request builder beforehand (sim-client --dump),
#          each with its own nonce.
# Every call takes the whole path (checks, signature, nonce and token
# memories, state machine, stats) and must be answered 200.  Prints each
# run and the median of RUNS runs per mode.
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

median()
{
  tr ' ' '\n' | grep . | sort -n |
    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

for mode in client v3; do
  rates=""
  for run in $(seq "$RUNS"); do
    # A fresh sim per run: a run's nonces would be replays in the next.
    "$BUILD/ecd-sim" --port 0 --desktops 50000 --regions cn-hangzhou \
      --reboot-ms 0 --write-fleet "$T/fleet.csv" >"$T/port" 2>/dev/null &
    PID=$!
    i=0
    while [ ! -s "$T/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    port=$(head -n 1 "$T/port")
    if [ "$mode" = client ]; then
      SIM_FLEET="$T/fleet.csv" SIM_CALLS=$((SECS * 60000)) wrk -t2 -c"$CONNS" -d"${SECS}s" \
        -s "$HERE/sim_wrk.lua" "http://127.0.0.1:$port/" >"$T/wrk"
    else
      # 100,000 signed calls a second of run: more than the sim can take.
      "$BUILD/tests/sim/sim-client" --endpoint "http://127.0.0.1:$port" \
        --dump $((SECS * 100000)) \
        --ids "$(tail -n +2 "$T/fleet.csv" | cut -d, -f1 | head -n 5000 |
                 paste -sd, -)" >"$T/requests"
      SIM_REQUESTS="$T/requests" wrk -t2 -c"$CONNS" -d"${SECS}s" \
        -s "$HERE/sim_wrk_signed.lua" "http://127.0.0.1:$port/" >"$T/wrk"
    fi
    rate=$(awk '/Requests\/sec/ { print $2 }' "$T/wrk")
    "$BUILD/tests/sim/sim-client" --endpoint "http://127.0.0.1:$port" --get /__stats >"$T/stats"
    ok=$(jq .calls.RebootDesktops.ok "$T/stats")
    total=$(jq .calls_total "$T/stats")
    echo "$mode run $run: $rate calls/s ($ok answered 200 of $total)"
    if [ "$ok" != "$total" ]; then
      echo "unexpected outcomes: $(jq -c '[.calls, .violations]' "$T/stats")"
      exit 1
    fi
    rates="$rates $rate"
    kill "$PID"
    wait "$PID"
    PID=
    rm -f "$T/port" "$T/requests"
  done
  echo "$mode median: $(echo "$rates" | median) calls/s" \
    "(wrk -t2 -c$CONNS -d${SECS}s, $RUNS runs)"
done
