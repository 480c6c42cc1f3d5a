#include "clock.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void test_format(void **state)
{
  char s[WR_TIME_RFC3339_LEN];

  (void)state;
  wr_time_rfc3339_ms(1714550400123LL, s);
  assert_string_equal(s, "2024-05-01T08:00:00.123Z");
  wr_time_iso_seconds(1714550400999LL, s);
  assert_string_equal(s, "2024-05-01T08:00:00Z");
}

static void test_parse(void **state)
{
  int64_t ms;

  (void)state;
  assert_int_equal(wr_time_parse_rfc3339("2024-05-01T08:00:00Z", &ms), 0);
  assert_int_equal(ms, 1714550400000LL);
  assert_int_equal(wr_time_parse_rfc3339("2024-05-01T08:00:00.5Z", &ms), 0);
  assert_int_equal(ms, 1714550400500LL);
  assert_int_equal(wr_time_parse_rfc3339("2024-05-01T10:00:00+02:00", &ms), 0);
  assert_int_equal(ms, 1714550400000LL);
  assert_int_equal(wr_time_parse_rfc3339("2024-05-01", &ms), WR_EINVAL);
  assert_int_equal(wr_time_parse_rfc3339("2024-13-01T00:00:00Z", &ms),
                   WR_EINVAL);
  assert_int_equal(wr_time_parse_rfc3339("2024-05-01T08:00:00Zjunk", &ms),
                   WR_EINVAL);
}

static void test_monotonic(void **state)
{
  int64_t a = wr_clock_now_ms(), b = wr_clock_now_ms();

  (void)state;
  assert_true(b >= a);
  assert_true(wr_clock_wall_ms() > 1700000000000LL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_format),
    cmocka_unit_test(test_parse),
    cmocka_unit_test(test_monotonic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
