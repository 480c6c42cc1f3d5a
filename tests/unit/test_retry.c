#include "retry.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static struct wr_api_result result(enum wr_outcome o, bool ambiguous)
{
  struct wr_api_result r;

  memset(&r, 0, sizeof(r));
  r.outcome = o;
  r.ambiguous = ambiguous;
  r.retry_after_ms = -1;
  return r;
}

static void test_backoff_bounds(void **state)
{
  struct wr_retry_policy p;
  unsigned k;

  (void)state;
  wr_retry_policy_init(&p, 5);
  assert_int_equal(p.base_ms, 200);
  assert_int_equal(p.cap_ms, 20000);
  /* The largest random number gives the ceiling, 0 gives 0. */
  assert_int_equal(wr_retry_delay_ms(&p, 1, -1, 200), 200);
  assert_int_equal(wr_retry_delay_ms(&p, 1, -1, 201), 0);
  assert_int_equal(wr_retry_delay_ms(&p, 1, -1, 0), 0);
  assert_int_equal(wr_retry_delay_ms(&p, 2, -1, 400), 400);
  assert_int_equal(wr_retry_delay_ms(&p, 3, -1, 800), 800);
  assert_int_equal(wr_retry_delay_ms(&p, 7, -1, 12800), 12800);
  /* 200 * 2^7 = 25600 > cap. */
  assert_int_equal(wr_retry_delay_ms(&p, 8, -1, 20000), 20000);
  assert_int_equal(wr_retry_delay_ms(&p, 1000, -1, UINT32_MAX),
                   UINT32_MAX % 20001);
  for (k = 1; k < 64; k++)
    assert_true(wr_retry_delay_ms(&p, k, -1, UINT32_MAX - k) <= 20000);
}

static void test_full_jitter_spread(void **state)
{
  struct wr_retry_policy p;
  uint32_t x = 12345;
  int64_t d, lo = INT64_MAX, hi = 0, sum = 0;
  int i;

  (void)state;
  wr_retry_policy_init(&p, 5);
  for (i = 0; i < 10000; i++) {
    x = x * 1664525u + 1013904223u;
    d = wr_retry_delay_ms(&p, 3, -1, x);
    lo = d < lo ? d : lo;
    hi = d > hi ? d : hi;
    sum += d;
  }
  /* Uniform on [0, 800]: mean about 400, both ends reached. */
  assert_true(lo < 20);
  assert_true(hi > 780 && hi <= 800);
  assert_true(sum / 10000 > 370 && sum / 10000 < 430);
}

static void test_retry_after_honoured(void **state)
{
  struct wr_retry_policy p;

  (void)state;
  wr_retry_policy_init(&p, 5);
  assert_int_equal(wr_retry_delay_ms(&p, 1, 3000, 7), 3000);
  assert_int_equal(wr_retry_delay_ms(&p, 8, 10, 15000), 15000);
  assert_int_equal(wr_retry_delay_ms(&p, 1, 999999999, 7), 120000);
}

static void test_budgets(void **state)
{
  struct wr_retry_policy p;
  struct wr_retry_state s = {0};
  struct wr_api_result tr = result(WR_OUTCOME_TRANSIENT, true);
  struct wr_api_result th = result(WR_OUTCOME_THROTTLED, false);
  struct wr_api_result ok = result(WR_OUTCOME_OK, false);
  int i;

  (void)state;
  wr_retry_policy_init(&p, 2);
  assert_int_equal(p.throttle_retries, 8);
  assert_int_equal(wr_retry_next(&p, &s, &tr), WR_RETRY_AGAIN);
  assert_int_equal(wr_retry_next(&p, &s, &tr), WR_RETRY_AGAIN);
  /* Throttling has its own budget. */
  for (i = 0; i < 8; i++)
    assert_int_equal(wr_retry_next(&p, &s, &th), WR_RETRY_AGAIN);
  assert_int_equal(wr_retry_next(&p, &s, &th), WR_RETRY_EXHAUSTED);
  assert_int_equal(wr_retry_next(&p, &s, &tr), WR_RETRY_EXHAUSTED);
  assert_int_equal(s.attempts, 12);
  assert_int_equal(s.ambiguous, 3);
  assert_int_equal(wr_retry_next(&p, &s, &ok), WR_RETRY_OK);
  assert_int_equal(s.attempts, 13);
}

static void test_final_and_zero(void **state)
{
  struct wr_retry_policy p;
  struct wr_retry_state s = {0};
  struct wr_api_result fin = result(WR_OUTCOME_FINAL, false);
  struct wr_api_result tr = result(WR_OUTCOME_TRANSIENT, false);

  (void)state;
  wr_retry_policy_init(&p, 5);
  assert_int_equal(wr_retry_next(&p, &s, &fin), WR_RETRY_FINAL);
  wr_retry_policy_init(&p, -3);
  assert_int_equal(p.retries, 0);
  memset(&s, 0, sizeof(s));
  assert_int_equal(wr_retry_next(&p, &s, &tr), WR_RETRY_EXHAUSTED);
  assert_string_equal(wr_retry_verdict_name(WR_RETRY_EXHAUSTED), "exhausted");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_backoff_bounds),
    cmocka_unit_test(test_full_jitter_spread),
    cmocka_unit_test(test_retry_after_honoured),
    cmocka_unit_test(test_budgets),
    cmocka_unit_test(test_final_and_zero),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
