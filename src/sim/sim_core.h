/* sim_core: phase two of a request, under the one state lock.
 *
 * In order: count the arrival; throttle (--qps: at most N calls per
 * action in any sliding 1-second window, counting the admitted calls or,
 * with --qps-model all, every arrival; --qps-schedule changes N at times
 * counted from the first arrival); draw the injected fault
 * (reset, hang, garbage, 500/503) from the seeded generator; then the
 * protocol verdict of sim_check.c, the nonce replay check, and the
 * operation itself (desktop states, ClientToken idempotency, paging);
 * then the lost-response draw and the latency.  Every request gets one
 * log line and one outcome in the stats.
 *
 * Reproducible: the same sequence of arrivals with the same --seed gets
 * the same faults, latencies and RequestIds.  Thread-safe. */
#ifndef WR_SIM_CORE_H
#define WR_SIM_CORE_H

#include "sim.h"
#include "sim_check.h"
#include "sim_fleet.h"
#include "sim_opts.h"
#include "sim_stats.h"
#include "sim_store.h"
#include "sim_sts.h"

#include <stdio.h>
#include <uv.h>

struct wr_sim {
  const struct wr_sim_opts *opts; /* borrowed */
  struct wr_sim_creds creds;      /* points into opts */
  struct wr_sim_fleet fleet;      /* filled by the caller, then finished */
  uv_mutex_t lock;
  uint64_t rng;
  struct wr_sim_nonces nonces;
  struct wr_sim_idem idem;
  struct wr_sim_stats stats;
  struct wr_sim_window admitted[WR_SIM_ACTION_COUNT]; /* for --qps */
  int64_t first_ms;               /* the first arrival, -1: none yet */
  FILE *log;                      /* --log, NULL: none */
  int64_t last_now;               /* keeps time monotonic across threads */
  struct wr_sim_sts *sts;         /* --sts, NULL: off */
};

enum wr_sim_reply {
  WR_SIM_REPLY_SEND = 0, /* send status + body after delay_ms */
  WR_SIM_REPLY_CLOSE     /* close without a response after delay_ms */
};

struct wr_sim_response {
  int reply;
  int status;
  char *body;               /* malloc'd; owned until handed to HTTP */
  size_t body_len;
  const char *content_type;
  int64_t retry_after_ms;   /* x-acs-retry-after, -1: none */
  int64_t delay_ms;
  int outcome;
  const char *code;         /* error Code (static), NULL if none */
  char request_id[WR_SIM_REQUEST_ID_LEN];
};

/* The fleet must be filled before; log (may be NULL) is borrowed. */
int wr_sim_init(struct wr_sim *sim, const struct wr_sim_opts *opts,
                FILE *log, int64_t now_ms);
void wr_sim_free(struct wr_sim *sim);

/* Decide the response to req (monotonic now_ms, wall-clock wall_ms).
 * 0, or WR_ENOMEM (then answer 500 without a body). */
int wr_sim_handle(struct wr_sim *sim, const struct wr_sim_request *req,
                  int64_t now_ms, int64_t wall_ms,
                  struct wr_sim_response *out);
void wr_sim_response_free(struct wr_sim_response *r);

/* The /__stats document (malloc'd). */
char *wr_sim_stats(struct wr_sim *sim);

#endif
