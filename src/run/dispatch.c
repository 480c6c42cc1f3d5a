/* The run loop (see dispatch.h).  A chunk in progress is a struct task:
 * created when its first attempt is due, freed when its final record is
 * written, so memory follows the calls in flight and waiting, not the
 * plan.  Split parts are slices of their parent's ID array (the plan owns
 * the IDs). */
#include "dispatch_int.h"

#include "clock.h"
#include "log.h"
#include "progress.h"
#include "ratelimit.h"
#include "retry.h"
#include "stop.h"
#include "verify.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define TICK_MS 200

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
  size_t base_chunks;              /* final chunks of earlier sessions */
  size_t calls, retries, splits, throttled;
  size_t wave_ok, wave_failed;
  struct wr_verify *verify;        /* --verify, NULL when off */
  bool verifying;                  /* a wave's check is running */
  size_t verify_failed;            /* desktops not Running in time */
};

static void pump(struct wr_dispatch *d);

void wr_dispatch_opts_from_config(const struct wr_config *cfg,
                                  struct wr_dispatch_opts *o)
{
  memset(o, 0, sizeof(*o));
  o->rate = cfg->rate;
  o->concurrency = cfg->concurrency > 0 ? cfg->concurrency : 1;
  o->retries = cfg->retries;
  o->max_errors = cfg->max_errors;
  o->max_errors_pct = cfg->max_errors_pct;
  o->canary = cfg->canary > 0;
  o->deadline_wall_ms = cfg->deadline_wall_ms;
  o->client_tokens = cfg->api == WR_API_CLIENT;
  o->signals = true;
  o->verify = cfg->verify;
  o->verify_timeout_ms = cfg->verify_timeout_ms;
}

/* ---- small helpers --------------------------------------------------- */

static uint32_t rnd32(void)
{
  static uint32_t fallback = 2463534242u;
  uint32_t r;

  if (RAND_bytes((unsigned char *)&r, sizeof(r)) == 1)
    return r;
  fallback ^= fallback << 13;
  fallback ^= fallback >> 17;
  fallback ^= fallback << 5;
  return fallback;
}

/* ---- stopping and writing -------------------------------------------- */

/* The stop policy just said stop: no new calls, no due retries, no more
 * --verify rounds; the calls in flight finish (pump() then finishes). */
static void stopped(struct wr_dispatch *d, bool quiet)
{
  const char *reason = d->stop.reason;

  uv_timer_stop(&d->gate);
  uv_timer_stop(&d->retry);
  if (d->verifying) {
    wr_verify_cancel(d->verify);
    d->verifying = false;
  }
  if (quiet)
    return;
  if (d->q.inflight > 0)
    wr_notef("stopping (%s): no new calls; waiting for %zu in flight",
             reason, d->q.inflight);
  else
    wr_notef("stopping (%s)", reason);
}

static void fatal(struct wr_dispatch *d, const char *reason,
                  const struct wr_err *err)
{
  if (wr_stop_fatal(&d->stop, reason, err))
    stopped(d, false);
}

/* The report cannot be written: the run stops (the error says so). */
static void report_failed(struct wr_dispatch *d, const struct wr_err *err)
{
  if (d->report_failed)
    return;
  d->report_failed = true;
  wr_errorf("%s; stopping the run (the report is whole up to here and "
            "can be resumed)", err->msg);
  if (wr_stop_fatal(&d->stop, "report", err))
    stopped(d, true);
}

/* Write one record (borrowed; NULL: out of memory building it). */
static void write_record(void *ud, const cJSON *rec)
{
  struct wr_dispatch *d = ud;
  struct wr_err err = {0};

  if (d->report_failed)
    return;
  if (wr_journal_write(d->report, rec, wr_clock_now_ms(), &err) < 0)
    report_failed(d, &err);
}

/* ---- the end of a task ------------------------------------------------- */

/* Its final record, then counted, told to --verify and to the stop
 * policy; t is freed. */
