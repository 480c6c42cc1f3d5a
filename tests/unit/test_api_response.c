/* Response parsing and classification (API.md 5.2, 5.3): every code of
 * the table, non-JSON bodies, retry-after, transport classes. */
#include "api.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void classify(long status, const char *body, const char *retry,
                     struct wr_api_result *r)
{
  wr_api_classify_response(status, body, body != NULL ? strlen(body) : 0,
                           retry, r);
}

/* A JSON error body with the given code, judged at the given status. */
static void check_code(const char *code, long status, enum wr_outcome want,
                       bool split, bool ambiguous)
{
  struct wr_api_result r;
  char body[512];

  snprintf(body, sizeof(body),
           "{\"RequestId\":\"RID-1\",\"HostId\":\"ecd.cn-hangzhou.aliyuncs."
           "com\",\"Code\":\"%s\",\"Message\":\"m\",\"Recommend\":\"u\"}",
           code);
  classify(status, body, NULL, &r);
  print_message("%s at %ld\n", code, status);
  assert_int_equal(r.outcome, want);
  assert_int_equal(r.splittable, split);
  assert_int_equal(r.ambiguous, ambiguous);
  assert_string_equal(r.code, code);
  assert_string_equal(r.request_id, "RID-1");
  assert_string_equal(r.host_id, "ecd.cn-hangzhou.aliyuncs.com");
  assert_string_equal(r.message, "m");
  assert_string_equal(r.recommend, "u");
  assert_int_equal(r.http_status, status);
  assert_int_equal(r.retry_after_ms, -1);
}

static void test_success(void **state)
{
  struct wr_api_result r;

  (void)state;
  classify(200, "{\"RequestId\":\"1CBAFFAB-B697-4049-A9B1-67E1FC5F****\"}",
           NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_OK);
  assert_string_equal(r.request_id, "1CBAFFAB-B697-4049-A9B1-67E1FC5F****");
  assert_string_equal(r.code, "");
  /* A 200 carrying a success code and a RequestId is accepted. */
  classify(200, "{\"Code\":\"Success\",\"RequestId\":\"R2\"}", NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_OK);
  assert_string_equal(r.request_id, "R2");
  /* A 200 carrying an error code is judged by the code. */
  classify(200, "{\"Code\":\"Throttling.User\"}", NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_THROTTLED);
}

static void test_every_code_of_the_table(void **state)
{
  (void)state;
  /* Throttling: retry and slow down, whatever the status. */
  check_code("Throttling", 400, WR_OUTCOME_THROTTLED, false, false);
  check_code("Throttling.User", 429, WR_OUTCOME_THROTTLED, false, false);
  check_code("Throttling.Api", 503, WR_OUTCOME_THROTTLED, false, false);
  /* Transient server errors. */
  check_code("ServiceUnavailable", 503, WR_OUTCOME_TRANSIENT, false, false);
  check_code("InternalError", 500, WR_OUTCOME_TRANSIENT, false, true);
  check_code("UnknownError", 500, WR_OUTCOME_TRANSIENT, false, true);
  /* Final, even with a 5xx status: the code wins. */
  check_code("SignatureNonceUsed", 400, WR_OUTCOME_FINAL, false, false);
  check_code("InvalidTimeStamp.Expired", 400, WR_OUTCOME_FINAL, false, false);
  check_code("SignatureDoesNotMatch", 400, WR_OUTCOME_FINAL, false, false);
  check_code("IncompleteSignature", 400, WR_OUTCOME_FINAL, false, false);
  check_code("InvalidAccessKeyId.NotFound", 404, WR_OUTCOME_FINAL, false,
             false);
  check_code("InvalidAccessKeyId.Inactive", 400, WR_OUTCOME_FINAL, false,
             false);
  check_code("Forbidden", 403, WR_OUTCOME_FINAL, false, false);
  check_code("Forbidden.RAM", 403, WR_OUTCOME_FINAL, false, false);
  check_code("Forbidden.RiskControl", 403, WR_OUTCOME_FINAL, false, false);
  check_code("InvalidAction", 400, WR_OUTCOME_FINAL, false, false);
  check_code("ActionUnauthorized", 403, WR_OUTCOME_FINAL, false, false);
  check_code("MissingParameter", 400, WR_OUTCOME_FINAL, false, false);
  check_code("IdempotentParameterMismatch", 400, WR_OUTCOME_FINAL, false,
             false);
  check_code("Forbidden", 500, WR_OUTCOME_FINAL, false, false);
  /* Final, and may concern only some IDs: split. */
  check_code("InvalidParameter", 400, WR_OUTCOME_FINAL, true, false);
  check_code("InvalidParameter.DesktopId", 400, WR_OUTCOME_FINAL, true,
             false);
  check_code("IncorrectDesktopStatus", 400, WR_OUTCOME_FINAL, true, false);
  check_code("InvalidDesktopId.NotFound", 404, WR_OUTCOME_FINAL, true, false);
  check_code("Desktop.NotFound", 404, WR_OUTCOME_FINAL, true, false);
  check_code("InvalidRegionId.NotFound", 404, WR_OUTCOME_FINAL, false, false);
}

