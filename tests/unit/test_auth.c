/* auth: the network steps against a fake transport: the STS host as the
 * libraries choose it, the shape of AssumeRole and AssumeRoleWithOIDC
 * (the token file read at each call), the metadata service's token and
 * its IMDSv1 fallback, the credentials URI's checks, and no secret in
 * an STS error. */
#include "auth.h"
#include "buf.h"
#include "config.h"
#include "creds.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NREQ 8

static char home[256];

struct seen {
  char method[8];
  char url[4096];
  char headers[1024];
  char body[4096];
};
static struct seen seen[NREQ];
static int nseen;

/* What the fake answers: by the first matching URL part. */
struct answer {
  const char *url_part;  /* NULL ends the table */
  int no_answer;         /* a transport error */
  long status;
  const char *body;
};
static const struct answer *answers;

static const char creds_json[] =
    "{\"Code\":\"Success\",\"AccessKeyId\":\"STS.NFakeKey0000000001\","
    "\"AccessKeySecret\":\"fakeSecret\",\"SecurityToken\":\"fakeToken\","
    "\"Expiration\":\"2099-01-02T03:04:05Z\"}";
static const char sts_json[] =
    "{\"RequestId\":\"r\",\"Credentials\":{\"AccessKeyId\":"
    "\"STS.NFakeKey0000000002\",\"AccessKeySecret\":\"fakeSecret2\","
    "\"SecurityToken\":\"fakeToken2\",\"Expiration\":"
    "\"2099-01-02T03:04:05Z\"}}";

static int fake(const struct wr_fetch_req *req, long *status,
                struct wr_buf *body, struct wr_err *err)
{
  struct seen *s = &seen[nseen < NREQ ? nseen : NREQ - 1];
  const struct answer *a;
  size_t i;

  wr_buf_init(body, 1 << 16);
  if (nseen < NREQ)
    nseen++;
  memset(s, 0, sizeof(*s));
  snprintf(s->method, sizeof(s->method), "%s", req->method);
  snprintf(s->url, sizeof(s->url), "%s", req->url);
  for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++)
    snprintf(s->headers + strlen(s->headers),
             sizeof(s->headers) - strlen(s->headers), "%s\n",
             req->headers[i]);
  if (req->body != NULL)
    snprintf(s->body, sizeof(s->body), "%.*s", (int)req->body_len,
             req->body);
  for (a = answers; a != NULL && a->url_part != NULL; a++)
    if (strstr(req->url, a->url_part) != NULL)
      break;
  if (a == NULL || a->url_part == NULL || a->no_answer)
    return wr_err_set(err, WR_EIO, "%s: no answer", req->method);
  *status = a->status;
  return wr_buf_adds(body, a->body) < 0 ? WR_ENOMEM : 0;
}

static const char *const vars[] = {
  "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
  "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_PROFILE",
  "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
  "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_ROLE_SESSION_NAME",
  "ALIBABA_CLOUD_STS_ENDPOINT", "ALIBABA_CLOUD_STS_REGION",
  "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "ALIBABA_CLOUD_ECS_METADATA",
  "ALIBABA_CLOUD_ECS_METADATA_DISABLED", "ALIBABA_CLOUD_IMDSV1_DISABLED",
  "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_CREDENTIALS_FILE",
  "ALIBABA_CLOUD_CONFIG_FILE", "WUYING_REBOOT_TEST_METADATA_URL", NULL,
};

static int setup(void **state)
{
  size_t i;

  (void)state;
  for (i = 0; vars[i] != NULL; i++)
    unsetenv(vars[i]);
  setenv("HOME", home, 1);
  nseen = 0;
  answers = NULL;
  return 0;
}

static int load(struct wr_creds *c, struct wr_err *err, const char *profile)
{
  struct wr_config cfg;

  memset(&cfg, 0, sizeof(cfg));
  cfg.profile = (char *)profile;
  memset(err, 0, sizeof(*err));
  return wr_auth_load(&cfg, c, err);
}

