#!/bin/sh
# run.sh [SECONDS]: build the fuzz targets with clang's libFuzzer and
# AddressSanitizer/UBSan and run each (default 60 s): fuzz_ingest and
# fuzz_plan on a corpus seeded from samples/, fuzz_job on jobs/.  Needs
# clang; not part of `make test`.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT="$HERE/out"
# every room of src/ on the include path (the rooms are in src/CMakeLists.txt)
INC=$(for d in "$SRC"/src/*/; do printf -- '-I%s ' "${d%/}"; done)
SECONDS_TO_RUN=${1:-60}
mkdir -p "$OUT/corpus"
command -v clang > /dev/null || { echo "clang is needed"; exit 1; }
# shellcheck disable=SC2086
clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DWR_VERSION=\"fuzz\" \
  $INC "$HERE/fuzz_ingest.c" "$SRC/src/input/ingest.c" \
  "$SRC/src/input/ingest_csv.c" "$SRC/src/input/ingest_jsonl.c" "$SRC/src/base/buf.c" \
  "$SRC/src/base/err.c" -lcsv -lcjson -lcrypto -o "$OUT/fuzz_ingest"
for f in "$SRC"/samples/*.csv "$SRC"/samples/*.jsonl; do
  name=$(basename "$f")
  case "$f" in *.jsonl) p='\001' ;; *) p='\000' ;; esac
  { printf "$p"; head -c 4000 "$f"; } > "$OUT/corpus/$name"
done
"$OUT/fuzz_ingest" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 \
  -artifact_prefix="$OUT/" "$OUT/corpus"

# fuzz_job needs the whole core (config -> creds, plan, cli_help ...).
core=$(ls "$SRC"/src/*/*.c | grep -v -e '/main.c$' -e '/sim/')
# shellcheck disable=SC2086
clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DWR_VERSION=\"fuzz\" \
  $INC "$HERE/fuzz_job.c" $core \
  -luv -lcurl -lcsv -lcjson -lcrypto -lm -o "$OUT/fuzz_job"
# shellcheck disable=SC2086
clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DWR_VERSION=\"fuzz\" \
  $INC "$HERE/fuzz_plan.c" $core \
  -luv -lcurl -lcsv -lcjson -lcrypto -lm -o "$OUT/fuzz_plan"
mkdir -p "$OUT/corpus-job"
cp "$SRC"/jobs/*.json "$OUT/corpus-job/"
"$OUT/fuzz_job" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 \
  -artifact_prefix="$OUT/job-" "$OUT/corpus-job"
"$OUT/fuzz_plan" -max_total_time="$SECONDS_TO_RUN" -max_len=8192 \
  -artifact_prefix="$OUT/plan-" "$OUT/corpus"
rm -f /tmp/fuzz-plan-*
