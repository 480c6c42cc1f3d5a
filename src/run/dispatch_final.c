/* dispatch_final: the records of a chunk's end (ok, failed, skipped,
 * split), the wave record, and what a failed write or a stop does. */
#include "dispatch_int.h"

#include "buf.h"
#include "clock.h"
#include "creds.h"
#include "log.h"
#include "uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A copy of a server-supplied text with every secret masked; NULL for
 * an empty text or on ENOMEM. */
char *wr_dispatch_redacted(const struct wr_dispatch *d, const char *s)
{
  struct wr_buf b;

  if (s == NULL || s[0] == '\0')
    return NULL;
  if (d->creds == NULL)
    return strdup(s);
  wr_buf_init(&b, 64 * 1024);
  if (wr_creds_redact(d->creds, s, &b) < 0) {
    wr_buf_free(&b);
    return strdup("(message withheld)");
  }
  return wr_buf_take(&b);
}

void wr_dispatch_report_failed(struct wr_dispatch *d, const struct wr_err *err)
{
  if (d->report_failed)
    return;
  d->report_failed = true;
  d->err = *err;
  wr_errorf("%s; stopping the run (the report is whole up to here and "
            "can be resumed)", err->msg);
  if (!d->stopping) {
    d->stopping = true;
    d->stop_reason = "report";
  }
}

/* Write one record (borrowed; NULL: out of memory building it). */
static void write_record(struct wr_dispatch *d, const cJSON *rec)
{
  struct wr_err err = {0};

  if (d->report_failed)
    return;
  if (wr_journal_write(d->report, rec, wr_clock_now_ms(), &err) < 0)
    wr_dispatch_report_failed(d, &err);
}

void wr_dispatch_write(struct wr_dispatch *d, cJSON *rec)
{
  write_record(d, rec);
  cJSON_Delete(rec);
}

void wr_dispatch_stop(struct wr_dispatch *d, const char *reason)
{
  if (d->stopping)
    return;
  d->stopping = true;
  d->stop_reason = reason;
  uv_timer_stop(&d->gate);
  uv_timer_stop(&d->retry);
  if (d->verifying) {
    wr_verify_cancel(d);
    d->verifying = false;
  }
  if (d->inflight > 0)
    wr_notef("stopping (%s): no new calls; waiting for %zu in flight",
             reason, d->inflight);
  else
    wr_notef("stopping (%s)", reason);
}

static void count_final(struct wr_dispatch *d, const struct task *t,
                        const char *status)
{
  if (strcmp(status, "ok") == 0) {
    d->sum.ok_chunks++;
    d->sum.ok_desktops += t->nids;
    d->wave_ok += t->nids;
    return;
  }
  if (strcmp(status, "skipped") == 0) {
    d->sum.skipped_chunks++;
    d->sum.skipped_desktops += t->nids;
    return;
  }
  d->sum.failed_chunks++;
  d->sum.failed_desktops += t->nids;
  d->wave_failed += t->nids;
  if (d->o.canary && t->wave == 0)
    wr_dispatch_stop(d, "canary");
  if (d->o.max_errors >= 0 && d->sum.failed_desktops > (size_t)d->o.max_errors)
    wr_dispatch_stop(d, "max-errors");
  if (d->o.max_errors_pct >= 0 &&
      (double)d->sum.failed_desktops * 100.0 >
          d->o.max_errors_pct * (double)d->plan->ndesktops)
    wr_dispatch_stop(d, "max-errors");
}

/* A final record: one per call, so refilled in the dispatch's reusable
 * record; a record marked "retry_pending" (only when a stop cut a due
 * retry) is built afresh. */
static void write_final(struct wr_dispatch *d,
                        const struct wr_chunk_outcome *o, bool retry_pending)
{
  cJSON *rec;

  if (d->report_failed)
    return;
  if (!retry_pending) {
    write_record(d, wr_chunk_record_fill(d->rec, o));
    return;
  }
  /* The stop cut a due retry: resume re-sends this chunk (same token). */
  rec = wr_record_chunk(o);
  if (rec != NULL &&
      cJSON_AddBoolToObject(rec, "retry_pending", true) == NULL) {
    cJSON_Delete(rec);
    rec = NULL;
  }
  wr_dispatch_write(d, rec);
}

/* The final record of a task (ok, failed or skipped), then free it. */
void wr_task_final(struct wr_dispatch *d, struct task *t, const char *status,
                  const char *note)
{
  struct wr_chunk_outcome o;
  struct wr_buf msg;
  bool ok = strcmp(status, "ok") == 0;

  memset(&o, 0, sizeof(o));
  wr_buf_init(&msg, 4096);
  o.chunk_id = t->id;
  o.region = t->region;
  o.ids = t->ids;
  o.nids = t->nids;
  o.client_token = t->token[0] != '\0' ? t->token : NULL;
  o.status = status;
  o.request_id = ok ? t->request_id
                    : (t->nrids > 0 ? t->rids[t->nrids - 1] : NULL);
  o.attempt_request_ids = (const char *const *)t->rids;
  o.nattempt_request_ids = t->nrids;
  o.http_status = t->http_status;
  o.error_code = ok ? NULL : t->code;
  o.error_message = ok ? NULL : t->message;
  if (!ok && note != NULL) {
    if (t->message != NULL)
      wr_buf_addf(&msg, "%s (%s)", t->message, note);
    else
      wr_buf_adds(&msg, note);
    o.error_message = msg.len > 0 ? wr_buf_str(&msg) : note;
  }
  o.attempts = t->rs.attempts;
  o.ambiguous_attempts = t->rs.ambiguous;
  o.started_wall_ms = t->started_wall_ms;
  o.finished_wall_ms = wr_clock_wall_ms();
  o.latency_ms = t->latency_ms;
  if (strcmp(status, "failed") == 0)
    wr_infof("chunk %s: failed after %d attempt(s): %s%s%s", t->id,
             t->rs.attempts, t->code ? t->code : "error",
             o.error_message ? ": " : "",
             o.error_message ? o.error_message : "");
  write_final(d, &o, t->retry_pending);
  wr_buf_free(&msg);
  if (ok && d->verify != NULL) {
    size_t i;
    int64_t now = wr_clock_now_ms();

    for (i = 0; i < t->nids; i++)
      if (wr_verify_add(d, t->ids[i], t->region, now) < 0)
        wr_warnf("--verify: out of memory; %s will not be checked",
                 t->ids[i]);
  }
  count_final(d, t, status);
  d->alive--;
  wr_task_free(t);
}

