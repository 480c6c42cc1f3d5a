/* retry: whether and when a chunk's call is tried again.  Pure: the
 * random jitter is a parameter, so tests are exact.
 *
 * The outcome of an attempt is judged by api.c (enum wr_outcome, by error
 * Code first, HTTP status second).  Throttled and transient outcomes are
 * retried, each kind within its own budget: `--retries N` transient
 * retries, and WR_RETRY_THROTTLE_FACTOR times as many throttled ones
 * (throttling says "later", not "wrong"; the rate limiter slows the whole
 * run down meanwhile).  Final outcomes are never retried.
 *
 * Backoff is exponential with full jitter (AWS architecture blog,
 * "Exponential Backoff And Jitter"): retry k waits a uniform random time
 * in [0, min(cap, base * 2^(k-1))], base 200 ms, cap 20 s.  A server's
 * x-acs-retry-after (ms, capped at 120 s as the SDKs do) is a lower bound.
 *
 * Every retry is a new attempt: dispatch signs it afresh (new nonce and
 * timestamp) and keeps the chunk's ClientToken.  Attempts that may have
 * reached the server (timeout, reset, lost answer) are counted as
 * ambiguous (API.md decision 4). */
#ifndef WR_RETRY_H
#define WR_RETRY_H

#include "api.h"

#include <stdint.h>

#define WR_RETRY_BASE_MS 200
#define WR_RETRY_CAP_MS 20000
#define WR_RETRY_AFTER_MAX_MS 120000
#define WR_RETRY_THROTTLE_FACTOR 4

struct wr_retry_policy {
  int retries;          /* transient retries per chunk (--retries) */
  int throttle_retries; /* throttled retries per chunk */
  int64_t base_ms;
  int64_t cap_ms;
};

/* Per-chunk counters; zero-initialise. */
struct wr_retry_state {
  int attempts;          /* attempts made */
  int ambiguous;         /* of which may have been executed */
  int transient_retries; /* retries spent on transient outcomes */
  int throttle_retries;  /* retries spent on throttled outcomes */
};

enum wr_retry_verdict {
  WR_RETRY_OK = 0,    /* accepted: done */
  WR_RETRY_AGAIN,     /* retry after wr_retry_delay_ms() */
  WR_RETRY_FINAL,     /* failed for good: not retryable */
  WR_RETRY_EXHAUSTED  /* retryable, but the budget is spent */
};

/* The policy for `--retries retries` (negative is taken as 0). */
void wr_retry_policy_init(struct wr_retry_policy *p, int retries);

/* Count the attempt that ended with r and decide what follows. */
enum wr_retry_verdict wr_retry_next(const struct wr_retry_policy *p,
                                    struct wr_retry_state *s,
                                    const struct wr_api_result *r);

/* The delay before retry number `retry` (1 for the first), given the
 * server's retry-after (< 0: none) and a uniform random number. */
int64_t wr_retry_delay_ms(const struct wr_retry_policy *p, unsigned retry,
                          int64_t retry_after_ms, uint32_t rnd);

const char *wr_retry_verdict_name(enum wr_retry_verdict v);

#endif