static void test_unknown_code_falls_back_on_status(void **state)
{
  struct wr_api_result r;

  (void)state;
  check_code("SomethingNew", 400, WR_OUTCOME_FINAL, false, false);
  check_code("SomethingNew", 502, WR_OUTCOME_TRANSIENT, false, true);
  check_code("SomethingNew", 503, WR_OUTCOME_TRANSIENT, false, false);
  check_code("SomethingNew", 429, WR_OUTCOME_THROTTLED, false, false);
  /* x-acs-retry-after on a 4xx/5xx makes it throttling (API.md 5.3). */
  classify(400, "{\"Code\":\"SomethingNew\"}", "1500", &r);
  assert_int_equal(r.outcome, WR_OUTCOME_THROTTLED);
  assert_int_equal(r.retry_after_ms, 1500);
  /* ... but never overrides a code known to be final. */
  classify(400, "{\"Code\":\"Forbidden.RAM\"}", "1500", &r);
  assert_int_equal(r.outcome, WR_OUTCOME_FINAL);
}

/* The codes that stop the run at once: about the caller, not the
 * desktops (issue 10 item 3). */
static void test_fatal_auth(void **state)
{
  static const char *const fatal[] = {
    "SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeySecret",
    "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive",
    "InvalidAccessKeyId", "InvalidSecurityToken.Expired",
    "InvalidSecurityToken.MismatchWithAccessKey", "MissingSecurityToken",
    "Forbidden", "Forbidden.RAM", "Forbidden.RiskControl",
    "Forbidden.AccessKeyDisabled", "NoPermission", "ActionUnauthorized",
    "InvalidTimeStamp.Expired", "IllegalTimestamp", "InsufficientBalance",
    "InvalidOwnerId", "InvalidLoginToken", "InvalidSessionId.Expired",
    "InvalidClientId",
    "NOT_LOGIN", NULL,
  };
  static const char *const not_fatal[] = {
    "Throttling", "ServiceUnavailable", "InternalError",
    "SignatureNonceUsed", "InvalidAction", "MissingParameter",
    "IdempotentParameterMismatch", "InvalidParameter",
    "IncorrectDesktopStatus", "InvalidDesktopId.NotFound",
    "Forbidden.InstanceNotFound", "InvalidRegionId.NotFound", "SomethingNew",
    "", NULL,
  };
  struct wr_api_result r;
  char body[256];
  size_t i;

  (void)state;
  for (i = 0; fatal[i] != NULL; i++) {
    print_message("fatal %s\n", fatal[i]);
    assert_true(wr_api_code_fatal_auth(fatal[i]));
    snprintf(body, sizeof(body), "{\"RequestId\":\"R\",\"Code\":\"%s\"}",
             fatal[i]);
    classify(400, body, NULL, &r);
    assert_int_equal(r.outcome, WR_OUTCOME_FINAL);
    assert_true(r.fatal_auth);
    assert_false(r.splittable);
    /* The code decides, not the status nor a retry-after. */
    classify(503, body, "1000", &r);
    assert_int_equal(r.outcome, WR_OUTCOME_FINAL);
    assert_true(r.fatal_auth);
  }
  for (i = 0; not_fatal[i] != NULL; i++) {
    print_message("not fatal %s\n", not_fatal[i]);
    assert_false(wr_api_code_fatal_auth(not_fatal[i]));
    snprintf(body, sizeof(body), "{\"RequestId\":\"R\",\"Code\":\"%s\"}",
             not_fatal[i]);
    classify(403, body, NULL, &r);
    assert_false(r.fatal_auth);
  }
  assert_false(wr_api_code_fatal_auth(NULL));
  /* A bare 401/403 without a code may be a proxy's page: not fatal. */
  classify(403, "<html>Forbidden</html>", NULL, &r);
  assert_false(r.fatal_auth);
  wr_api_classify_transport(WR_TRANSPORT_FATAL, "x", &r);
  assert_false(r.fatal_auth);
}

