#!/bin/sh
# jobs/patch-ring-2.json plans against ecd-sim (a selection by tag and
# status, canary, waves, verify), and jobs/systemd/'s service and timer
# pass `systemd-analyze verify` (skipped, exit 77, where systemd-analyze
# is not installed).
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
SRC=$(cd "$2" && pwd)
HOME=$T
export HOME

F=$T/fleet.csv
sim_start --desktops 3000 --seed 23 --write-fleet "$F" --stopped-rate 0.05
wait_fleet "$F" 3000
ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret \
  "$WR" plan --job "$SRC/jobs/patch-ring-2.json" --endpoint "$ENDPOINT" \
  > "$T/plan.txt" 2> "$T/err" || fail "plan --job patch-ring-2.json: exit $?: $(cat "$T/err")"
# list reads the same job for its selection (the run's keys left aside).
ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret \
  "$WR" list --job "$SRC/jobs/patch-ring-2.json" --endpoint "$ENDPOINT" \
  > "$T/ring2.csv" 2> "$T/err" || fail "list --job patch-ring-2.json: exit $?: $(cat "$T/err")"
sim_stop
grep -q "^Selection: [0-9]* desktops with tag patch-ring=2 with status Running at " \
  "$T/plan.txt" || fail "the plan does not say the selection: $(head -n 3 "$T/plan.txt")"
# Its desktops: the fleet file's ring 2 in the job's regions, unpooled,
# less the Stopped ones (the sim's log of the selection says which).
N=$(awk -F, 'NR > 1 && ($2 == "cn-hangzhou" || $2 == "cn-shanghai") && $5 == "" &&
  (";" $7 ";") ~ /;patch-ring=2;/' "$F" | wc -l)
GOT=$(sed -n 's/^Selection: \([0-9]*\) desktops.*/\1/p' "$T/plan.txt")
[ "$GOT" -gt 0 ] && [ "$GOT" -le "$N" ] && [ "$GOT" -ge $((N * 85 / 100)) ] ||
  fail "selected $GOT desktops of ring 2's $N"
[ "$(($(wc -l < "$T/ring2.csv") - 1))" -eq "$GOT" ] ||
  fail "list --job lists $(($(wc -l < "$T/ring2.csv") - 1)), the plan selected $GOT"
grep -q "wave 0  *20 desktops.*canary" "$T/plan.txt" || fail "no canary wave of 20"
grep -q "verify       on" "$T/plan.txt" || fail "verify is not on"
note "ok: patch-ring-2.json selects $GOT of ring 2's $N desktops"

command -v systemd-analyze > /dev/null 2>&1 || {
  echo "SKIP: systemd-analyze is not installed"
  exit 77
}
# The units as installed name /usr/bin/wuying-reboot; verify checks the
# command exists, so it checks a copy that names the one just built.
mkdir "$T/units"
for u in "$SRC"/jobs/systemd/wuying-reboot@.service "$SRC"/jobs/systemd/wuying-reboot@.timer; do
  sed "s|/usr/bin/wuying-reboot|$WR|" "$u" > "$T/units/$(basename "$u")"
done
grep -q "^ExecStart=$WR run --job /etc/wuying-reboot/jobs/%i.json" \
  "$T/units/wuying-reboot@.service" || fail "the service does not run a job file"
rc=0
systemd-analyze verify --man=no "$T/units/wuying-reboot@patch-ring-2.service" \
  "$T/units/wuying-reboot@patch-ring-2.timer" > "$T/verify.out" 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "systemd-analyze verify: exit $rc: $(cat "$T/verify.out")"
! grep -q "wuying-reboot@" "$T/verify.out" ||
  fail "systemd-analyze verify warns: $(cat "$T/verify.out")"
# A broken unit fails the same check (the test can fail).
sed 's/^OnCalendar=.*/OnCalendar=Sunday at two/' "$T/units/wuying-reboot@.timer" \
  > "$T/units/broken@.timer"
rc=0
systemd-analyze verify --man=no "$T/units/broken@x.timer" > /dev/null 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "systemd-analyze verify accepts a bad OnCalendar"
echo "ok: jobs and systemd units"
