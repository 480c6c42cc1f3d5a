#!/bin/sh
# The man page, docs/wuying-reboot.1, renders with `man -l` without a
# warning, has its sections and every command, and names every long option
# that `--help` prints, so the page cannot silently fall behind the code.
# The user documentation (README.md, docs/) is all in the repository: no
# pointer to ../shared or to files a clone does not have, and every relative
# link resolves.  Args: BUILD_DIR SOURCE_DIR.
. "$2/tests/integration/plan_lib.sh"
PAGE="$SRC/docs/wuying-reboot.1"

[ -f "$PAGE" ] || { echo "FAIL: $PAGE is missing"; exit 1; }
# Not a skip: without man the page is not checked at all (make deps
# installs man-db).
command -v man > /dev/null 2>&1 || {
  echo "FAIL: man is not installed (apt-get install man-db)"
  exit 1
}

# Rendered as a user reads it; troff's warnings (a line that cannot be
# broken or adjusted, an unknown macro) go to stderr.
LC_ALL=C.UTF-8 MANWIDTH=80 MANPAGER=cat PAGER=cat MAN_KEEP_FORMATTING= \
  man -l "$PAGE" > "$TMP/page" 2> "$TMP/err"
rc=$?
[ "$rc" -eq 0 ] || fail "man -l $PAGE: exit $rc: $(head -c 300 "$TMP/err")"
[ -s "$TMP/err" ] && fail "man -l $PAGE warns: $(head -c 300 "$TMP/err")"
[ "$(wc -l < "$TMP/page")" -gt 100 ] ||
  fail "man -l rendered only $(wc -l < "$TMP/page") lines"
if command -v groff > /dev/null 2>&1; then
  groff -man -Tutf8 -ww -z "$PAGE" > "$TMP/gout" 2>&1 ||
    fail "groff -man -ww -z $PAGE failed: $(head -c 300 "$TMP/gout")"
  [ -s "$TMP/gout" ] && fail "groff -ww warns: $(head -c 300 "$TMP/gout")"
fi

# The sections a man page of a command has, as headings of their own.
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" \
  ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
  grep -qx "$s" "$TMP/page" || fail "no section \"$s\" in the man page"
done

# Each command in the synopsis and as an item of COMMANDS.
sed -n '/^COMMANDS$/,/^OPTIONS$/p' "$TMP/page" > "$TMP/commands"
for c in plan run resume report; do
  grep -q "^ *wuying-reboot $c " "$TMP/page" ||
    fail "the synopsis has no \"wuying-reboot $c\""
  grep -Eq "^ {7}$c( |\$)" "$TMP/commands" ||
    fail "COMMANDS does not describe \"$c\""
done

# Every long option the program's help prints is in the page.
{
  "$WR" --help
  for c in plan run resume report; do
    "$WR" "$c" --help || fail "wuying-reboot $c --help: exit $?"
  done
} > "$TMP/help" 2>&1
opts=$(grep -o -- '--[a-z][a-z-]*[a-z]' "$TMP/help" | sort -u)
[ "$(echo "$opts" | wc -l)" -ge 30 ] ||
  fail "--help printed only $(echo "$opts" | wc -l) long options: $opts"
for o in $opts; do
  grep -Eq -- "(^|[^a-z-])$o([^a-z-]|\$)" "$TMP/page" ||
    fail "option $o (in --help) is not in the man page"
done
# Exit codes and the credential variables the code reads.
for v in 0 1 2 3; do
  sed -n '/^EXIT STATUS$/,/^ENVIRONMENT$/p' "$TMP/page" | grep -Eq "^ {7}$v " ||
    fail "EXIT STATUS does not describe exit code $v"
done
for v in ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET \
  ALIBABA_CLOUD_SECURITY_TOKEN WUYING_CLIENT_ID WUYING_LOGIN_TOKEN \
  WUYING_SESSION_ID WUYING_SESSION_TOKEN https_proxy no_proxy; do
  grep -q "$v" "$TMP/page" || fail "ENVIRONMENT does not name $v"
done
# The version in the page's header is the program's.
version=$("$WR" --version)
grep -q "^\.TH .*\"$version\"" "$PAGE" ||
  fail "the page's .TH does not say \"$version\" (wuying-reboot --version)"

# Everything a user reads is in the repository: no ../shared, no files
# that only the project's authors have.
cd "$SRC" || exit 1
docs="README.md $(ls docs/*.md)"
# shellcheck disable=SC2086
if grep -n -e '\.\./shared' -e 'CONTRACT\.md' -e 'API\.md' $docs > "$TMP/refs"; then
  fail "user docs point outside the repository: $(head -c 400 "$TMP/refs")"
fi
# Each relative link [text](path#anchor) names a file that exists.
for f in $docs; do
  dir=$(dirname "$f")
  grep -o '](\([^)#]*\)[)#]' "$f" | sed 's/^](//; s/[)#]$//' |
    grep -v -e '^[a-z]*:' -e '^$' | while read -r target; do
    [ -e "$dir/$target" ] || echo "$f: $target"
  done
done > "$TMP/links"
[ -s "$TMP/links" ] && fail "broken links: $(head -c 400 "$TMP/links")"

finish "man page: $(echo "$opts" | wc -l) options, 10 sections; docs self-contained"