static void task_final(struct wr_dispatch *d, struct task *t,
                       const char *status, const char *note)
{
  bool failed = false;
  size_t i;

  wr_final_record(d->rec, t, status, note, write_record, d);
  if (strcmp(status, "ok") == 0) {
    d->sum.ok_chunks++;
    d->sum.ok_desktops += t->nids;
    d->wave_ok += t->nids;
    if (d->verify != NULL) {
      int64_t now = wr_clock_now_ms();

      for (i = 0; i < t->nids; i++)
        if (wr_verify_add(d->verify, t->ids[i], t->region, now) < 0)
          wr_warnf("--verify: out of memory; %s will not be checked",
                   t->ids[i]);
    }
  } else if (strcmp(status, "skipped") == 0) {
    d->sum.skipped_chunks++;
    d->sum.skipped_desktops += t->nids;
  } else {
    failed = true;
    d->sum.failed_chunks++;
    d->sum.failed_desktops += t->nids;
    d->wave_failed += t->nids;
  }
  if (wr_stop_outcome(&d->stop, t->wave, failed, t->nids))
    stopped(d, false);
  wr_task_free(&d->q, t);
}

/* A retry was due (the last outcome retryable, budget left) but the run
 * stopped: failed with its last error, marked for resume. */
static void task_cut(struct wr_dispatch *d, struct task *t)
{
  t->retry_pending = true;
  task_final(d, t, "failed", "not retried: the run stopped");
}

/* Final for the halves (API.md decision 5): a `split` record naming the
 * parts, which go to the front of the queue. */
static void task_split(struct wr_dispatch *d, struct task *t)
{
  struct task *p[2];
  int rc = wr_task_halves(&d->q, t, d->o.client_tokens, p);

  if (rc < 0) {
    task_final(d, t, "failed", rc == WR_ENOMEM
                                   ? "out of memory while splitting"
                                   : "too deeply split");
    return;
  }
  wr_split_record(t, p, write_record, d);
  d->splits++;
  wr_ready_push(&d->q, p[1], true);
  wr_ready_push(&d->q, p[0], true);
  wr_task_free(&d->q, t);
}

static void wave_record(struct wr_dispatch *d)
{
  if (d->plan->nwaves > 1)
    wr_wave_record(d->cur_wave, d->o.canary && d->cur_wave == 0, d->wave_ok,
                   d->wave_failed, write_record, d);
  d->wave_ok = d->wave_failed = 0;
}

/* A copy of a server text the sender already redacted; NULL if empty. */
static char *text(const char *s)
{
  return s != NULL && s[0] != '\0' ? strdup(s) : NULL;
}

/* ---- attempts ---------------------------------------------------------- */

static void on_retry(uv_timer_t *h);

static void arm_retry(struct wr_dispatch *d, int64_t now)
{
  int64_t w;

  if (d->q.nheap == 0) {
    uv_timer_stop(&d->retry);
    return;
  }
  w = d->q.heap[0]->due_ms - now;
  uv_timer_start(&d->retry, on_retry, w > 0 ? (uint64_t)w : 0, 0);
}

static int set_str(char **dst, char *src)
{
  free(*dst);
  *dst = src;
  return 0;
}

static void complete(struct wr_dispatch *d, struct task *t,
                     const struct wr_api_result *r, int64_t latency_ms)
{
  enum wr_retry_verdict v;
  int64_t now = wr_clock_now_ms(), delay;
  unsigned n;
  char **rids;

  if (r->request_id[0] != '\0') {
    if (t->nrids == t->caprids) {
      size_t cap = t->caprids ? t->caprids * 2 : 4;

      rids = realloc(t->rids, cap * sizeof(*rids));
      if (rids != NULL) {
        t->rids = rids;
        t->caprids = cap;
      }
    }
    if (t->nrids < t->caprids) {
      t->rids[t->nrids] = strdup(r->request_id);
      if (t->rids[t->nrids] != NULL)
        t->nrids++;
    }
  }
  t->latency_ms = latency_ms;
  t->http_status = r->http_status;
  set_str(&t->code, text(r->code));
  set_str(&t->message, text(r->message));
  if (r->outcome == WR_OUTCOME_THROTTLED) {
    wr_ratelimit_throttled(&d->rl, now, r->retry_after_ms);
    d->throttled++;
  }
  /* Temporary credentials that expired are not renewed during a run:
   * the call was refused, nothing done.  Stop, and leave the chunk to
   * `resume` with fresh credentials (exit 3), not a failed desktop. */
  if (strncmp(r->code, "InvalidSecurityToken.Expired", 28) == 0) {
    struct wr_err e;

    wr_err_set(&e, WR_ECREDS, "the credentials expired (%s)", r->code);
    if (!wr_stop_stopping(&d->stop))
      wr_errorf("the temporary credentials expired (%s); the run stops: "
                "resume it (the credentials are fetched again)", r->code);
    fatal(d, "credentials expired", &e);
    task_cut(d, t);
    return;
  }
  v = wr_retry_next(&d->policy, &t->rs, r);
  wr_debugf("chunk %s attempt %d: %s%s%s (%s)", t->id, t->rs.attempts,
            r->outcome == WR_OUTCOME_OK ? "ok" : "error",
            t->code ? " " : "", t->code ? t->code : "",
            wr_retry_verdict_name(v));
  switch (v) {
  case WR_RETRY_OK:
    set_str(&t->request_id, strdup(r->request_id));
    task_final(d, t, "ok", NULL);
    return;
  case WR_RETRY_AGAIN:
    if (wr_stop_stopping(&d->stop)) {
      task_cut(d, t);
      return;
    }
    n = (unsigned)(t->rs.transient_retries + t->rs.throttle_retries);
    delay = wr_retry_delay_ms(&d->policy, n, r->retry_after_ms, rnd32());
    t->due_ms = now + delay;
    if (wr_heap_push(&d->q, t) < 0) {
      task_final(d, t, "failed", "out of memory");
      return;
    }
    d->retries++;
    if (d->q.heap[0] == t)
      arm_retry(d, now);
    return;
  case WR_RETRY_FINAL:
    if (r->splittable && t->nids > 1) {
      task_split(d, t);
      return;
    }
    task_final(d, t, "failed", NULL);
    return;
  case WR_RETRY_EXHAUSTED:
  default:
    task_final(d, t, "failed", "retries exhausted");
    return;
  }
}

