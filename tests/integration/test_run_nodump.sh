# While `run` holds secrets it writes no core file and is not dumpable:
# /proc/PID/limits shows a core size of 0, and another process of the
# same user cannot read its environment (the AccessKey secret).  The run
# waits on a hung call (ecd-sim --hang-rate 1) while it is examined, then
# is killed.  The run and the reader are user nobody (setpriv): as root,
# /proc/PID/environ is readable whatever the process does.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"

command -v setpriv > /dev/null 2>&1 || { note "skip: no setpriv"; exit 0; }
[ "$(id -u)" -eq 0 ] || { note "skip: needs root to run as nobody"; exit 0; }
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
$NOBODY true 2>/dev/null || { note "skip: setpriv cannot switch user"; exit 0; }

AK=nodump-id
SK=SeCrEt-nodump-5a1e
chmod 755 "$T"
mkdir "$T/nb"
chmod 777 "$T/nb"
sim_start --desktops 3 --seed 3 --write-fleet "$T/fleet.csv" \
  --access-key-id "$AK" --access-key-secret "$SK" \
  --hang-rate 1 --hang-ms 60000
wait_fleet "$T/fleet.csv" 3
chmod 644 "$T/fleet.csv"

env HOME="$T/nb" ALIBABA_CLOUD_ACCESS_KEY_ID=$AK \
  ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK \
  $NOBODY "$WR" run --endpoint "$ENDPOINT" --rate 0 --timeout 60 \
  --report "$T/nb/r.jsonl" --progress never "$T/fleet.csv" \
  > "$T/out" 2> "$T/err" &
WR_PID=$!
# The plan is in the report before the first call: the secrets are loaded.
wait_for lines_at_least "$T/nb/r.jsonl" 2 ||
  { cat "$T/err" >&2; fail "the run wrote no plan"; }
kill -0 "$WR_PID" 2>/dev/null || { cat "$T/err" >&2; fail "the run ended early"; }

core=$(awk '/^Max core file size/ {print $5 " " $6}' "/proc/$WR_PID/limits")
[ "$core" = "0 0" ] || fail "core file size limits are '$core', not '0 0'"
rc=0
$NOBODY cat "/proc/$WR_PID/environ" > "$T/environ" 2>/dev/null || rc=$?
[ "$rc" -ne 0 ] || fail "another process of the user read /proc/PID/environ"
if grep -q SeCrEt "$T/environ"; then
  fail "the AccessKey secret was read from /proc/PID/environ"
fi
# A control: the same reader sees a dumpable process's environment.
env WR_CONTROL=$SK $NOBODY sleep 30 &
CTRL=$!
wait_for grep -q SeCrEt "/proc/$CTRL/environ" || :
$NOBODY cat "/proc/$CTRL/environ" 2>/dev/null | grep -q SeCrEt ||
  { kill "$CTRL"; fail "control: nobody cannot read its own process's environ"; }
kill "$CTRL"
wait "$CTRL" 2>/dev/null || :

kill -KILL "$WR_PID"
wait "$WR_PID" 2>/dev/null || :
WR_PID=
sim_stop
note "ok: core limit 0 0, /proc/PID/environ unreadable to the user"
