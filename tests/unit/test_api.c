/* The request builder: exact wire requests for admin V3, admin V1 and the
 * client API, checked against API.md 3.6/4.4 and tests/fixtures/vectors;
 * bounds; redaction of every secret. */
#include "api.h"
#include "buf.h"
#include "clock.h"
#include "creds.h"
#include "err.h"
#include "hmac.h"
#include "sign.h"
#include "test_vectors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#define STS "CAIS+token/with=chars~*"

static const char *const ids2[] = {"ecd-aaaa0000000000001",
                                   "ecd-bbbb0000000000002"};

static int64_t wall(const char *iso)
{
  int64_t ms = 0;

  assert_int_equal(wr_time_parse_rfc3339(iso, &ms), 0);
  return ms;
}

static const char *header(const struct wr_http_request *r, const char *name)
{
  size_t i;

  for (i = 0; i < r->nheaders; i++)
    if (strcmp(r->headers[i].name, name) == 0)
      return r->headers[i].value;
  return NULL;
}

/* The run's path (the secret prepared once, the URL's query signed as
 * it is) gives the very request of the plain one: URL, every header and
 * the signature. */
static void same_with_key(const struct wr_api_target *t,
                          const struct wr_creds *c, const struct wr_call *call,
                          const struct wr_attempt *a,
                          const struct wr_http_request *want)
{
  struct wr_hmac_key *key = NULL;
  struct wr_http_request r;
  size_t i;

  assert_int_equal(wr_hmac_key_create(c->access_key_secret,
                                      strlen(c->access_key_secret), &key),
                   0);
  assert_int_equal(wr_api_build_keyed(t, c, key, call, a, &r, NULL), 0);
  assert_string_equal(r.url, want->url);
  assert_int_equal(r.nheaders, want->nheaders);
  for (i = 0; i < r.nheaders; i++) {
    assert_string_equal(r.headers[i].name, want->headers[i].name);
    assert_string_equal(r.headers[i].value, want->headers[i].value);
  }
  wr_http_request_free(&r);
  wr_hmac_key_destroy(&key);
}

static void test_admin_v3_exact(void **state)
{
  struct wr_creds c = {0};
  struct wr_api_target t = {WR_API_ADMIN, WR_SIG_V3, NULL};
  struct wr_call call = {"RebootDesktops", "cn-hangzhou", ids2, 2, NULL, 0,
                         NULL, NULL};
  struct wr_attempt a = {wall("2024-05-01T08:00:00Z"),
                         "3c5a1f0e9b2d4c6e8a7b9c0d1e2f3a4b"};
  struct wr_http_request r;
  struct wr_err err = {0};

  (void)state;
  c.access_key_id = "testid";
  c.access_key_secret = "testsecret";
  assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, &err), 0);
  assert_string_equal(r.method, "POST");
  assert_string_equal(r.url,
                      "https://ecd.cn-hangzhou.aliyuncs.com/?DesktopId.1=ecd-"
                      "aaaa0000000000001&DesktopId.2=ecd-bbbb0000000000002&"
                      "RegionId=cn-hangzhou");
  assert_null(r.body);
  assert_string_equal(header(&r, "host"), "ecd.cn-hangzhou.aliyuncs.com");
  assert_string_equal(header(&r, "x-acs-action"), "RebootDesktops");
  assert_string_equal(header(&r, "x-acs-version"), "2020-09-30");
  assert_string_equal(header(&r, "x-acs-date"), "2024-05-01T08:00:00Z");
  assert_string_equal(header(&r, "accept"), "application/json");
  assert_null(header(&r, "x-acs-security-token"));
  /* API.md 4.4, byte for byte. */
  assert_string_equal(
      header(&r, "Authorization"),
      "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;"
      "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
      "Signature=f2f8cef8745bb0b983b6b40eb183c643ce8139e3d1067f9181843a29bed"
      "7a771");
  same_with_key(&t, &c, &call, &a, &r);
  wr_http_request_free(&r);

  c.security_token = STS;
  assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, &err), 0);
  assert_string_equal(header(&r, "x-acs-security-token"), STS);
  assert_string_equal(
      header(&r, "Authorization"),
      "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;"
      "x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-"
      "nonce;x-acs-version,Signature=f96b71f478e6536489ae21659f8bfe7598bca2f"
      "bbe93df102efebf8e02ab7026");
  same_with_key(&t, &c, &call, &a, &r);
  wr_http_request_free(&r);
  assert_null(r.url);
}

