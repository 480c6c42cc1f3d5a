/* A request's header block (api.h): one allocation holding every header's
 * name, value and libcurl line; adding, replacing, removing; the "name;"
 * form of an empty value; errors that leave the request as it was; and
 * the wipe before free, seen through free() itself (this test is linked
 * with -Wl,--wrap=free, tests/CMakeLists.txt). */
#include "api.h"
#include "clock.h"
#include "creds.h"
#include "err.h"
#include "sign.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- free(), watched ------------------------------------------------ */

void __real_free(void *p);
void __wrap_free(void *p);

/* The block to watch, where its strings start and end, and what was
 * seen when it was freed. */
static const void *watch_;
static const char *watch_from_, *watch_to_;
static int watch_freed_, watch_wiped_;

void __wrap_free(void *p)
{
  const char *c;

  if (p != NULL && p == watch_) {
    watch_freed_++;
    watch_wiped_ = 1;
    for (c = watch_from_; c < watch_to_; c++)
      if (*c != '\0')
        watch_wiped_ = 0;
    watch_ = NULL;
  }
  __real_free(p);
}

static void watch(const struct wr_http_request *r)
{
  size_t len;

  watch_from_ = wr_http_request_strings(r, &len);
  watch_to_ = watch_from_ + len;
  watch_ = r->headers;
  watch_freed_ = watch_wiped_ = 0;
}

/* ---- helpers -------------------------------------------------------- */

/* Each header's line is "name: value" (or "name;"), lies in the strings
 * run, and every string is in the one block. */
static void check_block(const struct wr_http_request *r)
{
  const char *s, *block = (const char *)r->headers;
  char want[1024];
  size_t len, i;

  s = wr_http_request_strings(r, &len);
  if (r->nheaders == 0) {
    assert_null(r->headers);
    assert_int_equal(len, 0);
    return;
  }
  assert_ptr_equal(s, block + r->nheaders * sizeof(*r->headers));
  assert_ptr_equal(s + len, block + r->headers_size);
  for (i = 0; i < r->nheaders; i++) {
    const struct wr_header *h = &r->headers[i];

    if (h->value[0] != '\0')
      snprintf(want, sizeof(want), "%s: %s", h->name, h->value);
    else
      snprintf(want, sizeof(want), "%s;", h->name);
    assert_string_equal(h->line, want);
    assert_true(h->name >= s && h->name < s + len);
    assert_true(h->line >= s && h->line + strlen(h->line) < s + len);
    assert_true(h->value >= h->line && h->value <= h->line + strlen(h->line));
  }
  /* Nothing after the last line's NUL. */
  assert_ptr_equal(r->headers[r->nheaders - 1].line +
                       strlen(r->headers[r->nheaders - 1].line) + 1,
                   s + len);
}

static void check_names(const struct wr_http_request *r,
                        const char *const *names, const char *const *values,
                        size_t n)
{
  size_t i;

  assert_int_equal(r->nheaders, n);
  for (i = 0; i < n; i++) {
    assert_string_equal(r->headers[i].name, names[i]);
    assert_string_equal(r->headers[i].value, values[i]);
  }
  check_block(r);
}

/* ---- tests ---------------------------------------------------------- */

static void test_set_headers(void **state)
{
  const struct wr_param h[] = {
    {"host", "ecd.cn-hangzhou.aliyuncs.com"},
    {"x-acs-empty", ""},
    {"Authorization", "ACS3-HMAC-SHA256 Credential=id,Signature=ab"},
  };
  const char *names[] = {"host", "x-acs-empty", "Authorization"};
  const char *values[] = {"ecd.cn-hangzhou.aliyuncs.com", "",
                          "ACS3-HMAC-SHA256 Credential=id,Signature=ab"};
  struct wr_http_request r = {0};

  (void)state;
  assert_int_equal(wr_http_request_set_headers(&r, h, 3), 0);
  check_names(&r, names, values, 3);
  assert_string_equal(r.headers[0].line, "host: ecd.cn-hangzhou.aliyuncs.com");
  /* curl's form for a header sent with an empty value */
  assert_string_equal(r.headers[1].line, "x-acs-empty;");
  /* Replaced as a whole, the old block going. */
  assert_int_equal(wr_http_request_set_headers(&r, h + 2, 1), 0);
  check_names(&r, names + 2, values + 2, 1);
  assert_int_equal(wr_http_request_set_headers(&r, h, 0), 0);
  check_names(&r, names, values, 0);
  wr_http_request_free(&r);
}

