#!/bin/sh
# No secret reaches stdout or stderr: `plan --show-requests` at -vvv with
# known secrets, in every API mode and from every credentials source.
# (The report of a real run is covered once `run` exists.)
# Usage: sh test_secrets.sh BUILD_DIR SOURCE_DIR
set -u
BUILD=$1
BIN=$BUILD/wuying-reboot
TMP=$(mktemp -d "${TMPDIR:-/tmp}/wr-secrets.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
FAILED=0

fail() {
  echo "FAIL: $*" >&2
  FAILED=1
}

# Secrets with characters that change under percent-encoding, and the
# encoded forms (RFC 3986 and querystring) that must not appear either.
AK_ID=LTAI5tWrSecretTest0042
AK_SECRET='wrAkSecret+/=Zq9'
STS='CAISwrSts+tok/en=='
LOGIN='wrLogin/Tok+en='
SESSION_ID='wrSessId-77a1'
SESSION_TOKEN='wrSess*Tok~en&x'
FORBIDDEN="$AK_ID
$AK_SECRET
wrAkSecret%2B%2F%3DZq9
$STS
CAISwrSts%2Btok%2Fen%3D%3D
$LOGIN
wrLogin%2FTok%2Ben%3D
$SESSION_ID
$SESSION_TOKEN
wrSess%2ATok~en%26x
wrSess*Tok~en%26x"

printf 'DesktopId,RegionId\necd-aaaa1,cn-hangzhou\necd-aaaa2,cn-hangzhou\necd-bbbb1,cn-shanghai\n' \
  >"$TMP/fleet.csv"
mkdir -p "$TMP/home/.aliyun"
chmod 700 "$TMP/home/.aliyun"

# check NAME EXPECTED_RC NEEDLE -- COMMAND...: run with stdout/stderr
# captured, then check the exit code, that NEEDLE is in stdout (so an
# empty output cannot pass) and that no secret is anywhere.
check() {
  name=$1 want_rc=$2 needle=$3
  shift 4
  "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  if [ "$rc" != "$want_rc" ]; then
    fail "$name: exit $rc, expected $want_rc"
    sed 's/^/  stderr: /' "$TMP/err" >&2
  fi
  if ! grep -qF -- "$needle" "$TMP/out" "$TMP/err"; then
    fail "$name: '$needle' not in the output"
  fi
  echo "$FORBIDDEN" | while IFS= read -r s; do
    [ -n "$s" ] || continue
    if grep -qF -- "$s" "$TMP/out" "$TMP/err"; then
      echo "FAIL: $name: secret '$s' appears in the output" >&2
      grep -nF -- "$s" "$TMP/out" "$TMP/err" | sed 's/^/  /' >&2
      echo x >>"$TMP/leaks"
    fi
  done
}

clean_env() {
  env -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET \
      -u ALIBABA_CLOUD_SECURITY_TOKEN -u ALIBABA_CLOUD_PROFILE \
      -u ALIBABACLOUD_PROFILE -u ALICLOUD_PROFILE \
      -u WUYING_LOGIN_TOKEN -u WUYING_SESSION_ID -u WUYING_SESSION_TOKEN \
      -u WUYING_CLIENT_ID HOME="$TMP/home" "$@"
}

PLAN="$BIN plan -v -v -v --show-requests 10 $TMP/fleet.csv"

# Admin V3 and V1, AccessKey + STS from the environment.
for sig in v3 v1; do
  check "admin $sig env" 0 'Signature=***' -- clean_env \
    ALIBABA_CLOUD_ACCESS_KEY_ID="$AK_ID" \
    ALIBABA_CLOUD_ACCESS_KEY_SECRET="$AK_SECRET" \
    ALIBABA_CLOUD_SECURITY_TOKEN="$STS" $PLAN --signature $sig
done

# Admin from an StsToken profile of the aliyun CLI config file.
cat >"$TMP/home/.aliyun/config.json" <<JSON
{"current": "ops", "profiles": [
  {"name": "ops", "mode": "StsToken", "access_key_id": "$AK_ID",
   "access_key_secret": "$AK_SECRET", "sts_token": "$STS"},
  {"name": "role", "mode": "RamRoleArn", "access_key_id": "$AK_ID",
   "access_key_secret": "$AK_SECRET", "ram_role_arn": "acs:ram::1:role/x"}]}
JSON
chmod 600 "$TMP/home/.aliyun/config.json"
check "admin profile" 0 'x-acs-security-token: ***' -- clean_env $PLAN
# A RamRoleArn profile whose STS cannot be reached: an error naming the
# profile and its mode, still no secret (the STS error paths with a
# server that answers are test_creds_sts.sh).
check "admin role profile, no STS" 2 'mode RamRoleArn' \
  -- clean_env ALIBABA_CLOUD_STS_ENDPOINT=http://127.0.0.1:1 \
  $PLAN --profile role
rm -f "$TMP/home/.aliyun/config.json"

# Client API: secrets from the environment, then as options (warned).
check "client env" 0 'LoginToken=***' -- clean_env \
  WUYING_LOGIN_TOKEN="$LOGIN" WUYING_SESSION_ID="$SESSION_ID" \
  WUYING_SESSION_TOKEN="$SESSION_TOKEN" \
  $PLAN --api client --client-id cid-1
check "client options" 0 'visible in the process list' -- clean_env \
  $PLAN --api client --client-id cid-1 --login-token "$LOGIN" \
  --session-id "$SESSION_ID" --session-token "$SESSION_TOKEN"

# Secrets in a job file: not in the process list, so no such warning; a
# file others can read is warned about, with its mode, a 0600 one is not.
printf '{"api": "client", "client-id": "cid-1", "login-token": "%s",\n "session-id": "%s", "session-token": "%s"}\n' \
  "$LOGIN" "$SESSION_ID" "$SESSION_TOKEN" >"$TMP/job.json"
chmod 644 "$TMP/job.json"
check "client job 0644" 0 "$TMP/job.json: holds a secret and is readable by others (mode 0644); chmod 600 it" \
  -- clean_env $PLAN --job "$TMP/job.json"
if grep -q 'process list' "$TMP/err"; then
  fail "client job 0644: warned about the process list for a job file"
fi
chmod 600 "$TMP/job.json"
check "client job 0600" 0 'LoginToken=***' -- clean_env $PLAN --job "$TMP/job.json"
if grep -q 'process list\|readable by others' "$TMP/err"; then
  fail "client job 0600: warned about a private job file"
fi
# A job file without secrets is nobody's business, whatever its mode.
printf '{"api": "client", "client-id": "cid-1"}\n' >"$TMP/job2.json"
chmod 644 "$TMP/job2.json"
check "client job no secret" 0 'LoginToken=***' -- clean_env \
  WUYING_LOGIN_TOKEN="$LOGIN" WUYING_SESSION_ID="$SESSION_ID" \
  WUYING_SESSION_TOKEN="$SESSION_TOKEN" $PLAN --job "$TMP/job2.json"
if grep -q 'readable by others' "$TMP/err"; then
  fail "client job no secret: warned about a job file holding no secret"
fi

# Missing credentials: exit 2 before anything is sent, naming the variable.
check "admin missing" 2 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' -- clean_env \
  ALIBABA_CLOUD_ACCESS_KEY_ID="$AK_ID" $PLAN

if [ -s "$TMP/leaks" ] || [ "$FAILED" != 0 ]; then
  echo "test_secrets: FAILED" >&2
  exit 1
fi
echo "test_secrets: ok"
