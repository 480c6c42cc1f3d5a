# Interleaved comparison on the overhead benchmark's work (see README.md).
#
#   sh tests/bench/overhead_ab.sh BUILD_DIR RUNS CLIENT...
#
# Each CLIENT is a wuying-reboot binary, or floor_client (built from
# floor_client.c) when its file name contains "floor".  Round after round,
# every client does the same 20,000 one-desktop calls (--rate 0
# --concurrency 64, no latency) against a fresh BUILD_DIR/ecd-sim; then each
# client's median CPU-s (user + sys) per 1,000 calls and calls/s.  On a
# shared machine the load drifts within minutes: only clients measured in
# the same rounds can be compared.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/integration/run_lib.sh"
run_setup "$1"
RUNS=$2
shift 2
[ "$#" -ge 1 ] || fail "usage: overhead_ab.sh BUILD_DIR RUNS CLIENT..."
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (make deps)"

median()
{
  sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

: > "$T/res"
i=0
while [ "$i" -lt "$RUNS" ]; do
  i=$((i + 1))
  k=0
  for c in "$@"; do
    k=$((k + 1))
    rm -f "$T/ab.jsonl"
    SIM_NOLOG=1
    sim_start --desktops 20000 --seed $((200 + i)) --write-fleet "$T/ab.csv"
    wait_fleet "$T/ab.csv" 20000
    case $(basename "$c") in
      *floor*) /usr/bin/time -f "%e %U %S" -o "$T/ab.time" "$c" "$PORT" \
                 "$T/ab.csv" 20000 64 > "$T/ab.out" 2>&1 ;;
      *) /usr/bin/time -f "%e %U %S" -o "$T/ab.time" "$c" run \
           --endpoint "$ENDPOINT" --report "$T/ab.jsonl" --progress never \
           --chunk-size 1 --rate 0 --concurrency 64 "$T/ab.csv" \
           > "$T/ab.out" 2>&1 ;;
    esac || { tail -n 5 "$T/ab.out" >&2; fail "$c failed"; }
    sim_stop
    SIM_NOLOG=
    awk -v k="$k" '{ printf "%d %.4f %.0f\n", k, ($2 + $3) / 20, 20000 / $1 }' \
      "$T/ab.time" >> "$T/res"
  done
done
k=0
for c in "$@"; do
  k=$((k + 1))
  cpu=$(awk -v k="$k" '$1 == k { print $2 }' "$T/res" | median)
  cps=$(awk -v k="$k" '$1 == k { print $3 }' "$T/res" | median)
  runs=$(awk -v k="$k" '$1 == k { printf "%s ", $2 }' "$T/res")
  echo "$c: median $cpu CPU-s per 1,000 calls, $cps calls/s (runs: $runs)"
done
