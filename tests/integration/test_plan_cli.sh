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

finish "plan command line"