/* Every SDK V3 vector: our URL carries exactly the canonical query. */
static void test_admin_v3_query_matches_sdk_vectors(void **state)
{
  cJSON *root = wr_test_load_json("v3-openapi-client.json");
  const cJSON *v;

  (void)state;
  assert_non_null(root);
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "vectors")) {
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(v, "requestParams");
    const cJSON *id;
    const char *ids[100];
    struct wr_creds c = {0};
    struct wr_api_target t = {WR_API_ADMIN, WR_SIG_V3,
                              "http://127.0.0.1:18787"};
    struct wr_call call = {"RebootDesktops", wr_test_str(rp, "RegionId"),
                           ids, 0, NULL, 0, NULL, NULL};
    struct wr_attempt a = {wall("2024-05-01T12:34:56Z"), "n"};
    struct wr_http_request r;
    char want[1 << 14];

    if (cJSON_GetObjectItemCaseSensitive(rp, "OsUpdate") != NULL)
      continue; /* we never send OsUpdate */
    cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(rp, "DesktopId"))
      ids[call.nids++] = id->valuestring;
    c.access_key_id = "testid";
    c.access_key_secret = (char *)wr_test_str(v, "secret");
    c.security_token = (char *)wr_test_str(v, "securityToken");
    assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, NULL), 0);
    snprintf(want, sizeof(want), "http://127.0.0.1:18787/?%s",
             wr_test_str(v, "canonicalQueryString"));
    assert_string_equal(r.url, want);
    assert_string_equal(header(&r, "host"), "127.0.0.1:18787");
    if (c.security_token != NULL)
      assert_string_equal(header(&r, "x-acs-security-token"),
                          c.security_token);
    same_with_key(&t, &c, &call, &a, &r);
    wr_http_request_free(&r);
  }
  cJSON_Delete(root);
}

static void test_admin_v1_exact(void **state)
{
  struct wr_creds c = {0};
  struct wr_api_target t = {WR_API_ADMIN, WR_SIG_V1,
                            "https://ecd.cn-hangzhou.aliyuncs.com/"};
  struct wr_call call = {"RebootDesktops", "cn-hangzhou", ids2, 2, NULL, 0,
                         NULL, NULL};
  struct wr_attempt a = {wall("2024-05-01T08:00:00Z"),
                         "8f6f6b5e-0c2a-4d0c-9a55-3b1f2f0e6a11"};
  struct wr_http_request r;
  const char *cq =
      "https://ecd.cn-hangzhou.aliyuncs.com/?AccessKeyId=testid&Action=Reboot"
      "Desktops&DesktopId.1=ecd-aaaa0000000000001&DesktopId.2=ecd-bbbb000000"
      "0000002&Format=JSON&RegionId=cn-hangzhou&SignatureMethod=HMAC-SHA1&Si"
      "gnatureNonce=8f6f6b5e-0c2a-4d0c-9a55-3b1f2f0e6a11&SignatureVersion=1."
      "0&Timestamp=2024-05-01T08%3A00%3A00Z&Version=2020-09-30";
  char want[2048];

  (void)state;
  c.access_key_id = "testid";
  c.access_key_secret = "testsecret";
  assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, NULL), 0);
  /* API.md 3.6: Hl6uEQ7fFGzDb2cK5f1xQ0TFwAw= */
  snprintf(want, sizeof(want), "%s&Signature=Hl6uEQ7fFGzDb2cK5f1xQ0TFwAw%%3D",
           cq);
  assert_string_equal(r.url, want);
  assert_null(r.body);
  assert_null(header(&r, "Authorization"));
  wr_http_request_free(&r);

  c.security_token = STS;
  assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, NULL), 0);
  assert_non_null(strstr(r.url, "&SecurityToken=CAIS%2Btoken%2Fwith%3D"
                                "chars~%2A&"));
  assert_non_null(strstr(r.url, "&Signature=asfx4DPvjSTs4WqCUA7JAeb79yk%3D"));
  wr_http_request_free(&r);
}

