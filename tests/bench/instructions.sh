# Instructions per call, counted by valgrind (see README.md here): the one
# overhead figure this shared 2-core machine cannot blur.
#
#   sh tests/bench/instructions.sh BUILD_DIR [CALLS] [CLIENT...]
#
# Each CLIENT (default: BUILD_DIR/wuying-reboot and floor_client, built
# from floor_client.c) makes CALLS (default 5,000) one-desktop calls,
# --rate 0 --concurrency 64, against a fresh ecd-sim, under
# `valgrind --tool=callgrind`; printed: user-space instructions in all,
# per call, and per shared object.  Counts include start-up (dynamic
# linking, OpenSSL's set-up, reading the fleet), which more calls dilute.
# valgrind does not use the CPU's SHA extensions, so SHA-256 counts more
# here than it costs on the machine.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/integration/run_lib.sh"
run_setup "${1:-build}"
CALLS=${2:-5000}
shift $(($# >= 2 ? 2 : $#))
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
command -v valgrind >/dev/null 2>&1 ||
  fail "valgrind is missing (apt-get install valgrind)"
command -v callgrind_annotate >/dev/null 2>&1 ||
  fail "callgrind_annotate is missing (apt-get install valgrind)"
if [ "$#" -eq 0 ]; then
  cc -O2 -o "$T/floor_client" "$SRC/tests/bench/floor_client.c" -lcurl -luv ||
    fail "cannot build floor_client.c"
  set -- "$WR" "$T/floor_client"
fi

for c in "$@"; do
  SIM_NOLOG=1
  sim_start --desktops "$CALLS" --seed 201 --write-fleet "$T/fleet.csv"
  wait_fleet "$T/fleet.csv" "$CALLS"
  rm -f "$T/cg.out" "$T/r.jsonl"
  case $(basename "$c") in
    *floor*) valgrind --tool=callgrind --callgrind-out-file="$T/cg.out" \
               "$c" "$PORT" "$T/fleet.csv" "$CALLS" 64 > "$T/c.out" 2>&1 ;;
    *) valgrind --tool=callgrind --callgrind-out-file="$T/cg.out" \
         "$c" run --endpoint "$ENDPOINT" --report "$T/r.jsonl" \
         --progress never --chunk-size 1 --rate 0 --concurrency 64 \
         "$T/fleet.csv" > "$T/c.out" 2>&1 ;;
  esac || { tail -n 5 "$T/c.out" >&2; fail "$c failed"; }
  sim_stop
  SIM_NOLOG=
  [ "$(simstat .calls_total)" -eq "$CALLS" ] ||
    fail "$c: the simulator saw $(simstat .calls_total) calls, not $CALLS"
  total=$(awk '/^summary:/ { print $2 }' "$T/cg.out")
  echo "$c: $total instructions, $((total / CALLS)) per call"
  # Self cost by shared object, largest first.
  callgrind_annotate --inclusive=no --threshold=100 "$T/cg.out" 2>/dev/null |
    sed -n -E 's/^ *([0-9,]+) \([ 0-9.]+%\)  [^ ].*\[(.*)\]$/\1 \2/p' |
    tr -d ',' | awk -v n="$CALLS" '{ s[$2] += $1 }
      END { for (k in s) if (s[k] / n >= 500)
              printf "  %8d per call  %s\n", s[k] / n, k }' | sort -rn
done
