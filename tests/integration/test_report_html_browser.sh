# The HTML audit in a real browser (headless Chromium): the committed
# sample report and a 5,050-desktop run with 50 failures against ecd-sim
# (samples/make-audit-sample.sh --fast) are rendered to pages, which must
#   - be self-contained: no script, no external reference, a CSP that
#     forbids fetching anything; in the browser, no resource fetched;
#   - have the summary first, then the timeline (an inline SVG with
#     bars), the failure table (one row per failed desktop), the chunks;
#   - be at most 5 screens (1280x900) tall with the chunks folded, and
#     no wider than the window;
#   - log nothing to the console.
# A screenshot and the DOM of each page are kept in the test's temp dir
# and copied to BUILD/report-html/ for a look.  Chromium reaches nothing
# but file:// (every host name resolves to nothing), and every browser
# process the test started is gone when it ends.  Without Chromium the
# test fails: `make deps` installs it.
set -eu
. "$2/tests/integration/run_lib.sh"
run_setup "$1"
SRC=$(cd "$2" && pwd)
HOME=$T
export HOME

CHROME=
for c in chromium chromium-browser; do
  if command -v "$c" >/dev/null 2>&1; then
    CHROME=$(command -v "$c")
    break
  fi
done
[ -n "$CHROME" ] || fail "chromium is not installed: this test renders the" \
  "HTML audit in a real browser; run 'make deps' (it installs Debian's" \
  "chromium)"

MAX_HEIGHT=4500 # 5 screens of 900 px
ART=$BUILD/report-html
rm -rf "$ART"
mkdir -p "$ART"

# chrome OUT ERR ARGS...: one headless Chromium, bounded in time, with a
# profile of its own in $T (so its processes can be found and stopped).
chrome()
{
  _out=$1 _err=$2
  shift 2
  _rc=0
  timeout -k 5 120 "$CHROME" --headless --no-sandbox --disable-gpu \
    --user-data-dir="$T/chrome-profile" --no-first-run \
    --disable-background-networking --disable-component-update \
    --disable-sync --disable-extensions --disable-default-apps \
    --host-resolver-rules='MAP * ~NOTFOUND' --proxy-server=127.0.0.1:9 \
    --enable-logging=stderr --v=0 --hide-scrollbars \
    --window-size=1280,900 "$@" > "$_out" 2> "$_err" || _rc=$?
  # Stop whatever it left behind (by pid: only this profile's).
  for _p in $(pgrep -f -- "--user-data-dir=$T/chrome-profile" || :); do
    kill -KILL "$_p" 2>/dev/null || :
  done
  [ "$_rc" -eq 0 ] || { tail -n 20 "$_err" >&2; fail "chromium exited $_rc"; }
}

# The page as served, plus (in a copy) a script that writes what the
# browser measured into the title: the report itself runs no script, and
# its own policy would refuse one.
MEASURE='<meta http-equiv="Content-Security-Policy" content="default-src '"'none'"'; style-src '"'unsafe-inline'"'; script-src '"'unsafe-inline'"'"><script>
(function () {
  var v = 0;
  document.addEventListener("securitypolicyviolation", function () { v++; });
  window.addEventListener("load", function () {
    var d = document.documentElement, s = [], i,
        secs = document.querySelectorAll("body > section[id], body > div[id]");
    for (i = 0; i < secs.length; i++) s.push(secs[i].id);
    document.title = "wr-measure height=" + d.scrollHeight +
      " width=" + d.scrollWidth +
      " resources=" + performance.getEntriesByType("resource").length +
      " violations=" + v +
      " bars=" + document.querySelectorAll("#timeline svg rect.bar").length +
      " failrows=" + document.querySelectorAll("#failures table.fail tr").length +
      " open=" + document.querySelectorAll("#chunks details[open]").length +
      " sections=" + s.join(",") + " end";
  });
})();
</script>'

