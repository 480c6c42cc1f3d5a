# Helpers for the ecd-sim integration tests (POSIX sh; sourced).
# Needs BUILD (the build dir) and T (a scratch dir) set by the caller.
# Every sim started here is stopped by sim_cleanup (trap it on EXIT).

FAILS=0

sim_cleanup()
{
  for p in $(cat "$T/pids" 2>/dev/null); do
    kill "$p" 2>/dev/null
  done
  rm -rf "$T"
}

fail()
{
  echo "FAIL: $*"
  FAILS=$((FAILS + 1))
}

# check DESCRIPTION ACTUAL EXPECTED
check()
{
  if [ "$2" = "$3" ]; then
    echo "ok: $1"
  else
    fail "$1: got '$2', expected '$3'"
  fi
}

# start_sim NAME ARGS...: ecd-sim --port 0 in $T/NAME; sets PORT, E, PID.
start_sim()
{
  name=$1
  shift
  mkdir -p "$T/$name"
  "$BUILD/ecd-sim" --port 0 "$@" >"$T/$name/out" 2>"$T/$name/err" &
  PID=$!
  echo "$PID" >>"$T/pids"
  echo "$PID" >"$T/$name/pid"
  i=0
  while [ ! -s "$T/$name/out" ] && [ $i -lt 200 ]; do
    if ! kill -0 "$PID" 2>/dev/null; then
      break
    fi
    sleep 0.05
    i=$((i + 1))
  done
  PORT=$(head -n 1 "$T/$name/out")
  if [ -z "$PORT" ]; then
    echo "FAIL: ecd-sim $name did not start:"
    cat "$T/$name/err"
    exit 1
  fi
  E="http://127.0.0.1:$PORT"
}

# stop_sim NAME: SIGTERM, wait, check the exit status is 0.
stop_sim()
{
  pid=$(cat "$T/$1/pid")
  kill -TERM "$pid"
  wait "$pid"
  check "ecd-sim $1 exits 0 on SIGTERM" "$?" 0
}

# Field helpers over sim-client's JSON lines.
status() { jq -r .status; }
code() { jq -r '.body | (fromjson? // {}) | .Code // "OK"'; }
rid() { jq -r '.body | (fromjson? // {}) | .RequestId // ""'; }

# ids FLEET REGION N [SKIP]: N IDs of REGION from a fleet CSV, comma-joined.
ids()
{
  awk -F, -v r="$2" 'NR > 1 && $2 == r { print $1 }' "$1" |
    tail -n +$((${4:-0} + 1)) | head -n "$3" | paste -sd, -
}