static void on_done(void *ud, const struct wr_api_result *r,
                    int64_t latency_ms)
{
  struct task *t = ud;
  struct wr_dispatch *d = t->d;

  wr_inflight_unlink(&d->q, t);
  complete(d, t, r, latency_ms);
  pump(d);
}

static void start(struct wr_dispatch *d, struct task *t)
{
  struct wr_dispatch_attempt a;
  struct wr_api_result r;
  struct wr_err err = {0};

  a.chunk_id = t->id;
  a.region = t->region;
  a.ids = t->ids;
  a.nids = t->nids;
  a.client_token = t->token[0] != '\0' ? t->token : NULL;
  a.attempt = t->rs.attempts + 1;
  if (t->started_wall_ms == 0)
    t->started_wall_ms = wr_clock_wall_ms();
  d->calls++;
  if (d->sender.send(d->sender.ctx, &a, on_done, t, &err) == 0) {
    wr_inflight_link(&d->q, t);
    return;
  }
  /* Never sent: a local failure, final for this chunk. */
  memset(&r, 0, sizeof(r));
  r.outcome = WR_OUTCOME_FINAL;
  r.retry_after_ms = -1;
  snprintf(r.code, sizeof(r.code), "ClientError");
  snprintf(r.message, sizeof(r.message), "%s", err.msg);
  complete(d, t, &r, -1);
}

/* ---- the loop -------------------------------------------------------- */

static bool plan_ready(const struct wr_dispatch *d)
{
  return d->next_chunk < d->plan->nchunks &&
         d->plan->chunks[d->next_chunk].wave == d->cur_wave;
}

static struct task *next_task(struct wr_dispatch *d)
{
  const struct wr_chunk *c;
  struct task *t;

  if (d->q.ready_head != NULL)
    return wr_ready_pop(&d->q);
  c = &d->plan->chunks[d->next_chunk];
  t = wr_task_new(&d->q, d, c->id, c->region, (const char *const *)c->ids,
                  c->nids, c->client_token, c->wave);
  /* Only a chunk that became a task has left the plan: one that did not
   * is still there for finish() to record. */
  if (t != NULL)
    d->next_chunk++;
  return t;
}

static void on_gate(uv_timer_t *h)
{
  pump(h->data);
}

static void on_retry(uv_timer_t *h)
{
  struct wr_dispatch *d = h->data;
  int64_t now = wr_clock_now_ms();

  while (d->q.nheap > 0 && d->q.heap[0]->due_ms <= now)
    wr_ready_push(&d->q, wr_heap_pop(&d->q), false);
  arm_retry(d, now);
  pump(d);
}

