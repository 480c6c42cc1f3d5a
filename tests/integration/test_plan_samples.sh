#!/bin/sh
# plan --json on every sample: exact counts from samples/expected.json, and
# every valid ID in exactly one chunk.  Args: BUILD_DIR SOURCE_DIR.
. "$2/tests/integration/plan_lib.sh"
cd "$SRC" || exit 1

n=$(jq length samples/expected.json)
i=0
while [ "$i" -lt "$n" ]; do
  name=$(jq -r ".[$i].name" samples/expected.json)
  jq -r ".[$i].args[]" samples/expected.json > "$TMP/args"
  # shellcheck disable=SC2046
  set -- $(cat "$TMP/args")
  if ! "$WR" plan --json "$@" > "$TMP/out" 2> "$TMP/err"; then
    fail "$name: plan --json exited non-zero: $(cat "$TMP/err")"
    i=$((i + 1))
    continue
  fi
  jq -e . "$TMP/out" > /dev/null || fail "$name: output is not JSON Lines"
  head -n 1 "$TMP/out" | jq -e '.type == "run"' > /dev/null ||
    fail "$name: the first record is not the run record"
  for key in desktops chunks rejected duplicates; do
    want=$(jq ".[$i].$key" samples/expected.json)
    got=$(jq -s ".[0].$key" "$TMP/out")
    [ "$want" = "$got" ] || fail "$name: run.$key is $got, expected $want"
  done
  want=$(jq -c ".[$i].regions" samples/expected.json)
  got=$(jq -s -c '[.[0].regions[] | [.region, .desktops]]' "$TMP/out")
  [ "$want" = "$got" ] || fail "$name: regions $got, expected $want"
  want=$(jq -c ".[$i].rejected_lines" samples/expected.json)
  got=$(jq -s -c '[.[] | select(.type == "rejected") | .line]' "$TMP/out")
  [ "$want" = "$got" ] || fail "$name: rejected lines $got, expected $want"
  # every ID once; chunk ids 1..n in order; regions contiguous; size cap
  jq -s -e '
    (.[0].desktops) as $d | (.[0].chunk_size) as $cs |
    [.[] | select(.type == "plan")] as $p |
    ($p | length) == .[0].chunks and
    ([$p[].desktop_ids[]] | length) == $d and
    ([$p[].desktop_ids[]] | unique | length) == $d and
    ([$p[].chunk] == [range(1; ($p | length) + 1) | tostring]) and
    (all($p[]; (.desktop_ids | length) >= 1 and (.desktop_ids | length) <= $cs)) and
    ([$p[].region] | [.[0]] + [range(1; length) as $k |
       select(.[$k] != .[$k - 1]) | .[$k]] | length) == (.[0].regions | length) and
    all($p[]; .client_token == null and .wave == 1)
  ' "$TMP/out" > /dev/null || fail "$name: the plan records are inconsistent"
  i=$((i + 1))
done

# The IDs of fleet.csv, computed independently, are exactly those planned.
awk -F, 'NR > 1 { print $1 }' samples/fleet.csv | sort -u > "$TMP/want"
"$WR" plan --json samples/fleet.csv |
  jq -r 'select(.type == "plan") | .desktop_ids[]' | sort > "$TMP/got"
cmp -s "$TMP/want" "$TMP/got" || fail "fleet.csv: planned IDs differ from the file"

# stdin, CSV and JSONL (sniffed), and the same plan as from the file.
"$WR" plan --json - < samples/fleet.csv | jq -s -e '.[0].desktops == 3000' \
  > /dev/null || fail "stdin CSV: not 3000 desktops"
"$WR" plan --json --region cn-x1 --all-regions - < samples/fleet.jsonl |
  jq -s -e '.[0].desktops == 140' > /dev/null || fail "stdin JSONL: not 140"

# Client mode: a distinct UUID v4 ClientToken per chunk.
"$WR" plan --json --api client samples/fleet.csv > "$TMP/client" ||
  fail "client mode plan failed"
jq -s -e '[.[] | select(.type == "plan") | .client_token] as $t |
  ($t | length) == 152 and ($t | unique | length) == 152 and
  all($t[]; test("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))' \
  "$TMP/client" > /dev/null || fail "client mode: ClientTokens are not distinct UUID v4"

# Waves: canary 20 then waves of 500, no chunk across a wave boundary.
"$WR" plan --json --canary 20 --wave-size 500 samples/fleet.csv > "$TMP/waves" ||
  fail "plan with waves failed"
jq -s -e '[.[] | select(.type == "plan")] as $p |
  ([$p[] | select(.wave == 0) | .desktop_ids[]] | length) == 20 and
  ([$p[] | select(.wave == 1) | .desktop_ids[]] | length) == 500 and
  .[0].waves == 7 and ([$p[].wave] == ([$p[].wave] | sort))' "$TMP/waves" \
  > /dev/null || fail "waves: wrong wave sizes"

# The human summary.
"$WR" plan samples/messy.csv > "$TMP/human" 2>&1 || fail "summary: exit $?"
grep -q "^Plan: 6 desktops in 3 chunks" "$TMP/human" || fail "summary: no Plan line"
grep -q "samples/messy.csv:9: .*no region" "$TMP/human" ||
  fail "summary: the rejection of line 9 is not shown"

# The job files plan the sample.
"$WR" plan --json --job jobs/maintenance-window.json |
  jq -s -e '.[0].desktops == 3000 and .[0].rate == 5 and
            .[0].options.verify == true' > /dev/null ||
  fail "jobs/maintenance-window.json does not plan samples/fleet.csv"
"$WR" plan --json --job jobs/canary-rollout.json --rate 3 |
  jq -s -e '.[0].rate == 3 and .[0].options.canary == 20' > /dev/null ||
  fail "jobs/canary-rollout.json: command line does not win"

finish "plan samples"
