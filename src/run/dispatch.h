/* dispatch: the run loop.  Takes the plan's chunks in order, wave by
 * wave, and starts calls while fewer than `concurrency` are in flight and
 * the rate limiter allows (a uv_timer waits for the next token).  Each
 * attempt goes through a sender (sender.c signs it, sends it through
 * httppool and redacts the answer's server texts; tests plug in a fake).
 * On completion: retry later (uv_timer on a min-heap of due times), split
 * a chunk that failed for a reason that may concern only some of its IDs
 * (API.md decision 5), or write its final record to the report.
 *
 * Pre-flight (admin API, preflight.h): before each wave's calls,
 * DescribeDesktops its desktops; only Running ones are sent.  A plan
 * chunk with others gets a `split` record "by":"preflight" naming its
 * parts ("<id>.1", "<id>.2", ... as split parts are named): the Running
 * desktops (sent), one part per exclusion reason (final status
 * "excluded" with its "reason"), the desktops unknown to the API (failed
 * InvalidDesktopId.NotFound) and those that could not be checked
 * (failed); only the first kind is sent.
 *
 * --verify: after each wave, DescribeDesktops (verify.h) until the wave's
 * desktops are Running again; a `verify` record says how it went, and
 * desktops not back in time make the exit code 1.
 *
 * Stops (decided in one place, stop.h): --max-errors, a canary failure,
 * --deadline, a report write error, out of memory and the first
 * SIGINT/SIGTERM stop new calls; calls in flight finish, what was never
 * sent is `skipped`, the summary is written and the loop is stopped
 * (uv_stop).  A second signal stops the loop at once.
 *
 * Files: dispatch.c (the loop, what a task's end does), dispatch_queue.c
 * (tasks and where they wait), dispatch_final.c (a task as records); see
 * dispatch_int.h.
 *
 * Ownership: the plan, report and sender are borrowed and must outlive
 * the dispatch.  Runs on the loop thread; wr_dispatch_destroy() closes its
 * handles (the caller runs the loop to let them close). */
#ifndef WR_DISPATCH_H
#define WR_DISPATCH_H

#include "api.h"
#include "config.h"
#include "err.h"
#include "plan.h"
#include "journal.h"
#include "journal_records.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uv_loop_s;
struct wr_progress;
struct wr_dispatch;

/* One attempt, as the sender needs it.  Borrowed for the call only. */
struct wr_dispatch_attempt {
  const char *chunk_id;
  const char *region;
  const char *const *ids;
  size_t nids;
  const char *client_token; /* NULL in admin mode */
  int attempt;              /* 1, 2, ... */
};

/* The judged outcome of an attempt; latency_ms of the attempt. */
typedef void wr_dispatch_done_cb(void *ud, const struct wr_api_result *r,
                                 int64_t latency_ms);

/* A DescribeDesktops answer: the judged outcome and the raw body (valid
 * during the call only). */
typedef void wr_dispatch_body_cb(void *ud, const struct wr_api_result *r,
                                 const char *body, size_t len);

/* send starts an attempt; describe (NULL: --verify unavailable) asks
 * for the status of up to 100 desktops of a region.  Each calls its
 * callback exactly once from the loop unless it returns an error. */
struct wr_dispatch_sender {
  int (*send)(void *ctx, const struct wr_dispatch_attempt *a,
              wr_dispatch_done_cb *cb, void *ud, struct wr_err *err);
  int (*describe)(void *ctx, const char *region, const char *const *ids,
                  size_t nids, wr_dispatch_body_cb *cb, void *ud,
                  struct wr_err *err);
  void *ctx;
};

struct wr_dispatch_opts {
  double rate;              /* calls/s, 0: unlimited */
  int concurrency;
  int retries;
  long max_errors;          /* failed desktops allowed, -1: unlimited */
  double max_errors_pct;    /* percent of all desktops, -1: not used */
  bool canary;              /* wave 0 is a canary wave */
  int64_t deadline_wall_ms; /* 0: none */
  bool client_tokens;       /* client mode: parts of a split get tokens */
  bool signals;             /* handle SIGINT/SIGTERM */
  bool verify;              /* --verify: check each wave's desktops */
  bool preflight;           /* check the state before each wave (admin) */
  bool skip_connected;      /* pre-flight also excludes Connected ones */
  int64_t verify_timeout_ms;
};

void wr_dispatch_opts_from_config(const struct wr_config *cfg,
                                  struct wr_dispatch_opts *o);

/* progress may be NULL.  Server texts arrive redacted (the sender holds
 * the credentials). */
int wr_dispatch_create(struct uv_loop_s *loop, const struct wr_plan *plan,
                       const struct wr_dispatch_opts *opts,
                       const struct wr_dispatch_sender *sender,
                       struct wr_journal *report,
                       struct wr_progress *progress, struct wr_dispatch **out,
                       struct wr_err *err);

/* resume: the final counts of the earlier sessions, so that the summary,
 * --max-errors and the progress line cover the whole run.  The plan then
 * holds only what is left to send (its ndesktops: the whole run's).
 * Before wr_dispatch_start(). */
void wr_dispatch_set_base(struct wr_dispatch *d, const struct wr_summary *s);

/* resume with --verify: ok desktops of earlier sessions that no verify
 * record judged (interrupted, deadline, a crash).  They are checked
 * before the first wave, in one record with "earlier_sessions": true and
 * the wave given.  Borrowed until the dispatch goes; before
 * wr_dispatch_start(). */
struct wr_dispatch_earlier {
  const char *const *ids;
  const char *const *regions;
  size_t n;
  int wave;
};
void wr_dispatch_verify_earlier(struct wr_dispatch *d,
                                const struct wr_dispatch_earlier *e);

/* Begin; the caller then runs the loop until it stops. */
int wr_dispatch_start(struct wr_dispatch *d);

/* After the loop stopped: what happened. */
struct wr_dispatch_stats {
  struct wr_summary summary;  /* counts and exit code */
  bool aborted;               /* second signal: no summary was written */
  bool report_failed;         /* the report could not be written */
  size_t calls, retries, splits, throttled;
  size_t confirmed;           /* chunks ok on the evidence of a later
                               * answer after a lost one (confirmed_by) */
  size_t preflight_calls;     /* DescribeDesktops of pre-flight */
  struct wr_err err;          /* why the run stopped on an error */
};
void wr_dispatch_stats(const struct wr_dispatch *d,
                       struct wr_dispatch_stats *out);

/* The summary is written: no record may follow it. */
bool wr_dispatch_finished(const struct wr_dispatch *d);

/* Close the handles; memory goes in their close callbacks (run the loop).
 * Must come after the sender is gone (no completion may arrive).  *pp set
 * to NULL; safe on NULL. */
void wr_dispatch_destroy(struct wr_dispatch **pp);

#endif