static void progress_counts(const struct wr_dispatch *d,
                            struct wr_progress_counts *c)
{
  memset(c, 0, sizeof(*c));
  c->chunks_total = d->base_chunks + d->plan->nchunks + d->splits;
  c->chunks_done = d->sum.ok_chunks + d->sum.failed_chunks +
                   d->sum.skipped_chunks;
  c->desktops_total = d->plan->ndesktops;
  c->desktops_done = d->sum.ok_desktops + d->sum.failed_desktops +
                     d->sum.skipped_desktops;
  c->desktops_failed = d->sum.failed_desktops;
  c->retries = d->retries;
  c->in_flight = d->q.inflight;
}

/* Everything not done gets its final record, then the summary. */
static void finish(struct wr_dispatch *d)
{
  struct wr_progress_counts pc;
  struct task *t;
  const struct wr_chunk *c;
  const char *note = d->stop.reason != NULL ? d->stop.reason : "stopped";
  cJSON *rec;
  bool failures;

  d->finished = true;
  uv_timer_stop(&d->gate);
  uv_timer_stop(&d->retry);
  uv_timer_stop(&d->tick);
  uv_prepare_stop(&d->before_wait);
  /* Queued with attempts: a due retry; without: a split part. */
  while ((t = wr_ready_pop(&d->q)) != NULL) {
    if (t->rs.attempts > 0)
      task_cut(d, t);
    else
      task_final(d, t, "skipped", note);
  }
  while ((t = wr_heap_pop(&d->q)) != NULL)
    task_cut(d, t);
  for (; d->next_chunk < d->plan->nchunks; d->next_chunk++) {
    c = &d->plan->chunks[d->next_chunk];
    t = wr_task_new(&d->q, d, c->id, c->region, (const char *const *)c->ids,
                    c->nids, c->client_token, c->wave);
    if (t == NULL) {
      struct wr_err err;

      wr_err_set(&err, WR_ENOMEM, "out of memory");
      report_failed(d, &err);
      break;
    }
    task_final(d, t, "skipped", note);
  }
  failures = d->sum.failed_desktops > 0 || d->verify_failed > 0;
  d->sum.exit_code = wr_stop_exit_code(&d->stop, failures);
  d->sum.finished_wall_ms = wr_clock_wall_ms();
  d->sum.stop_reason = d->stop.reason;
  rec = wr_record_summary(&d->sum);
  write_record(d, rec);
  cJSON_Delete(rec);
  /* Now, so that a failure shows in the exit code. */
  if (!d->report_failed) {
    struct wr_err err = {0};

    if (wr_journal_flush(d->report, wr_clock_now_ms(), &err) < 0)
      report_failed(d, &err);
  }
  /* A failed write of the summary or the flush stops the run too. */
  d->sum.exit_code = wr_stop_exit_code(&d->stop, failures);
  if (d->progress != NULL) {
    progress_counts(d, &pc);
    wr_progress_finish(d->progress, &pc, wr_clock_now_ms());
  }
  uv_stop(d->loop);
}

/* Move on to the next wave; false when there is none (finished). */
static bool next_wave(struct wr_dispatch *d)
{
  if (d->next_chunk >= d->plan->nchunks) {
    finish(d);
    return false;
  }
  d->cur_wave = d->plan->chunks[d->next_chunk].wave;
  return true;
}

static void pump(struct wr_dispatch *d)
{
  struct task *t;
  int64_t now;

  if (d->finished || d->stop.abort ||
      (d->verifying && !wr_stop_stopping(&d->stop)))
    return;
  for (;;) {
    if (wr_stop_clock(&d->stop, wr_clock_wall_ms()))
      stopped(d, false);
    while (!wr_stop_stopping(&d->stop) &&
           d->q.inflight < (size_t)d->o.concurrency &&
           (d->q.ready_head != NULL || plan_ready(d))) {
      now = wr_clock_now_ms();
      if (wr_ratelimit_avail(&d->rl, now) == 0) {
        /* The loop's cached time may be stale; the wait is from now. */
        uv_update_time(d->loop);
        uv_timer_start(&d->gate, on_gate,
                       (uint64_t)wr_ratelimit_wait_ms(&d->rl, now), 0);
        break;
      }
      t = next_task(d);
      if (t == NULL) {
        struct wr_err err;

        wr_err_set(&err, WR_ENOMEM, "out of memory");
        fatal(d, "out of memory", &err);
        break;
      }
      wr_ratelimit_drain(&d->rl, 1, now);
      start(d, t);
    }
    if (wr_stop_stopping(&d->stop)) {
      if (d->q.inflight == 0)
        finish(d);
      return;
    }
    if (d->q.alive > 0 || plan_ready(d))
      return;
    /* The wave is over: nothing alive, nothing more in it. */
    wave_record(d);
    if (wr_stop_stopping(&d->stop))
      continue;
    if (d->verify != NULL && wr_verify_start_wave(d->verify, d->cur_wave) == 1) {
      d->verifying = true;
      return;
    }
    if (!next_wave(d))
      return;
  }
}

