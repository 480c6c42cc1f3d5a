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

/* A throttle sets the rate just under what the server accepted in the
 * last second; a volley of throttles is one event. */
static void test_throttle_level_and_hold(void **state)
{
  struct wr_ratelimit rl;
  int64_t now = 0;
  int i;

  (void)state;
  assert_int_equal(wr_ratelimit_init(&rl, 100, now), 0);
  /* 30 answers accepted in the second before: 1.5 s ago ones are old. */
  for (i = 0; i < 10; i++)
    wr_ratelimit_accepted(&rl, 500 + i);
  for (i = 0; i < 30; i++)
    wr_ratelimit_accepted(&rl, 1100 + i * 30);
  now = 2050;
  wr_ratelimit_throttled(&rl, now, -1);
  assert_true(fabs(wr_ratelimit_rate(&rl, now) - 30 * WR_RL_BETA) < 1e-9);
  assert_true(fabs(rl.level - 30) < 1e-9);
  /* A volley of throttled answers inside the hold: one event only. */
  for (i = 0; i < 20; i++)
    wr_ratelimit_throttled(&rl, now + i * 10, -1);
  assert_int_equal(rl.throttles, 1);
  assert_true(fabs(rl.level - 30) < 1e-9);
  /* After the hold, a throttle with 40 accepted in the second before
   * while sending at about 29.1/s: the sending rate bounds the level. */
  for (i = 0; i < 40; i++)
    wr_ratelimit_accepted(&rl, 2100 + i * 20);
  wr_ratelimit_throttled(&rl, 3060, -1);
  assert_int_equal(rl.throttles, 2);
  assert_true(rl.level < 30.0 && rl.level > 29.0);
  wr_ratelimit_free(&rl);
}

/* A throttle past K, with a count a call short of the level: the count's
 * jitter, the level stays; with a count well below it: a smaller quota. */
static void test_throttle_past_k(void **state)
{
  struct wr_ratelimit rl;
  int64_t t0;
  int i;

  (void)state;
  assert_int_equal(wr_ratelimit_init(&rl, 50, 0), 0);
  for (i = 0; i < 10; i++)
    wr_ratelimit_accepted(&rl, 100 + i * 100);
  wr_ratelimit_throttled(&rl, 1050, -1);
  assert_true(fabs(rl.level - 10) < 1e-9);
  assert_true(fabs(rl.k_ms - 10000) < 1e-9);
  /* Inside K, 9 accepted: the level follows the count. */
  t0 = 5000;
  for (i = 0; i < 9; i++)
    wr_ratelimit_accepted(&rl, t0 - 900 + i * 100);
  wr_ratelimit_throttled(&rl, t0, -1);
  assert_true(fabs(rl.level - 9) < 1e-9);
  /* Past K (10 s), 8 accepted: one short of 9, the level stays 9. */
  t0 = 5000 + 10000 + 1500;
  for (i = 0; i < 8; i++)
    wr_ratelimit_accepted(&rl, t0 - 900 + i * 100);
  wr_ratelimit_throttled(&rl, t0, -1);
  assert_int_equal(rl.throttles, 3);
  assert_true(fabs(rl.level - 9) < 1e-9);
  /* Past K again, 5 accepted: the quota fell, the level follows. */
  t0 += 10000 + 1500;
  for (i = 0; i < 5; i++)
    wr_ratelimit_accepted(&rl, t0 - 900 + i * 100);
  wr_ratelimit_throttled(&rl, t0, -1);
  assert_true(fabs(rl.level - 5) < 1e-9);
  wr_ratelimit_free(&rl);
}

/* Throttled with nothing accepted (a server counting throttled calls
 * locks a sender above its quota out): halve, once a second, down to
 * the floor of 1/s and no lower. */
static void test_throttle_lockout_floor(void **state)
{
  struct wr_ratelimit rl;
  int64_t now = 0;
  int i;

  (void)state;
  assert_int_equal(wr_ratelimit_init(&rl, 100, now), 0);
  wr_ratelimit_throttled(&rl, now, -1);
  assert_true(fabs(wr_ratelimit_rate(&rl, now) - 50 * WR_RL_BETA) < 1e-9);
  for (i = 1; i <= 12; i++) {
    now = i * 1000;
    wr_ratelimit_throttled(&rl, now, -1);
  }
  assert_int_equal(rl.throttles, 13);
  assert_true(fabs(wr_ratelimit_rate(&rl, now) - 1.0) < 1e-9);
  wr_ratelimit_free(&rl);
}

/* After an event: concave back to the level in K, then convex beyond
 * it, monotonic, capped at R. */
