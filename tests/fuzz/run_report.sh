#!/bin/sh
# run_report.sh [SECONDS]: build the report reader fuzz target with clang's
# libFuzzer and AddressSanitizer/UBSan and run it (default 60 s) on a
# corpus seeded from samples/sample-report.jsonl.  Needs clang; not part
# of `make test`.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT="$HERE/out"
# every room of src/ on the include path (the rooms are in src/CMakeLists.txt)
INC=$(for d in "$SRC"/src/*/; do printf -- '-I%s ' "${d%/}"; done)
SECONDS_TO_RUN=${1:-60}
mkdir -p "$OUT/corpus_report"
command -v clang > /dev/null || { echo "clang is needed"; exit 1; }
# shellcheck disable=SC2086
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -std=c11 \
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DWR_VERSION=\"fuzz\" \
  $INC "$HERE/fuzz_report.c" "$SRC/src/journal/report_read.c" "$SRC/src/journal/journal.c" \
  "$SRC/src/journal/report_read_rec.c" "$SRC/src/journal/report_read_tree.c" "$SRC/src/base/idset.c" "$SRC/src/audit/audit.c" \
  "$SRC/src/audit/audit_esc.c" "$SRC/src/audit/audit_text.c" "$SRC/src/audit/audit_md.c" \
  "$SRC/src/audit/audit_csv.c" "$SRC/src/audit/audit_json.c" "$SRC/src/audit/audit_html.c" \
  "$SRC/src/base/clock.c" "$SRC/src/base/buf.c" "$SRC/src/base/err.c" "$SRC/src/base/log.c" \
  -lcjson -luv -lcrypto -lm -o "$OUT/fuzz_report"
S="$SRC/samples/sample-report.jsonl"
cp "$S" "$OUT/corpus_report/sample"
head -n 25 "$S" > "$OUT/corpus_report/interrupted"
{ head -n 30 "$S"; printf '{"type":"chunk","chu'; } > "$OUT/corpus_report/torn"
"$OUT/fuzz_report" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 \
  -artifact_prefix="$OUT/" "$OUT/corpus_report"