static void test_set_header(void **state)
{
  const char *n1[] = {"host", "x-acs-date"};
  const char *v1[] = {"h", "2024-05-01T08:00:00Z"};
  const char *n2[] = {"host", "x-acs-date", "x-acs-extra"};
  const char *v2[] = {"h", "2024-05-01T08:00:00Z", "1"};
  const char *v3[] = {"h", "Z", "1"};
  const char *n4[] = {"host", "x-acs-extra"};
  const char *v4[] = {"h", "1"};
  const char *v5[] = {"h", ""};
  const char *n6[] = {"host", "x-acs-extra", "y"};
  const char *v6[] = {"h", "", "h"};
  struct wr_http_request r = {0};

  (void)state;
  /* Added in order to an empty request. */
  assert_int_equal(wr_http_request_set_header(&r, "host", "h"), 0);
  assert_int_equal(
      wr_http_request_set_header(&r, "x-acs-date", "2024-05-01T08:00:00Z"),
      0);
  check_names(&r, n1, v1, 2);
  /* Appended at the end. */
  assert_int_equal(wr_http_request_set_header(&r, "x-acs-extra", "1"), 0);
  check_names(&r, n2, v2, 3);
  /* Replaced in place, any case, the first spelling kept. */
  assert_int_equal(wr_http_request_set_header(&r, "X-ACS-DATE", "Z"), 0);
  check_names(&r, n2, v3, 3);
  /* Removed; removing what is not there changes nothing. */
  assert_int_equal(wr_http_request_set_header(&r, "x-acs-date", NULL), 0);
  check_names(&r, n4, v4, 2);
  assert_int_equal(wr_http_request_set_header(&r, "x-acs-date", NULL), 0);
  check_names(&r, n4, v4, 2);
  /* An empty value. */
  assert_int_equal(wr_http_request_set_header(&r, "x-acs-extra", ""), 0);
  check_names(&r, n4, v5, 2);
  assert_string_equal(r.headers[1].line, "x-acs-extra;");
  /* A value from the request's own block (freed only after the copy:
   * ASan would see a use after free). */
  assert_int_equal(wr_http_request_set_header(&r, "y", r.headers[0].value),
                   0);
  check_names(&r, n6, v6, 3);
  /* Down to none: no block. */
  assert_int_equal(wr_http_request_set_header(&r, "host", NULL), 0);
  assert_int_equal(wr_http_request_set_header(&r, "x-acs-extra", NULL), 0);
  assert_int_equal(wr_http_request_set_header(&r, "y", NULL), 0);
  check_names(&r, NULL, NULL, 0);
  wr_http_request_free(&r);
}

/* A bad header leaves the request as it was. */
static void test_errors(void **state)
{
  const char *n[] = {"host"};
  const char *v[] = {"h"};
  struct wr_param many[WR_HTTP_HEADERS_MAX + 1];
  struct wr_http_request r = {0};
  size_t i;

  (void)state;
  assert_int_equal(wr_http_request_set_header(&r, "host", "h"), 0);
  assert_int_equal(wr_http_request_set_header(&r, "", "x"), WR_EINVAL);
  check_names(&r, n, v, 1);
  for (i = 0; i < WR_HTTP_HEADERS_MAX + 1; i++)
    many[i] = (struct wr_param){"x-many", "1"};
  assert_int_equal(
      wr_http_request_set_headers(&r, many, WR_HTTP_HEADERS_MAX + 1),
      WR_ETOOBIG);
  check_names(&r, n, v, 1);
  /* Full: one more by name is refused, a new value is not. */
  assert_int_equal(wr_http_request_set_headers(&r, many, WR_HTTP_HEADERS_MAX),
                   0);
  assert_int_equal(wr_http_request_set_header(&r, "x-new", "1"), WR_ETOOBIG);
  assert_int_equal(r.nheaders, WR_HTTP_HEADERS_MAX);
  assert_int_equal(wr_http_request_set_header(&r, "x-many", "2"), 0);
  assert_int_equal(r.nheaders, WR_HTTP_HEADERS_MAX);
  assert_string_equal(r.headers[0].value, "2");
  assert_string_equal(r.headers[1].value, "1");
  check_block(&r);
  wr_http_request_free(&r);
}

/* Free and every rebuild wipe the strings (signature, STS token) before
 * the block goes, and free it once. */
static void test_wiped(void **state)
{
  struct wr_creds c = {0};
  struct wr_api_target t = {WR_API_ADMIN, WR_SIG_V3, NULL};
  const char *ids[] = {"ecd-aaaa0000000000001"};
  struct wr_call call = {"RebootDesktops", "cn-hangzhou", ids, 1, NULL, 0,
                         NULL, NULL};
  struct wr_attempt a = {0, "3c5a1f0e9b2d4c6e8a7b9c0d1e2f3a4b"};
  struct wr_http_request r;

  (void)state;
  c.access_key_id = "testid";
  c.access_key_secret = "testsecret";
  c.security_token = "CAIS+token";
  assert_int_equal(wr_time_parse_rfc3339("2024-05-01T08:00:00Z",
                                         &a.wall_ms), 0);
  assert_int_equal(wr_api_build(&t, &c, &call, &a, &r, NULL), 0);
  /* The builder's block: every line in curl's form. */
  assert_int_equal(r.nheaders, 9);
  check_block(&r);
  assert_string_equal(r.headers[7].line, "x-acs-security-token: CAIS+token");
  assert_memory_equal(r.headers[8].line, "Authorization: ACS3-HMAC-SHA256 ",
                      32);
  /* Replacing the Authorization (as sim-client's re-signing does). */
  watch(&r);
  assert_int_equal(
      wr_http_request_set_header(&r, "authorization", "re-signed"), 0);
  assert_int_equal(watch_freed_, 1);
  assert_int_equal(watch_wiped_, 1);
  assert_string_equal(r.headers[8].line, "Authorization: re-signed");
  /* Freeing the request. */
  watch(&r);
  wr_http_request_free(&r);
  assert_int_equal(watch_freed_, 1);
  assert_int_equal(watch_wiped_, 1);
  assert_null(r.headers);
  assert_int_equal(r.nheaders, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_set_headers),
    cmocka_unit_test(test_set_header),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_wiped),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