/* pop-core POST vectors that carry only RegionId and DesktopId: our
 * signature must be the SDK's. */
static void test_admin_v1_matches_sdk_vectors(void **state)
{
  cJSON *root = wr_test_load_json("rpc-v1-pop-core.json");
  const cJSON *v;
  int checked = 0;

  (void)state;
  assert_non_null(root);
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "vectors")) {
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(v, "requestParams");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(v, "params");
    const cJSON *id;
    const char *ids[100];
    struct wr_creds c = {0};
    struct wr_api_target t = {WR_API_ADMIN, WR_SIG_V1,
                              "https://ecd.cn-hangzhou.aliyuncs.com"};
    struct wr_call call = {"RebootDesktops", wr_test_str(rp, "RegionId"),
                           ids, 0, NULL, 0, NULL, NULL};
    struct wr_attempt a = {wall("2024-05-01T12:34:56Z"),
                           wr_test_str(params, "SignatureNonce")};
    struct wr_http_request r;
    char want[1 << 14];

    if (strcmp(wr_test_str(v, "method"), "POST") != 0 ||
        cJSON_GetArraySize(rp) != 2)
      continue;
    cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(rp, "DesktopId"))
      ids[call.nids++] = id->valuestring;
    c.access_key_id = (char *)wr_test_str(v, "accessKeyId");
    c.access_key_secret = (char *)wr_test_str(v, "secret");
    c.security_token = (char *)wr_test_str(v, "securityToken");
    assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, NULL), 0);
    /* The SDK's form body is our query string, Signature last. */
    snprintf(want, sizeof(want), "https://ecd.cn-hangzhou.aliyuncs.com/?%s",
             wr_test_str(cJSON_GetObjectItemCaseSensitive(v, "wire"),
                         "body"));
    assert_string_equal(r.url, want);
    wr_http_request_free(&r);
    checked++;
  }
  assert_int_equal(checked, 5);
  cJSON_Delete(root);
}

/* vectors/client-api-wire.json is the wire truth: same URL byte for byte,
 * same host/x-acs-version/x-acs-action headers, empty body. */