static void test_non_json_bodies(void **state)
{
  struct wr_api_result r;
  const char *html = "<html><head><title>502 Bad Gateway</title></head>"
                     "<body>nginx</body></html>";

  (void)state;
  classify(502, html, NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_TRANSIENT);
  assert_true(r.ambiguous);
  assert_string_equal(r.code, "");
  assert_non_null(strstr(r.message, "HTTP 502"));
  assert_non_null(strstr(r.message, "non-JSON"));
  classify(503, "", NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_TRANSIENT);
  assert_false(r.ambiguous);
  assert_non_null(strstr(r.message, "empty"));
  classify(500, NULL, NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_TRANSIENT);
  /* Truncated JSON: not parsed, the status decides. */
  classify(400, "{\"Code\":\"Throttling\",\"Mess", NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_FINAL);
  assert_string_equal(r.code, "");
  classify(404, "not found", NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_FINAL);
  /* JSON but not an object. */
  classify(500, "[1,2]", NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_TRANSIENT);
  classify(400, "\"Throttling\"", NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_FINAL);
}

static void test_fields_case_insensitive_and_bounded(void **state)
{
  struct wr_api_result r;
  char body[8192], big[3000];

  (void)state;
  classify(400, "{\"requestId\":\"r\",\"code\":\"Throttling\",\"MESSAGE\":"
                "\"line1\\nline2\",\"hostid\":\"h\",\"recommend\":\"x\"}",
           NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_THROTTLED);
  assert_string_equal(r.request_id, "r");
  assert_string_equal(r.code, "Throttling");
  assert_string_equal(r.message, "line1 line2"); /* no control chars */
  assert_string_equal(r.host_id, "h");
  memset(big, 'x', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  snprintf(body, sizeof(body), "{\"Code\":\"%s\",\"Message\":\"%s\"}", big,
           big);
  classify(400, body, NULL, &r);
  assert_int_equal(strlen(r.code), WR_API_FIELD_LEN - 1);
  assert_int_equal(strlen(r.message), 2 * WR_API_FIELD_LEN - 1);
  /* Numeric codes and odd types are tolerated. */
  classify(400, "{\"Code\":400,\"Message\":null,\"RequestId\":{}}", NULL, &r);
  assert_string_equal(r.code, "400");
  assert_string_equal(r.request_id, "");
  assert_int_equal(r.outcome, WR_OUTCOME_FINAL);
}

/* Every truncation of a real error body is classified without a crash
 * (run under ASan in make test); only the complete body is parsed. */
static void test_every_truncation(void **state)
{
  const char *body =
      "{\"RequestId\":\"81EF1E7D-0D15-5CAF-B602-3487FAFA88D5\",\"HostId\":"
      "\"ecd.cn-hangzhou.aliyuncs.com\",\"Code\":\"Throttling.User\","
      "\"Message\":\"Request was denied due to user flow control.\","
      "\"Recommend\":\"https://api.aliyun.com/troubleshoot?q=Throttling\"}";
  size_t n, len = strlen(body);
  struct wr_api_result r;

  (void)state;
  for (n = 0; n <= len; n++) {
    /* An exact-length heap copy, not NUL-terminated, so ASan sees any
     * read past the end. */
    char *copy = malloc(n > 0 ? n : 1);

    assert_non_null(copy);
    memcpy(copy, body, n);
    wr_api_classify_response(400, copy, n, NULL, &r);
    free(copy);
    if (n < len) {
      assert_int_equal(r.outcome, WR_OUTCOME_FINAL);
      assert_string_equal(r.code, "");
    }
  }
  assert_int_equal(r.outcome, WR_OUTCOME_THROTTLED);
  assert_string_equal(r.code, "Throttling.User");
}

static void test_retry_after(void **state)
{
  struct wr_api_result r;

  (void)state;
  classify(503, "", "2000", &r);
  assert_int_equal(r.retry_after_ms, 2000);
  assert_int_equal(r.outcome, WR_OUTCOME_THROTTLED);
  classify(503, "", " 250 ", &r);
  assert_int_equal(r.retry_after_ms, 250);
  classify(503, "", "0", &r);
  assert_int_equal(r.retry_after_ms, -1);
  assert_int_equal(r.outcome, WR_OUTCOME_TRANSIENT);
  classify(503, "", "-5", &r);
  assert_int_equal(r.retry_after_ms, -1);
  classify(503, "", "1.5", &r);
  assert_int_equal(r.retry_after_ms, -1);
  classify(503, "", "soon", &r);
  assert_int_equal(r.retry_after_ms, -1);
  classify(503, "", "", &r);
  assert_int_equal(r.retry_after_ms, -1);
  classify(503, "", "99999999999999999999999", &r);
  assert_int_equal(r.retry_after_ms, 24LL * 3600 * 1000); /* clamped */
  /* A success ignores it for the outcome but still reports it. */
  classify(200, "{\"RequestId\":\"R\"}", "100", &r);
  assert_int_equal(r.outcome, WR_OUTCOME_OK);
  assert_int_equal(r.retry_after_ms, 100);
}

/* A 2xx is a success only with a RequestId from a well-formed ECD answer;
 * anything else (a proxy page, a captive portal, an empty or cut body) may
 * or may not have reached ECD: ambiguous, retried. */
static void check_2xx_not_ecd(long status, const char *body, size_t len,
                              const char *why)
{
  struct wr_api_result r;

  print_message("%ld %s\n", status, why);
  wr_api_classify_response(status, body, len, NULL, &r);
  assert_int_equal(r.outcome, WR_OUTCOME_TRANSIENT);
  assert_true(r.ambiguous);
  assert_false(r.splittable);
  assert_string_equal(r.request_id, "");
  assert_string_equal(r.code, "");
  assert_non_null(strstr(r.message, why));
}

static void test_2xx_without_request_id(void **state)
{
  const char *cut = "{\"RequestId\":\"81EF1E7D-0D15-5CAF-B602-3487FA";

  (void)state;
  check_2xx_not_ecd(200, "<html>OK</html>", 15, "non-JSON");
  check_2xx_not_ecd(200, "", 0, "empty");
  check_2xx_not_ecd(200, NULL, 0, "empty");
  check_2xx_not_ecd(204, "", 0, "empty");
  check_2xx_not_ecd(200, cut, strlen(cut), "non-JSON"); /* body cut short */
  check_2xx_not_ecd(200, "{}", 2, "no RequestId");
  check_2xx_not_ecd(200, "[\"RequestId\"]", 13, "non-JSON");
  check_2xx_not_ecd(200, "{\"RequestId\":\"\"}", 16, "no RequestId");
  check_2xx_not_ecd(200, "{\"RequestId\":42}", 16, "no RequestId");
  check_2xx_not_ecd(200, "{\"RequestId\":null}", 18, "no RequestId");
  check_2xx_not_ecd(200, "{\"Code\":\"OK\"}", 13, "no RequestId");
  /* Trailing text after the object: not a well-formed answer. */
  check_2xx_not_ecd(200, "{\"RequestId\":\"R\"}<html>", 23, "non-JSON");
}

static void test_transport(void **state)
{
  struct wr_api_result r;

  (void)state;
  wr_api_classify_transport(WR_TRANSPORT_NOT_SENT, "connect refused", &r);
  assert_int_equal(r.outcome, WR_OUTCOME_TRANSIENT);
  assert_false(r.ambiguous);
  assert_string_equal(r.message, "connect refused");
  assert_int_equal(r.http_status, 0);
  assert_true(r.not_sent);
  assert_int_equal(r.retry_after_ms, -1);
  wr_api_classify_transport(WR_TRANSPORT_AMBIGUOUS, "timeout", &r);
  assert_int_equal(r.outcome, WR_OUTCOME_TRANSIENT);
  assert_true(r.ambiguous);
  assert_false(r.not_sent);
  wr_api_classify_transport(WR_TRANSPORT_FATAL, "out of memory", &r);
  assert_int_equal(r.outcome, WR_OUTCOME_FINAL);
  assert_false(r.ambiguous);
  wr_api_classify_transport(WR_TRANSPORT_FATAL, NULL, &r);
  assert_string_equal(r.message, "transport error");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_success),
    cmocka_unit_test(test_every_code_of_the_table),
    cmocka_unit_test(test_unknown_code_falls_back_on_status),
    cmocka_unit_test(test_fatal_auth),
    cmocka_unit_test(test_non_json_bodies),
    cmocka_unit_test(test_fields_case_insensitive_and_bounded),
    cmocka_unit_test(test_every_truncation),
    cmocka_unit_test(test_retry_after),
    cmocka_unit_test(test_2xx_without_request_id),
    cmocka_unit_test(test_transport),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
