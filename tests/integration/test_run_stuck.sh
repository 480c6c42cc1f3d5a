# Final errors: a stuck desktop (IncorrectDesktopStatus) and an unknown one
# (InvalidDesktopId.NotFound) fail their calls as a whole (--no-preflight:
# pre-flight would keep them out of the calls, test_run_preflight.sh); the run splits
# those chunks until the bad IDs are alone, so every good desktop is still
# rebooted, the bad ones end `failed` with the code and message, exit 1.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
export HOME

# The fleet is deterministic from the seed: a first start just writes it.
sim_start --desktops 60 --seed 41 --write-fleet "$T/fleet.csv"
wait_fleet "$T/fleet.csv" 60
sim_stop
STUCK=$(sed -n 8p "$T/fleet.csv" | cut -d, -f1)
UNKNOWN=$(sed -n 35p "$T/fleet.csv" | cut -d, -f1)
printf '%s,stuck\n%s,unknown\n' "$STUCK" "$UNKNOWN" > "$T/bad.txt"

sim_start --desktops 60 --seed 41 --fail-desktops "$T/bad.txt"
rc=0
ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret \
  "$WR" run --endpoint "$ENDPOINT" --chunk-size 20 --rate 0 --no-preflight \
  --report "$T/report.jsonl" --progress never "$T/fleet.csv" \
  > "$T/out" 2> "$T/err" || rc=$?
sim_stop
R=$T/report.jsonl
[ "$rc" -eq 1 ] || { tail -n 20 "$T/err" >&2; fail "run exited $rc, expected 1"; }
check_report "$R"
[ "$(jq -r 'select(.type=="summary") | .exit_code' "$R")" -eq 1 ] ||
  fail "summary exit_code is not 1"
[ "$(count_desktops ok "$R")" -eq 58 ] ||
  fail "ok desktops: $(count_desktops ok "$R"), expected 58"
[ "$(count_desktops failed "$R")" -eq 2 ] ||
  fail "failed desktops: $(count_desktops failed "$R"), expected 2"

# leaf ID: the final failed record of one desktop
leaf()
{
  jq -c --arg id "$1" 'select(.type=="chunk" and .status=="failed"
      and (.desktop_ids | index($id)))' "$R"
}
s=$(leaf "$STUCK")
[ "$(echo "$s" | jq -r '.desktop_ids | length')" -eq 1 ] ||
  fail "the stuck desktop is not isolated: $s"
[ "$(echo "$s" | jq -r .error_code)" = IncorrectDesktopStatus ] ||
  fail "stuck desktop: error_code $(echo "$s" | jq -r .error_code)"
[ -n "$(echo "$s" | jq -r '.error_message // empty')" ] ||
  fail "stuck desktop: no error_message"
[ "$(echo "$s" | jq -r .http_status)" -ge 400 ] || fail "stuck desktop: no http_status"
u=$(leaf "$UNKNOWN")
[ "$(echo "$u" | jq -r .error_code)" = InvalidDesktopId.NotFound ] ||
  fail "unknown desktop: error_code $(echo "$u" | jq -r .error_code)"
[ -n "$(echo "$u" | jq -r '.error_message // empty')" ] ||
  fail "unknown desktop: no error_message"

# The split records name their parts, and the parts are there.
splits=$(jq -s '[.[] | select(.type=="chunk" and .status=="split")] | length' "$R")
[ "$splits" -ge 2 ] || fail "expected the two bad chunks to be split, saw $splits splits"
missing=$(jq -rs '[.[] | select(.type=="chunk") | .chunk] as $all
    | [.[] | select(.status=="split") | .into[].chunk] - $all | join(" ")' "$R")
[ -z "$missing" ] || fail "split parts without a record: $missing"
[ "$(simstat .desktops_rebooted)" -eq 58 ] ||
  fail "simulator rebooted $(simstat .desktops_rebooted), expected 58"
[ "$(simstat .max_reboots_per_desktop)" -eq 1 ] || fail "a desktop was rebooted twice"
note "ok: 58 ok, $STUCK IncorrectDesktopStatus, $UNKNOWN NotFound, $splits splits"