static void test_throttle_recovery(void **state)
{
  struct wr_ratelimit rl;
  double r, prev = 0, k;
  int64_t t;
  int i;

  (void)state;
  assert_int_equal(wr_ratelimit_init(&rl, 100, 0), 0);
  for (i = 0; i < 20; i++)
    wr_ratelimit_accepted(&rl, 9050 + i * 50);
  wr_ratelimit_throttled(&rl, 10000, -1);
  k = WR_RL_PROBE_CALLS / 20 * 1000; /* 5 s */
  assert_true(fabs(rl.k_ms - k) < 1e-6);
  assert_true(fabs(wr_ratelimit_rate(&rl, 10000) - 19.4) < 1e-9);
  /* Within 1% of the level for the last two thirds of K. */
  assert_true(wr_ratelimit_rate(&rl, 10000 + (int64_t)(k * 0.34)) >= 19.8);
  assert_true(wr_ratelimit_rate(&rl, 10000 + (int64_t)k) <= 20.0 + 1e-9);
  /* Gently above it at first, then fast: x 2.5 within 7.5 s after K. */
  r = wr_ratelimit_rate(&rl, 10000 + (int64_t)k + 1000);
  assert_true(r > 20.0 && r < 20.2);
  assert_true(wr_ratelimit_rate(&rl, 10000 + (int64_t)k + 7500) >= 50);
  for (t = 10000; t < 40000; t += 100) {
    r = wr_ratelimit_rate(&rl, t);
    assert_true(r >= prev);
    assert_true(r <= 100);
    prev = r;
  }
  assert_true(fabs(wr_ratelimit_rate(&rl, 40000) - 100) < 1e-9);
  wr_ratelimit_free(&rl);
}

/* A simulated server: at most q(t) calls in any sliding second; counting
 * either the accepted calls only or every arrival.  The client drives
 * the limiter with a 1 ms clock and always has work; each call takes
 * 3..12 ms to reach the server and as long to come back. */
struct quota_run {
  double rate;
  int count_all;            /* throttled calls count towards the quota */
  const double *q;          /* the quota per 10 s slice of the run */
  int64_t duration;
  /* results */
  size_t accepted, throttled, max_window;
  int64_t first_ok, last_ok; /* arrival times at the server */
  int64_t *ok_at;           /* arrival time of every accepted call */
  int64_t *thr_at;          /* answer time of every throttled call */
};

struct flight {
  int64_t arrive, answer;
  int ok;
};

static void quota_run(struct quota_run *qr)
{
  struct wr_ratelimit rl;
  size_t cap = (size_t)(qr->rate * (double)qr->duration / 1000.0) + 64;
  size_t nf = 0, nstart = 0, nwin = 0, wfirst = 0, i, a;
  struct flight *f = malloc(4096 * sizeof(*f));
  int64_t *starts = malloc(cap * sizeof(*starts));
  int64_t *win = malloc(cap * sizeof(*win));
  int64_t now;
  double q;

  assert_non_null(f);
  assert_non_null(starts);
  assert_non_null(win);
  qr->ok_at = malloc(cap * sizeof(int64_t));
  qr->thr_at = malloc(cap * sizeof(int64_t));
  assert_non_null(qr->ok_at);
  assert_non_null(qr->thr_at);
  qr->accepted = qr->throttled = 0;
  assert_int_equal(wr_ratelimit_init(&rl, qr->rate, 0), 0);
  for (now = 0; now < qr->duration; now++) {
    q = qr->q[now / 10000];
    /* The server decides the calls arriving now... */
    for (i = 0; i < nf; i++) {
      if (f[i].arrive != now)
        continue;
      while (wfirst < nwin && win[wfirst] <= now - 1000)
        wfirst++;
      f[i].ok = (double)(nwin - wfirst + 1) <= q;
      if (f[i].ok || qr->count_all)
        win[nwin++] = now;
      if (f[i].ok) {
        if (qr->accepted == 0)
          qr->first_ok = now;
        qr->last_ok = now;
        qr->ok_at[qr->accepted++] = now;
      }
    }
    /* ...the client hears the answers due now... */
    for (i = 0; i < nf;) {
      if (f[i].answer != now) {
        i++;
        continue;
      }
      if (f[i].ok) {
        wr_ratelimit_accepted(&rl, now);
      } else {
        qr->thr_at[qr->throttled++] = now;
        wr_ratelimit_throttled(&rl, now, -1);
      }
      f[i] = f[--nf];
    }
    /* ...and starts what the limiter allows. */
    a = wr_ratelimit_avail(&rl, now);
    wr_ratelimit_drain(&rl, a, now);
    while (a-- > 0) {
      assert_true(nf < 4096 && nstart < cap);
      starts[nstart++] = now;
      f[nf].arrive = now + 3 + rnd() % 10;
      f[nf].answer = f[nf].arrive + 3 + rnd() % 10;
      nf++;
    }
  }
  qr->max_window = max_window(starts, nstart);
  wr_ratelimit_free(&rl);
  free(f);
  free(starts);
  free(win);
}

