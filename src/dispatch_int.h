/* dispatch_int: what dispatch.c and dispatch_verify.c share.  Not a
 * public interface: everything here runs on the loop thread. */
#ifndef WR_DISPATCH_INT_H
#define WR_DISPATCH_INT_H

#include "dispatch.h"
#include "ratelimit.h"
#include "retry.h"

#include <uv.h>

struct task;
struct wr_verify;

struct wr_dispatch {
  uv_loop_t *loop;
  const struct wr_plan *plan;
  struct wr_dispatch_opts o;
  struct wr_dispatch_sender sender;
  struct wr_report *report;
  const struct wr_creds *creds;
  struct wr_progress *progress;
  struct wr_ratelimit rl;
  struct wr_retry_policy policy;
  uv_timer_t gate, retry, tick;
  uv_signal_t sigint, sigterm;
  int nopen;                       /* handles not yet closed */
  size_t next_chunk;               /* next plan chunk to start */
  int cur_wave;
  struct task *ready_head, *ready_tail;
  struct task *inflight_head;
  struct task **heap;              /* retries, min-heap on due_ms */
  size_t nheap, capheap;
  size_t inflight, alive;
  bool stopping, finished, aborted, report_failed;
  const char *stop_reason;
  int signals;
  struct wr_summary sum;
  size_t calls, retries, splits, throttled;
  size_t wave_ok, wave_failed;
  struct wr_err err;
  struct wr_verify *verify;        /* --verify state, NULL when off */
  bool verifying;                  /* a wave's check is running */
  size_t verify_failed;            /* desktops not Running in time */
};

/* Write one record (owned: freed here); a failure stops the run. */
void wr_dispatch_write(struct wr_dispatch *d, cJSON *rec);
/* Stop starting calls (reason: "interrupt", "deadline", ...). */
void wr_dispatch_stop(struct wr_dispatch *d, const char *reason);
/* Start what can be started; finish when all is done. */
void wr_dispatch_pump(struct wr_dispatch *d);
/* The wave's check ended: go on with the next wave. */
void wr_dispatch_verified(struct wr_dispatch *d);

/* --verify (dispatch_verify.c).  Remember a desktop rebooted ok (now_ms:
 * when the answer came). */
int wr_verify_add(struct wr_dispatch *d, const char *id, const char *region,
                  int64_t now_ms);
int wr_verify_create(struct wr_dispatch *d);
/* The wave ended: start checking its desktops.  Returns 1 while a check
 * is running (dispatch waits; wr_dispatch_pump() is called at the end),
 * 0 when there is nothing to check. */
int wr_verify_wave(struct wr_dispatch *d, int wave);
/* The run is stopping: end any check at once. */
void wr_verify_cancel(struct wr_dispatch *d);
void wr_verify_destroy(struct wr_dispatch *d);

#endif
