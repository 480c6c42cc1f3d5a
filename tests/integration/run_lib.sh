# Shared by tests/integration/test_run_*.sh, tests/demo.sh and
# tests/bench/run_bench.sh (sourced, POSIX sh).  Not a test itself: the
# ctest glob takes test_*.sh only.
#
#   run_setup BUILD_DIR   work dir $T (removed at exit), $WR and $SIM, and an
#                         EXIT trap that stops the simulator if still running
#   sim_start ARGS...     start ecd-sim on a free port: sets $SIM_PID, $PORT,
#                         $ENDPOINT; its log is $T/sim.log (none if
#                         $SIM_NOLOG is set), stats $T/stats.json
#   sim_stop              SIGTERM, wait, require exit 0 and the stats file
#   wait_for CMD...       poll CMD (bounded, ~20 s) until it succeeds
#   fail MSG              print MSG and exit 1
#
# Waiting is always a bounded poll on an observable condition (a file, a
# line of output), never a fixed sleep.

LC_ALL=C
export LC_ALL

fail()
{
  echo "FAIL: $*" >&2
  # A simulator that died (or was killed) mid-run explains most failures.
  if [ -n "${SIM_PID:-}" ] && ! kill -0 "$SIM_PID" 2>/dev/null; then
    _st=0
    wait "$SIM_PID" 2>/dev/null || _st=$?
    echo "note: ecd-sim (pid $SIM_PID) had already exited, status $_st;" \
      "its stderr ends:" >&2
    tail -n 5 "$T/sim.err" >&2 2>/dev/null || :
    SIM_PID=
  fi
  exit 1
}

note()
{
  echo "# $*"
}

run_cleanup()
{
  if [ -n "${SIM_PID:-}" ]; then
    kill -TERM "$SIM_PID" 2>/dev/null || :
    wait "$SIM_PID" 2>/dev/null || :
  fi
  if [ -n "${WR_PID:-}" ]; then
    kill -KILL "$WR_PID" 2>/dev/null || :
    wait "$WR_PID" 2>/dev/null || :
  fi
  if [ -n "${T:-}" ] && [ -z "${WR_KEEP:-}" ]; then
    rm -rf "$T"
  fi
}

run_setup()
{
  BUILD=$(cd "$1" && pwd)
  WR=$BUILD/wuying-reboot
  SIM=$BUILD/ecd-sim
  [ -x "$WR" ] || fail "$WR is not built"
  [ -x "$SIM" ] || fail "$SIM is not built"
  command -v jq >/dev/null 2>&1 || fail "jq is missing (make deps)"
  T=$(mktemp -d "${TMPDIR:-/tmp}/wr-test.XXXXXX") || fail "mktemp"
  SIM_PID=
  WR_PID=
  trap run_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # The sanitizer build's runtime options, when the caller set none.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export ASAN_OPTIONS
}

# wait_for CMD...: poll up to ~20 s (400 x 50 ms).
wait_for()
{
  _n=0
  while ! "$@" 2>/dev/null; do
    _n=$((_n + 1))
    [ "$_n" -lt 400 ] || return 1
    sleep 0.05
  done
  return 0
}

# creds_isolate: a HOME of the test's own (with ~/.aliyun, mode 700) and
# none of the caller's credentials variables: only what each case sets.
creds_isolate()
{
  HOME=$T/home
  mkdir -p "$HOME/.aliyun"
  chmod 700 "$HOME/.aliyun"
  export HOME
  for _v in ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET \
    ALIBABA_CLOUD_SECURITY_TOKEN ALIBABA_CLOUD_PROFILE ALIBABACLOUD_PROFILE \
    ALICLOUD_PROFILE ALIBABA_CLOUD_ROLE_ARN ALIBABA_CLOUD_OIDC_PROVIDER_ARN \
    ALIBABA_CLOUD_OIDC_TOKEN_FILE ALIBABA_CLOUD_CREDENTIALS_URI \
    ALIBABA_CLOUD_CREDENTIALS_FILE ALIBABA_CLOUD_CONFIG_FILE \
    ALIBABA_CLOUD_ECS_METADATA ALIBABA_CLOUD_STS_REGION; do
    unset "$_v"
  done
}

# gone PID: the process has exited (use with wait_for: a bounded wait).
gone()
{
  ! kill -0 "$1" 2>/dev/null
}

_has_line()
{
  [ -s "$1" ] && [ "$(wc -l < "$1")" -ge 1 ]
}

