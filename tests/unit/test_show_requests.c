/* plan --show-requests: the first N requests, redacted, in all modes. */
#include "config.h"
#include "creds.h"
#include "err.h"
#include "plan.h"
#include "show_requests.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *ids_a[] = {"ecd-aaaa1", "ecd-aaaa2"};
static const char *ids_b[] = {"ecd-bbbb1"};
static const char *ids_c[] = {"ecd-cccc1"};

static void make_plan(struct wr_plan *plan, struct wr_chunk chunks[3])
{
  memset(plan, 0, sizeof(*plan));
  memset(chunks, 0, 3 * sizeof(*chunks));
  strcpy(chunks[0].id, "1");
  chunks[0].region = "cn-hangzhou";
  chunks[0].ids = ids_a;
  chunks[0].nids = 2;
  strcpy(chunks[0].client_token, "0c4d6a8e-1f3b-4a5c-9e7d-2b4f6a8c0e1d");
  strcpy(chunks[1].id, "2");
  chunks[1].region = "cn-shanghai";
  chunks[1].ids = ids_b;
  chunks[1].nids = 1;
  strcpy(chunks[1].client_token, "7d3c1b9a-5e2f-4a6d-8c0b-9e1f3a5c7b2d");
  strcpy(chunks[2].id, "3");
  chunks[2].region = "cn-shanghai";
  chunks[2].ids = ids_c;
  chunks[2].nids = 1;
  strcpy(chunks[2].client_token, "11111111-2222-4333-8444-555555555555");
  plan->chunks = chunks;
  plan->nchunks = 3;
  plan->ndesktops = 4;
}

/* Run wr_show_requests into a string (caller frees). */
static char *show(const struct wr_config *cfg, long n, int *code)
{
  struct wr_plan plan;
  struct wr_chunk chunks[3];
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);

  assert_non_null(f);
  make_plan(&plan, chunks);
  *code = wr_show_requests(cfg, &plan, n, f);
  assert_int_equal(fclose(f), 0);
  return text;
}

static size_t count(const char *hay, const char *needle)
{
  size_t n = 0;

  for (; (hay = strstr(hay, needle)) != NULL; hay++)
    n++;
  return n;
}

static void no_secret(const char *text, const char *secret)
{
  if (strstr(text, secret) != NULL)
    fail_msg("secret '%s' in output:\n%s", secret, text);
}

static void test_admin_v3_and_v1(void **state)
{
  struct wr_config cfg;
  char *text;
  int code;

  (void)state;
  memset(&cfg, 0, sizeof(cfg));
  setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tTestTestTestTest99", 1);
  setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "Sup3rS3cretValue", 1);
  setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "CAIS+sts/Token==", 1);
  text = show(&cfg, 2, &code);
  print_message("%s", text);
  assert_int_equal(code, WR_EXIT_OK);
  assert_int_equal(count(text, "# request "), 2);
  assert_non_null(strstr(text, "# request 1 of 2: chunk 1, region "
                               "cn-hangzhou, 2 desktops\n"));
  assert_non_null(strstr(text, "POST https://ecd.cn-hangzhou.aliyuncs.com/?"
                               "DesktopId.1=ecd-aaaa1&DesktopId.2=ecd-aaaa2&"
                               "RegionId=cn-hangzhou\n"));
  assert_non_null(strstr(text, "POST https://ecd.cn-shanghai.aliyuncs.com/?"));
  assert_non_null(strstr(text, "Signature=***"));
  assert_non_null(strstr(text, "Credential=LTAI***st99,"));
  assert_non_null(strstr(text, "x-acs-security-token: ***"));
  assert_null(strstr(text, "ecd-cccc1")); /* only the first 2 */
  no_secret(text, "Sup3rS3cretValue");
  no_secret(text, "CAIS+sts/Token==");
  no_secret(text, "LTAI5tTestTestTestTest99");
  free(text);

  cfg.signature = WR_SIG_V1;
  cfg.endpoint = "http://127.0.0.1:18787";
  text = show(&cfg, 10, &code);
  assert_int_equal(code, WR_EXIT_OK);
  assert_int_equal(count(text, "# request "), 3); /* all the plan has */
  assert_int_equal(count(text, "POST http://127.0.0.1:18787/?AccessKeyId="
                               "LTAI***st99&Action=RebootDesktops&"), 3);
  assert_int_equal(count(text, "&Signature=***\n"), 3);
  assert_int_equal(count(text, "&SecurityToken=***&"), 3);
  no_secret(text, "CAIS%2Bsts%2FToken%3D%3D");
  free(text);
  unsetenv("ALIBABA_CLOUD_ACCESS_KEY_ID");
  unsetenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  unsetenv("ALIBABA_CLOUD_SECURITY_TOKEN");
}

static void test_client(void **state)
{
  struct wr_config cfg;
  char *text;
  int code;

  (void)state;
  memset(&cfg, 0, sizeof(cfg));
  cfg.api = WR_API_CLIENT;
  cfg.client_id = "6f1c2a9e-3b7d-4e52-9a0f-1d2c3b4a5e6f";
  setenv("WUYING_LOGIN_TOKEN", "v2_8A2F/Q+mZ7x=lt.token~01", 1);
  setenv("WUYING_SESSION_ID", "b8e1f7c2-9d3a-4c6b-8e5f-0a1b2c3d4e5f", 1);
  setenv("WUYING_SESSION_TOKEN", "st+AbC/dEf=gh&ij~kl*mn", 1);
  text = show(&cfg, 1, &code);
  print_message("%s", text);
  assert_int_equal(code, WR_EXIT_OK);
  assert_non_null(strstr(text, "&ClientId=6f1c2a9e-3b7d-4e52-9a0f-1d2c3b4a5e6f&"
                               "ClientToken=0c4d6a8e-1f3b-4a5c-9e7d-2b4f6a8c0e1d"
                               "&DesktopId.1=ecd-aaaa1&DesktopId.2=ecd-aaaa2&"
                               "LoginToken=***&RegionId=cn-hangzhou&"
                               "SessionId=***&SessionToken=***\n"));
  no_secret(text, "v2_8A2F");
  no_secret(text, "b8e1f7c2-9d3a");
  no_secret(text, "st%2BAbC");
  free(text);
  unsetenv("WUYING_LOGIN_TOKEN");
  unsetenv("WUYING_SESSION_ID");
  unsetenv("WUYING_SESSION_TOKEN");
}

static void test_missing_credentials_is_usage(void **state)
{
  struct wr_config cfg;
  char *text;
  int code;

  (void)state;
  memset(&cfg, 0, sizeof(cfg));
  setenv("HOME", "/nonexistent-wr-home", 1);
  text = show(&cfg, 1, &code);
  assert_int_equal(code, WR_EXIT_USAGE);
  assert_string_equal(text, ""); /* nothing printed on stdout */
  free(text);
  /* N = 0 prints nothing and needs no credentials. */
  text = show(&cfg, 0, &code);
  assert_int_equal(code, WR_EXIT_OK);
  assert_string_equal(text, "");
  free(text);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_admin_v3_and_v1),
    cmocka_unit_test(test_client),
    cmocka_unit_test(test_missing_credentials_is_usage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
