/* verify: --verify, an object with a done callback.  After each wave,
 * DescribeDesktops (up to 100 IDs a call) until every desktop rebooted ok
 * in the wave is Running again, or the timeout passes; then the done
 * callback gets the wave's `verify` record and how many desktops were not
 * back in time.
 *
 * It shares the run's rate budget through io->may_call (so --rate holds
 * across reboot and describe calls) and tells the owner of throttling
 * through io->answered.  It knows nothing of dispatch: the owner passes
 * the describe call (dispatch.h's sender) and the rate access.
 *
 * Lives in describe.c with pre-flight (preflight.h): both batch
 * DescribeDesktops the same way.
 *
 * Runs on the loop thread.  IDs and regions given to wr_verify_add() are
 * borrowed and must live until the wave's check ends. */
#ifndef WR_VERIFY_H
#define WR_VERIFY_H

#include "describe.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uv_loop_s;
struct wr_verify;

/* The wave's check ended: records, a cJSON array of its `verify` records
 * (owned by the callee; NULL when out of memory building them: one per
 * 10,000 desktops, with "part" and "parts" when more than one), the
 * desktops Running again and those not Running in time.  A record names
 * every desktop it covers ("desktop_ids") and every one not Running
 * ("not_running"). */
typedef void wr_verify_done_cb(void *ud, cJSON *records, size_t running,
                               size_t not_running);

/* now_ms for wr_verify_add() of a desktop rebooted by an earlier session
 * (resume): Running at the first look is back; its record says
 * "earlier_sessions": true. */
#define WR_VERIFY_LONG_AGO (INT64_MIN / 4)

int wr_verify_create(struct uv_loop_s *loop, const struct wr_describe_io *io,
                     int64_t timeout_ms, wr_verify_done_cb *done, void *ud,
                     struct wr_verify **out);
/* Remember a desktop rebooted ok (now_ms: when the answer came). */
int wr_verify_add(struct wr_verify *v, const char *id, const char *region,
                  int64_t now_ms);
/* The wave ended: start checking its desktops.  1 while a check runs
 * (done is called at its end, never from inside this call), 0 when there
 * is nothing to check. */
int wr_verify_start_wave(struct wr_verify *v, int wave);
/* The wave being checked: desktops Running again, of *total (both 0 when
 * no check runs), for the progress line. */
void wr_verify_progress(const struct wr_verify *v, size_t *running,
                        size_t *total);
/* End any check at once, without a record or a done call. */
void wr_verify_cancel(struct wr_verify *v);
/* The run stops (reason: "interrupt", "deadline", ...) with desktops
 * added and not yet judged: their records, an array as for the done
 * callback (the caller owns it; NULL when there are none or out of
 * memory), with "not_verified" naming them and
 * "interrupted": reason; *running: those already seen Running again.
 * wave: the record's wave when no check was started.  The desktops are
 * then forgotten; no done call. */
cJSON *wr_verify_cut(struct wr_verify *v, int wave, const char *reason,
                     size_t *running, size_t *not_verified);
/* Closes the timer; memory goes in its close callback (run the loop).
 * *pp set to NULL; safe on NULL. */
void wr_verify_destroy(struct wr_verify **pp);

#endif
