/* Shared canonicalisation: percent-encoding, sort order, SHA-256. */
#include "buf.h"
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

static void check_encode(const char *in, const char *want)
{
  struct wr_buf b;

  wr_buf_init(&b, 4096);
  assert_int_equal(wr_percent_encode(in, strlen(in), &b), 0);
  assert_string_equal(wr_buf_str(&b), want);
  wr_buf_free(&b);
}

static void test_percent_encode(void **state)
{
  (void)state;
  check_encode("", "");
  check_encode("AZaz09-_.~", "AZaz09-_.~");
  check_encode(" ", "%20");
  check_encode("*", "%2A");
  check_encode("~", "~");
  check_encode("+", "%2B");
  check_encode("/", "%2F");
  check_encode("=", "%3D");
  check_encode("&", "%26");
  check_encode("\xc3\xa9", "%C3%A9");     /* é */
  check_encode("\xe4\xb8\xad", "%E4%B8%AD"); /* 中 */
  /* API.md 3.2, computed with the RFC 3986 unreserved set. */
  check_encode(" a!*'()~+/=&:\xc3\xa9\xe4\xb8\xad",
               "%20a%21%2A%27%28%29~%2B%2F%3D%26%3A%C3%A9%E4%B8%AD");
}

/* Node's querystring set, used only for the client-API wire form. */
static void test_percent_encode_js(void **state)
{
  struct wr_buf b;
  const char *in = " a!*'()~+/=&:\xc3\xa9\xe4\xb8\xad";

  (void)state;
  wr_buf_init(&b, 4096);
  assert_int_equal(wr_percent_encode_js(in, strlen(in), &b), 0);
  assert_string_equal(wr_buf_str(&b),
                      "%20a!*'()~%2B%2F%3D%26%3A%C3%A9%E4%B8%AD");
  wr_buf_free(&b);
}

static void test_percent_encode_embedded_nul_and_high_bytes(void **state)
{
  struct wr_buf b;

  (void)state;
  wr_buf_init(&b, 64);
  assert_int_equal(wr_percent_encode("a\0\xff", 3, &b), 0);
  assert_string_equal(wr_buf_str(&b), "a%00%FF");
  wr_buf_free(&b);
}

static void test_encode_bound_is_an_error(void **state)
{
  struct wr_buf b;

  (void)state;
  wr_buf_init(&b, 5);
  assert_int_equal(wr_percent_encode("  ", 2, &b), WR_ETOOBIG);
  assert_null(b.data);
}

static void test_sort_twenty_ids(void **state)
{
  struct wr_param p[21];
  char names[20][16], values[20][16];
  struct wr_buf b;
  const char *want =
      "DesktopId.1=ecd-1&DesktopId.10=ecd-10&DesktopId.11=ecd-11&"
      "DesktopId.12=ecd-12&DesktopId.13=ecd-13&DesktopId.14=ecd-14&"
      "DesktopId.15=ecd-15&DesktopId.16=ecd-16&DesktopId.17=ecd-17&"
      "DesktopId.18=ecd-18&DesktopId.19=ecd-19&DesktopId.2=ecd-2&"
      "DesktopId.20=ecd-20&DesktopId.3=ecd-3&DesktopId.4=ecd-4&"
      "DesktopId.5=ecd-5&DesktopId.6=ecd-6&DesktopId.7=ecd-7&"
      "DesktopId.8=ecd-8&DesktopId.9=ecd-9&RegionId=cn-hangzhou";
  int i;

  (void)state;
  /* Insert in reverse so the sort has real work to do. */
  p[0].name = "RegionId";
  p[0].value = "cn-hangzhou";
  for (i = 0; i < 20; i++) {
    snprintf(names[i], sizeof(names[i]), "DesktopId.%d", 20 - i);
    snprintf(values[i], sizeof(values[i]), "ecd-%d", 20 - i);
    p[i + 1].name = names[i];
    p[i + 1].value = values[i];
  }
  wr_buf_init(&b, 4096);
  assert_int_equal(wr_canonical_query(p, 21, &b), 0);
  assert_string_equal(wr_buf_str(&b), want);
  assert_string_equal(p[0].name, "DesktopId.1"); /* sorted in place */
  assert_string_equal(p[20].name, "RegionId");
  wr_buf_free(&b);
}

static void test_canonical_query_byte_order_and_empty(void **state)
{
  struct wr_param p[] = {
    {"b", "2"}, {"a b", "x y"}, {"B", ""}, {"a", "*"}, {"\xc3\xa9", "1"},
  };
  struct wr_buf b;

  (void)state;
  wr_buf_init(&b, 4096);
  assert_int_equal(wr_canonical_query(p, 5, &b), 0);
  /* Uppercase sorts before lowercase, UTF-8 bytes last. */
  assert_string_equal(wr_buf_str(&b),
                      "B=&a=%2A&a%20b=x%20y&b=2&%C3%A9=1");
  wr_buf_reset(&b);
  assert_int_equal(wr_canonical_query(NULL, 0, &b), 0);
  assert_string_equal(wr_buf_str(&b), "");
  wr_buf_free(&b);
}