static void test_client_wire_exact(void **state)
{
  cJSON *root = wr_test_load_json("client-api-wire.json");
  const cJSON *cap;
  int checked = 0;

  (void)state;
  assert_non_null(root);
  cJSON_ArrayForEach(cap, cJSON_GetObjectItemCaseSensitive(root, "captures")) {
    const cJSON *rp = cJSON_GetObjectItemCaseSensitive(cap, "requestParams");
    const cJSON *wire = cJSON_GetObjectItemCaseSensitive(cap, "wire");
    const cJSON *raw = cJSON_GetObjectItemCaseSensitive(wire, "rawHeaders");
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(cap, "decodedQuery");
    const cJSON *id;
    const char *ids[20];
    struct wr_creds c = {0};
    struct wr_api_target t = {WR_API_CLIENT, WR_SIG_V3,
                              "http://127.0.0.1:18788"};
    struct wr_call call = {"RebootDesktops", wr_test_str(rp, "RegionId"),
                           ids, 0, wr_test_str(rp, "ClientToken"), 0, NULL,
                           NULL};
    struct wr_attempt a = {wall("2024-05-01T12:34:56Z"),
                           cJSON_GetArrayItem(cJSON_GetArrayItem(q, 4), 1)
                               ->valuestring};
    struct wr_http_request r;
    char want[1 << 14];
    int i;

    cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(rp, "DesktopId"))
      ids[call.nids++] = id->valuestring;
    c.client_id = (char *)wr_test_str(rp, "ClientId");
    c.client_os = (char *)wr_test_str(rp, "ClientOS");
    c.client_version = (char *)wr_test_str(rp, "ClientVersion");
    c.login_token = (char *)wr_test_str(rp, "LoginToken");
    c.session_id = (char *)wr_test_str(rp, "SessionId");
    c.session_token = (char *)wr_test_str(rp, "SessionToken");
    assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, NULL), 0);
    snprintf(want, sizeof(want), "http://127.0.0.1:18788%s",
             wr_test_str(wire, "path"));
    assert_string_equal(r.url, want);
    assert_string_equal(r.method, wr_test_str(wire, "method"));
    assert_null(r.body);
    assert_int_equal(r.nheaders, 3);
    for (i = 0; i < 3; i++) {
      const cJSON *h = cJSON_GetArrayItem(raw, i);

      assert_string_equal(r.headers[i].name,
                          cJSON_GetArrayItem(h, 0)->valuestring);
      assert_string_equal(r.headers[i].value,
                          cJSON_GetArrayItem(h, 1)->valuestring);
    }
    assert_null(header(&r, "Authorization"));
    wr_http_request_free(&r);
    checked++;
  }
  assert_int_equal(checked, 2);
  cJSON_Delete(root);
}

static void test_describe_desktops(void **state)
{
  struct wr_creds c = {0};
  struct wr_api_target t = {WR_API_ADMIN, WR_SIG_V3, "http://127.0.0.1:1"};
  struct wr_call call = {"DescribeDesktops", "cn-hangzhou", ids2, 2, NULL,
                         100, "tok en", NULL};
  struct wr_attempt a = {0, "abc"};
  struct wr_http_request r;

  (void)state;
  c.access_key_id = "testid";
  c.access_key_secret = "testsecret";
  assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, NULL), 0);
  assert_string_equal(r.url,
                      "http://127.0.0.1:1/?DesktopId.1=ecd-aaaa0000000000001&"
                      "DesktopId.2=ecd-bbbb0000000000002&MaxResults=100&"
                      "NextToken=tok%20en&RegionId=cn-hangzhou");
  assert_string_equal(header(&r, "x-acs-action"), "DescribeDesktops");
  assert_string_equal(header(&r, "x-acs-date"), "1970-01-01T00:00:00Z");
  wr_http_request_free(&r);
}