static void quota_free(struct quota_run *qr)
{
  free(qr->ok_at);
  free(qr->thr_at);
}

static void check_steady(double q, double rate, int count_all)
{
  double qs[12], used, thr;
  struct quota_run qr;
  size_t i;

  for (i = 0; i < 12; i++)
    qs[i] = q;
  qr.rate = rate;
  qr.count_all = count_all;
  qr.q = qs;
  qr.duration = q < 20 ? 120000 : 60000; /* >= 600 accepted calls */
  quota_run(&qr);
  used = (double)(qr.accepted - 1) * 1000.0 /
         (q * (double)(qr.last_ok - qr.first_ok));
  thr = (double)qr.throttled / (double)(qr.accepted + qr.throttled);
  print_message("Q %g R %g %s: %zu accepted, used %.1f%% of Q, "
                "throttled %.2f%%, busiest window %zu\n", q, rate,
                count_all ? "all" : "accepted", qr.accepted, used * 100,
                thr * 100, qr.max_window);
  assert_true(qr.accepted >= 600);
  assert_true(used >= 0.95);
  assert_true(thr <= 0.03);
  assert_true(qr.max_window <= (size_t)ceil(rate));
  quota_free(&qr);
}

static void test_quota_steady(void **state)
{
  static const double qs[] = {10, 30, 100};
  size_t i;

  (void)state;
  for (i = 0; i < 3; i++) {
    check_steady(qs[i], 2 * qs[i], 0);
    check_steady(qs[i], 5 * qs[i], 0);
    check_steady(qs[i], 2 * qs[i], 1);
    check_steady(qs[i], 5 * qs[i], 1);
  }
}

/* 50 -> 20 at 30 s -> 50 at 60 s: throttling stops within 5 s of the
 * drop; within 15 s of the rise a second holds 95% of 50. */
static void check_step(double rate, int count_all)
{
  static const double qs[] = {50, 50, 50, 20, 20, 20, 50, 50, 50};
  struct quota_run qr;
  int64_t last_thr = 0, reached = -1;
  size_t i, j = 0, late = 0;

  qr.rate = rate;
  qr.count_all = count_all;
  qr.q = qs;
  qr.duration = 90000;
  quota_run(&qr);
  /* The volley after the drop ends at the first throttle followed by
   * two quiet seconds; afterwards only the probe's single throttles, a
   * few percent of the calls at most. */
  for (i = 0; i < qr.throttled; i++) {
    if (qr.thr_at[i] < 30000)
      continue;
    if (last_thr == 0 && (i + 1 == qr.throttled ||
                          qr.thr_at[i + 1] - qr.thr_at[i] >= 2000))
      last_thr = qr.thr_at[i];
    if (qr.thr_at[i] >= 35000 && qr.thr_at[i] < 60000)
      late++;
  }
  /* The first second after the rise holding at least 47.5 accepted. */
  for (i = 0; i < qr.accepted && reached < 0; i++) {
    if (qr.ok_at[i] < 60000)
      continue;
    while (qr.ok_at[j] <= qr.ok_at[i] - 1000)
      j++;
    if ((double)(i - j + 1) >= 0.95 * 50)
      reached = qr.ok_at[i];
  }
  print_message("step R %g %s: throttling stopped %.1f s after the drop "
                "(%zu throttles in the next 25 s), 95%% of the new quota "
                "%.1f s after the rise\n", rate,
                count_all ? "all" : "accepted",
                (double)(last_thr - 30000) / 1000.0, late,
                (double)(reached - 60000) / 1000.0);
  assert_true(last_thr > 30000 && last_thr < 35000);
  assert_true(late <= 25 * 20 * 3 / 100);
  assert_true(reached >= 60000 && reached <= 75000);
  quota_free(&qr);
}

static void test_quota_step(void **state)
{
  (void)state;
  check_step(100, 0);
  check_step(250, 0);
  check_step(100, 1);
  check_step(250, 1);
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
    cmocka_unit_test(test_throttle_level_and_hold),
    cmocka_unit_test(test_throttle_past_k),
    cmocka_unit_test(test_throttle_lockout_floor),
    cmocka_unit_test(test_throttle_recovery),
    cmocka_unit_test(test_quota_steady),
    cmocka_unit_test(test_quota_step),
    cmocka_unit_test(test_retry_after_pause),
    cmocka_unit_test(test_windows_under_throttling),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