/* ---- --verify: its io and its end ------------------------------------- */

/* The wave's check ended: its record, then on with the next wave. */
static void on_verified(void *ud, cJSON *rec, size_t not_running)
{
  struct wr_dispatch *d = ud;

  write_record(d, rec);
  cJSON_Delete(rec);
  d->verify_failed += not_running;
  d->verifying = false;
  if (wr_stop_stopping(&d->stop) || next_wave(d))
    pump(d);
}

/* Describe calls draw on the run's rate budget: --rate holds across
 * reboots and describes. */
static bool verify_may_call(void *ud, int64_t now, int64_t *wait_ms)
{
  struct wr_dispatch *d = ud;

  if (wr_ratelimit_avail(&d->rl, now) == 0) {
    *wait_ms = wr_ratelimit_wait_ms(&d->rl, now);
    return false;
  }
  wr_ratelimit_drain(&d->rl, 1, now);
  return true;
}

static void verify_throttled(void *ud, int64_t now, int64_t retry_after_ms)
{
  struct wr_dispatch *d = ud;

  wr_ratelimit_throttled(&d->rl, now, retry_after_ms);
}

static void on_tick(uv_timer_t *h)
{
  struct wr_dispatch *d = h->data;
  struct wr_progress_counts pc;
  struct wr_err err = {0};
  int64_t now = wr_clock_now_ms();

  if (d->progress != NULL) {
    progress_counts(d, &pc);
    wr_progress_update(d->progress, &pc, now);
  }
  if (!d->report_failed && wr_journal_tick(d->report, now, &err) < 0)
    report_failed(d, &err);
  /* Also while a wave is being verified (pump waits then). */
  if (wr_stop_clock(&d->stop, wr_clock_wall_ms()))
    stopped(d, false);
  pump(d);
}

/* Before the loop waits for I/O: the records decided since the last wait
 * (by answers, timeouts and timers: dozens at full speed) go out in one
 * write(2), not one each, and none waits in memory while the loop
 * sleeps. */
static void on_before_wait(uv_prepare_t *h)
{
  struct wr_dispatch *d = h->data;
  struct wr_err err = {0};

  if (d->report_failed)
    return;
  if (wr_journal_flush(d->report, wr_clock_now_ms(), &err) < 0) {
    report_failed(d, &err);
    pump(d);
  }
}

static void on_signal(uv_signal_t *h, int signum)
{
  struct wr_dispatch *d = h->data;
  bool began;

  if (wr_stop_signal(&d->stop, d->finished, &began) == WR_STOP_GRACEFUL) {
    wr_warnf("interrupted (signal %d): stopping; %zu call(s) in flight "
             "finish; interrupt again to abort at once", signum,
             d->q.inflight);
    if (began)
      stopped(d, false);
    pump(d);
    return;
  }
  wr_warnf("interrupted again: aborting; the report stays resumable");
  d->sum.exit_code = WR_EXIT_STOPPED;
  uv_stop(d->loop);
}

/* ---- life cycle ------------------------------------------------------ */

static void on_closed(uv_handle_t *h)
{
  struct wr_dispatch *d = h->data;

  if (--d->nopen == 0)
    free(d);
}

int wr_dispatch_create(struct uv_loop_s *loop, const struct wr_plan *plan,
                       const struct wr_dispatch_opts *opts,
                       const struct wr_dispatch_sender *sender,
                       struct wr_journal *report,
                       struct wr_progress *progress, struct wr_dispatch **out,
                       struct wr_err *err)
{
  struct wr_stop_opts so;
  struct wr_verify_io vio;
  struct wr_dispatch *d;
  int rc;

