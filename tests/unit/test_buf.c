#include "buf.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static void test_append_and_take(void **state)
{
  struct wr_buf b;
  char *p;

  (void)state;
  wr_buf_init(&b, 1024);
  assert_string_equal(wr_buf_str(&b), "");
  assert_int_equal(wr_buf_adds(&b, "abc"), 0);
  assert_int_equal(wr_buf_addc(&b, '-'), 0);
  assert_int_equal(wr_buf_addf(&b, "%d/%s", 42, "x"), 0);
  assert_string_equal(wr_buf_str(&b), "abc-42/x");
  assert_int_equal(b.len, 8);
  p = wr_buf_take(&b);
  assert_string_equal(p, "abc-42/x");
  assert_null(b.data);
  free(p);
}

static void test_bound_is_an_error(void **state)
{
  struct wr_buf b;
  int i;

  (void)state;
  wr_buf_init(&b, 10);
  assert_int_equal(wr_buf_adds(&b, "0123456789"), 0);
  assert_int_equal(wr_buf_addc(&b, 'x'), WR_ETOOBIG);
  assert_null(b.data); /* freed on error */
  wr_buf_init(&b, 1 << 20);
  for (i = 0; i < 1000; i++)
    assert_int_equal(wr_buf_adds(&b, "0123456789"), 0);
  assert_int_equal(b.len, 10000);
  wr_buf_reset(&b);
  assert_string_equal(wr_buf_str(&b), "");
  wr_buf_free_secret(&b);
}

static void test_reserve(void **state)
{
  struct wr_buf b;
  char *data;

  (void)state;
  wr_buf_init(&b, 100);
  assert_int_equal(wr_buf_reserve(&b, 40), 0);
  assert_non_null(b.data);
  assert_int_equal(b.cap, 41);
  assert_string_equal(wr_buf_str(&b), ""); /* NUL-terminated while empty */
  data = b.data;
  assert_int_equal(wr_buf_adds(&b, "0123456789012345678901234567890123456789"),
                   0);
  assert_ptr_equal(b.data, data); /* no allocation within the reserve */
  assert_int_equal(wr_buf_reserve(&b, 10), 0);
  assert_int_equal(b.cap, 51);
  assert_int_equal(b.len, 40);
  assert_memory_equal(b.data, "0123456789012345678901234567890123456789", 41);
  assert_int_equal(wr_buf_reserve(&b, 5), 0); /* room already */
  assert_int_equal(b.cap, 51);
  assert_int_equal(wr_buf_reserve(&b, 61), WR_ETOOBIG);
  assert_null(b.data); /* freed on error, as an append */
  assert_int_equal(b.len, 0);
  wr_buf_free(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_append_and_take),
    cmocka_unit_test(test_bound_is_an_error),
    cmocka_unit_test(test_reserve),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