/* A retry was due (the last outcome retryable, budget left) but the run
 * stopped: failed with its last error, marked for resume. */
void wr_task_cut(struct wr_dispatch *d, struct task *t)
{
  t->retry_pending = true;
  wr_task_final(d, t, "failed", "not retried: the run stopped");
}

/* Final for the halves (API.md decision 5): a `split` record naming the
 * parts, which go to the front of the queue. */
void wr_task_split(struct wr_dispatch *d, struct task *t)
{
  struct task *p[2];
  struct wr_split_part into[2];
  struct wr_chunk_outcome o;
  size_t half = (t->nids + 1) / 2, i;
  char id[2][WR_CHUNK_ID_LEN];

  for (i = 0; i < 2; i++)
    if ((size_t)snprintf(id[i], sizeof(id[i]), "%s.%zu", t->id, i + 1) >=
        sizeof(id[i])) {
      wr_task_final(d, t, "failed", "too deeply split");
      return;
    }
  p[0] = wr_task_new(d, id[0], t->region, t->ids, half, NULL, t->wave);
  p[1] = wr_task_new(d, id[1], t->region, t->ids + half, t->nids - half, NULL,
                  t->wave);
  for (i = 0; i < 2; i++)
    if (p[i] != NULL && d->o.client_tokens && wr_uuid4(p[i]->token) < 0) {
      wr_task_free(p[i]);
      d->alive--;
      p[i] = NULL;
    }
  if (p[0] == NULL || p[1] == NULL) {
    for (i = 0; i < 2; i++)
      if (p[i] != NULL) {
        wr_task_free(p[i]);
        d->alive--;
      }
    wr_task_final(d, t, "failed", "out of memory while splitting");
    return;
  }
  memset(&o, 0, sizeof(o));
  for (i = 0; i < 2; i++) {
    into[i].chunk_id = p[i]->id;
    into[i].ids = p[i]->ids;
    into[i].nids = p[i]->nids;
    into[i].client_token = p[i]->token[0] ? p[i]->token : NULL;
  }
  o.chunk_id = t->id;
  o.region = t->region;
  o.ids = t->ids;
  o.nids = t->nids;
  o.client_token = t->token[0] ? t->token : NULL;
  o.status = "split";
  o.request_id = t->nrids > 0 ? t->rids[t->nrids - 1] : NULL;
  o.attempt_request_ids = (const char *const *)t->rids;
  o.nattempt_request_ids = t->nrids;
  o.http_status = t->http_status;
  o.error_code = t->code;
  o.error_message = t->message;
  o.attempts = t->rs.attempts;
  o.ambiguous_attempts = t->rs.ambiguous;
  o.started_wall_ms = t->started_wall_ms;
  o.finished_wall_ms = wr_clock_wall_ms();
  o.latency_ms = t->latency_ms;
  o.into = into;
  o.ninto = 2;
  wr_infof("chunk %s: %s: split into %s and %s", t->id,
           t->code ? t->code : "failed", p[0]->id, p[1]->id);
  wr_dispatch_write(d, wr_record_chunk(&o));
  d->splits++;
  wr_ready_push(d, p[1], true);
  wr_ready_push(d, p[0], true);
  d->alive--;
  wr_task_free(t);
}

void wr_dispatch_wave_record(struct wr_dispatch *d)
{
  cJSON *o;
  char ts[WR_TIME_RFC3339_LEN];

  if (d->plan->nwaves <= 1)
    return;
  wr_time_rfc3339_ms(wr_clock_wall_ms(), ts);
  o = cJSON_CreateObject();
  if (o != NULL &&
      (cJSON_AddStringToObject(o, "type", "wave") == NULL ||
       cJSON_AddNumberToObject(o, "wave", d->cur_wave) == NULL ||
       cJSON_AddBoolToObject(o, "canary", d->o.canary && d->cur_wave == 0) ==
           NULL ||
       cJSON_AddNumberToObject(o, "ok_desktops", (double)d->wave_ok) ==
           NULL ||
       cJSON_AddNumberToObject(o, "failed_desktops", (double)d->wave_failed) ==
           NULL ||
       cJSON_AddStringToObject(o, "finished_at", ts) == NULL)) {
    cJSON_Delete(o);
    o = NULL;
  }
  wr_dispatch_write(d, o);
  wr_infof("wave %d done: %zu ok, %zu failed", d->cur_wave, d->wave_ok,
           d->wave_failed);
  d->wave_ok = d->wave_failed = 0;
}
