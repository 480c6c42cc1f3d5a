#include "clock.h"
#include "err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
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

/* The formats as they were made before the hand-written formatter: the
 * reference it must match byte for byte. */
static void ref_ms(int64_t wall_ms, char out[WR_TIME_RFC3339_LEN])
{
  time_t secs = (time_t)(wall_ms / 1000);
  struct tm tm;

  gmtime_r(&secs, &tm);
  snprintf(out, WR_TIME_RFC3339_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
           tm.tm_min, tm.tm_sec, (int)(wall_ms % 1000));
}

static void ref_secs(int64_t wall_ms, char out[WR_TIME_RFC3339_LEN])
{
  time_t secs = (time_t)(wall_ms / 1000);
  struct tm tm;

  gmtime_r(&secs, &tm);
  strftime(out, WR_TIME_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void same_as_ref(int64_t wall_ms)
{
  char got[WR_TIME_RFC3339_LEN], want[WR_TIME_RFC3339_LEN];

  ref_ms(wall_ms, want);
  wr_time_rfc3339_ms(wall_ms, got);
  assert_string_equal(got, want);
  ref_secs(wall_ms, want);
  wr_time_iso_seconds(wall_ms, got);
  assert_string_equal(got, want);
}

static void test_format_edges(void **state)
{
  static const struct {
    int64_t ms;
    const char *want;
  } cases[] = {
    {0, "1970-01-01T00:00:00.000Z"},
    {999, "1970-01-01T00:00:00.999Z"},
    {1000, "1970-01-01T00:00:01.000Z"},
    {59999, "1970-01-01T00:00:59.999Z"},
    {60000, "1970-01-01T00:01:00.000Z"},
    {86399999, "1970-01-01T23:59:59.999Z"},
    {86400000, "1970-01-02T00:00:00.000Z"},
    {946684799999LL, "1999-12-31T23:59:59.999Z"},  /* year rollover */
    {946684800000LL, "2000-01-01T00:00:00.000Z"},
    {951782400000LL, "2000-02-29T00:00:00.000Z"},  /* leap (by 400) */
    {4107542399999LL, "2100-02-28T23:59:59.999Z"}, /* not leap (by 100) */
    {4107542400000LL, "2100-03-01T00:00:00.000Z"},
    {13574563200000LL, "2400-02-29T00:00:00.000Z"},
    {1714550400123LL, "2024-05-01T08:00:00.123Z"},
    {253402300799999LL, "9999-12-31T23:59:59.999Z"},
  };
  char s[WR_TIME_RFC3339_LEN];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    wr_time_rfc3339_ms(cases[i].ms, s);
    assert_string_equal(s, cases[i].want);
    wr_time_iso_seconds(cases[i].ms, s);
    assert_int_equal(strlen(s), 20);
    assert_memory_equal(s, cases[i].want, 19);
    assert_int_equal(s[19], 'Z');
    same_as_ref(cases[i].ms);
  }
  /* Outside 1970..9999 the formats are gmtime's, as always. */
  same_as_ref(-1);
  same_as_ref(-500);
  same_as_ref(-1000);
  same_as_ref(-86400001LL);
  same_as_ref(253402300800000LL);
  same_as_ref(253402300800999LL);
}

/* Every day from 1970 to 2600 at a varying time of day, and a spread of
 * values up to year 9999: the same bytes as gmtime. */
static void test_format_sweep(void **state)
{
  uint64_t x = 88172645463325252ULL;
  int64_t day, i;

  (void)state;
  for (day = 0; day < 230000; day++)
    same_as_ref(day * 86400000 + day * 7919 % 86400000);
  for (i = 0; i < 200000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    same_as_ref((int64_t)(x % 253402300800000ULL));
  }
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
  /* Written on entry: an error leaves 0, not the last good time. */
  assert_int_equal(ms, 0);
}

/* Only real calendar times: nothing is normalised (02-30 is not 03-02). */
static void test_parse_strict(void **state)
{
  static const char *const bad[] = {
    "2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
    "2100-02-29T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z",
    "2026-01-32T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
    "2026-01-01T00:00:61Z", "2026-01-01T00:00:00+99:99",
    "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00-01:60",
    "2026-01-01T00:00:00+1:00", "2026-01-01T00:00:00+01:0",
    "2026-01-01T00:00:00+0100", " 2026-01-01T00:00:00Z",
    "+202-01-01T00:00:00Z", "2026-1-01T00:00:00Z", "2026-01-01T0:00:00Z",
    "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00", "2026-01-01T-1:00:00Z",
    "2026-01-01T00:00: 0Z", "2026-01-01X00:00:00Z", "",
  };
  int64_t ms;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    print_message("%s\n", bad[i]);
    assert_int_equal(wr_time_parse_rfc3339(bad[i], &ms), WR_EINVAL);
  }
  assert_int_equal(wr_time_parse_rfc3339("2024-02-29T00:00:00Z", &ms), 0);
  assert_int_equal(ms, 1709164800000LL);
  assert_int_equal(wr_time_parse_rfc3339("2000-02-29t23:59:59z", &ms), 0);
  assert_int_equal(wr_time_parse_rfc3339("2026-01-01 00:00:00-23:59", &ms), 0);
  assert_int_equal(ms, 1767225600000LL + (23 * 60 + 59) * 60000LL);
  assert_int_equal(wr_time_parse_rfc3339("2026-12-31T23:59:60Z", &ms), 0);
  assert_int_equal(wr_time_parse_rfc3339("2026-01-01T00:00:00.123456Z", &ms),
                   0);
  assert_int_equal(ms, 1767225600123LL);
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
    cmocka_unit_test(test_format_edges),
    cmocka_unit_test(test_format_sweep),
    cmocka_unit_test(test_parse),
    cmocka_unit_test(test_parse_strict),
    cmocka_unit_test(test_monotonic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
