/* dispatch_final: a finished task as records (its final record, a split
 * record, the wave record), handed to dispatch's sink.  Decides nothing:
 * counting, stopping and --verify are dispatch.c's. */
#include "dispatch_int.h"

#include "buf.h"
#include "clock.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The outcome of t as the record builders take it. */
static void outcome_of(const struct task *t, const char *status,
                       struct wr_chunk_outcome *o)
{
  memset(o, 0, sizeof(*o));
  o->chunk_id = t->id;
  o->region = t->region;
  o->ids = t->ids;
  o->nids = t->nids;
  o->client_token = t->token[0] != '\0' ? t->token : NULL;
  o->status = status;
  o->request_id = t->nrids > 0 ? t->rids[t->nrids - 1] : NULL;
  o->attempt_request_ids = (const char *const *)t->rids;
  o->nattempt_request_ids = t->nrids;
  o->http_status = t->http_status;
  o->error_code = t->code;
  o->error_message = t->message;
  o->attempts = t->rs.attempts;
  o->ambiguous_attempts = t->rs.ambiguous;
  o->started_wall_ms = t->started_wall_ms;
  o->finished_wall_ms = wr_clock_wall_ms();
  o->latency_ms = t->latency_ms;
}

/* A final record: one per call, so refilled in the dispatch's reusable
 * record; a record marked "retry_pending" (only when a stop cut a due
 * retry) is built afresh. */
static void emit(struct wr_chunk_record *rec,
                 const struct wr_chunk_outcome *o, bool retry_pending,
                 const char *confirmed_by, const char *reason,
                 wr_record_sink *sink, void *ud)
{
  cJSON *fresh;

  if (!retry_pending && confirmed_by == NULL && reason == NULL) {
    sink(ud, wr_chunk_record_fill(rec, o));
    return;
  }
  /* The stop cut a due retry: resume re-sends this chunk (same token).
   * Confirmed: ok on the evidence that a lost attempt landed (rare). */
  fresh = wr_record_chunk(o);
  if (fresh != NULL &&
      ((retry_pending &&
        cJSON_AddBoolToObject(fresh, "retry_pending", true) == NULL) ||
       (confirmed_by != NULL &&
        cJSON_AddStringToObject(fresh, "confirmed_by", confirmed_by) ==
            NULL) ||
       (reason != NULL &&
        cJSON_AddStringToObject(fresh, "reason", reason) == NULL))) {
    cJSON_Delete(fresh);
    fresh = NULL;
  }
  sink(ud, fresh);
  cJSON_Delete(fresh);
}

void wr_final_record(struct wr_chunk_record *rec, const struct task *t,
                     const char *status, const char *note,
                     wr_record_sink *sink, void *ud)
{
  struct wr_chunk_outcome o;
  struct wr_buf msg;
  bool ok = strcmp(status, "ok") == 0;
  bool excluded = strcmp(status, "excluded") == 0;

  outcome_of(t, status, &o);
  wr_buf_init(&msg, 4096);
  if (ok || excluded) {
    /* Excluded by pre-flight: never sent; note is the reason. */
    o.request_id = ok ? t->request_id : NULL;
    o.error_code = NULL;
    o.error_message = NULL;
  } else if (note != NULL) {
    if (t->message != NULL)
      wr_buf_addf(&msg, "%s (%s)", t->message, note);
    else
      wr_buf_adds(&msg, note);
    o.error_message = msg.len > 0 ? wr_buf_str(&msg) : note;
  }
  if (strcmp(status, "failed") == 0)
    wr_infof("chunk %s: failed after %d attempt(s): %s%s%s", t->id,
             t->rs.attempts, t->code ? t->code : "error",
             o.error_message ? ": " : "",
             o.error_message ? o.error_message : "");
  emit(rec, &o, t->retry_pending, ok ? t->confirmed_by : NULL,
       excluded ? note : NULL, sink, ud);
  wr_buf_free(&msg);
}

/* Final for t (API.md decision 5): a `split` record naming the parts. */
void wr_split_record(const struct task *t, struct task *const p[2],
                     wr_record_sink *sink, void *ud)
{
  struct wr_split_part into[2];
  struct wr_chunk_outcome o;
  cJSON *rec;
  size_t i;

  for (i = 0; i < 2; i++) {
    into[i].chunk_id = p[i]->id;
    into[i].ids = p[i]->ids;
    into[i].nids = p[i]->nids;
    into[i].client_token = p[i]->token[0] ? p[i]->token : NULL;
  }
  outcome_of(t, "split", &o);
  o.into = into;
  o.ninto = 2;
  wr_infof("chunk %s: %s: split into %s and %s", t->id,
           t->code ? t->code : "failed", p[0]->id, p[1]->id);
  rec = wr_record_chunk(&o);
  sink(ud, rec);
  cJSON_Delete(rec);
}

void wr_wave_record(int wave, bool canary, size_t ok_desktops,
                    size_t failed_desktops, wr_record_sink *sink, void *ud)
{
  cJSON *o;
  char ts[WR_TIME_RFC3339_LEN];

  wr_time_rfc3339_ms(wr_clock_wall_ms(), ts);
  o = cJSON_CreateObject();
  if (o != NULL &&
      (cJSON_AddStringToObject(o, "type", "wave") == NULL ||
       cJSON_AddNumberToObject(o, "wave", wave) == NULL ||
       cJSON_AddBoolToObject(o, "canary", canary) == NULL ||
       cJSON_AddNumberToObject(o, "ok_desktops", (double)ok_desktops) ==
           NULL ||
       cJSON_AddNumberToObject(o, "failed_desktops",
                               (double)failed_desktops) == NULL ||
       cJSON_AddStringToObject(o, "finished_at", ts) == NULL)) {
    cJSON_Delete(o);
    o = NULL;
  }
  sink(ud, o);
  cJSON_Delete(o);
  wr_infof("wave %d done: %zu ok, %zu failed", wave, ok_desktops,
           failed_desktops);
}
