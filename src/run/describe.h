/* describe: what --verify (verify.h) and pre-flight (preflight.h) share,
 * both in describe.c: the DescribeDesktops call and the access to the
 * run's rate budget, given by their owner (dispatch), so that --rate
 * holds across reboot and describe calls; and the reading of an answer. */
#ifndef WR_DESCRIBE_H
#define WR_DESCRIBE_H

#include "dispatch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WR_DESCRIBE_BATCH 100 /* DescribeDesktops takes 1-100 IDs */

struct wr_describe_io {
  /* DescribeDesktops, as dispatch.h's sender has it (not NULL). */
  int (*describe)(void *ctx, const char *region, const char *const *ids,
                  size_t nids, wr_dispatch_body_cb *cb, void *ud,
                  struct wr_err *err);
  void *describe_ctx;
  /* May a call start now?  true: yes, and its token is taken; false:
   * ask again in *wait_ms. */
  bool (*may_call)(void *ud, int64_t now_ms, int64_t *wait_ms);
  /* Every answer to a describe call, for the rate limiter (a throttle
   * slows it down, an accepted call feeds its quota estimate) and the
   * stop policy (an answer about the credentials stops the run: the
   * check may be cancelled from inside this call). */
  void (*answered)(void *ud, int64_t now_ms, const struct wr_api_result *r);
  void *ud;
};

#endif
