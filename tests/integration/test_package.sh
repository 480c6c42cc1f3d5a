#!/bin/sh
# The .deb: built with CPack from this build (into a scratch directory, so
# it cannot race a build), unpacked with `dpkg -x` into a scratch root, and
# used from there: --version of both programs, the man page through
# `man -l`, the bash completion (loaded, and offering each command the
# options its --help lists), the example jobs planned from their folder.
# Args: BUILD_DIR SOURCE_DIR.
set -u
BUILD=$(cd "$1" && pwd)
LC_ALL=C
export LC_ALL
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fails=0

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

for tool in cpack dpkg dpkg-deb man; do
  command -v $tool > /dev/null 2>&1 || {
    echo "FAIL: $tool is missing (make deps)"
    exit 1
  }
done

# The package.
if ! cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$T/pkg" \
    > "$T/cpack.log" 2>&1; then
  cat "$T/cpack.log"
  echo "FAIL: cpack"
  exit 1
fi
DEB=$(ls "$T"/pkg/wuying-reboot_*.deb 2> /dev/null)
[ -n "$DEB" ] && [ -f "$DEB" ] || {
  cat "$T/cpack.log"
  echo "FAIL: no wuying-reboot_*.deb in $T/pkg"
  exit 1
}
VERSION=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' \
  "$BUILD/CPackConfig.cmake")
[ -n "$VERSION" ] || fail "no CPACK_PACKAGE_VERSION in CPackConfig.cmake"

field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = wuying-reboot ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$VERSION" ] || fail "Version: $(field Version)"
[ "$(field Section)" = admin ] || fail "Section: $(field Section)"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
field Description | grep -q 'WUYING' || fail "Description: $(field Description)"
deps=$(field Depends)
for p in libc6 libuv1 libcurl4 libssl3 libcsv3 libcjson1 libmicrohttpd12; do
  printf '%s\n' "$deps" | tr ',' '\n' | grep -Eq "^ *$p( |\$)" ||
    fail "Depends lacks $p: $deps"
done

# Installed into a scratch root.
R="$T/root"
dpkg -x "$DEB" "$R" || { echo "FAIL: dpkg -x"; exit 1; }
for f in usr/bin/wuying-reboot usr/bin/ecd-sim; do
  [ -x "$R/$f" ] || fail "$f is not installed"
done

out=$("$R/usr/bin/wuying-reboot" --version 2>&1)
rc=$?
[ $rc = 0 ] || fail "wuying-reboot --version: exit $rc"
printf '%s\n' "$out" | grep -q "wuying-reboot.*$VERSION" ||
  fail "wuying-reboot --version: \"$out\" lacks $VERSION"
out=$("$R/usr/bin/ecd-sim" --version 2>&1)
rc=$?
[ $rc = 0 ] || fail "ecd-sim --version: exit $rc: $out"

# The man page, read as `man` reads it.
MAN="$R/usr/share/man/man1/wuying-reboot.1"
if [ ! -f "$MAN" ]; then
  fail "no man page at usr/share/man/man1/wuying-reboot.1"
else
  MANWIDTH=80 man -l "$MAN" > "$T/man.txt" 2> "$T/man.err"
  rc=$?
  [ $rc = 0 ] || fail "man -l: exit $rc: $(cat "$T/man.err")"
  for word in NAME SYNOPSIS wuying-reboot plan run resume report; do
    grep -q "$word" "$T/man.txt" || fail "man page: no \"$word\""
  done
fi

# The bash completion.
COMP="$R/usr/share/bash-completion/completions/wuying-reboot"
if [ ! -f "$COMP" ]; then
  fail "no completion at usr/share/bash-completion/completions/wuying-reboot"
elif ! command -v bash > /dev/null 2>&1; then
  fail "bash is missing"
else
  out=$(bash -c '. "$1" && complete -p wuying-reboot' sh "$COMP" 2>&1)
  printf '%s\n' "$out" | grep -q -- '-F _wuying_reboot wuying-reboot' ||
    fail "complete -p wuying-reboot: \"$out\""
  # COMPREPLY for the words given, one a line, sorted.
  complete_words() {
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
             _wuying_reboot; printf "%s\n" "${COMPREPLY[@]}"' \
      sh "$COMP" "$@" | sort -u
  }
  complete_words wuying-reboot "" > "$T/cmds"
  for c in plan run resume report list; do
    grep -qx "$c" "$T/cmds" || fail "completion: no command $c"
  done
  # Each command: exactly the long options its --help lists (the lines
  # that start with an option).
  for c in plan run resume report list; do
    "$R/usr/bin/wuying-reboot" $c --help 2>&1 | grep -E '^ +-' |
      grep -oE -- '--[a-z][a-z-]*[a-z]' | sort -u > "$T/help.$c"
    complete_words wuying-reboot $c -- | grep -- '^--' > "$T/comp.$c"
    [ -s "$T/help.$c" ] || fail "$c --help lists no options"
    if ! cmp -s "$T/help.$c" "$T/comp.$c"; then
      fail "completion of \"$c --\" differs from \"$c --help\":" \
        "$(diff "$T/help.$c" "$T/comp.$c" | grep '^[<>]' | tr '\n' ' ')"
    fi
  done
  # Option values.
  check_values() {
    want=$1
    shift
    got=$(complete_words "$@" | tr '\n' ' ')
    [ "$got" = "$want" ] || fail "completion of \"$*\": \"$got\", want \"$want\""
  }
  check_values "admin client " wuying-reboot run --api ""
  check_values "v1 v3 " wuying-reboot plan --signature ""
  check_values "csv jsonl " wuying-reboot plan --format ""
  check_values "csv html json markdown text " wuying-reboot report r --format ""
  check_values "always auto never " wuying-reboot resume r --progress ""
  : > "$T/fleet-x.csv"
  check_values "$T/fleet-x.csv " wuying-reboot run --job "$T/fleet-x"
  check_values "$T/fleet-x.csv " wuying-reboot run "$T/fleet-x"
  check_values "$T/fleet-x.csv " wuying-reboot run --report "$T/fleet-x"
fi

# The example jobs, planned where they are installed.
EX="$R/usr/share/doc/wuying-reboot/examples"
for job in "$EX"/jobs/*.json; do
  [ -f "$job" ] || { fail "no example jobs in $EX/jobs"; break; }
  # A job that selects from the API needs one: test_jobs_systemd.sh plans
  # it against ecd-sim.
  grep -q '"select"' "$job" && continue
  out=$(cd "$EX" && "$R/usr/bin/wuying-reboot" plan -q \
    --job "jobs/$(basename "$job")" 2>&1)
  rc=$?
  [ $rc = 0 ] || fail "plan --job $(basename "$job") in examples: exit $rc: $out"
done

if [ $fails -gt 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "ok: $(basename "$DEB") ($(du -k "$DEB" | cut -f1) KiB): --version," \
  "man -l, completion and example jobs from a dpkg -x root"
