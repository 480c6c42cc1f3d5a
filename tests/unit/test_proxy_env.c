/* proxy_env: the environment read as libcurl 7.88 reads it. */
#include "proxy_env.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

static const char *const vars[] = {
  "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
  "ALL_PROXY", "no_proxy", "NO_PROXY", NULL
};

static int clear_env(void **state)
{
  const char *const *v;

  (void)state;
  for (v = vars; *v != NULL; v++)
    unsetenv(*v);
  return 0;
}

static void load(struct wr_proxy_env *pe)
{
  assert_int_equal(wr_proxy_env_load(pe), 0);
}

static void test_nothing_set(void **state)
{
  struct wr_proxy_env pe;

  (void)state;
  load(&pe);
  assert_string_equal(wr_proxy_env_for(&pe, "http://127.0.0.1:1/"), "");
  assert_string_equal(wr_proxy_env_for(&pe, "https://ecd.aliyuncs.com/"), "");
  assert_string_equal(pe.noproxy, "");
  wr_proxy_env_free(&pe);
  assert_null(pe.http);
}

/* HTTP_PROXY is ignored (curl: a CGI client can set it); https has both. */
static void test_by_scheme(void **state)
{
  struct wr_proxy_env pe;

  (void)state;
  setenv("HTTP_PROXY", "http://upper:1", 1);
  setenv("HTTPS_PROXY", "http://secure-upper:3", 1);
  load(&pe);
  assert_string_equal(wr_proxy_env_for(&pe, "http://h/"), "");
  assert_string_equal(wr_proxy_env_for(&pe, "https://h/"),
                      "http://secure-upper:3");
  assert_string_equal(wr_proxy_env_for(&pe, "HTTPS://h/"),
                      "http://secure-upper:3");
  wr_proxy_env_free(&pe);
  setenv("http_proxy", "http://lower:2", 1);
  setenv("https_proxy", "http://secure-lower:4", 1);
  load(&pe);
  assert_string_equal(wr_proxy_env_for(&pe, "http://h/"), "http://lower:2");
  assert_string_equal(wr_proxy_env_for(&pe, "https://h/"),
                      "http://secure-lower:4");
  wr_proxy_env_free(&pe);
}

/* all_proxy, then ALL_PROXY, when the scheme's own is unset or empty. */
static void test_all_proxy_and_empty(void **state)
{
  struct wr_proxy_env pe;

  (void)state;
  setenv("ALL_PROXY", "socks5://all-upper:5", 1);
  setenv("https_proxy", "", 1);
  load(&pe);
  assert_string_equal(wr_proxy_env_for(&pe, "http://h/"),
                      "socks5://all-upper:5");
  assert_string_equal(wr_proxy_env_for(&pe, "https://h/"),
                      "socks5://all-upper:5");
  wr_proxy_env_free(&pe);
  setenv("all_proxy", "socks5://all-lower:6", 1);
  setenv("HTTPS_PROXY", "http://secure-upper:3", 1);
  load(&pe);
  assert_string_equal(wr_proxy_env_for(&pe, "http://h/"),
                      "socks5://all-lower:6");
  assert_string_equal(wr_proxy_env_for(&pe, "https://h/"),
                      "http://secure-upper:3");
  wr_proxy_env_free(&pe);
}

static void test_no_proxy(void **state)
{
  struct wr_proxy_env pe;

  (void)state;
  setenv("NO_PROXY", "upper.example", 1);
  load(&pe);
  assert_string_equal(pe.noproxy, "upper.example");
  wr_proxy_env_free(&pe);
  setenv("no_proxy", "127.0.0.1,.internal", 1);
  load(&pe);
  assert_string_equal(pe.noproxy, "127.0.0.1,.internal");
  wr_proxy_env_free(&pe);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_nothing_set, clear_env),
    cmocka_unit_test_setup(test_by_scheme, clear_env),
    cmocka_unit_test_setup(test_all_proxy_and_empty, clear_env),
    cmocka_unit_test_setup(test_no_proxy, clear_env),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