# check NAME REPORT FAILED: render REPORT, look at it in the browser.
check()
{
  _n=$1 _r=$2 _failed=$3
  _h=$T/$_n.html
  "$WR" report --format html -o "$_h" "$_r" || fail "$_n: report exited $?"
  # Self-contained, by construction.
  grep -q '<meta http-equiv="Content-Security-Policy" content="default-src '"'none'"'; style-src '"'unsafe-inline'"'">' "$_h" ||
    fail "$_n: no Content-Security-Policy forbidding fetches"
  if grep -Eiq '<script|<link|<img|<iframe|<object|src=|href=|url\(|@import' "$_h"; then
    grep -Eio '.{30}(<script|<link|<img|<iframe|<object|src=|href=|url\(|@import).{30}' "$_h" | head -n 3 >&2
    fail "$_n: the page refers to something outside it"
  fi
  ! grep -q '`' "$_h" || fail "$_n: literal Markdown backticks in the page"
  # The page as it is: a screenshot, its DOM, and not one console line.
  chrome "$T/$_n.dom" "$T/$_n.err" --virtual-time-budget=3000 --dump-dom \
    "file://$_h"
  chrome "$T/$_n.shot.out" "$T/$_n.shot.err" --screenshot="$T/$_n.png" \
    "file://$_h"
  [ "$(head -c 4 "$T/$_n.png" | od -An -c | tr -d ' ')" = '211PNG' ] ||
    fail "$_n: no PNG screenshot"
  if grep -h 'CONSOLE' "$T/$_n.err" "$T/$_n.shot.err"; then
    fail "$_n: the browser console was not silent"
  fi
  grep -q '<svg[^>]*id="timeline-svg"' "$T/$_n.dom" ||
    fail "$_n: no inline SVG timeline in the DOM"
  # The measuring copy.
  awk -v m="$MEASURE" '/<meta http-equiv="Content-Security-Policy"/ { print m; next } { print }' \
    "$_h" > "$T/$_n.measure.html"
  chrome "$T/$_n.measure.dom" "$T/$_n.measure.err" --virtual-time-budget=3000 \
    --dump-dom "file://$T/$_n.measure.html"
  if grep -h 'CONSOLE' "$T/$_n.measure.err"; then
    fail "$_n: the browser console was not silent (measuring copy)"
  fi
  _m=$(sed -n 's/.*<title>\(wr-measure [^<]*\)<\/title>.*/\1/p' "$T/$_n.measure.dom")
  [ -n "$_m" ] || fail "$_n: the page was not measured (no title written)"
  note "$_n: $_m"
  _v() { echo "$_m" | sed -n "s/.* $1=\([^ ]*\) .*/\1/p"; }
  [ "$(_v resources)" = 0 ] || fail "$_n: the browser fetched $(_v resources) resources"
  [ "$(_v violations)" = 0 ] || fail "$_n: $(_v violations) policy violations"
  case $(_v sections) in
    summary,timeline,failures,details,chunks|summary,timeline,failures,details,chunks,*) ;;
    *) fail "$_n: sections are '$(_v sections)', not summary first," \
         "then timeline, failures, details, chunks" ;;
  esac
  [ "$(_v bars)" -gt 0 ] || fail "$_n: the timeline has no bars"
  # one row per failed desktop, plus the header
  [ "$(_v failrows)" -eq $((_failed + 1)) ] ||
    fail "$_n: $(_v failrows) rows in the failure table, not $((_failed + 1))"
  [ "$(_v open)" -eq 0 ] || fail "$_n: chunks are not folded"
  [ "$(_v height)" -le $MAX_HEIGHT ] ||
    fail "$_n: the page is $(_v height) px tall, more than $MAX_HEIGHT (5 screens)"
  [ "$(_v height)" -ge 900 ] || fail "$_n: the page is only $(_v height) px tall"
  [ "$(_v width)" -le 1280 ] || fail "$_n: the page is $(_v width) px wide (overflows 1280)"
  cp "$_h" "$T/$_n.png" "$T/$_n.dom" "$ART/"
}

check sample "$SRC/samples/sample-report.jsonl" 11

sh "$SRC/samples/make-audit-sample.sh" "$BUILD" "$T/5k" --fast ||
  fail "make-audit-sample.sh failed"
[ "$(jq -r 'select(.type == "chunk" and .status == "failed") | .desktop_ids[]' \
      "$T/5k/sample.jsonl" | wc -l)" -eq 50 ] || fail "the 5k sample has not 50 failures"
check sample-5k "$T/5k/sample.jsonl" 50
# Its ok chunks, folded: every ok desktop is in the DOM, none on screen.
grep -q '<details class="chunks"><summary><span class="ok">ok</span>: ' \
  "$T/sample-5k.dom" || fail "sample-5k: the ok chunks are not in a <details>"
note "screenshots and DOMs in $ART"
