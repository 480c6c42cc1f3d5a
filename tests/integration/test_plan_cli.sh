#!/bin/sh
# The command line: help, version, usage errors (exit 2, a clear message),
# job files.  Args: BUILD_DIR SOURCE_DIR.
. "$2/tests/integration/plan_lib.sh"
cd "$SRC" || exit 1

expect() {
  code=$1
  pattern=$2
  shift 3
  "$WR" "$@" > "$TMP/out" 2> "$TMP/err"
  got=$?
  if [ "$got" != "$code" ]; then
    fail "$*: exit $got, expected $code; stderr: $(head -c 300 "$TMP/err")"
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" "$TMP/out" "$TMP/err"; then
    fail "$*: no '$pattern' in: $(head -c 300 "$TMP/out" "$TMP/err")"
  fi
}

version=$(sed -n 's/^project(wuying-reboot VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
expect 0 "^wuying-reboot $version\$" -- --version
expect 0 "Usage: wuying-reboot COMMAND" -- --help
for c in plan run resume report; do
  expect 0 "Usage: wuying-reboot $c" -- "$c" --help
done
expect 2 "missing COMMAND" --
expect 2 "unknown command \"reboot\"" -- reboot samples/fleet.csv
expect 2 "unknown option \"--rat\"" -- plan --rat 5 samples/fleet.csv
expect 2 "--rate: \"fast\" is not a number" -- plan --rate fast samples/fleet.csv
expect 2 "--chunk-size: 21 is more than the client API" -- \
  plan --api client --chunk-size 21 samples/fleet.csv
expect 0 "in 32 chunks of at most 100" -- plan --chunk-size 100 --region cn-x1 \
  --all-regions   samples/fleet.csv samples/fleet.csv samples/fleet.csv
expect 2 "--chunk-size: 101 is out of range" -- plan --chunk-size 101 samples/fleet.csv
expect 2 "no INPUT given" -- plan
expect 2 "--json is not an option of run" -- run --json samples/fleet.csv
expect 2 "plain http is allowed only to" -- plan --endpoint http://example.com \
  samples/fleet.csv
expect 2 "--deadline: \"soon\" is neither" -- plan --deadline soon samples/fleet.csv

printf '{"region": "cn-x1", "rate": "fast"}\n' > "$TMP/bad.json"
expect 2 "bad.json: key \"rate\": expected a number" -- plan --job "$TMP/bad.json"
printf '{"regoin": "cn-x1"}\n' > "$TMP/typo.json"
expect 2 "typo.json: unknown key \"regoin\"" -- plan --job "$TMP/typo.json"
printf '{"inputs": ["samples/messy.csv"], "region": "cn-x1", "all-regions": true}\n' > "$TMP/ok.json"
expect 0 "^Plan: 7 desktops" -- plan --job "$TMP/ok.json"
expect 0 "^Plan: 3000 desktops" -- plan --job "$TMP/ok.json" samples/fleet.csv

# A secret given as an option is never printed, at any verbosity.
expect 0 "" -- plan -vvv --api client --login-token SEKRIT-LT-1 \
  --session-token SEKRIT-ST-2 --json samples/messy.csv
if grep -q SEKRIT "$TMP/out" "$TMP/err"; then
  fail "a secret reached stdout or stderr"
fi

# The summary shows the waves, the safety settings in effect and an
# estimate of the time (issue 10 item 7).
# has FILE PATTERN...: every pattern (fixed strings) is a line's part.
has() {
  _f=$1
  shift
  for _p in "$@"; do
    grep -qF -- "$_p" "$_f" || fail "no '$_p' in: $(cat "$_f")"
  done
}
"$WR" plan --canary 20 --wave-size 500 --max-errors 1% --verify \
  --verify-timeout 10m --deadline 2099-01-02T03:04:05Z --rate 4 \
  samples/fleet.csv > "$TMP/safe" 2> "$TMP/err" ||
  fail "plan with safety settings: $(cat "$TMP/err")"
has "$TMP/safe" "Waves: 7 (each starts when the one before has ended)" \
  "wave 0         20 desktops      1 chunks  (canary: any failure stops)" \
  "wave 1        500 desktops     25 chunks" \
  "wave 6        480 desktops     25 chunks" \
  "canary       the first 20 desktops form wave 0; any failure there stops the run" \
  "max-errors   the run stops when 31 desktop(s) have failed (more than 1% of 3000)" \
  "deadline     2099-01-02T03:04:05.000Z (in " \
  "verify       on: after each wave, wait up to 10m00s until its desktops are Running" \
  "pre-flight   on: before each wave, DescribeDesktops reads its desktops' state; only Running ones are rebooted" \
  "credentials  an authentication, permission or account error stops the run at its first answer (exit 3)" \
  "Estimate: 187 calls (153 RebootDesktops + 34 DescribeDesktops for pre-flight) at 4/s: about 47s of calls" \
  "with verification each of the 7 wave(s) then waits" "up to 10m00s: 47s to 1h10m in all"
"$WR" plan --max-errors 5 --rate 0.1 samples/fleet.csv > "$TMP/dflt" 2> "$TMP/err" ||
  fail "plan: $(cat "$TMP/err")"
has "$TMP/dflt" "Waves: 1" "wave 1       3000 desktops    152 chunks" \
  "canary       off" "deadline     none" "verify       off" \
  "max-errors   the run stops when 6 desktop(s) have failed (more than 5)" \
  "Estimate: 184 calls (152 RebootDesktops + 32 DescribeDesktops for pre-flight) at 0.1/s: about 30m40s of calls"
grep -q "with verification" "$TMP/dflt" && fail "no --verify, yet a verification note"
"$WR" plan --no-preflight --rate 0.1 samples/fleet.csv > "$TMP/nopf" 2> "$TMP/err" ||
  fail "plan: $(cat "$TMP/err")"
has "$TMP/nopf" "pre-flight   off (--no-preflight)" \
  "Estimate: 152 calls (RebootDesktops) at 0.1/s: about 25m20s of calls"
"$WR" plan --rate 0 --concurrency 4 samples/fleet.csv > "$TMP/nolimit" 2> "$TMP/err" ||
  fail "plan: $(cat "$TMP/err")"
has "$TMP/nolimit" "max-errors   unlimited" \
  "Estimate: 184 calls (152 RebootDesktops + 32 DescribeDesktops for pre-flight), --rate 0 (no limit): as fast as 4 calls in flight and the API allow"

finish "plan command line"
