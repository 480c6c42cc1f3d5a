/* notify: DingTalk's signature against a published vector, the signed
 * URL, the webhook URL policy (a token never in a message), and the three
 * bodies as JSON. */
#include "endpoint.h"
#include "err.h"
#include "notify_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void test_sign_vector(void **state)
{
  char q[WR_NOTIFY_SIGN_QUERY_LEN];

  (void)state;
  /* timestamp + "\n" + secret, HMAC-SHA256 keyed with the secret,
   * base64, URL-encoded (the dingding crate's test vector) */
  assert_int_equal(wr_notify_dingtalk_sign("secret", 1700000000000LL, q,
                                           sizeof(q)), 0);
  assert_string_equal(q, "timestamp=1700000000000&sign=OuzzJR5%2BxZ4%2F"
                         "EYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D");
  assert_int_equal(wr_notify_dingtalk_sign("", 1, q, sizeof(q)), WR_EINVAL);
  assert_int_equal(wr_notify_dingtalk_sign("secret", 1, q, 8), WR_EINVAL);
}

static void test_signed_url(void **state)
{
  char *u;

  (void)state;
  u = wr_notify_signed_url("https://oapi.dingtalk.com/robot/send?"
                           "access_token=T", "secret", 1700000000000LL);
  assert_non_null(u);
  assert_string_equal(u, "https://oapi.dingtalk.com/robot/send?access_token=T"
                         "&timestamp=1700000000000&sign=OuzzJR5%2BxZ4%2F"
                         "EYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D");
  free(u);
  u = wr_notify_signed_url("https://h/x", "secret", 5);
  assert_non_null(u);
  assert_true(strncmp(u, "https://h/x?timestamp=5&sign=", 29) == 0);
  free(u);
  u = wr_notify_signed_url("https://h/x?a=1", NULL, 5);
  assert_string_equal(u, "https://h/x?a=1");
  free(u);
}

static void test_webhook_policy(void **state)
{
  static const char *const bad[] = {
      "http://example.com/hook?token=TOKEN9",     /* plain http off loopback */
      "https://u:TOKEN9@example.com/hook",        /* userinfo */
      "ftp://example.com/TOKEN9",                 /* scheme */
      "https://example.com/a TOKEN9",             /* a space */
      "https://example.com/TOKEN9#x",             /* a fragment */
      "https://exa mple.com/TOKEN9",              /* not a host name */
      "https://[::1/TOKEN9",                      /* a broken IPv6 */
      "example.com/TOKEN9",                       /* no scheme */
  };
  struct wr_endpoint ep;
  struct wr_err err = {0};
  const char *rest;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_equal(wr_endpoint_parse_webhook("--notify", bad[i], &ep,
                                               &rest, &err), WR_EUSAGE);
    assert_true(strncmp(err.msg, "--notify: ", 10) == 0);
    assert_null(strstr(err.msg, "TOKEN9"));
  }
  assert_int_equal(wr_endpoint_parse_webhook(
                       "--notify", "HTTPS://OAPI.DingTalk.com/robot/send?"
                       "access_token=abc", &ep, &rest, &err), 0);
  assert_string_equal(ep.base, "https://oapi.dingtalk.com");
  assert_string_equal(rest, "/robot/send?access_token=abc");
  assert_int_equal(wr_endpoint_parse_webhook("--notify",
                                             "http://127.1:8080/h", &ep,
                                             &rest, &err), 0);
  assert_string_equal(ep.base, "http://127.0.0.1:8080");
  assert_string_equal(rest, "/h");
  assert_int_equal(wr_endpoint_parse_webhook("--notify", "https://h.example",
                                             &ep, &rest, &err), 0);
  assert_string_equal(rest, "");
}

static void test_bodies(void **state)
{
  struct wr_notify_summary s;
  cJSON *o;
  char *b;
  const char *t;

  (void)state;
  memset(&s, 0, sizeof(s));
  s.kind = "run";
  s.run_id = "r-1";
  s.outcome = "complete, with failures";
  s.report = "/tmp/a \"quoted\"\npath.jsonl";
  s.exit_code = 1;
  s.counted = true;
  s.planned = 12;
  s.ok = 9;
  s.failed = 3;
  s.ncodes = 7;
  s.ntop = 1;
  s.top[0].code = "InvalidDesktopId.NotFound";
  s.top[0].message = "not \"found\"";
  s.top[0].desktops = 3;

  b = wr_notify_body(&s, WR_NOTIFY_JSON);
  assert_non_null(b);
  o = cJSON_Parse(b);
  assert_non_null(o);
  assert_int_equal(cJSON_GetObjectItem(o, "exit_code")->valueint, 1);
  assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "desktops"),
                                       "failed")->valueint, 3);
  assert_string_equal(cJSON_GetObjectItem(o, "report")->valuestring,
                      s.report);
  assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(
                          cJSON_GetObjectItem(o, "top_failures"), 0),
                          "code")->valuestring, "InvalidDesktopId.NotFound");
  cJSON_Delete(o);
  free(b);

  b = wr_notify_body(&s, WR_NOTIFY_DINGTALK);
  o = cJSON_Parse(b);
  assert_non_null(o);
  assert_string_equal(cJSON_GetObjectItem(o, "msgtype")->valuestring,
                      "markdown");
  t = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "markdown"), "title")
          ->valuestring;
  assert_string_equal(t, "wuying-reboot run: complete, with failures "
                         "(exit 1)");
  t = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "markdown"), "text")
          ->valuestring;
  assert_non_null(strstr(t, "12 planned, 9 ok, 3 failed"));
  assert_non_null(strstr(t, "InvalidDesktopId.NotFound (3), and 6 more"));
  cJSON_Delete(o);
  free(b);

  b = wr_notify_body(&s, WR_NOTIFY_SLACK);
  o = cJSON_Parse(b);
  assert_non_null(o);
  assert_int_equal(cJSON_GetArraySize(o), 1);
  t = cJSON_GetObjectItem(o, "text")->valuestring;
  assert_true(strncmp(t, "*wuying-reboot run*: complete", 29) == 0);
  cJSON_Delete(o);
  free(b);

  /* No counts (the report could not be read): desktops is null. */
  s.counted = false;
  s.ntop = 0;
  b = wr_notify_body(&s, WR_NOTIFY_JSON);
  o = cJSON_Parse(b);
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "desktops")));
  cJSON_Delete(o);
  free(b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sign_vector),
      cmocka_unit_test(test_signed_url),
      cmocka_unit_test(test_webhook_policy),
      cmocka_unit_test(test_bodies),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
