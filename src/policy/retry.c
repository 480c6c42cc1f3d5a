#include "retry.h"

void wr_retry_policy_init(struct wr_retry_policy *p, int retries)
{
  if (retries < 0)
    retries = 0;
  p->retries = retries;
  p->throttle_retries = retries * WR_RETRY_THROTTLE_FACTOR;
  p->base_ms = WR_RETRY_BASE_MS;
  p->cap_ms = WR_RETRY_CAP_MS;
}

enum wr_retry_verdict wr_retry_next(const struct wr_retry_policy *p,
                                    struct wr_retry_state *s,
                                    const struct wr_api_result *r)
{
  s->attempts++;
  if (r->ambiguous)
    s->ambiguous++;
  switch (r->outcome) {
  case WR_OUTCOME_OK:
    return WR_RETRY_OK;
  case WR_OUTCOME_THROTTLED:
    if (s->throttle_retries >= p->throttle_retries)
      return WR_RETRY_EXHAUSTED;
    s->throttle_retries++;
    return WR_RETRY_AGAIN;
  case WR_OUTCOME_TRANSIENT:
    if (s->transient_retries >= p->retries)
      return WR_RETRY_EXHAUSTED;
    s->transient_retries++;
    return WR_RETRY_AGAIN;
  case WR_OUTCOME_FINAL:
  default:
    return WR_RETRY_FINAL;
  }
}

int64_t wr_retry_delay_ms(const struct wr_retry_policy *p, unsigned retry,
                          int64_t retry_after_ms, uint32_t rnd)
{
  int64_t ceiling = p->base_ms, d;
  unsigned i;

  /* Doubling stops at the cap, so no shift can overflow. */
  for (i = 1; i < retry && ceiling < p->cap_ms; i++)
    ceiling *= 2;
  if (ceiling > p->cap_ms)
    ceiling = p->cap_ms;
  d = (int64_t)(rnd % (uint64_t)(ceiling + 1));
  if (retry_after_ms > WR_RETRY_AFTER_MAX_MS)
    retry_after_ms = WR_RETRY_AFTER_MAX_MS;
  if (retry_after_ms > d)
    d = retry_after_ms;
  return d;
}

const char *wr_retry_verdict_name(enum wr_retry_verdict v)
{
  switch (v) {
  case WR_RETRY_OK: return "ok";
  case WR_RETRY_AGAIN: return "again";
  case WR_RETRY_FINAL: return "final";
  case WR_RETRY_EXHAUSTED: return "exhausted";
  default: return "?";
  }
}
