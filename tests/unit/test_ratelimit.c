#include "err.h"
#include "ratelimit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

/* A deterministic xorshift, so a failure can be replayed. */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 17;
  rnd_state ^= rnd_state << 5;
  return rnd_state;
}

/* The largest number of starts in any window [t, t+1000): it suffices to
 * look at windows that open on a start. */
static size_t max_window(const int64_t *t, size_t n)
{
  size_t i, j = 0, best = 0;

  for (i = 0; i < n; i++) {
    while (j < n && t[j] < t[i] + 1000)
      j++;
    if (j - i > best)
      best = j - i;
  }
  return best;
}

/* Drive the limiter like dispatch does: start what avail allows (at most
 * `cap` at once), then sleep wait_ms plus a random lateness of up to
 * `late` ms, sometimes stalling for up to `stall` ms (a busy loop). */
static size_t simulate(double rate, int64_t duration, int late, int stall,
                       int64_t **out)
{
  struct wr_ratelimit rl;
  int64_t now = 1000000, end = now + duration, *t;
  size_t n = 0, cap = (size_t)(rate * duration / 1000.0 * 2 + 16), a;

  t = malloc(cap * sizeof(*t));
  assert_non_null(t);
  assert_int_equal(wr_ratelimit_init(&rl, rate, now), 0);
  while (now < end) {
    a = wr_ratelimit_avail(&rl, now);
    if (a > 0) {
      assert_true(n + a <= cap);
      wr_ratelimit_drain(&rl, a, now);
      while (a-- > 0)
        t[n++] = now;
    }
    now += wr_ratelimit_wait_ms(&rl, now);
    if (late > 0)
      now += rnd() % (uint32_t)(late + 1);
    if (stall > 0 && rnd() % 50 == 0)
      now += rnd() % (uint32_t)stall;
  }
  wr_ratelimit_free(&rl);
  *out = t;
  return n;
}

static void check_rate(double rate, int late, int stall, double min_ratio)
{
  int64_t *t = NULL, duration = rate < 5 ? 200000 : 60000;
  size_t n = simulate(rate, duration, late, stall, &t);
  size_t limit = (size_t)ceil(rate);
  double achieved = (double)n * 1000.0 / (double)duration;

  if (max_window(t, n) > limit || achieved < rate * min_ratio)
    print_error("rate %.2f late %d stall %d: max window %zu (limit %zu), "
                "achieved %.3f/s\n", rate, late, stall, max_window(t, n),
                limit, achieved);
  assert_true(max_window(t, n) <= limit);
  assert_true(achieved >= rate * min_ratio);
  assert_true(achieved <= rate * 1.01 + 1.0 * 1000.0 / (double)duration);
  free(t);
}

static void test_windows_exact_timers(void **state)
{
  static const double rates[] = {0.5, 1, 2, 3.7, 10, 10.5, 20, 99.9, 200,
                                 333.3, 1000};
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
    check_rate(rates[i], 0, 0, 0.985);
}

static void test_windows_late_timers(void **state)
{
  static const double rates[] = {1, 10, 20, 200, 333.3};
  size_t i;

  (void)state;
  /* Timers up to 1 ms late: the bucket's half token absorbs it. */
  for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
    check_rate(rates[i], 1, 0, 0.98);
  /* Stalls of up to 40 ms cost some rate but never break the bound. */
  for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
    check_rate(rates[i], 2, 40, 0.50);
}

static void test_unlimited(void **state)
{
  struct wr_ratelimit rl;

  (void)state;
  assert_int_equal(wr_ratelimit_init(&rl, 0, 5), 0);
  assert_true(wr_ratelimit_avail(&rl, 5) >= 1000000);
  wr_ratelimit_drain(&rl, 1000000, 5);
  assert_true(wr_ratelimit_avail(&rl, 5) >= 1000000);
  assert_int_equal(wr_ratelimit_wait_ms(&rl, 5), 0);
  /* A throttle with retry-after still pauses an unlimited run. */
  wr_ratelimit_throttled(&rl, 10, 250);
  assert_int_equal(wr_ratelimit_avail(&rl, 10), 0);
  assert_int_equal(wr_ratelimit_wait_ms(&rl, 10), 250);
  assert_true(wr_ratelimit_avail(&rl, 260) > 0);
  wr_ratelimit_free(&rl);
  assert_int_equal(wr_ratelimit_init(&rl, -1, 0), WR_EINVAL);
}

static void test_first_start_and_wait(void **state)
{
  struct wr_ratelimit rl;

  (void)state;
  assert_int_equal(wr_ratelimit_init(&rl, 4, 0), 0);
  assert_int_equal(wr_ratelimit_avail(&rl, 0), 1);
  wr_ratelimit_drain(&rl, 1, 0);
  assert_int_equal(wr_ratelimit_avail(&rl, 0), 0);
  assert_int_equal(wr_ratelimit_wait_ms(&rl, 0), 250);
  assert_int_equal(wr_ratelimit_avail(&rl, 249), 0);
  assert_int_equal(wr_ratelimit_avail(&rl, 250), 1);
  /* Idle for a long time: never more than one burst (1.5 tokens). */
  assert_int_equal(wr_ratelimit_avail(&rl, 100000), 1);
  wr_ratelimit_drain(&rl, 1, 100000);
  assert_int_equal(wr_ratelimit_wait_ms(&rl, 100000), 125);
  wr_ratelimit_free(&rl);
}

