/* preflight: the state check before a wave's reboots (admin API; on by
 * default, --no-preflight turns it off), an object with a done callback
 * like verify.h, and in describe.c with it.
 *
 * The owner adds the wave's desktops, then starts it: DescribeDesktops,
 * up to 100 IDs of one region a call, one call at a time, each drawing on
 * the run's rate budget (describe.h).  Each call gives a `preflight`
 * record (its RequestId, what it saw) to the record callback; when every
 * desktop has a verdict, the done callback is called (never from inside
 * wr_preflight_start()) and the verdicts can be read until the next wave:
 *
 *   SEND       Running (and, with skip_connected, not Connected)
 *   EXCLUDED   any other state ("status:Stopped", "status:Starting", ...)
 *              or Connected with skip_connected ("connected")
 *   NOT_FOUND  absent from a complete answer: InvalidDesktopId.NotFound
 *   ERROR      its batch's call failed for good (a final error, or
 *              `attempts` transient ones, a second apart)
 *
 * Runs on the loop thread.  IDs and regions are borrowed and must live
 * until the verdicts have been read. */
#ifndef WR_PREFLIGHT_H
#define WR_PREFLIGHT_H

#include "describe.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct uv_loop_s;
struct wr_preflight;

enum wr_pf_verdict {
  WR_PF_UNCHECKED = 0,
  WR_PF_SEND,
  WR_PF_EXCLUDED,
  WR_PF_NOT_FOUND,
  WR_PF_ERROR
};

/* A describe call ended: its record (borrowed for the call; NULL when out
 * of memory building it). */
typedef void wr_preflight_record_cb(void *ud, const cJSON *record);
/* Every desktop of the wave has a verdict. */
typedef void wr_preflight_done_cb(void *ud);

int wr_preflight_create(struct uv_loop_s *loop,
                        const struct wr_describe_io *io, bool skip_connected,
                        int attempts, wr_preflight_record_cb *record,
                        wr_preflight_done_cb *done, void *ud,
                        struct wr_preflight **out);
/* Forget the last wave's desktops and verdicts. */
void wr_preflight_reset(struct wr_preflight *p);
/* Add a desktop of the wave (index: the order of the adds). */
int wr_preflight_add(struct wr_preflight *p, const char *id,
                     const char *region);
/* Check the desktops added: 1 while it runs (done comes later), 0 when
 * there is nothing to check. */
int wr_preflight_start(struct wr_preflight *p, int wave);
/* Desktop i's verdict; *why: the reason (EXCLUDED), the error code
 * (ERROR), else NULL.  Valid until the next reset. */
enum wr_pf_verdict wr_preflight_verdict(const struct wr_preflight *p,
                                        size_t i, const char **why);
/* The check under way: desktops with a verdict, of *total, for the
 * progress line. */
void wr_preflight_progress(const struct wr_preflight *p, size_t *checked,
                           size_t *total);
/* End a check at once, without a done call. */
void wr_preflight_cancel(struct wr_preflight *p);
/* Closes the timer; memory goes in its close callback (run the loop).
 * *pp set to NULL; safe on NULL. */
void wr_preflight_destroy(struct wr_preflight **pp);

#endif