static void test_bounds_and_bad_calls(void **state)
{
  static const char *many[101];
  struct wr_creds c = {0};
  struct wr_api_target admin = {WR_API_ADMIN, WR_SIG_V3, NULL};
  struct wr_api_target client = {WR_API_CLIENT, WR_SIG_V3, NULL};
  struct wr_call call = {"RebootDesktops", "cn-hangzhou", many, 100, NULL, 0,
                         NULL, NULL};
  struct wr_attempt a = {0, "abc"};
  struct wr_http_request r;
  struct wr_err err = {0};
  char long_token[80];
  int i;

  (void)state;
  for (i = 0; i < 101; i++)
    many[i] = "ecd-x";
  c.access_key_id = "id";
  c.access_key_secret = "secret";
  c.client_id = "cid";
  assert_int_equal(wr_api_build(&admin, &c, &call, &a, &r, &err), 0);
  wr_http_request_free(&r);
  call.nids = 101;
  assert_int_equal(wr_api_build(&admin, &c, &call, &a, &r, &err), WR_EINVAL);
  assert_non_null(strstr(err.msg, "1 to 100"));
  assert_null(r.url);
  call.nids = 0;
  assert_int_equal(wr_api_build(&admin, &c, &call, &a, &r, &err), WR_EINVAL);

  call.client_token = "tok";
  call.nids = 21;
  assert_int_equal(wr_api_build(&client, &c, &call, &a, &r, &err), WR_EINVAL);
  assert_non_null(strstr(err.msg, "1 to 20"));
  call.nids = 20;
  assert_int_equal(wr_api_build(&client, &c, &call, &a, &r, &err), 0);
  wr_http_request_free(&r);
  call.client_token = NULL;
  assert_int_equal(wr_api_build(&client, &c, &call, &a, &r, &err), WR_EINVAL);
  assert_non_null(strstr(err.msg, "ClientToken"));
  memset(long_token, 'a', 65);
  long_token[65] = '\0';
  call.client_token = long_token;
  assert_int_equal(wr_api_build(&client, &c, &call, &a, &r, &err), WR_EINVAL);
  call.client_token = "t\xc3\xa9";
  assert_int_equal(wr_api_build(&client, &c, &call, &a, &r, &err), WR_EINVAL);
  call.client_token = "tok";
  c.client_id = NULL;
  assert_int_equal(wr_api_build(&client, &c, &call, &a, &r, &err), WR_EINVAL);

  c.access_key_secret = NULL;
  assert_int_equal(wr_api_build(&admin, &c, &call, &a, &r, &err), WR_EINVAL);
  c.access_key_secret = "secret";
  a.nonce = "";
  assert_int_equal(wr_api_build(&admin, &c, &call, &a, &r, &err), WR_EINVAL);
  a.nonce = "n";
  call.region = "cn hangzhou";
  assert_int_equal(wr_api_build(&admin, &c, &call, &a, &r, &err), WR_EINVAL);
  assert_non_null(strstr(err.msg, "cn hangzhou"));
  call.region = "cn-hangzhou";
  admin.endpoint = "ftp://x";
  assert_int_equal(wr_api_build(&admin, &c, &call, &a, &r, &err), WR_EINVAL);
  assert_non_null(strstr(err.msg, "ftp://x"));
  admin.endpoint = "http://127.0.0.1:80/path";
  assert_int_equal(wr_api_build(&admin, &c, &call, &a, &r, &err), WR_EINVAL);
  admin.endpoint = "http://127.0.0.1:8080/";
  assert_int_equal(wr_api_build(&admin, &c, &call, &a, &r, &err), 0);
  assert_int_equal(strncmp(r.url, "http://127.0.0.1:8080/?", 23), 0);
  assert_string_equal(header(&r, "host"), "127.0.0.1:8080");
  wr_http_request_free(&r);
}

static void test_nonce_and_endpoint(void **state)
{
  char a[WR_NONCE_LEN], b[WR_NONCE_LEN];
  struct wr_buf ep;
  size_t i;

  (void)state;
  assert_int_equal(wr_api_nonce(a), 0);
  assert_int_equal(wr_api_nonce(b), 0);
  assert_int_equal(strlen(a), 32);
  for (i = 0; i < 32; i++)
    assert_non_null(strchr("0123456789abcdef", a[i]));
  assert_string_not_equal(a, b);
  wr_buf_init(&ep, 256);
  assert_int_equal(wr_api_default_endpoint("ap-southeast-1", &ep), 0);
  assert_string_equal(wr_buf_str(&ep), "https://ecd.ap-southeast-1.aliyuncs.com");
  assert_int_equal(wr_api_default_endpoint("evil.com/x", &ep), WR_EINVAL);
  assert_int_equal(wr_api_default_endpoint("", &ep), WR_EINVAL);
  wr_buf_free(&ep);
}

/* No secret survives formatting, in any of its encodings. */
static void assert_clean(const char *text, const char *secret)
{
  struct wr_buf enc;

  if (strstr(text, secret) != NULL)
    fail_msg("secret '%s' appears in:\n%s", secret, text);
  wr_buf_init(&enc, 1024);
  assert_int_equal(wr_percent_encode(secret, strlen(secret), &enc), 0);
  if (strstr(text, wr_buf_str(&enc)) != NULL)
    fail_msg("encoded secret '%s' appears in:\n%s", wr_buf_str(&enc), text);
  wr_buf_free(&enc);
}