sim_start()
{
  rm -f "$T/sim.log" "$T/stats.json" "$T/sim.out" "$T/sim.err"
  if [ -n "${SIM_NOLOG:-}" ]; then
    set -- --stats "$T/stats.json" "$@"   # benchmarks: no per-call log
  else
    set -- --log "$T/sim.log" --stats "$T/stats.json" "$@"
  fi
  "$SIM" --port 0 "$@" > "$T/sim.out" 2> "$T/sim.err" &
  SIM_PID=$!
  if ! wait_for _has_line "$T/sim.out"; then
    cat "$T/sim.err" >&2
    fail "ecd-sim did not print its port"
  fi
  PORT=$(head -n 1 "$T/sim.out")
  case $PORT in
    ''|*[!0-9]*) cat "$T/sim.err" >&2; fail "ecd-sim printed '$PORT', not a port" ;;
  esac
  ENDPOINT=http://127.0.0.1:$PORT
}

sim_stop()
{
  [ -n "$SIM_PID" ] || return 0
  kill -TERM "$SIM_PID"
  _rc=0
  wait "$SIM_PID" || _rc=$?
  SIM_PID=
  [ "$_rc" -eq 0 ] || { cat "$T/sim.err" >&2; fail "ecd-sim exited $_rc"; }
  [ -s "$T/stats.json" ] || fail "ecd-sim wrote no stats file"
}

# simstat EXPR: a jq expression over the simulator's final stats.
simstat()
{
  jq -r "$1" "$T/stats.json"
}

# rebooted_once_each N: the simulator rebooted N desktops, none twice.
rebooted_once_each()
{
  [ "$(simstat .desktops_rebooted)" -eq "$1" ] ||
    fail "the simulator rebooted $(simstat .desktops_rebooted) desktops, not $1"
  [ "$(simstat .max_reboots_per_desktop)" -eq 1 ] ||
    fail "a desktop was rebooted $(simstat .max_reboots_per_desktop) times"
}

# Checks shared by every run: the report is whole JSON Lines (no torn
# line), each chunk id has exactly one final record, the summary is last,
# and every planned desktop ends in exactly one ok/failed/skipped leaf.
check_report()
{
  _r=$1
  [ -s "$_r" ] || fail "no report at $_r"
  [ "$(tail -c 1 "$_r" | od -An -c | tr -d ' ')" = '\n' ] ||
    fail "$_r: last line is torn"
  jq -e . "$_r" > /dev/null || fail "$_r: a line is not JSON"
  [ "$(head -n 1 "$_r" | jq -r .type)" = run ] || fail "$_r: first record is not 'run'"
  [ "$(tail -n 1 "$_r" | jq -r .type)" = summary ] || fail "$_r: last record is not 'summary'"
  [ "$(jq -c 'select(.type=="summary")' "$_r" | wc -l)" -eq 1 ] ||
    fail "$_r: not exactly one summary"
  _dup=$(jq -r 'select(.type=="chunk") | .chunk' "$_r" | sort | uniq -d | head -n 3)
  [ -z "$_dup" ] || fail "$_r: chunks with more than one final record: $_dup"
  # Every plan chunk has a final record.
  _missing=$(jq -rs '[.[] | select(.type=="chunk") | .chunk] as $done
      | [.[] | select(.type=="plan") | .chunk] - $done | .[:3] | join(" ")' "$_r")
  [ -z "$_missing" ] || fail "$_r: plan chunks without a final record: $_missing"
  # Each planned desktop in exactly one leaf (split records are not leaves).
  _leaf=$(jq -rs '([.[] | select(.type=="plan") | .desktop_ids[]] | sort) as $p
      | ([.[] | select(.type=="chunk" and .status!="split") | .desktop_ids[]]
         | sort) as $l | if $p == $l then "same" else "differ" end' "$_r")
  [ "$_leaf" = same ] || fail "$_r: planned desktops and final leaves differ"
}

# count STATUS REPORT: desktops in leaves with that status.
count_desktops()
{
  jq -s --arg s "$1" '[.[] | select(.type=="chunk" and .status==$s)
      | .desktop_ids | length] | add // 0' "$2"
}

# lines_at_least FILE N: FILE has N complete lines or more.
lines_at_least()
{
  [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]
}

# wait_fleet FILE N: the simulator's --write-fleet file has its N desktops.
wait_fleet()
{
  wait_for lines_at_least "$1" $(($2 + 1)) || fail "no complete fleet file $1"
}
