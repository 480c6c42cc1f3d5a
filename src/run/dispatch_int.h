/* dispatch_int: what the three files of the run loop share.  Not a public
 * interface: everything here runs on the loop thread.
 *
 * - dispatch.c owns struct wr_dispatch (private to it): the loop, the
 *   rate limiter, the counts, and what happens when a task ends (counted,
 *   told to the stop policy, stop.h, and to --verify, verify.h).
 * - dispatch_queue.c owns struct wr_queue: the tasks and where they wait.
 * - dispatch_final.c turns a finished task into records (final, split,
 *   wave); it decides nothing and changes no state.
 * Neither helper file sees struct wr_dispatch. */
#ifndef WR_DISPATCH_INT_H
#define WR_DISPATCH_INT_H

#include "dispatch.h"
#include "journal_records.h"
#include "retry.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
