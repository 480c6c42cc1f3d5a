/* dispatch_int: what dispatch.c and dispatch_verify.c share.  Not a
 * public interface: everything here runs on the loop thread. */
#ifndef WR_DISPATCH_INT_H
#define WR_DISPATCH_INT_H

#include "dispatch.h"
#include "ratelimit.h"
#include "journal_records.h"
#include "retry.h"

#include <uv.h>

struct wr_verify;

/* A chunk (or part of a split chunk) in progress. */
struct task {
  struct wr_dispatch *d;
  char id[WR_CHUNK_ID_LEN];
  const char *region;
  const char *const *ids;
  size_t nids;
  char token[WR_CLIENT_TOKEN_LEN]; /* "" in admin mode */
  int wave;
  struct wr_retry_state rs;
  char **rids;                     /* every attempt's request id */
  size_t nrids, caprids;
  int64_t started_wall_ms, latency_ms, due_ms;
  long http_status;
  char *code, *message, *request_id;
  bool retry_pending;              /* a retry was cut by the stop */
  struct task *next, *prev;        /* ready queue or in-flight list */
};

struct wr_dispatch {
  uv_loop_t *loop;
  const struct wr_plan *plan;
  struct wr_dispatch_opts o;
  struct wr_dispatch_sender sender;
  struct wr_journal *report;
  struct wr_chunk_record *rec;     /* refilled for each final record */
  const struct wr_creds *creds;
  struct wr_progress *progress;
  struct wr_ratelimit rl;
  struct wr_retry_policy policy;
  uv_timer_t gate, retry, tick;
  uv_prepare_t before_wait;        /* flushes records before a poll */
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
  struct wr_summary sum;            /* the earlier sessions' included */
  size_t base_chunks;              /* final chunks of earlier sessions */
  size_t calls, retries, splits, throttled;
  size_t wave_ok, wave_failed;
  struct wr_err err;
  struct wr_verify *verify;        /* --verify state, NULL when off */
  bool verifying;                  /* a wave's check is running */
  size_t verify_failed;            /* desktops not Running in time */
};

/* dispatch_queue.c: a task is created when its first attempt is due and
 * freed with its final record (d->alive counts them). */
struct task *wr_task_new(struct wr_dispatch *d, const char *id,
                         const char *region, const char *const *ids,
                         size_t nids, const char *token, int wave);
void wr_task_free(struct task *t);
void wr_ready_push(struct wr_dispatch *d, struct task *t, bool front);
struct task *wr_ready_pop(struct wr_dispatch *d);
void wr_inflight_link(struct wr_dispatch *d, struct task *t);
void wr_inflight_unlink(struct wr_dispatch *d, struct task *t);
int wr_heap_push(struct wr_dispatch *d, struct task *t);
struct task *wr_heap_pop(struct wr_dispatch *d);

/* dispatch_final.c.  Write one record (owned: freed here); a failure
 * stops the run. */
void wr_dispatch_write(struct wr_dispatch *d, cJSON *rec);
void wr_dispatch_report_failed(struct wr_dispatch *d,
                               const struct wr_err *err);
/* Stop starting calls (reason: "interrupt", "deadline", ...). */
void wr_dispatch_stop(struct wr_dispatch *d, const char *reason);
/* The final record of t (status "ok", "failed", "skipped"; note: added
 * to the message, may be NULL), counted; t is freed. */
void wr_task_final(struct wr_dispatch *d, struct task *t, const char *status,
                   const char *note);
/* failed "not retried: the run stopped" with "retry_pending": true (a
 * retry was due when the run stopped); t is freed. */
void wr_task_cut(struct wr_dispatch *d, struct task *t);
/* A `split` record and two parts at the front of the ready queue; t is
 * freed (failed instead when it cannot be split). */
void wr_task_split(struct wr_dispatch *d, struct task *t);
void wr_dispatch_wave_record(struct wr_dispatch *d);
/* A server text with every secret masked (malloc'd; NULL if empty). */
char *wr_dispatch_redacted(const struct wr_dispatch *d, const char *s);
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
