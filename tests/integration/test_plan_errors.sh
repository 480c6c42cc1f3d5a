#!/bin/sh
# Bad input never crashes or hangs: each case exits as expected with a
# message naming the file (and line).  Args: BUILD_DIR SOURCE_DIR.
. "$2/tests/integration/plan_lib.sh"
cd "$TMP" || exit 1

# expect CODE PATTERN -- ARGS...: exit code and a stderr line matching
expect() {
  code=$1
  pattern=$2
  shift 3
  timeout 60 "$WR" "$@" > out 2> err
  got=$?
  if [ "$got" != "$code" ]; then
    fail "$*: exit $got, expected $code; stderr: $(head -c 300 err)"
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" err; then
    fail "$*: stderr does not match '$pattern': $(head -c 300 err)"
  fi
}

expect 2 "missing.csv: cannot open" -- plan --region cn-x1 missing.csv
mkdir adir
expect 2 "adir: is a directory" -- plan --region cn-x1 adir
: > empty.csv
expect 2 "nothing to plan" -- plan --region cn-x1 empty.csv
printf '\357\273\277\r\n\r\n' > bom-only.csv
expect 2 "nothing to plan" -- plan --region cn-x1 bom-only.csv
if [ -r /dev/null ]; then
  expect 2 "nothing to plan" -- plan --region cn-x1 - < /dev/null
fi

# Binary garbage: the program itself (NUL bytes), and without NULs.
cp "$WR" binary.csv
expect 2 "binary.csv:[0-9]*: NUL byte" -- plan --region cn-x1 binary.csv
tr -d '\000' < "$WR" | head -c 2000000 > garbage.csv
expect 2 "garbage.csv" -- plan --region cn-x1 garbage.csv
tr -d '\000' < "$WR" | head -c 2000000 > garbage.jsonl
expect 2 "garbage.jsonl" -- plan --region cn-x1 garbage.jsonl

# Invalid UTF-8: the row is rejected, the report stays valid JSON.
printf 'ecd-ok1\necd-\377\376bad\n\351t\351\necd-ok2\n' > latin1.csv
expect 0 "" -- plan --json --region cn-x1 latin1.csv
jq -s -e '[.[] | select(.type == "rejected")] | length == 2 and
  .[0].value == "ecd-\\xff\\xfebad"' out > /dev/null ||
  fail "invalid UTF-8: rejections wrong or not valid JSON: $(cat out)"

# A 10 MB line: CSV stops with the line; JSONL skips the line.
awk 'BEGIN { print "ecd-ok1"; s = "x"; while (length(s) < 10485760) s = s s;
             print "ecd-" s; print "ecd-ok2" }' > long.csv
expect 2 "long.csv:2: a field longer than" -- plan --region cn-x1 long.csv
awk 'BEGIN { print "\"ecd-ok1\""; s = "x"; while (length(s) < 10485760) s = s s;
             print "\"ecd-" s "\""; print "\"ecd-ok2\"" }' > long.jsonl
/usr/bin/time -f "%M" -o rss "$WR" plan --json --region cn-x1 long.jsonl > out 2> err
jq -s -e '.[0].desktops == 2 and .[1].line == 2 and
  (.[1].reason | test("longer than"))' out > /dev/null ||
  fail "long.jsonl: the long line is not rejected alone: $(head -c 300 err)"
# memory follows the bound (1 MiB a line), not the 20 MB line
[ "$(tail -n 1 rss)" -lt 60000 ] || fail "long.jsonl: peak RSS $(tail -n 1 rss) KB"

# Unterminated quote, with the line where its record starts.
printf 'DesktopId\necd-1\n"ecd-2\necd-3\n' > quote.csv
expect 2 "quote.csv:3: unterminated quoted field" -- plan --region cn-x1 quote.csv

# JSONL that is not JSON at all.
printf 'hello\nworld\n' > words.jsonl
expect 2 "words.jsonl:1: .*not valid JSON" -- plan --region cn-x1 words.jsonl

# --strict: the first rejection is fatal, with file and line.
expect 2 "messy.csv:6: .*--strict" -- plan --strict "$SRC/samples/messy.csv"
expect 0 "" -- plan "$SRC/samples/messy.csv"

# --column naming a column that is not there.
expect 2 "fleet.csv:1: no column named \"Host\"" -- plan --column Host \
  "$SRC/samples/fleet.csv"

