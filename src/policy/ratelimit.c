#include "ratelimit.h"

#include "err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NEVER (INT64_MIN / 4)
#define UNLIMITED ((size_t)1 << 30)

int wr_ratelimit_init(struct wr_ratelimit *rl, double rate, int64_t now_ms)
{
  double n;

  memset(rl, 0, sizeof(*rl));
  if (!(rate >= 0) || isinf(rate))
    return WR_EINVAL;
  rl->rate = rate;
  rl->cur = rate;
  rl->floor = rate / 10 < 1.0 ? rate / 10 : 1.0;
  rl->tokens = 1.0;
  rl->last_ms = now_ms;
  rl->paused_until = NEVER;
  rl->decreased_ms = NEVER;
  n = ceil(rate);
  if (rate > 0 && n <= WR_RL_LOG_MAX) {
    rl->nlog = (size_t)n;
    rl->log = calloc(rl->nlog, sizeof(*rl->log));
    if (rl->log == NULL) {
      rl->nlog = 0;
      return WR_ENOMEM;
    }
    /* Answers can bunch a little above R in a second. */
    rl->nacc = 2 * rl->nlog + 16 < WR_RL_ACC_MAX ? 2 * rl->nlog + 16
                                                 : WR_RL_ACC_MAX;
    rl->acc = calloc(rl->nacc, sizeof(*rl->acc));
    if (rl->acc == NULL) {
      wr_ratelimit_free(rl);
      return WR_ENOMEM;
    }
  }
  return 0;
}

void wr_ratelimit_free(struct wr_ratelimit *rl)
{
  free(rl->log);
  free(rl->acc);
  rl->log = rl->acc = NULL;
  rl->nlog = rl->used = rl->head = 0;
  rl->nacc = rl->acc_used = rl->acc_head = 0;
}

/* The probe's rate t ms after the last decrease (see ratelimit.h). */
static double probe(const struct wr_ratelimit *rl, int64_t now_ms)
{
  double t = (double)(now_ms - rl->decreased_ms), x, r;

  if (rl->level <= 0)
    return rl->rate;
  if (t < rl->k_ms) {
    x = 1.0 - t / rl->k_ms;
    r = rl->level * (1.0 - (1.0 - WR_RL_BETA) * x * x * x);
  } else {
    x = (t - rl->k_ms) / 1000.0;
    r = rl->level * (1.0 + WR_RL_GROW * x * x * x);
  }
  if (r < rl->floor)
    r = rl->floor;
  return r < rl->rate ? r : rl->rate;
}

/* Bring tokens and the effective rate up to now.  Time never runs
 * backwards here: an older now_ms changes nothing. */
static void refill(struct wr_ratelimit *rl, int64_t now_ms)
{
  if (now_ms <= rl->last_ms)
    return;
  rl->tokens += rl->cur * (double)(now_ms - rl->last_ms) / 1000.0;
  if (rl->tokens > WR_RL_BURST)
    rl->tokens = WR_RL_BURST;
  rl->cur = probe(rl, now_ms);
  rl->last_ms = now_ms;
}

/* The window's limit at the effective rate: ceil(cur), at most nlog. */
static size_t window_limit(const struct wr_ratelimit *rl)
{
  double m = ceil(rl->cur - 1e-9);

  if (m < 1)
    m = 1;
  return m < (double)rl->nlog ? (size_t)m : rl->nlog;
}

/* The i-th oldest of the newest m starts logged (m <= used). */
static int64_t log_at(const struct wr_ratelimit *rl, size_t m, size_t i)
{
  return rl->log[(rl->head + rl->nlog - m + i) % rl->nlog];
}

size_t wr_ratelimit_avail(struct wr_ratelimit *rl, int64_t now_ms)
{
  size_t n, k, j, m, used;

  refill(rl, now_ms);
  if (now_ms < rl->paused_until)
    return 0;
  if (rl->rate == 0)
    return UNLIMITED;
  /* The epsilon keeps 0.999999... (float drift) from costing a whole
   * extra millisecond. */
  if (rl->tokens < 1.0 - 1e-9)
    return 0;
  n = (size_t)floor(rl->tokens + 1e-9);
  if (rl->nlog == 0)
    return n;
  /* Of the newest m = ceil(cur) starts, a start is allowed for each one
   * missing and for each that has left the window. */
  m = window_limit(rl);
  used = rl->used < m ? rl->used : m;
  k = m - used;
  for (j = 0; k < n && j < used &&
              log_at(rl, used, j) <= now_ms - WR_RL_WINDOW_MS; j++)
    k++;
  return k < n ? k : n;
}

