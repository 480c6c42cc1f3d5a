#!/bin/sh
# run.sh [SECONDS]: build the ingest fuzz target with clang's libFuzzer and
# AddressSanitizer/UBSan and run it (default 60 s) on a corpus seeded from
# samples/.  Needs clang; not part of `make test`.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT="$HERE/out"
SECONDS_TO_RUN=${1:-60}
mkdir -p "$OUT/corpus"
command -v clang > /dev/null || { echo "clang is needed"; exit 1; }
clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DWR_VERSION=\"fuzz\" \
  -I"$SRC/src" "$HERE/fuzz_ingest.c" "$SRC/src/ingest.c" \
  "$SRC/src/ingest_csv.c" "$SRC/src/ingest_jsonl.c" "$SRC/src/buf.c" \
  "$SRC/src/err.c" -lcsv -lcjson -lcrypto -o "$OUT/fuzz_ingest"
for f in "$SRC"/samples/*.csv "$SRC"/samples/*.jsonl; do
  name=$(basename "$f")
  case "$f" in *.jsonl) p='\001' ;; *) p='\000' ;; esac
  { printf "$p"; head -c 4000 "$f"; } > "$OUT/corpus/$name"
done
"$OUT/fuzz_ingest" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 \
  -artifact_prefix="$OUT/" "$OUT/corpus"
