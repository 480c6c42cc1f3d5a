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
#include "preflight.h"
#include "verify.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define TICK_MS 200

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
  /* The client API has no listing to check states with (DOCS). */
  o->preflight = !cfg->no_preflight && cfg->api == WR_API_ADMIN;
  o->skip_connected = cfg->skip_connected;
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
 * --verify rounds; the calls in flight finish (dsp_pump() then finishes). */
static void stopped(struct wr_dispatch *d, bool quiet)
{
  const char *reason = d->stop.reason;

  uv_timer_stop(&d->gate);
  uv_timer_stop(&d->retry);
  if (d->verifying) {
    wr_verify_cancel(d->verify);
    d->verifying = false;
  }
  if (d->preflighting) {
    wr_preflight_cancel(d->pf);
    d->preflighting = false;
  }
  if (quiet)
    return;
  if (d->q.inflight > 0)
    wr_notef("stopping (%s): no new calls; waiting for %zu in flight",
             reason, d->q.inflight);
  else
    wr_notef("stopping (%s)", reason);
}

void dsp_fatal(struct wr_dispatch *d, const char *reason,
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
void dsp_write_record(void *ud, const cJSON *rec)
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
void dsp_task_final(struct wr_dispatch *d, struct task *t,
                    const char *status, const char *note)
{
  bool failed = false;
  size_t i;

  wr_final_record(d->rec, t, status, note, dsp_write_record, d);
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
  } else if (strcmp(status, "excluded") == 0) {
    d->sum.excluded_chunks++;
    wr_summary_exclude(&d->sum, note, t->nids);
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
 * stopped: failed with its last error, marked for resume; or skipped if
 * no attempt ever left this machine. */
static void task_cut(struct wr_dispatch *d, struct task *t)
{
  /* No attempt ever reached the server: as never sent as a skipped
   * chunk (the record keeps the last error), and resume sends it again
   * with nothing to fear. */
  if (!t->sent) {
    dsp_task_final(d, t, "skipped", "not sent: the run stopped");
    return;
  }
  t->retry_pending = true;
  dsp_task_final(d, t, "failed", "not retried: the run stopped");
}

/* The run stopped on an answer about the caller (what: "chunk 7",
 * "DescribeDesktops"): say why and how to finish it. */
void dsp_auth_stopped(struct wr_dispatch *d, const char *what)
{
  wr_errorf("%s: the server answered %s%s%s%s; no retry can fix that, so "
            "the run stops. Check the credentials, their permissions (RAM), "
            "the account and the clock, then `wuying-reboot resume %s` "
            "finishes the run", what, d->stop.auth_code,
            d->stop.auth_message[0] != '\0' ? " (\"" : "",
            d->stop.auth_message,
            d->stop.auth_message[0] != '\0' ? "\")" : "",
            wr_journal_path(d->report) != NULL ? wr_journal_path(d->report)
                                               : "REPORT");
  stopped(d, false);
}

/* An answer about the caller (credentials, permission, account): no
 * retry and no other chunk can succeed, so the run stops at the first.
 * The chunk ends failed but marked for resume, which sends it again once
 * the credentials are fixed (the server did nothing with it). */
static void task_auth(struct wr_dispatch *d, struct task *t)
{
  char what[WR_CHUNK_ID_LEN + 8];

  snprintf(what, sizeof(what), "chunk %s", t->id);
  if (wr_stop_credentials(&d->stop, t->code, t->message))
    dsp_auth_stopped(d, what);
  t->retry_pending = true;
  dsp_task_final(d, t, "failed", "the run stopped: credentials");
}

/* The credentials expired and cannot be renewed: stop, exit 3
 * ("credentials expired"), resumable. */
void dsp_expired(struct wr_dispatch *d, const char *code)
{
  struct wr_err e;

  wr_err_set(&e, WR_ECREDS, "the credentials expired (%s)", code);
  if (!wr_stop_stopping(&d->stop))
    wr_errorf("the temporary credentials expired (%s); the run stops: "
              "resume it (the credentials are fetched again)", code);
  dsp_fatal(d, "credentials expired", &e);
}

/* The stop policy said "unreachable": why, once, then stop. */
static void unreachable(struct wr_dispatch *d)
{
  wr_errorf("%s; stopping the run. Check the endpoint, the network and any "
            "proxy, then finish the run with `wuying-reboot resume REPORT` "
            "(the calls never sent are `skipped`)", d->stop.err.msg);
  stopped(d, false);
}

/* Final for the halves (API.md decision 5): a `split` record naming the
 * parts, which go to the front of the queue. */
static void task_split(struct wr_dispatch *d, struct task *t)
{
  struct task *p[2];
  int rc = wr_task_halves(&d->q, t, d->o.client_tokens, p);

  if (rc < 0) {
    dsp_task_final(d, t, "failed", rc == WR_ENOMEM
                                       ? "out of memory while splitting"
                                       : "too deeply split");
    return;
  }
  wr_split_record(t, p, dsp_write_record, d);
  d->splits++;
  wr_ready_push(&d->q, p[1], true);
  wr_ready_push(&d->q, p[0], true);
  wr_task_free(&d->q, t);
}

static void wave_record(struct wr_dispatch *d)
{
  if (d->plan->nwaves > 1)
    wr_wave_record(d->cur_wave, d->o.canary && d->cur_wave == 0, d->wave_ok,
                   d->wave_failed, dsp_write_record, d);
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

/* Every answer to a reboot tells the limiter something: a throttle slows
 * it down; any other answer with an HTTP status was accepted by the server
 * and feeds the limiter's estimate of the quota. */
static void rate_feedback(struct wr_dispatch *d, int64_t now,
                          const struct wr_api_result *r)
{
  if (r->outcome == WR_OUTCOME_THROTTLED)
    wr_ratelimit_throttled(&d->rl, now, r->retry_after_ms);
  else if (r->http_status > 0)
    wr_ratelimit_accepted(&d->rl, now);
}

/* After an attempt whose answer was lost (ambiguous), a later
 * IncorrectDesktopStatus naming a desktop of the chunk in a state of a
 * reboot in progress is the evidence that the lost attempt was executed:
 * pre-flight saw the chunk's desktops Running just before, and a
 * RebootDesktops call is accepted or refused as a whole (the same
 * reading as the split rule, API.md decision 5).  The evidence text
 * (malloc'd), or NULL. */
static char *landed_evidence(const struct task *t, int earlier_ambiguous,
                             const struct wr_api_result *r)
{
  static const char *const moving[] = {"Stopping", "Starting", "Rebooting"};
  const char *p;
  size_t i, k, n;
  char buf[512];

  if (earlier_ambiguous == 0 ||
      strncmp(r->code, "IncorrectDesktopStatus", 22) != 0)
    return NULL;
  for (i = 0; i < t->nids; i++) {
    p = strstr(r->message, t->ids[i]);
    if (p == NULL)
      continue;
    p += strlen(t->ids[i]);
    if (strncmp(p, " is ", 4) != 0)
      continue;
    p += 4;
    for (k = 0; k < sizeof(moving) / sizeof(moving[0]); k++) {
      n = strlen(moving[k]);
      if (strncmp(p, moving[k], n) == 0 &&
          (p[n] == '\0' || p[n] == '.' || p[n] == ' ')) {
        snprintf(buf, sizeof(buf), "IncorrectDesktopStatus: %s is %s "
                 "(RequestId %s) after %d attempt(s) whose answer was lost",
                 t->ids[i], moving[k], r->request_id[0] ? r->request_id
                                                         : "none",
                 earlier_ambiguous);
        return strdup(buf);
      }
    }
  }
  return NULL;
}

static void complete(struct wr_dispatch *d, struct task *t,
                     const struct wr_api_result *r, int64_t latency_ms)
{
  enum wr_retry_verdict v;
  int earlier_ambiguous = t->rs.ambiguous;
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
  rate_feedback(d, now, r);
  if (r->outcome == WR_OUTCOME_THROTTLED)
    d->throttled++;
  /* Temporary credentials that expired and cannot be renewed (renewable
   * ones are renewed and the call sent again by the sender, renew.h: it
   * never gets here): the call was refused, nothing done.  Stop, and
   * leave the chunk to `resume` with fresh credentials (exit 3). */
  if (wr_api_code_token_expired(r->code)) {
    dsp_expired(d, r->code);
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
    dsp_task_final(d, t, "ok", NULL);
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
      dsp_task_final(d, t, "failed", "out of memory");
      return;
    }
    d->retries++;
    if (d->q.heap[0] == t)
      arm_retry(d, now);
    return;
  case WR_RETRY_FINAL:
    if (r->fatal_auth) {
      task_auth(d, t);
      return;
    }
    /* Rebooted by the lost attempt: ok, not failed, not split, never
     * rebooted again. */
    t->confirmed_by = landed_evidence(t, earlier_ambiguous, r);
    if (t->confirmed_by != NULL) {
      wr_infof("chunk %s: ok: %s", t->id, t->confirmed_by);
      d->confirmed++;
      dsp_task_final(d, t, "ok", NULL);
      return;
    }
    if (r->splittable && t->nids > 1) {
      task_split(d, t);
      return;
    }
    dsp_task_final(d, t, "failed", NULL);
    return;
  case WR_RETRY_EXHAUSTED:
  default:
    /* Retried all along and never sent once: the endpoint cannot be
     * reached, which no later chunk will change. */
    if (!t->sent) {
      if (wr_stop_unreachable(&d->stop, r->message))
        unreachable(d);
      task_cut(d, t);
      return;
    }
    dsp_task_final(d, t, "failed", "retries exhausted");
    return;
  }
}

static void on_done(void *ud, const struct wr_api_result *r,
                    int64_t latency_ms)
{
  struct task *t = ud;
  struct wr_dispatch *d = t->d;

  wr_inflight_unlink(&d->q, t);
  if (!r->not_sent)
    t->sent = true;
  if (wr_stop_attempt(&d->stop, r->not_sent, r->message))
    unreachable(d);
  complete(d, t, r, latency_ms);
  dsp_pump(d);
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

/* Past the plan chunks pre-flight left nothing of. */
static void skip_emptied(struct wr_dispatch *d)
{
  while (d->over != NULL && d->next_chunk < d->plan->nchunks &&
         d->over[d->next_chunk].set && d->over[d->next_chunk].nids == 0)
    d->next_chunk++;
}

bool dsp_plan_ready(struct wr_dispatch *d)
{
  skip_emptied(d);
  return d->next_chunk < d->plan->nchunks &&
         d->plan->chunks[d->next_chunk].wave == d->cur_wave;
}

/* Plan chunk i as a task: what pre-flight left of it to send, if it
 * checked it.  NULL: out of memory. */
static struct task *plan_task(struct wr_dispatch *d, size_t i)
{
  const struct wr_chunk *c = &d->plan->chunks[i];
  const struct pf_chunk *o = d->over != NULL && d->over[i].set
                             ? &d->over[i] : NULL;

  if (o != NULL)
    return wr_task_new(&d->q, d, o->id, c->region, o->ids, o->nids,
                       c->client_token, c->wave);
  return wr_task_new(&d->q, d, c->id, c->region, (const char *const *)c->ids,
                     c->nids, c->client_token, c->wave);
}

static struct task *next_task(struct wr_dispatch *d)
{
  struct task *t;

  if (d->q.ready_head != NULL)
    return wr_ready_pop(&d->q);
  t = plan_task(d, d->next_chunk);
  /* Only a chunk that became a task has left the plan: one that did not
   * is still there for finish() to record. */
  if (t != NULL)
    d->next_chunk++;
  return t;
}

static void on_gate(uv_timer_t *h)
{
  dsp_pump(h->data);
}

static void on_retry(uv_timer_t *h)
{
  struct wr_dispatch *d = h->data;
  int64_t now = wr_clock_now_ms();

  while (d->q.nheap > 0 && d->q.heap[0]->due_ms <= now)
    wr_ready_push(&d->q, wr_heap_pop(&d->q), false);
  arm_retry(d, now);
  dsp_pump(d);
}

static void progress_counts(const struct wr_dispatch *d,
                            struct wr_progress_counts *c)
{
  memset(c, 0, sizeof(*c));
  c->desktops_total = d->plan->ndesktops;
  c->desktops_done = d->sum.ok_desktops + d->sum.failed_desktops +
                     d->sum.skipped_desktops + d->sum.excluded_desktops;
  c->desktops_failed = d->sum.failed_desktops;
  c->desktops_excluded = d->sum.excluded_desktops;
  c->desktops_skipped = d->sum.skipped_desktops;
  c->excluded_by = d->sum.excluded_by;
  c->nexcluded_by = d->sum.nexcluded_by;
  c->retries = d->retries;
  c->in_flight = d->q.inflight;
  if (d->preflighting)
    wr_preflight_progress(d->pf, &c->phase_done, &c->phase_total);
  else if (d->verifying)
    wr_verify_progress(d->verify, &c->phase_done, &c->phase_total);
}

/* The progress line says what the run does now (a no-op when unchanged). */
void dsp_show_phase(const struct wr_dispatch *d,
                    enum wr_progress_phase phase)
{
  struct wr_progress_counts pc;

  if (d->progress == NULL)
    return;
  progress_counts(d, &pc);
  wr_progress_phase(d->progress, phase, d->cur_wave, &pc, wr_clock_now_ms());
}

/* Everything not done gets its final record, then the summary. */
static void finish(struct wr_dispatch *d)
{
  struct wr_progress_counts pc;
  struct task *t;
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
      dsp_task_final(d, t, "skipped", note);
  }
  while ((t = wr_heap_pop(&d->q)) != NULL)
    task_cut(d, t);
  for (skip_emptied(d); d->next_chunk < d->plan->nchunks;
       d->next_chunk++, skip_emptied(d)) {
    t = plan_task(d, d->next_chunk);
    if (t == NULL) {
      struct wr_err err;

      wr_err_set(&err, WR_ENOMEM, "out of memory");
      report_failed(d, &err);
      break;
    }
    dsp_task_final(d, t, "skipped", note);
  }
  dsp_verify_cut(d, note);
  failures = d->sum.failed_desktops > 0 || d->sum.verify_not_running > 0;
  d->sum.exit_code = wr_stop_exit_code(&d->stop, failures);
  d->sum.finished_wall_ms = wr_clock_wall_ms();
  d->sum.stop_reason = d->stop.reason;
  rec = wr_record_summary(&d->sum);
  dsp_write_record(d, rec);
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
bool dsp_next_wave(struct wr_dispatch *d)
{
  if (d->next_chunk >= d->plan->nchunks) {
    finish(d);
    return false;
  }
  d->cur_wave = d->plan->chunks[d->next_chunk].wave;
  return true;
}

void dsp_pump(struct wr_dispatch *d)
{
  struct task *t;
  int64_t now;

  if (d->finished || d->stop.abort ||
      ((d->verifying || d->preflighting) && !wr_stop_stopping(&d->stop)))
    return;
  for (;;) {
    if (wr_stop_clock(&d->stop, wr_clock_wall_ms()))
      stopped(d, false);
    if (!wr_stop_stopping(&d->stop) && dsp_preflight_wave(d))
      return;
    dsp_show_phase(d, wr_stop_stopping(&d->stop) ? WR_PHASE_STOPPING
                                                 : WR_PHASE_SENDING);
    while (!wr_stop_stopping(&d->stop) &&
           d->q.inflight < (size_t)d->o.concurrency &&
           (d->q.ready_head != NULL || dsp_plan_ready(d))) {
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
        dsp_fatal(d, "out of memory", &err);
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
    if (d->q.alive > 0 || dsp_plan_ready(d))
      return;
    /* The wave is over: nothing alive, nothing more in it. */
    wave_record(d);
    if (wr_stop_stopping(&d->stop))
      continue;
    if (d->verify != NULL && wr_verify_start_wave(d->verify, d->cur_wave) == 1) {
      d->verifying = true;
      dsp_show_phase(d, WR_PHASE_VERIFYING);
      return;
    }
    if (!dsp_next_wave(d))
      return;
  }
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
  dsp_pump(d);
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
    dsp_pump(d);
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
    dsp_pump(d);
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
  struct wr_describe_io vio;
  struct wr_dispatch *d;
  int rc;

  *out = NULL;
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
  so.unsent_max = (size_t)opts->concurrency * 2;
  if (so.unsent_max < WR_STOP_UNSENT_MIN)
    so.unsent_max = WR_STOP_UNSENT_MIN;
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
  vio.may_call = dsp_verify_may_call;
  vio.answered = dsp_verify_answered;
  vio.ud = d;
  d->pf_wave = -1;
  if (wr_chunk_record_create(&d->rec) < 0 ||
      (opts->verify && sender->describe != NULL &&
       wr_verify_create(loop, &vio, opts->verify_timeout_ms, dsp_on_verified,
                        d, &d->verify) < 0) ||
      (opts->preflight && sender->describe != NULL &&
       wr_preflight_create(loop, &vio, opts->skip_connected,
                           opts->retries + 1, dsp_on_preflight_record,
                           dsp_on_preflight_done, d, &d->pf) < 0)) {
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
  if (!dsp_verify_earlier(d))
    dsp_pump(d);
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
  out->confirmed = d->confirmed;
  out->preflight_calls = d->pf_calls;
  out->err = d->stop.err;
}

bool wr_dispatch_finished(const struct wr_dispatch *d)
{
  return d->finished;
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
  wr_preflight_destroy(&d->pf);
  while (d->npf_blocks > 0)
    free(d->pf_blocks[--d->npf_blocks]);
  free(d->pf_blocks);
  free(d->over);
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
