/* dispatch_int: what the three files of the run loop share.  Not a public
 * interface: everything here runs on the loop thread.
 *
 * - dispatch.c owns struct wr_dispatch: the loop, the rate limiter, the
 *   counts, and what happens when a task ends (counted, told to the stop
 *   policy, stop.h, and to --verify, verify.h).
 * - dispatch_preflight.c: a wave's pre-flight (preflight.h) and what it
 *   leaves of the plan's chunks; dispatch_verify.c: the --verify glue
 *   (verify.h) and the describe calls' rate interface.  Both are parts of
 *   the loop: they see struct wr_dispatch and call back into dispatch.c
 *   through the dsp_ functions below.
 * - dispatch_queue.c owns struct wr_queue: the tasks and where they wait.
 * - dispatch_final.c turns a finished task into records (final, split,
 *   wave); it decides nothing and changes no state.
 * Neither of these last two sees struct wr_dispatch. */
#ifndef WR_DISPATCH_INT_H
#define WR_DISPATCH_INT_H

#include "api.h"
#include "dispatch.h"
#include "journal_records.h"
#include "progress.h"
#include "ratelimit.h"
#include "retry.h"
#include "stop.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* A chunk (or part of a split chunk) in progress. */
struct task {
  struct wr_dispatch *d;           /* its run (opaque here) */
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
  char *confirmed_by;              /* ok on the evidence of a later answer
                                    * that an ambiguous attempt landed */
  bool sent;                       /* an attempt may have reached the
                                      server (false: all never sent) */
  struct task *next, *prev;        /* ready queue or in-flight list */
};

/* dispatch_queue.c: a task is created when its first attempt is due and
 * freed with its final record (alive counts them); it waits in the ready
 * queue (split parts, due retries), the in-flight list or the retry
 * min-heap on due time. */
struct wr_queue {
  struct task *ready_head, *ready_tail;
  struct task *inflight_head;
  struct task **heap;
  size_t nheap, capheap;
  size_t inflight, alive;
};

struct task *wr_task_new(struct wr_queue *q, struct wr_dispatch *d,
                         const char *id, const char *region,
                         const char *const *ids, size_t nids,
                         const char *token, int wave);
void wr_task_free(struct wr_queue *q, struct task *t);
/* The two halves of t (ids "<id>.1", "<id>.2"; new client tokens when
 * tokens): 0, WR_EINVAL when the id would be too long, WR_ENOMEM. */
int wr_task_halves(struct wr_queue *q, const struct task *t, bool tokens,
                   struct task *p[2]);
void wr_ready_push(struct wr_queue *q, struct task *t, bool front);
struct task *wr_ready_pop(struct wr_queue *q);
void wr_inflight_link(struct wr_queue *q, struct task *t);
void wr_inflight_unlink(struct wr_queue *q, struct task *t);
int wr_heap_push(struct wr_queue *q, struct task *t);
struct task *wr_heap_pop(struct wr_queue *q);
/* Free every task left anywhere (after an abort), and the heap. */
void wr_queue_free(struct wr_queue *q);

/* dispatch_final.c.  Each builds a record and hands it to sink (borrowed
 * for the call; NULL when out of memory building it). */
typedef void wr_record_sink(void *ud, const cJSON *rec);
/* The final record of t (status "ok", "failed", "skipped", "excluded";
 * note, may be NULL, added to the message of a record failed or skipped;
 * of an excluded one, its "reason"), refilled in rec; a task
 * marked retry_pending gets a record of its own saying so. */
void wr_final_record(struct wr_chunk_record *rec, const struct task *t,
                     const char *status, const char *note,
                     wr_record_sink *sink, void *ud);
/* The `split` record of t naming its parts p. */
void wr_split_record(const struct task *t, struct task *const p[2],
                     wr_record_sink *sink, void *ud);
/* The `wave` record. */
void wr_wave_record(int wave, bool canary, size_t ok_desktops,
                    size_t failed_desktops, wr_record_sink *sink, void *ud);

/* ---- the run (dispatch.c and the two parts of its loop) ---------------- */

