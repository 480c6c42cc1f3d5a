#!/bin/sh
# Both programs are hardened (CMake option WR_HARDEN, on by default): a
# position-independent executable (ELF type DYN), full RELRO (a GNU_RELRO
# segment and BIND_NOW), stack canaries (__stack_chk_fail referenced) and,
# in an optimised build, FORTIFY_SOURCE (some __*_chk function used).
# The build type comes from BUILD_DIR/CMakeCache.txt: a Debug or ASan
# build has no FORTIFY (it needs optimisation) and that check is skipped.
# Args: BUILD_DIR SOURCE_DIR.
set -u
BUILD=$1
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# binutils comes with gcc: without readelf nothing here could be checked.
if ! command -v readelf > /dev/null 2>&1; then
  echo "FAIL: readelf not found (install binutils)"
  exit 1
fi

cache_get() {
  sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt" 2> /dev/null | head -n 1
}
build_type=$(cache_get CMAKE_BUILD_TYPE)
sanitize=$(cache_get WR_SANITIZE)
harden=$(cache_get WR_HARDEN)
case "$harden" in
  OFF | off | 0 | NO | no | FALSE | false)
    echo "SKIP: configured with WR_HARDEN=$harden"
    exit 0
    ;;
esac
no_fortify=""
case "$build_type" in
  Release | RelWithDebInfo | MinSizeRel) ;;
  *) no_fortify="build type '${build_type:-none}' is not optimised" ;;
esac
case "$sanitize" in
  ON | on | 1 | YES | yes | TRUE | true)
    no_fortify="a sanitizer build (WR_SANITIZE=$sanitize)"
    ;;
esac

for prog in wuying-reboot ecd-sim; do
  bin="$BUILD/$prog"
  if [ ! -f "$bin" ]; then
    fail "$bin: not built"
    continue
  fi
  header=$(readelf -hW "$bin") || { fail "$prog: readelf -h failed"; continue; }
  segments=$(readelf -lW "$bin") || { fail "$prog: readelf -l failed"; continue; }
  dynamic=$(readelf -dW "$bin") || { fail "$prog: readelf -d failed"; continue; }
  symbols=$(readelf -sW --dyn-syms "$bin") || { fail "$prog: readelf -s failed"; continue; }
  before=$fails

  echo "$header" | grep -Eq '^ *Type: *DYN' ||
    fail "$prog: not PIE ($(echo "$header" | grep -E '^ *Type:' | tr -s ' '))"
  echo "$segments" | grep -q 'GNU_RELRO' ||
    fail "$prog: no GNU_RELRO segment (link with -z relro)"
  echo "$dynamic" | grep -Eq '\(FLAGS\) +.*BIND_NOW|\(FLAGS_1\) +.*NOW' ||
    fail "$prog: no BIND_NOW (link with -z now)"
  echo "$symbols" | grep -q ' __stack_chk_fail' ||
    fail "$prog: __stack_chk_fail not referenced (-fstack-protector-strong)"
  if [ -z "$no_fortify" ]; then
    chk=$(echo "$symbols" | grep -oE ' __[a-z0-9_]+_chk(@| |$)' | tr -d ' @' | sort -u | tr '\n' ' ')
    if [ -n "$chk" ]; then
      echo "ok: $prog: FORTIFY_SOURCE ($chk)"
    else
      fail "$prog: no fortified __*_chk function (-D_FORTIFY_SOURCE=2)"
    fi
  fi
  [ "$fails" -eq "$before" ] &&
    echo "ok: $prog: PIE, RELRO, BIND_NOW, stack protector"
done
if [ -n "$no_fortify" ]; then
  echo "SKIP (the FORTIFY_SOURCE check only): $no_fortify"
fi

if [ "$fails" -ne 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "hardening: ok (build type ${build_type:-none})"