  if (opts->concurrency < 1)
    return wr_err_set(err, WR_EINVAL, "concurrency must be at least 1");
  d = calloc(1, sizeof(*d));
  if (d == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  d->loop = loop;
  d->plan = plan;
  d->o = *opts;
  d->sender = *sender;
  d->report = report;
  d->progress = progress;
  wr_retry_policy_init(&d->policy, opts->retries);
  memset(&so, 0, sizeof(so));
  so.canary = opts->canary;
  so.max_errors = opts->max_errors;
  so.max_errors_pct = opts->max_errors_pct;
  so.ndesktops = plan->ndesktops;
  so.deadline_wall_ms = opts->deadline_wall_ms;
  wr_stop_init(&d->stop, &so);
  rc = wr_ratelimit_init(&d->rl, opts->rate, wr_clock_now_ms());
  if (rc < 0) {
    free(d);
    return wr_err_set(err, rc, "cannot set up the rate limit %g/s",
                      opts->rate);
  }
  /* Timers and signals cannot fail to initialise on a live loop. */
  uv_timer_init(loop, &d->gate);
  uv_timer_init(loop, &d->retry);
  uv_timer_init(loop, &d->tick);
  uv_prepare_init(loop, &d->before_wait);
  d->gate.data = d->retry.data = d->tick.data = d->before_wait.data = d;
  d->nopen = 4;
  if (opts->signals) {
    uv_signal_init(loop, &d->sigint);
    uv_signal_init(loop, &d->sigterm);
    d->sigint.data = d->sigterm.data = d;
    d->nopen += 2;
  }
  if (plan->nchunks > 0)
    d->cur_wave = plan->chunks[0].wave;
  memset(&vio, 0, sizeof(vio));
  vio.describe = sender->describe;
  vio.describe_ctx = sender->ctx;
  vio.may_call = verify_may_call;
  vio.throttled = verify_throttled;
  vio.ud = d;
  if (wr_chunk_record_create(&d->rec) < 0 ||
      (opts->verify && sender->describe != NULL &&
       wr_verify_create(loop, &vio, opts->verify_timeout_ms, on_verified, d,
                        &d->verify) < 0)) {
    wr_dispatch_destroy(&d);
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  }
  *out = d;
  return 0;
}

void wr_dispatch_set_base(struct wr_dispatch *d, const struct wr_summary *s)
{
  d->sum = *s;
  d->sum.exit_code = 0;
  d->sum.stop_reason = NULL;
  d->base_chunks = s->ok_chunks + s->failed_chunks + s->skipped_chunks;
  wr_stop_set_base(&d->stop, s->failed_desktops);
}

int wr_dispatch_start(struct wr_dispatch *d)
{
  if (d->o.signals) {
    uv_signal_start(&d->sigint, on_signal, SIGINT);
    uv_signal_start(&d->sigterm, on_signal, SIGTERM);
  }
  uv_timer_start(&d->tick, on_tick, TICK_MS, TICK_MS);
  /* Records are batched from here; before each wait for I/O (a handle
   * that must not keep the loop alive), the tick, finish and closing the
   * report flush. */
  wr_journal_batch_begin(d->report);
  uv_prepare_start(&d->before_wait, on_before_wait);
  uv_unref((uv_handle_t *)&d->before_wait);
  pump(d);
  return 0;
}

void wr_dispatch_stats(const struct wr_dispatch *d,
                       struct wr_dispatch_stats *out)
{
  memset(out, 0, sizeof(*out));
  out->summary = d->sum;
  out->aborted = d->stop.abort;
  out->report_failed = d->report_failed;
  out->calls = d->calls;
  out->retries = d->retries;
  out->splits = d->splits;
  out->throttled = d->throttled;
  out->err = d->stop.err;
}

void wr_dispatch_destroy(struct wr_dispatch **pp)
{
  struct wr_dispatch *d = *pp;

  if (d == NULL)
    return;
  *pp = NULL;
  /* After an abort, tasks may be anywhere: free them all. */
  wr_queue_free(&d->q);
  wr_ratelimit_free(&d->rl);
  wr_verify_destroy(&d->verify);
  wr_chunk_record_destroy(&d->rec);
  uv_close((uv_handle_t *)&d->gate, on_closed);
  uv_close((uv_handle_t *)&d->retry, on_closed);
  uv_close((uv_handle_t *)&d->tick, on_closed);
  uv_close((uv_handle_t *)&d->before_wait, on_closed);
  if (d->o.signals) {
    uv_close((uv_handle_t *)&d->sigint, on_closed);
    uv_close((uv_handle_t *)&d->sigterm, on_closed);
  }
}