static void test_throttle_decrease_hold_floor(void **state)
{
  struct wr_ratelimit rl;
  int64_t now = 0;
  int i;

  (void)state;
  assert_int_equal(wr_ratelimit_init(&rl, 100, now), 0);
  wr_ratelimit_throttled(&rl, now, -1);
  assert_true(fabs(wr_ratelimit_rate(&rl, now) - 50) < 1e-9);
  /* A volley of throttled answers inside the hold: one decrease only. */
  for (i = 0; i < 20; i++)
    wr_ratelimit_throttled(&rl, now + i * 10, -1);
  assert_true(fabs(wr_ratelimit_rate(&rl, now + 200) - 50) < 1e-9);
  assert_int_equal(rl.throttles, 1);
  /* Sustained throttling, once a second: down to the floor, no lower. */
  for (i = 1; i <= 10; i++) {
    now = i * 1000;
    wr_ratelimit_throttled(&rl, now, -1);
  }
  assert_true(fabs(wr_ratelimit_rate(&rl, now) - 10) < 1e-9);
  wr_ratelimit_free(&rl);
}

static void test_throttle_recovery(void **state)
{
  struct wr_ratelimit rl;
  double r, prev = 0;
  int64_t t;

  (void)state;
  assert_int_equal(wr_ratelimit_init(&rl, 100, 0), 0);
  wr_ratelimit_throttled(&rl, 0, -1);
  wr_ratelimit_throttled(&rl, 1000, -1);
  assert_true(fabs(wr_ratelimit_rate(&rl, 1000) - 25) < 1e-9);
  /* Held for a second, then +10/s each second, monotonic, capped at R. */
  assert_true(fabs(wr_ratelimit_rate(&rl, 2000) - 25) < 1e-9);
  assert_true(fabs(wr_ratelimit_rate(&rl, 3000) - 35) < 1e-6);
  for (t = 3000; t < 20000; t += 100) {
    r = wr_ratelimit_rate(&rl, t);
    assert_true(r >= prev);
    assert_true(r <= 100);
    prev = r;
  }
  assert_true(fabs(wr_ratelimit_rate(&rl, 20000) - 100) < 1e-9);
  wr_ratelimit_free(&rl);
}

static void test_retry_after_pause(void **state)
{
  struct wr_ratelimit rl;

  (void)state;
  assert_int_equal(wr_ratelimit_init(&rl, 1000, 0), 0);
  wr_ratelimit_throttled(&rl, 0, 2000);
  assert_int_equal(wr_ratelimit_avail(&rl, 0), 0);
  assert_int_equal(wr_ratelimit_avail(&rl, 1999), 0);
  assert_int_equal(wr_ratelimit_wait_ms(&rl, 1000), 1000);
  assert_true(wr_ratelimit_avail(&rl, 2000) >= 1);
  /* A huge retry-after is capped. */
  wr_ratelimit_throttled(&rl, 3000, INT64_C(1) << 40);
  assert_int_equal(wr_ratelimit_wait_ms(&rl, 3000), WR_RL_PAUSE_MAX_MS);
  wr_ratelimit_free(&rl);
}

/* Throttled at random during a long run: the windows still hold. */
static void test_windows_under_throttling(void **state)
{
  struct wr_ratelimit rl;
  int64_t now = 0, *t;
  size_t n = 0, a;

  (void)state;
  t = malloc(200000 * sizeof(*t));
  assert_non_null(t);
  assert_int_equal(wr_ratelimit_init(&rl, 200, now), 0);
  while (now < 300000) {
    a = wr_ratelimit_avail(&rl, now);
    wr_ratelimit_drain(&rl, a, now);
    while (a-- > 0)
      t[n++] = now;
    if (rnd() % 400 == 0)
      wr_ratelimit_throttled(&rl, now, rnd() % 3 == 0 ? 500 : -1);
    now += wr_ratelimit_wait_ms(&rl, now) + rnd() % 2;
  }
  assert_true(max_window(t, n) <= 200);
  assert_true(rl.throttles > 10);
  assert_true(wr_ratelimit_rate(&rl, now) <= 200);
  wr_ratelimit_free(&rl);
  free(t);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_unlimited),
    cmocka_unit_test(test_first_start_and_wait),
    cmocka_unit_test(test_windows_exact_timers),
    cmocka_unit_test(test_windows_late_timers),
    cmocka_unit_test(test_throttle_decrease_hold_floor),
    cmocka_unit_test(test_throttle_recovery),
    cmocka_unit_test(test_retry_after_pause),
    cmocka_unit_test(test_windows_under_throttling),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