/* Every byte against the sets spelled out: the encoder's tables. */
static void test_encode_every_byte(void **state)
{
  struct wr_buf b, js;
  int c;

  (void)state;
  for (c = 0; c < 256; c++) {
    char in = (char)c, want[4];
    int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '.' || c == '~';
    int plain_js = plain || c == '!' || c == '\'' || c == '(' || c == ')' ||
                   c == '*';

    wr_buf_init(&b, 16);
    wr_buf_init(&js, 16);
    assert_int_equal(wr_percent_encode(&in, 1, &b), 0);
    assert_int_equal(wr_percent_encode_js(&in, 1, &js), 0);
    snprintf(want, sizeof(want), "%%%02X", c);
    if (plain)
      assert_memory_equal(wr_buf_str(&b), &in, 1);
    else
      assert_string_equal(wr_buf_str(&b), want);
    if (plain_js)
      assert_memory_equal(wr_buf_str(&js), &in, 1);
    else
      assert_string_equal(wr_buf_str(&js), want);
    wr_buf_free(&b);
    wr_buf_free(&js);
  }
}

/* Up to 16 parameters take the small sort: every order of a set with a
 * repeated name gives the one canonical string. */
static void test_sort_small_any_order(void **state)
{
  static const struct wr_param sorted[] = {
    {"A", "1"}, {"DesktopId.1", "x"}, {"DesktopId.10", "y"},
    {"DesktopId.2", "z"}, {"a", "2"}, {"a", "3"}, {"b", ""},
  };
  const char *want = "A=1&DesktopId.1=x&DesktopId.10=y&DesktopId.2=z&"
                     "a=2&a=3&b=";
  struct wr_param p[7];
  struct wr_buf b;
  size_t n = 7, i, k;

  (void)state;
  for (k = 0; k < 200; k++) {
    /* A different permutation each time (a simple LCG shuffle). */
    unsigned x = (unsigned)k * 2654435761u + 1;

    memcpy(p, sorted, sizeof(p));
    for (i = n - 1; i > 0; i--) {
      size_t j;
      struct wr_param t;

      x = x * 1103515245u + 12345u;
      j = (x >> 8) % (i + 1);
      t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    wr_buf_init(&b, 4096);
    assert_int_equal(wr_canonical_query(p, n, &b), 0);
    assert_string_equal(wr_buf_str(&b), want);
    for (i = 0; i < n; i++) {
      assert_string_equal(p[i].name, sorted[i].name);
      assert_string_equal(p[i].value, sorted[i].value);
    }
    wr_buf_free(&b);
  }
}

static void test_sha256_hex(void **state)
{
  char hex[65];

  (void)state;
  assert_int_equal(wr_sha256_hex("", 0, hex), 0);
  assert_string_equal(
      hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert_int_equal(wr_sha256_hex("abc", 3, hex), 0);
  assert_string_equal(
      hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static int int_cmp(const void *a, const void *b)
{
  int x = *(const int *)a, y = *(const int *)b;

  return x < y ? -1 : x > y;
}

/* wr_sort_small agrees with qsort on both sides of its cut-over (16),
 * with repeated keys, and for elements too big for insertion. */
static void test_sort_small_like_qsort(void **state)
{
  struct big { int key; char pad[100]; } b[5], want_b[5];
  int a[40] = {0}, want[40] = {0};
  size_t n, i;
  unsigned seed = 7;

  (void)state;
  for (n = 0; n <= 40; n++) {
    for (i = 0; i < n; i++) {
      seed = seed * 1103515245u + 12345u;
      a[i] = want[i] = (int)(seed >> 16) % 9;
    }
    wr_sort_small(a, n, sizeof(a[0]), int_cmp);
    qsort(want, n, sizeof(want[0]), int_cmp);
    assert_memory_equal(a, want, n * sizeof(a[0]));
  }
  memset(b, 0, sizeof(b));
  for (i = 0; i < 5; i++)
    b[i].key = (int)(5 - i);
  memcpy(want_b, b, sizeof(b));
  wr_sort_small(b, 5, sizeof(b[0]), int_cmp);
  qsort(want_b, 5, sizeof(want_b[0]), int_cmp);
  assert_memory_equal(b, want_b, sizeof(b));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_percent_encode),
    cmocka_unit_test(test_percent_encode_js),
    cmocka_unit_test(test_percent_encode_embedded_nul_and_high_bytes),
    cmocka_unit_test(test_encode_bound_is_an_error),
    cmocka_unit_test(test_sort_twenty_ids),
    cmocka_unit_test(test_canonical_query_byte_order_and_empty),
    cmocka_unit_test(test_encode_every_byte),
    cmocka_unit_test(test_sort_small_any_order),
    cmocka_unit_test(test_sort_small_like_qsort),
    cmocka_unit_test(test_sha256_hex),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
