# The progress line against ecd-sim, with --progress always into a file
# (not a TTY): whole lines, no "\r" or escapes, that say the phases in
# order (pre-flight, sending, verifying, for the canary and each wave
# "k of n"), the rate in desktops/s, an ETA that counts verification (an
# upper bound "<=" until a wave has been verified), and counts that agree
# with the report.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
ALIBABA_CLOUD_ACCESS_KEY_ID=testid
ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
export HOME ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET

# A canary of 20, then two waves of 50; a tenth Stopped (excluded by
# pre-flight); reboots taking 1.5 s.
sim_start --desktops 120 --seed 7 --regions cn-hangzhou --stopped-rate 0.1 \
  --write-fleet "$T/fleet.csv" --reboot-ms 1500
wait_fleet "$T/fleet.csv" 120
rc=0
"$WR" run --endpoint "$ENDPOINT" --rate 20 --canary 20 --wave-size 50 \
  --verify --verify-timeout 60s --report "$T/r.jsonl" --progress always \
  "$T/fleet.csv" > "$T/out" 2> "$T/err" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc, expected 0"; }
check_report "$T/r.jsonl"

grep '^wuying-reboot: progress: ' "$T/err" | sed 's/^wuying-reboot: progress: //' \
  > "$T/lines"
[ -s "$T/lines" ] || fail "no progress line in: $(cat "$T/err")"
grep -q "$(printf '\r')" "$T/err" && fail "a carriage return off a TTY"
grep -q "$(printf '\033')" "$T/err" && fail "an escape sequence off a TTY"

# The phases, in order (a phase that lasts over 5 s repeats its line).
sed 's/:.*//' "$T/lines" | uniq > "$T/phases"
cat > "$T/want" <<'EOF'
pre-flight canary wave
sending canary wave
verifying canary wave
pre-flight wave 1 of 2
sending wave 1 of 2
verifying wave 1 of 2
pre-flight wave 2 of 2
sending wave 2 of 2
verifying wave 2 of 2
finished
EOF
diff "$T/want" "$T/phases" > "$T/diff" ||
  fail "phases not in order: $(cat "$T/diff"); lines: $(cat "$T/lines")"

# Rates are desktops per second, never a bare "/s".
grep '^sending' "$T/lines" | grep -qv ' desktops/s ' &&
  fail "a sending line without desktops/s: $(grep '^sending' "$T/lines")"
grep -E '[0-9]/s' "$T/lines" && fail "an unlabelled rate"
# Before any wave was verified, the ETA counts verification at its
# timeout: an upper bound of at least 3 x 60 s.
head -n 1 "$T/lines" | grep -qE 'ETA <=[3-9]:[0-9][0-9] ' ||
  fail "the first ETA does not count 3 verifications at 60 s: $(head -n 1 "$T/lines")"
grep -q '^verifying wave 2 of 2: .* ETA <=' "$T/lines" &&
  fail "the ETA still an upper bound after two waves were verified"

# Each wave's verification counts the desktops the report says it checked.
for w in 0 1 2; do
  n=$(jq -r --argjson w "$w" 'select(.type=="verify" and .wave==$w) | .desktops' "$T/r.jsonl")
  [ -n "$n" ] || fail "no verify record for wave $w"
  [ "$w" -eq 0 ] && label="canary wave" || label="wave $w of 2"
  grep -q "^verifying $label: 0/$n Running " "$T/lines" ||
    fail "no 'verifying $label: 0/$n Running' line: $(grep '^verifying' "$T/lines")"
done
ex=$(jq -r 'select(.type=="summary") | .excluded_desktops // 0' "$T/r.jsonl")
[ "$ex" -gt 0 ] || fail "the simulator stopped no desktop of the fleet"
tail -n 1 "$T/lines" | grep -qE "^finished: 120/120 desktops  [0-9]+\.[0-9] desktops/s  in [0-9]+:[0-9][0-9]  failed 0  excluded $ex \\(status:Stopped $ex\\)  skipped 0  retries [0-9]+$" ||
  fail "last line: $(tail -n 1 "$T/lines") (excluded: $ex)"

note "ok: $(wc -l < "$T/lines") progress lines, phases in order, $ex excluded"
