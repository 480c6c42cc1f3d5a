#!/bin/sh
# run.sh [BUILD_DIR]: static analysis of every C file the build compiles
# (src/, the sim, the unit tests), from BUILD_DIR/compile_commands.json:
# cppcheck, then clang's static analyzer, file by file.  Zero findings is
# the only pass: a false positive is suppressed where it stands, with the
# reason (cppcheck: a "cppcheck-suppress <id> ; why" comment on the line
# before; clang: restructure the code).  `make analyze`, part of
# `make test`.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
JOBS=${JOBS:-$(nproc 2> /dev/null || echo 2)}
CLANG=${CLANG:-clang}

# One file under clang --analyze: run.sh --one BUILD_DIR INDEX.
if [ "${1:-}" = --one ]; then
  CDB="$2/compile_commands.json"
  dir=$(jq -r ".[$3].directory" "$CDB")
  file=$(jq -r ".[$3].file" "$CDB")
  cmd=$(jq -r ".[$3] | if .arguments then (.arguments | @sh) else .command end" "$CDB")
  cd "$dir"
  # The compile command without the compiler, the output and -c; -Werror
  # off so that every finding is reported, not the first.
  eval "set -- $cmd"
  shift
  left=$#
  skip=0
  while [ "$left" -gt 0 ]; do
    a=$1
    shift
    left=$((left - 1))
    if [ "$skip" = 1 ]; then
      skip=0
      continue
    fi
    case "$a" in
      -o) skip=1 ;;
      -c | -Werror | -fsanitize=* | -fno-sanitize-recover=*) ;;
      *) set -- "$@" "$a" ;;
    esac
  done
  # gcc's warning options clang does not know are no finding.
  out=$("$CLANG" --analyze -o /dev/null -Wno-unknown-warning-option \
    -Xanalyzer -analyzer-output=text \
    -Xanalyzer -analyzer-checker=optin.portability.UnixAPI \
    -Xanalyzer -analyzer-checker=security.FloatLoopCounter \
    -Xanalyzer -analyzer-checker=valist \
    "$@" 2>&1) || { echo "$file: clang --analyze failed"; echo "$out"; exit 1; }
  if printf '%s\n' "$out" | grep -q 'warning:'; then
    printf '%s\n' "$out"
    exit 1
  fi
  exit 0
fi

BUILD=$(cd "${1:-$SRC/build}" && pwd)
CDB="$BUILD/compile_commands.json"
for tool in cppcheck "$CLANG" jq; do
  if ! command -v "$tool" > /dev/null 2>&1; then
    echo "analyze: $tool not found (make deps installs it)"
    exit 1
  fi
done
[ -f "$CDB" ] || { echo "analyze: no $CDB (configure the build first)"; exit 1; }
n=$(jq length "$CDB")
fails=0

# Any output is a finding: with -q cppcheck prints nothing else, and a
# file it gave up on ("bailing out") was not checked.
echo "analyze: cppcheck, $n files"
out=$(cppcheck --project="$CDB" -j "$JOBS" -q --inline-suppr \
  --error-exitcode=1 --enable=warning,portability,performance \
  --library=posix --template='{file}:{line}: {severity}: {message} [{id}]' \
  2>&1) || fails=1
if [ -n "$out" ] || [ "$fails" != 0 ]; then
  printf '%s\n' "$out"
  echo "analyze: cppcheck found the above"
  fails=1
fi

echo "analyze: clang --analyze, $n files"
if ! seq 0 $((n - 1)) | xargs -P "$JOBS" -n 1 sh "$HERE/run.sh" --one "$BUILD"; then
  echo "analyze: clang's analyzer found the above"
  fails=1
fi

[ "$fails" = 0 ] || exit 1
echo "analyze: no findings"
