# Shared by the plan tests: sourced as `. "$2/tests/integration/plan_lib.sh"`
# with the test's BUILD_DIR SOURCE_DIR arguments.  Sets BUILD, SRC, WR and a
# temporary TMP (removed on exit); fail() counts a failure and finish()
# ends the test with its verdict.
set -u
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
WR="$BUILD/wuying-reboot"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# finish NAME: exit 1 after any failure, else say "ok: NAME".
finish() {
  [ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
  echo "ok: $1"
}
