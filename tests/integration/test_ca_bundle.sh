#!/bin/sh
# --ca-bundle FILE (and the job-file key), CURL_CA_BUNDLE, SSL_CERT_FILE
# and SSL_CERT_DIR add trust, and verification stays on: against an
# `openssl s_server` on loopback whose certificate a CA made here signs.
# The credentials URI (net/fetch) and a run's calls (httppool) are tried.
set -eu
BUILD=$(cd "$1" && pwd)
WR=$BUILD/wuying-reboot
T=$(mktemp -d "${TMPDIR:-/tmp}/wr-ca.XXXXXX") || exit 1
SRV=
cleanup()
{
  [ -z "$SRV" ] || { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; } || :
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail()
{
  echo "FAIL: $*" >&2
  exit 1
}
command -v openssl > /dev/null || fail "openssl is missing"
cd "$T"

# A CA, a server certificate for localhost it signs, and a stranger CA.
mkca() { openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" \
  -out "$1.pem" -days 2 -subj "/CN=$1" 2> /dev/null; }
mkca ca
mkca other
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
  -subj /CN=localhost 2> /dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > ext.cnf
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -out srv.pem -days 2 -extfile ext.cnf 2> /dev/null
mkdir cadir
cp ca.pem cadir/
openssl rehash cadir 2> /dev/null || c_rehash cadir > /dev/null ||
  fail "cannot hash cadir"

mkdir www
printf '{"Code":"Success","AccessKeyId":"STS.NCaBundleTest00000042","AccessKeySecret":"caBundleSecret","SecurityToken":"caBundleToken","Expiration":"2099-01-01T00:00:00Z"}' \
  > www/creds.json
(cd www && exec openssl s_server -accept 127.0.0.1:0 -cert ../srv.pem \
  -key ../srv.key -WWW) > srv.out 2>&1 &
SRV=$!
n=0
until grep -q '^ACCEPT' srv.out 2> /dev/null; do
  n=$((n + 1))
  [ "$n" -lt 200 ] || fail "openssl s_server did not start: $(cat srv.out)"
  kill -0 "$SRV" 2> /dev/null || fail "openssl s_server exited: $(cat srv.out)"
  sleep 0.05
done
PORT=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' srv.out)
[ -n "$PORT" ] || fail "no port in: $(cat srv.out)"
printf 'DesktopId,RegionId\necd-aaaa1,cn-hangzhou\n' > fleet.csv

# try NAME [VAR=VALUE...] -- ARGS: plan with the URI step only.
try()
{
  _n=$1
  shift
  _env=
  while [ "$1" != -- ]; do _env="$_env $1"; shift; done
  shift
  RC=0
  env -u CURL_CA_BUNDLE -u SSL_CERT_FILE -u SSL_CERT_DIR \
    -u ALIBABA_CLOUD_ACCESS_KEY_ID -u ALIBABA_CLOUD_ACCESS_KEY_SECRET \
    HOME="$T" ALIBABA_CLOUD_ECS_METADATA_DISABLED=true \
    ALIBABA_CLOUD_CREDENTIALS_URI="https://localhost:$PORT/creds.json" \
    $_env "$WR" plan -v --show-requests 1 "$@" fleet.csv \
    > "$_n.out" 2> "$_n.err" || RC=$?
}
ok()
{
  [ "$RC" -eq 0 ] && grep -q "step credentials_uri" "$1.err" ||
    fail "$1: exit $RC: $(grep -i 'error\|credentials URI' "$1.err" | head -n 2)"
}
refused()
{
  [ "$RC" -eq 2 ] && grep -qi "certificate\|SSL" "$1.err" ||
    fail "$1: exit $RC, expected a refused certificate: $(tail -n 1 "$1.err")"
}

try none -- ; refused none
try other -- --ca-bundle other.pem; refused other
try bundle -- --ca-bundle ca.pem; ok bundle
printf '{"ca-bundle": "%s"}\n' "$T/ca.pem" > job.json
try job -- --job job.json; ok job
try curl_env CURL_CA_BUNDLE="$T/ca.pem" --; ok curl_env
try ssl_file SSL_CERT_FILE="$T/ca.pem" --; ok ssl_file
try ssl_dir SSL_CERT_DIR="$T/cadir" --; ok ssl_dir
# The system's trust is kept: a stranger bundle adds, it does not replace.
try both SSL_CERT_FILE="$T/ca.pem" -- --ca-bundle other.pem; ok both
try missing -- --ca-bundle "$T/nope.pem"
[ "$RC" -eq 2 ] && grep -q "ca-bundle: $T/nope.pem: cannot open" missing.err ||
  fail "missing bundle: exit $RC: $(tail -n 1 missing.err)"
try notpem -- --ca-bundle fleet.csv
[ "$RC" -eq 2 ] && grep -q "no PEM certificate" notpem.err ||
  fail "a bundle with no certificate: exit $RC"

# A run's reboot calls (httppool; no pre-flight, so the first call is a
# reboot): without the CA the TLS handshake is refused;
# with it the handshake passes (s_server then answers no ECD JSON).
run()
{
  _n=$1
  shift
  RC=0
  env -u CURL_CA_BUNDLE -u SSL_CERT_FILE -u SSL_CERT_DIR HOME="$T" \
    ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tCaBundleTest0042 \
    ALIBABA_CLOUD_ACCESS_KEY_SECRET=s "$WR" run --endpoint \
    "https://localhost:$PORT" --retries 0 --rate 0 --timeout 3 --progress never \
    --no-preflight \
    --report "$_n.jsonl" "$@" fleet.csv > "$_n.out" 2> "$_n.err" || RC=$?
}
run run_none
grep -qi "certificate\|SSL" run_none.jsonl ||
  fail "run without the CA: no certificate error in the report"
run run_ca --ca-bundle ca.pem
[ -s run_ca.jsonl ] || fail "run with the CA: no report"
if grep -qi "certificate\|SSL" run_ca.jsonl; then
  fail "run with the CA: the certificate was still refused: $(grep -i 'certificate\|SSL' run_ca.jsonl | head -n 1)"
fi
echo "test_ca_bundle: ok"