# One unreadable input among good ones: nothing is planned.
expect 2 "missing.csv: cannot open" -- plan "$SRC/samples/fleet.csv" missing.csv

# One endpoint policy: plan, run and resume refuse the same URLs, before
# any input, credential or report is read, with exit 2 and the same
# message; a password in the URL is never shown.
same_refusal() {
  url=$1
  pattern=$2
  expect 2 "$pattern" -- plan --endpoint "$url" "$SRC/samples/fleet.csv"
  cp err err.plan
  expect 2 "$pattern" -- run --endpoint "$url" "$SRC/samples/fleet.csv"
  cmp -s err.plan err || fail "$url: run says $(cat err), plan $(cat err.plan)"
  expect 2 "$pattern" -- resume --endpoint "$url" no-such-report.jsonl
  cmp -s err.plan err ||
    fail "$url: resume says $(cat err), plan $(cat err.plan)"
  ! grep -q hunter2 err.plan err || fail "$url: the password is shown"
}
same_refusal http://127.evil.com \
  '--endpoint: "http://127.evil.com": plain http is allowed only to a loopback host'
same_refusal 'https://bob:hunter2@ecd.example.com' \
  '--endpoint: "https://\*\*\*@ecd.example.com": a user name or password'
same_refusal 'http://127.0.0.1:8080/api' 'no path, query or fragment'
same_refusal 'http://127.0.0.1:99999' 'the port must be 1 to 65535'
# Loopback in any case and spelling is accepted, and kept in its normal
# form (the one sent).
expect 0 "" -- plan --json --endpoint HTTP://LOCALHOST:1/ "$SRC/samples/fleet.csv"
head -n 1 out | jq -e '.endpoint == "http://localhost:1"' > /dev/null ||
  fail "HTTP://LOCALHOST:1/: endpoint not normalised: $(head -c 300 out)"
expect 0 "" -- plan --json --endpoint http://0x7f.1:8080 "$SRC/samples/fleet.csv"
head -n 1 out | jq -e '.endpoint == "http://127.0.0.1:8080"' > /dev/null ||
  fail "http://0x7f.1:8080: endpoint not normalised: $(head -c 300 out)"

# An escaped NUL would cut the ID short; keys given twice are ambiguous.
printf '"ecd-1"\n{"DesktopId": "ecd-abc\\u0000; DROP"}\n' > nul.jsonl
expect 2 "nul.jsonl:2: .*NUL character.*--strict" -- plan --strict \
  --region cn-x1 nul.jsonl
expect 0 "" -- plan --json --region cn-x1 nul.jsonl
grep -q '"reason":"a string holds a NUL character' out ||
  fail "nul.jsonl: no rejection in the plan: $(head -c 300 out)"
grep -q '"ecd-abc"' out && fail "nul.jsonl: the cut ID ecd-abc was planned"
printf '{"DesktopId": "ecd-1", "desktop_id": "ecd-2"}\n' > twice.jsonl
expect 2 "twice.jsonl:1: .*DesktopId and desktop_id" -- plan --strict \
  --region cn-x1 twice.jsonl

# Lax values (issue 13): exit 2, the message names the value.
F=$SRC/samples/fleet.csv
expect 2 'deadline: "2026-02-30T00:00:00Z"' -- plan \
  --deadline 2026-02-30T00:00:00Z "$F"
expect 2 'deadline: "2026-03-01T00:00:00+99:99"' -- plan \
  --deadline 2026-03-01T00:00:00+99:99 "$F"
expect 2 'rate: "0x10" is not a number' -- plan --rate 0x10 "$F"
expect 2 'rate: 1e-300 is below the minimum of 0.01' -- plan --rate 1e-300 "$F"
expect 2 'verify-timeout: "1h1h" is not a duration' -- run --verify \
  --verify-timeout 1h1h --region cn-x1 "$F"
printf '{"region": "cn-x1"}\n{"rate": 5}\n' > trailing.json
expect 2 "trailing.json:2: text after the JSON object" -- plan \
  --job trailing.json "$F"
printf '{"rate": 5, "region": "cn-x1", "rate": 1}\n' > twice.json
expect 2 'twice.json: key "rate" is given twice' -- plan --job twice.json "$F"

finish "plan errors"