static void test_redacted(void **state)
{
  struct wr_creds c = {0};
  struct wr_api_target t = {WR_API_ADMIN, WR_SIG_V3, NULL};
  struct wr_call call = {"RebootDesktops", "cn-hangzhou", ids2, 2, "ct-1", 0,
                         NULL, NULL};
  struct wr_attempt a = {wall("2024-05-01T08:00:00Z"), "nonce1"};
  struct wr_http_request r;
  struct wr_buf out;
  int mode;

  (void)state;
  c.access_key_id = "LTAI5tAbCdEfGhIjKlMn1234";
  c.access_key_secret = "S3cr3t/Key+With=Chars";
  c.security_token = "CAIS+sts/token==";
  c.client_id = "client-1";
  c.login_token = "v2_login/Token+x=";
  c.session_id = "sess-id-42";
  c.session_token = "st+AbC/dEf=gh&ij~kl*mn";
  for (mode = 0; mode < 3; mode++) {
    t.mode = mode == 2 ? WR_API_CLIENT : WR_API_ADMIN;
    t.signature = mode == 1 ? WR_SIG_V1 : WR_SIG_V3;
    assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, NULL), 0);
    wr_buf_init(&out, 1 << 16);
    assert_int_equal(wr_api_format_redacted(&r, &c, &out), 0);
    print_message("%s\n", wr_buf_str(&out));
    assert_int_equal(strncmp(wr_buf_str(&out), "POST https://ecd.cn-hangzhou"
                             ".aliyuncs.com/?", 43), 0);
    assert_clean(wr_buf_str(&out), c.access_key_secret);
    assert_clean(wr_buf_str(&out), c.security_token);
    assert_clean(wr_buf_str(&out), c.login_token);
    assert_clean(wr_buf_str(&out), c.session_id);
    assert_clean(wr_buf_str(&out), c.session_token);
    assert_clean(wr_buf_str(&out), c.access_key_id);
    if (mode == 0) {
      assert_non_null(strstr(wr_buf_str(&out), "Credential=LTAI***1234,"));
      assert_non_null(strstr(wr_buf_str(&out), ",Signature=***\n"));
      assert_non_null(strstr(wr_buf_str(&out), "x-acs-security-token: ***"));
      assert_non_null(strstr(wr_buf_str(&out), "x-acs-date: 2024-05-01T08"));
    } else if (mode == 1) {
      assert_non_null(strstr(wr_buf_str(&out), "&Signature=***\n"));
      assert_non_null(strstr(wr_buf_str(&out), "AccessKeyId=LTAI***1234&"));
      assert_non_null(strstr(wr_buf_str(&out), "&SecurityToken=***&"));
    } else {
      assert_non_null(strstr(wr_buf_str(&out), "&LoginToken=***&"));
      assert_non_null(strstr(wr_buf_str(&out), "&SessionId=***&"));
      assert_non_null(strstr(wr_buf_str(&out), "&SessionToken=***\n"));
      assert_non_null(strstr(wr_buf_str(&out), "ClientToken=ct-1&"));
    }
    /* Headers, a blank line, and the (empty) body last. */
    assert_non_null(strstr(wr_buf_str(&out), "\n\n"));
    wr_buf_free(&out);
    wr_http_request_free(&r);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_admin_v3_exact),
    cmocka_unit_test(test_admin_v3_query_matches_sdk_vectors),
    cmocka_unit_test(test_admin_v1_exact),
    cmocka_unit_test(test_admin_v1_matches_sdk_vectors),
    cmocka_unit_test(test_client_wire_exact),
    cmocka_unit_test(test_describe_desktops),
    cmocka_unit_test(test_bounds_and_bad_calls),
    cmocka_unit_test(test_nonce_and_endpoint),
    cmocka_unit_test(test_redacted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