static void write_file(const char *name, const char *text)
{
  char path[512];
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", home, name);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static void set_oidc(void)
{
  char path[512];

  snprintf(path, sizeof(path), "%s/token", home);
  setenv("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r", 1);
  setenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:oidc-provider/p", 1);
  setenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE", path, 1);
}

static void test_sts_host(void **state)
{
  static const struct answer a[] = {{"sts", 0, 200, sts_json}, {NULL, 0, 0, NULL}};
  struct wr_creds c;
  struct wr_err err;

  (void)state;
  answers = a;
  set_oidc();
  write_file("token", "tok-one\n");
  assert_int_equal(load(&c, &err, NULL), 0);
  assert_non_null(strstr(seen[0].url, "https://sts.aliyuncs.com/?"));
  wr_creds_free(&c);
  setenv("ALIBABA_CLOUD_STS_REGION", "cn-shanghai", 1);
  assert_int_equal(load(&c, &err, NULL), 0);
  assert_non_null(strstr(seen[1].url, "https://sts.cn-shanghai.aliyuncs"));
  wr_creds_free(&c);
  setenv("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "TRUE", 1);
  assert_int_equal(load(&c, &err, NULL), 0);
  assert_non_null(strstr(seen[2].url, "https://sts-vpc.cn-shanghai."));
  wr_creds_free(&c);
  setenv("ALIBABA_CLOUD_STS_ENDPOINT", "sts.example.com", 1);
  assert_int_equal(load(&c, &err, NULL), 0);
  assert_non_null(strstr(seen[3].url, "https://sts.example.com/?"));
  wr_creds_free(&c);
  /* Plain http only to loopback; the step fails, so does the chain. */
  setenv("ALIBABA_CLOUD_STS_ENDPOINT", "http://sts.example.com", 1);
  setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true", 1);
  assert_int_equal(load(&c, &err, NULL), WR_ECREDS);
  assert_int_equal(nseen, 4);
  print_message("%s\n", err.msg);
  assert_non_null(strstr(err.msg, "OIDC:"));
}

static void test_oidc_request(void **state)
{
  static const struct answer a[] = {{"sts", 0, 200, sts_json}, {NULL, 0, 0, NULL}};
  struct wr_creds c;
  struct wr_err err;

  (void)state;
  answers = a;
  set_oidc();
  setenv("ALIBABA_CLOUD_ROLE_SESSION_NAME", "pod-a", 1);
  write_file("token", "tok-one\n");
  assert_int_equal(load(&c, &err, NULL), 0);
  assert_string_equal(c.step, "oidc");
  assert_string_equal(c.access_key_id, "STS.NFakeKey0000000002");
  assert_string_equal(c.security_token, "fakeToken2");
  assert_true(c.expires_ms > 0);
  wr_creds_free(&c);
  /* Anonymous: no key, no signature; the token in the body. */
  assert_string_equal(seen[0].method, "POST");
  assert_non_null(strstr(seen[0].url, "Action=AssumeRoleWithOIDC"));
  assert_null(strstr(seen[0].url, "Signature"));
  assert_null(strstr(seen[0].url, "AccessKeyId"));
  assert_null(strstr(seen[0].url, "tok-one"));
  assert_non_null(strstr(seen[0].body, "OIDCToken=tok-one"));
  assert_non_null(strstr(seen[0].body, "RoleSessionName=pod-a"));
  assert_non_null(strstr(seen[0].body, "DurationSeconds=3600"));
  /* The token file is read again at each call (it rotates). */
  write_file("token", "tok-two");
  assert_int_equal(load(&c, &err, NULL), 0);
  assert_non_null(strstr(seen[1].body, "OIDCToken=tok-two"));
  wr_creds_free(&c);
}

static void test_assume_role_request(void **state)
{
  static const struct answer a[] = {{"sts", 0, 200, sts_json}, {NULL, 0, 0, NULL}};
  struct wr_creds c;
  struct wr_err err;
  char cfg[1024];

  (void)state;
  answers = a;
  snprintf(cfg, sizeof(cfg),
           "{\"profiles\":[{\"name\":\"src\",\"mode\":\"StsToken\","
           "\"access_key_id\":\"LTAI5tSourceKey00001\",\"access_key_secret\":"
           "\"s\",\"sts_token\":\"srcTok\"},{\"name\":\"c\",\"mode\":"
           "\"ChainableRamRoleArn\",\"source_profile\":\"src\","
           "\"ram_role_arn\":\"acs:ram::1:role/c\",\"expired_seconds\":900,"
           "\"external_id\":\"ext-1\",\"sts_region\":\"cn-beijing\"},"
           "{\"name\":\"short\",\"mode\":\"RamRoleArn\",\"access_key_id\":"
           "\"a\",\"access_key_secret\":\"b\",\"ram_role_arn\":\"r\","
           "\"expired_seconds\":600}]}");
  write_file("config.json", cfg);
  snprintf(cfg, sizeof(cfg), "%s/config.json", home);
  setenv("ALIBABA_CLOUD_CONFIG_FILE", cfg, 1);
  assert_int_equal(load(&c, &err, "c"), 0);
  assert_string_equal(c.step, "cli_profile");
  wr_creds_free(&c);
  assert_int_equal(nseen, 1);
  assert_string_equal(seen[0].method, "POST");
  assert_non_null(strstr(seen[0].url, "https://sts.cn-beijing.aliyuncs"));
  /* The source's STS token goes with the signed common parameters. */
  assert_non_null(strstr(seen[0].url, "SecurityToken=srcTok"));
  assert_non_null(strstr(seen[0].url, "SignatureMethod=HMAC-SHA1"));
  assert_non_null(strstr(seen[0].url, "&Signature="));
  assert_non_null(strstr(seen[0].body, "RoleArn=acs%3Aram%3A%3A1%3Arole"));
  assert_non_null(strstr(seen[0].body, "DurationSeconds=900"));
  assert_non_null(strstr(seen[0].body, "ExternalId=ext-1"));
  assert_non_null(strstr(seen[0].headers, "x-www-form-urlencoded"));
  /* STS needs 900 s at least: refused before any call. */
  assert_int_equal(load(&c, &err, "short"), WR_ECREDS);
  assert_non_null(strstr(err.msg, "at least 900"));
  assert_int_equal(nseen, 1);
}

static void test_sts_error_masked(void **state)
{
  static const struct answer a[] = {
    {"sts", 0, 400, "{\"Code\":\"InvalidParameter\",\"Message\":\"bad "
                    "srcTok and sec/ret+1 and srcTok%2B\"}"},
    {NULL, 0, 0, NULL}};
  struct wr_creds c;
  struct wr_err err;

  (void)state;
  answers = a;
  write_file("config.json",
             "{\"profiles\":[{\"name\":\"r\",\"mode\":\"RamRoleArn\","
             "\"access_key_id\":\"LTAI5tSourceKey00001\",\"access_key_secret\""
             ":\"sec/ret+1\",\"sts_token\":\"srcTok\",\"ram_role_arn\":\"x\"}]}");
  {
    char p[512];

    snprintf(p, sizeof(p), "%s/config.json", home);
    setenv("ALIBABA_CLOUD_CONFIG_FILE", p, 1);
  }
  assert_int_equal(load(&c, &err, "r"), WR_ECREDS);
  print_message("%s\n", err.msg);
  assert_non_null(strstr(err.msg, "HTTP 400 InvalidParameter"));
  assert_null(strstr(err.msg, "srcTok"));
  assert_null(strstr(err.msg, "sec/ret"));
}

static void test_metadata(void **state)
{
  static const struct answer v2[] = {
    {"/latest/api/token", 0, 200, "imds-token-1\n"},
    {"security-credentials/role-a", 0, 200, creds_json},
    {"security-credentials/", 0, 200, "role-a\n"},
    {NULL, 0, 0, NULL}};
  static const struct answer refused[] = {
    {"/latest/api/token", 0, 403, "forbidden"},
    {"security-credentials/role-a", 0, 200, creds_json},
    {"security-credentials/", 0, 200, "role-a"},
    {NULL, 0, 0, NULL}};
  static const struct answer absent[] = {{"/latest/", 1, 0, ""}, {NULL, 0, 0, NULL}};
  struct wr_creds c;
  struct wr_err err;

  (void)state;
  answers = v2;
  assert_int_equal(load(&c, &err, NULL), 0);
  assert_string_equal(c.step, "ecs_ram_role");
  assert_string_equal(c.security_token, "fakeToken");
  wr_creds_free(&c);
  assert_int_equal(nseen, 3);
  assert_string_equal(seen[0].method, "PUT");
  assert_non_null(strstr(seen[0].url, "http://100.100.100.200/latest/api/"));
  assert_non_null(strstr(seen[0].headers, "ttl-seconds: 21600"));
  assert_non_null(strstr(seen[1].headers, "metadata-token: imds-token-1"));
  assert_non_null(strstr(seen[2].url, "security-credentials/role-a"));
  assert_non_null(strstr(seen[2].headers, "metadata-token: imds-token-1"));
  /* A named role: no lookup. */
  nseen = 0;
  setenv("ALIBABA_CLOUD_ECS_METADATA", "role-a", 1);
  assert_int_equal(load(&c, &err, NULL), 0);
  wr_creds_free(&c);
  assert_int_equal(nseen, 2);
  /* The token refused: IMDSv1, unless disabled. */
  answers = refused;
  nseen = 0;
  assert_int_equal(load(&c, &err, NULL), 0);
  wr_creds_free(&c);
  assert_int_equal(nseen, 2);
  assert_null(strstr(seen[1].headers, "metadata-token:"));
  setenv("ALIBABA_CLOUD_IMDSV1_DISABLED", "true", 1);
  assert_int_equal(load(&c, &err, NULL), WR_ECREDS);
  assert_non_null(strstr(err.msg, "ALIBABA_CLOUD_IMDSV1_DISABLED"));
  /* No service: one call, then the chain moves on. */
  answers = absent;
  nseen = 0;
  assert_int_equal(load(&c, &err, NULL), WR_ECREDS);
  assert_int_equal(nseen, 1);
  assert_non_null(strstr(err.msg, "not on ECS"));
  /* Disabled: no call at all. */
  setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "TRUE", 1);
  nseen = 0;
  assert_int_equal(load(&c, &err, NULL), WR_ECREDS);
  assert_int_equal(nseen, 0);
  /* A test URL must be loopback. */
  unsetenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED");
  setenv("WUYING_REBOOT_TEST_METADATA_URL", "http://10.0.0.1:80", 1);
  assert_int_equal(load(&c, &err, NULL), WR_ECREDS);
  assert_int_equal(nseen, 0);
}

static void test_uri(void **state)
{
  static const struct answer ok[] = {{"creds", 0, 200, creds_json}, {NULL, 0, 0, NULL}};
  static const struct answer nocode[] = {
    {"creds", 0, 200, "{\"AccessKeyId\":\"a\",\"AccessKeySecret\":\"b\","
                      "\"SecurityToken\":\"c\",\"Expiration\":"
                      "\"2099-01-01T00:00:00Z\"}"},
    {NULL, 0, 0, NULL}};
  static const struct answer noexp[] = {
    {"creds", 0, 200, "{\"Code\":\"Success\",\"AccessKeyId\":\"a\","
                      "\"AccessKeySecret\":\"b\",\"SecurityToken\":\"c\"}"},
    {NULL, 0, 0, NULL}};
  struct wr_creds c;
  struct wr_err err;

  (void)state;
  setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true", 1);
  setenv("ALIBABA_CLOUD_CREDENTIALS_URI", "http://127.0.0.1:8080/creds?k=v",
         1);
  answers = ok;
  assert_int_equal(load(&c, &err, NULL), 0);
  assert_string_equal(c.step, "credentials_uri");
  assert_null(strstr(c.source, "creds")); /* the host only */
  assert_int_equal(c.expires_ms, 4071006245000LL);
  wr_creds_free(&c);
  assert_string_equal(seen[0].url, "http://127.0.0.1:8080/creds?k=v");
  answers = nocode;
  assert_int_equal(load(&c, &err, NULL), WR_ECREDS);
  assert_non_null(strstr(err.msg, "Success"));
  answers = noexp;
  assert_int_equal(load(&c, &err, NULL), WR_ECREDS);
  assert_non_null(strstr(err.msg, "Expiration"));
  /* Plain http off loopback: refused, nothing sent. */
  nseen = 0;
  setenv("ALIBABA_CLOUD_CREDENTIALS_URI", "http://creds.example.com/x", 1);
  assert_int_equal(load(&c, &err, NULL), WR_ECREDS);
  assert_int_equal(nseen, 0);
}

static void test_ini(void **state)
{
  static const struct answer none[] = {{NULL, 0, 0, NULL}};
  struct wr_creds c;
  struct wr_err err;
  char path[512];

  (void)state;
  answers = none;
  setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true", 1);
  snprintf(path, sizeof(path), "%s/creds.ini", home);
  setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", path, 1);
  write_file("creds.ini", "# comment\n[other]\ntype = access_key\n"
             "access_key_id = o\naccess_key_secret = o\n\n[default]\n"
             "type = access_key\naccess_key_id = LTAI5tIniKey0000001\n"
             "access_key_secret = ini#secret\n");
  assert_int_equal(load(&c, &err, NULL), 0);
  assert_string_equal(c.step, "ini_profile");
  assert_string_equal(c.access_key_secret, "ini#secret");
  wr_creds_free(&c);
  setenv("ALIBABA_CLOUD_PROFILE", "other", 1);
  assert_int_equal(load(&c, &err, NULL), 0);
  assert_string_equal(c.access_key_id, "o");
  wr_creds_free(&c);
  unsetenv("ALIBABA_CLOUD_PROFILE");
  write_file("creds.ini", "[default]\nenable = false\ntype = access_key\n"
             "access_key_id = a\naccess_key_secret = b\n");
  assert_int_equal(load(&c, &err, NULL), WR_ECREDS);
  assert_non_null(strstr(err.msg, "enable = false"));
  write_file("creds.ini", "[default]\ntype = rsa_key_pair\n");
  assert_int_equal(load(&c, &err, NULL), WR_ECREDS);
  assert_non_null(strstr(err.msg, "unknown type 'rsa_key_pair'"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_sts_host, setup),
    cmocka_unit_test_setup(test_oidc_request, setup),
    cmocka_unit_test_setup(test_assume_role_request, setup),
    cmocka_unit_test_setup(test_sts_error_masked, setup),
    cmocka_unit_test_setup(test_metadata, setup),
    cmocka_unit_test_setup(test_uri, setup),
    cmocka_unit_test_setup(test_ini, setup),
  };
  char cmd[300];
  int rc;

  wr_auth_set_fetch(fake);
  snprintf(home, sizeof(home), "/tmp/wr-test-auth-XXXXXX");
  if (mkdtemp(home) == NULL)
    return 1;
  rc = cmocka_run_group_tests(tests, NULL, NULL);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
  if (system(cmd) != 0)
    rc = 1;
  return rc;
}
