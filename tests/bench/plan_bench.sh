#!/bin/sh
# plan_bench.sh BUILD_DIR [RUNS]: time `plan` on a generated 1,000,000-row
# fleet CSV (six regions, 1% duplicate rows, 0.1% bad rows) and print the
# median wall time and peak RSS of RUNS runs (default 5).
# Target on the 2-core reference machine: <= 0.5 s and <= 100 MB.
# Not part of the test suite (it is a measurement, and the machine may be
# busy); run it by hand.  CPU time is printed too: it is what a busy
# machine inflates least.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/out"
CSV="$OUT/fleet-1m.csv"
WR="$BUILD/wuying-reboot"

[ -x "$WR" ] || { echo "no $WR: build first (make build)"; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install time"; exit 1; }
mkdir -p "$OUT"
if [ ! -s "$CSV" ]; then
  echo "generating $CSV ..."
  awk -v rows=1000000 -f "$HERE/plan_gen.awk" > "$CSV.tmp"
  mv "$CSV.tmp" "$CSV"
fi
echo "input: $CSV ($(wc -c < "$CSV") bytes, $(($(wc -l < "$CSV") - 1)) rows)"
# warm the page cache so the runs measure parsing, not the disk
cat "$CSV" > /dev/null

i=0
: > "$OUT/times"
while [ "$i" -lt "$RUNS" ]; do
  /usr/bin/time -f "%e %M %U %S" -o "$OUT/time.$i" "$WR" plan "$CSV" > "$OUT/plan.txt"
  cat "$OUT/time.$i" >> "$OUT/times"
  i=$((i + 1))
done
head -n 1 "$OUT/plan.txt"
echo "command: $WR plan $CSV   (x$RUNS)"
echo "runs (wall s, peak RSS KB, user s, sys s):"
sed 's/^/  /' "$OUT/times"
wall=$(sort -n -k1,1 "$OUT/times" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
rss=$(sort -n -k2,2 "$OUT/times" | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }')
cpu=$(awk '{ print $3 + $4 }' "$OUT/times" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "median: wall ${wall} s, peak RSS $((rss / 1024)) MB (${rss} KB), CPU (user+sys) ${cpu} s"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (others' work inflates wall time)"
awk -v w="$wall" -v r="$rss" 'BEGIN {
  ok = (w <= 0.5 && r <= 100 * 1024)
  print ok ? "within target (<= 0.5 s, <= 100 MB)" : "OVER target (<= 0.5 s, <= 100 MB)"
}'