void wr_ratelimit_drain(struct wr_ratelimit *rl, size_t n, int64_t now_ms)
{
  size_t i;

  refill(rl, now_ms);
  if (rl->rate == 0)
    return;
  rl->tokens -= (double)n;
  for (i = 0; i < n && rl->nlog > 0; i++) {
    rl->log[rl->head] = now_ms;
    rl->head = (rl->head + 1) % rl->nlog;
    if (rl->used < rl->nlog)
      rl->used++;
  }
}

int64_t wr_ratelimit_wait_ms(struct wr_ratelimit *rl, int64_t now_ms)
{
  int64_t w = 1, t;

  if (wr_ratelimit_avail(rl, now_ms) > 0)
    return 0;
  if (rl->paused_until - now_ms > w)
    w = rl->paused_until - now_ms;
  if (rl->rate == 0)
    return w;
  if (rl->tokens < 1.0 && rl->cur > 0) {
    t = (int64_t)ceil((1.0 - rl->tokens) * 1000.0 / rl->cur);
    if (t > w)
      w = t;
  }
  if (rl->nlog > 0 && rl->used >= window_limit(rl)) {
    t = log_at(rl, window_limit(rl), 0) + WR_RL_WINDOW_MS - now_ms;
    if (t > w)
      w = t;
  }
  return w;
}

void wr_ratelimit_accepted(struct wr_ratelimit *rl, int64_t now_ms)
{
  if (rl->nacc == 0)
    return;
  rl->acc[rl->acc_head] = now_ms;
  rl->acc_head = (rl->acc_head + 1) % rl->nacc;
  if (rl->acc_used < rl->nacc)
    rl->acc_used++;
}

/* Answers accepted in (now - WR_RL_EST_MS, now]. */
static size_t accepted_recently(const struct wr_ratelimit *rl, int64_t now_ms)
{
  size_t n = 0;

  while (n < rl->acc_used &&
         rl->acc[(rl->acc_head + rl->nacc - 1 - n) % rl->nacc] >
           now_ms - WR_RL_EST_MS)
    n++;
  return n;
}

void wr_ratelimit_throttled(struct wr_ratelimit *rl, int64_t now_ms,
                            int64_t retry_after_ms)
{
  double est, level, k;

  refill(rl, now_ms);
  if (retry_after_ms > 0) {
    if (retry_after_ms > WR_RL_PAUSE_MAX_MS)
      retry_after_ms = WR_RL_PAUSE_MAX_MS;
    if (now_ms + retry_after_ms > rl->paused_until)
      rl->paused_until = now_ms + retry_after_ms;
  }
  /* Responses to calls started before the last decrease say nothing new:
   * the hold keeps a volley of them from counting as several events. */
  if (rl->rate == 0 || now_ms - rl->decreased_ms < WR_RL_HOLD_MS)
    return;
  est = (double)accepted_recently(rl, now_ms);
  level = est > 0 ? (est < rl->cur ? est : rl->cur) : rl->cur / 2;
  /* Past K the rate sat at the level or above without a complaint: the
   * quota is at least that, and an estimate a call or so lower is the
   * count's jitter, not a smaller quota. */
  if (rl->level > 0 && now_ms - rl->decreased_ms >= rl->k_ms &&
      est >= rl->level * WR_RL_BETA - 1 && level < rl->level)
    level = rl->level < rl->cur ? rl->level : rl->cur;
  if (level < rl->floor)
    level = rl->floor;
  k = WR_RL_PROBE_CALLS / level * 1000.0;
  rl->k_ms = k < WR_RL_K_MIN_MS ? WR_RL_K_MIN_MS
             : k > WR_RL_K_MAX_MS ? WR_RL_K_MAX_MS : k;
  rl->level = level;
  rl->decreased_ms = now_ms;
  rl->cur = probe(rl, now_ms);
  if (rl->tokens > 1.0)
    rl->tokens = 1.0;
  rl->throttles++;
}

double wr_ratelimit_rate(struct wr_ratelimit *rl, int64_t now_ms)
{
  refill(rl, now_ms);
  return rl->cur;
}
