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
  rl->floor = rate / WR_RL_FLOOR_DIV;
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
  }
  return 0;
}

void wr_ratelimit_free(struct wr_ratelimit *rl)
{
  free(rl->log);
  rl->log = NULL;
  rl->nlog = rl->used = rl->head = 0;
}

/* Bring tokens and the effective rate up to now.  Time never runs
 * backwards here: an older now_ms changes nothing. */
static void refill(struct wr_ratelimit *rl, int64_t now_ms)
{
  int64_t from;

  if (now_ms <= rl->last_ms)
    return;
  rl->tokens += rl->cur * (double)(now_ms - rl->last_ms) / 1000.0;
  if (rl->tokens > WR_RL_BURST)
    rl->tokens = WR_RL_BURST;
  /* Recovery starts once the hold after the last decrease is over. */
  from = rl->decreased_ms + WR_RL_HOLD_MS;
  if (from < rl->last_ms)
    from = rl->last_ms;
  if (rl->cur < rl->rate && now_ms > from) {
    rl->cur += rl->rate / WR_RL_RECOVER_DIV * (double)(now_ms - from) / 1000.0;
    if (rl->cur > rl->rate)
      rl->cur = rl->rate;
  }
  rl->last_ms = now_ms;
}

static int64_t log_oldest(const struct wr_ratelimit *rl, size_t i)
{
  return rl->log[(rl->head + rl->nlog - rl->used + i) % rl->nlog];
}

size_t wr_ratelimit_avail(struct wr_ratelimit *rl, int64_t now_ms)
{
  size_t n, k, j;

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
  /* A start is allowed for each free slot of the log and for each logged
   * start that has left the window. */
  k = rl->nlog - rl->used;
  for (j = 0; k < n && j < rl->used &&
              log_oldest(rl, j) <= now_ms - WR_RL_WINDOW_MS; j++)
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
  if (rl->nlog > 0 && rl->used == rl->nlog) {
    t = log_oldest(rl, 0) + WR_RL_WINDOW_MS - now_ms;
    if (t > w)
      w = t;
  }
  return w;
}

void wr_ratelimit_throttled(struct wr_ratelimit *rl, int64_t now_ms,
                            int64_t retry_after_ms)
{
  refill(rl, now_ms);
  if (retry_after_ms > 0) {
    if (retry_after_ms > WR_RL_PAUSE_MAX_MS)
      retry_after_ms = WR_RL_PAUSE_MAX_MS;
    if (now_ms + retry_after_ms > rl->paused_until)
      rl->paused_until = now_ms + retry_after_ms;
  }
  /* Responses to calls started before the last decrease say nothing new:
   * the hold keeps a volley of them from collapsing the rate. */
  if (rl->rate == 0 || now_ms - rl->decreased_ms < WR_RL_HOLD_MS)
    return;
  rl->cur *= WR_RL_DECREASE;
  if (rl->cur < rl->floor)
    rl->cur = rl->floor;
  if (rl->tokens > 1.0)
    rl->tokens = 1.0;
  rl->decreased_ms = now_ms;
  rl->throttles++;
}

double wr_ratelimit_rate(struct wr_ratelimit *rl, int64_t now_ms)
{
  refill(rl, now_ms);
  return rl->cur;
}
