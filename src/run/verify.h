/* verify: --verify, an object with a done callback.  After each wave,
 * DescribeDesktops (up to 100 IDs a call) until every desktop rebooted ok
 * in the wave is Running again, or the timeout passes; then the done
 * callback gets the wave's `verify` record and how many desktops were not
 * back in time.
 *
 * It shares the run's rate budget through io->may_call (so --rate holds
 * across reboot and describe calls) and tells the owner of throttling
 * through io->throttled.  It knows nothing of dispatch: the owner passes
 * the describe call (dispatch.h's sender) and the rate access.
 *
 * Runs on the loop thread.  IDs and regions given to wr_verify_add() are
 * borrowed and must live until the wave's check ends. */
#ifndef WR_VERIFY_H
#define WR_VERIFY_H

#include "dispatch.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uv_loop_s;
struct wr_verify;

struct wr_verify_io {
  /* DescribeDesktops, as dispatch.h's sender has it (not NULL). */
  int (*describe)(void *ctx, const char *region, const char *const *ids,
                  size_t nids, wr_dispatch_body_cb *cb, void *ud,
                  struct wr_err *err);
  void *describe_ctx;
  /* May a call start now?  true: yes, and its token is taken; false:
   * ask again in *wait_ms. */
  bool (*may_call)(void *ud, int64_t now_ms, int64_t *wait_ms);
  /* A describe call was throttled (retry_after_ms: -1 when not said). */
  void (*throttled)(void *ud, int64_t now_ms, int64_t retry_after_ms);
  void *ud;
};

/* The wave's check ended: record (owned by the callee; NULL when out of
 * memory building it) and the desktops not Running in time. */
typedef void wr_verify_done_cb(void *ud, cJSON *record, size_t not_running);

int wr_verify_create(struct uv_loop_s *loop, const struct wr_verify_io *io,
                     int64_t timeout_ms, wr_verify_done_cb *done, void *ud,
                     struct wr_verify **out);
/* Remember a desktop rebooted ok (now_ms: when the answer came). */
int wr_verify_add(struct wr_verify *v, const char *id, const char *region,
                  int64_t now_ms);
/* The wave ended: start checking its desktops.  1 while a check runs
 * (done is called at its end, never from inside this call), 0 when there
 * is nothing to check. */
int wr_verify_start_wave(struct wr_verify *v, int wave);
/* End any check at once, without a record or a done call. */
void wr_verify_cancel(struct wr_verify *v);
/* Closes the timer; memory goes in its close callback (run the loop).
 * *pp set to NULL; safe on NULL. */
void wr_verify_destroy(struct wr_verify **pp);

#endif
