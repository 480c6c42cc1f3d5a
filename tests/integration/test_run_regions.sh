# Regions are explicit (issue 10 item 4): --region R with an input that
# names other regions too makes plan and run refuse (exit 2, nothing sent,
# the regions and their counts named), a job file's "region" the same;
# --only-region and --all-regions both get past it; resume does not check
# again (the plan is in the report).
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
HOME=$T
export HOME

AK=rg-test-id
SK=rg-test-secret-51a0
ALIBABA_CLOUD_ACCESS_KEY_ID=$AK
ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SK
export ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
N=90

sim_start --desktops $N --seed 71 --write-fleet "$T/fleet.csv" \
  --regions cn-hangzhou,cn-shanghai,ap-southeast-1 \
  --access-key-id "$AK" --access-key-secret "$SK"
wait_fleet "$T/fleet.csv" $N
# A few rows that name no region: --region gives them cn-hangzhou.
printf 'DesktopId\necd-noregion1\necd-noregion2\n' > "$T/bare.csv"
hz=$(grep -c ',cn-hangzhou,' "$T/fleet.csv")
sh=$(grep -c ',cn-shanghai,' "$T/fleet.csv")
ap=$(grep -c ',ap-southeast-1,' "$T/fleet.csv")
[ $((hz + sh + ap)) -eq $N ] || fail "fleet regions do not add up"

# refused CMD...: exit 2, stderr names every region with its desktops.
refused()
{
  _rc=0
  "$WR" "$@" > "$T/r.out" 2> "$T/r.err" || _rc=$?
  [ "$_rc" -eq 2 ] || fail "$*: exit $_rc, expected 2"
  for _want in "cn-hangzhou $((hz + 2))" "cn-shanghai $sh" \
      "ap-southeast-1 $ap" "--only-region" "--all-regions"; do
    grep -q -e "$_want" "$T/r.err" || fail "$*: stderr lacks '$_want': $(cat "$T/r.err")"
  done
}
refused plan --region cn-hangzhou "$T/fleet.csv" "$T/bare.csv"
refused run --endpoint "$ENDPOINT" --region cn-hangzhou --report "$T/no.jsonl" \
  --progress never "$T/fleet.csv" "$T/bare.csv"
[ ! -e "$T/no.jsonl" ] || fail "a refused run wrote a report"
printf '{"region": "cn-hangzhou", "inputs": ["%s", "%s"]}\n' \
  "$T/fleet.csv" "$T/bare.csv" > "$T/job.json"
refused plan --job "$T/job.json"
refused run --job "$T/job.json" --endpoint "$ENDPOINT" \
  --report "$T/no.jsonl" --progress never
# Without --region, or with rows of its region only, nothing to say.
"$WR" plan "$T/fleet.csv" > /dev/null 2> "$T/e" || fail "plan without --region: $(cat "$T/e")"
grep ',cn-hangzhou,' "$T/fleet.csv" | cat "$T/bare.csv" - > "$T/hz.csv"
"$WR" plan --region cn-hangzhou "$T/hz.csv" > /dev/null 2> "$T/e" ||
  fail "plan of one region: $(cat "$T/e")"
note "ok: plan and run refuse, a job file's region too"

# plan shows what --only-region leaves out.
"$WR" plan --region cn-hangzhou --only-region cn-hangzhou,ap-southeast-1 \
  "$T/fleet.csv" "$T/bare.csv" > "$T/p.out" 2> "$T/p.err" ||
  fail "plan --only-region: $(cat "$T/p.err")"
grep -q "^Plan: $((hz + 2 + ap)) desktops" "$T/p.out" ||
  fail "plan --only-region: $(head -n 1 "$T/p.out")"
grep -q "^Rejected: $sh" "$T/p.out" || fail "plan --only-region: rejected: $(grep Rejected "$T/p.out")"
grep -q 'region cn-shanghai not selected (--only-region)' "$T/p.out" ||
  fail "plan --only-region does not say why rows are left out"

# run --only-region: only those regions are sent; resume does not re-check.
# The first run stops on a wrong secret (fail fast), so resume has work.
R=$T/only.jsonl
rc=0
ALIBABA_CLOUD_ACCESS_KEY_SECRET=wrong-secret \
  "$WR" run --endpoint "$ENDPOINT" --region cn-hangzhou \
  --only-region cn-shanghai --rate 0 --concurrency 1 --chunk-size 5 \
  --report "$R" --progress never "$T/fleet.csv" "$T/bare.csv" \
  > "$T/o1" 2> "$T/e1" || rc=$?
[ "$rc" -eq 3 ] || { cat "$T/e1" >&2; fail "only-region, wrong secret: exit $rc, expected 3"; }
rc=0
"$WR" resume "$R" --endpoint "$ENDPOINT" --progress never > "$T/o2" 2> "$T/e2" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/e2" >&2; fail "only-region resume: exit $rc, expected 0"; }
[ "$(tail -n 1 "$R" | jq -r .exit_code)" -eq 0 ] || fail "only-region: the summary: $(tail -n 1 "$R")"
[ "$(count_desktops ok "$R")" -eq "$sh" ] || fail "only-region: $(count_desktops ok "$R") ok, expected $sh"
[ "$(jq -r 'select(.type=="chunk" and .status=="ok") | .region' "$R" | sort -u)" = cn-shanghai ] ||
  fail "only-region: a chunk of another region was sent"
[ "$(jq -s '[.[] | select(.type=="rejected" and (.reason|test("not selected")))] | length' "$R")" -eq $((hz + 2 + ap)) ] ||
  fail "only-region: the report does not list the rows left out"
[ "$(jq -r 'select(.type=="run") | .options["only-region"]' "$R")" = cn-shanghai ] ||
  fail "only-region: not in the run's options"

# run --all-regions: every desktop of every region (the cn-shanghai
# ones were rebooted above, so here the rest of the fleet).
grep -v ',cn-shanghai,' "$T/fleet.csv" > "$T/rest.csv"
"$WR" run --endpoint "$ENDPOINT" --region cn-hangzhou --all-regions --rate 0 \
  --report "$T/all.jsonl" --progress never "$T/rest.csv" > "$T/o3" 2> "$T/e3" ||
  fail "all-regions: $(tail -n 3 "$T/e3")"
sim_stop
[ "$(count_desktops ok "$T/all.jsonl")" -eq $((hz + ap)) ] ||
  fail "all-regions: $(count_desktops ok "$T/all.jsonl") ok, expected $((hz + ap))"
[ "$(simstat .max_reboots_per_desktop)" -eq 1 ] ||
  fail "a desktop was rebooted $(simstat .max_reboots_per_desktop) times"
[ "$(simstat .desktops_rebooted)" -eq "$N" ] ||
  fail "the simulator rebooted $(simstat .desktops_rebooted), expected $N"
# The one refused call: the wrong secret's, at concurrency 1.
[ "$(simstat .violations_total)" -eq 1 ] &&
  [ "$(simstat .violations.bad_signature)" -eq 1 ] ||
  fail "violations: $(jq -c .violations "$T/stats.json"), expected the one bad signature"
note "ok: --only-region and --all-regions; resume did not check again"