struct wr_dispatch {
  uv_loop_t *loop;
  const struct wr_plan *plan;
  struct wr_dispatch_opts o;
  struct wr_dispatch_sender sender;
  struct wr_journal *report;
  struct wr_chunk_record *rec;     /* refilled for each final record */
  struct wr_progress *progress;
  struct wr_ratelimit rl;
  struct wr_retry_policy policy;
  struct wr_stop stop;             /* when the run stops, and why */
  struct wr_queue q;
  uv_timer_t gate, retry, tick;
  uv_prepare_t before_wait;        /* flushes records before a poll */
  uv_signal_t sigint, sigterm;
  int nopen;                       /* handles not yet closed */
  size_t next_chunk;               /* next plan chunk to start */
  int cur_wave;
  bool finished, report_failed;
  struct wr_summary sum;           /* the earlier sessions' included */
  size_t calls, retries, splits, throttled;
  size_t confirmed;                /* chunks ok on a later answer's word */
  size_t wave_ok, wave_failed;
  struct wr_verify *verify;        /* --verify, NULL when off */
  bool verifying;                  /* a wave's check is running */
  size_t verify_failed;            /* desktops not Running in time */
  size_t verify_running;           /* desktops Running again */
  struct wr_dispatch_earlier earlier; /* resume: ok, left unverified */
  struct wr_preflight *pf;         /* pre-flight, NULL when off */
  bool preflighting;               /* a wave's check is running */
  int pf_wave;                     /* the last wave checked */
  struct pf_chunk *over;           /* per plan chunk, after pre-flight */
  size_t pf_parts;                 /* parts beyond the plan's chunks */
  size_t pf_calls;
  const char ***pf_blocks;         /* the parts' ID arrays, kept */
  size_t npf_blocks;
};

/* What pre-flight left of a plan chunk to send: the part "<id>.p" (ids
 * owned, pointing at the plan's strings); nids 0: nothing. */
struct pf_chunk {
  bool set;
  char id[WR_CHUNK_ID_LEN];
  const char **ids;
  size_t nids;
};

/* dispatch.c */
void dsp_pump(struct wr_dispatch *d);
/* Move on to the next wave; false when there is none (finished). */
bool dsp_next_wave(struct wr_dispatch *d);
/* A chunk of the current wave is still to start from the plan. */
bool dsp_plan_ready(struct wr_dispatch *d);
void dsp_fatal(struct wr_dispatch *d, const char *reason,
               const struct wr_err *err);
/* Write one record (ud: the dispatch; rec borrowed, NULL: out of memory
 * building it). */
void dsp_write_record(void *ud, const cJSON *rec);
/* Its final record, then counted, told to --verify and to the stop
 * policy; t is freed. */
void dsp_task_final(struct wr_dispatch *d, struct task *t,
                    const char *status, const char *note);
void dsp_show_phase(const struct wr_dispatch *d,
                    enum wr_progress_phase phase);
/* The run stops on an answer about the caller (what: "DescribeDesktops"). */
void dsp_auth_stopped(struct wr_dispatch *d, const char *what);
/* The credentials expired and cannot be renewed: stop, resumable. */
void dsp_expired(struct wr_dispatch *d, const char *code);

/* dispatch_preflight.c */
/* Before the first call of a wave: check its desktops.  true while the
 * check runs (pump waits). */
bool dsp_preflight_wave(struct wr_dispatch *d);
/* The callbacks of wr_preflight_create (ud: the dispatch). */
void dsp_on_preflight_record(void *ud, const cJSON *rec);
void dsp_on_preflight_done(void *ud);

/* dispatch_verify.c */
/* The callback of wr_verify_create (ud: the dispatch). */
void dsp_on_verified(void *ud, cJSON *rec, size_t running,
                     size_t not_running);
/* The describe calls' rate interface (struct wr_describe_io; pre-flight
 * and --verify). */
bool dsp_verify_may_call(void *ud, int64_t now, int64_t *wait_ms);
void dsp_verify_answered(void *ud, int64_t now,
                         const struct wr_api_result *r);
/* --verify at the end of the run: records and the whole run's counts. */
void dsp_verify_cut(struct wr_dispatch *d, const char *reason);
/* resume --verify: check the earlier sessions' unverified desktops
 * first; true while that check runs. */
bool dsp_verify_earlier(struct wr_dispatch *d);

#endif
