/* audit_json: the audit as one JSON object (cJSON; the root owns every
 * child, so only the root is deleted).  Counts, groups, waves, checks and
 * the pending and retry-pending chunk ids; per-desktop rows are the csv format's job. */
#include "audit.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

static bool str(cJSON *o, const char *key, const char *s)
{
  return (s != NULL ? cJSON_AddStringToObject(o, key, s)
                    : cJSON_AddNullToObject(o, key)) != NULL;
}

static bool num(cJSON *o, const char *key, double v, bool null)
{
  return (null ? cJSON_AddNullToObject(o, key)
               : cJSON_AddNumberToObject(o, key, v)) != NULL;
}

static bool strs(cJSON *o, const char *key, const char *const *s, size_t n)
{
  cJSON *a = cJSON_AddArrayToObject(o, key);
  size_t i;

  for (i = 0; a != NULL && i < n; i++)
    if (!cJSON_AddItemToArray(a, cJSON_CreateString(s[i])))
      return false;
  return a != NULL;
}

static bool groups(cJSON *o, const char *key, const char *keyname,
                   const struct wr_audit_group *g, size_t n)
{
  cJSON *a = cJSON_AddArrayToObject(o, key), *e;
  size_t i;

  for (i = 0; a != NULL && i < n; i++) {
    e = cJSON_CreateObject();
    if (!cJSON_AddItemToArray(a, e) || !str(e, keyname, g[i].key) ||
        !str(e, "error_message", g[i].message) ||
        !num(e, "desktops", (double)g[i].desktops, false) ||
        !num(e, "chunks", (double)g[i].chunks, false) ||
        !strs(e, "sample_desktop_ids", g[i].sample, g[i].nsample))
      return false;
  }
  return a != NULL;
}

/* Pre-flight and the confirmed ok, in objects of their own ("desktops"
 * and "chunks" keep the fields they had). */
static bool preflight(cJSON *o, const struct wr_audit *a)
{
  cJSON *p = cJSON_AddObjectToObject(o, "preflight"), *c;

  if (p == NULL ||
      !num(p, "excluded_desktops", (double)a->excluded, false) ||
      !num(p, "excluded_chunks", (double)a->excluded_chunks, false) ||
      !num(p, "calls", (double)a->preflight_calls, false) ||
      !num(p, "failed_calls", (double)a->preflight_errors, false) ||
      !num(p, "chunks_cut", (double)a->preflight_parts, false) ||
      !groups(p, "excluded", "reason", a->exclusions, a->nexclusions))
    return false;
  c = cJSON_AddObjectToObject(o, "confirmed");
  return c != NULL && num(c, "desktops", (double)a->confirmed, false) &&
         num(c, "chunks", (double)a->confirmed_chunks, false);
}

static int pending(const struct wr_rread_chunk *c, void *ud)
{
  if (c->status != WR_RREAD_PENDING)
    return 0;
  return cJSON_AddItemToArray(ud, cJSON_CreateString(c->id)) ? 0 : WR_ENOMEM;
}

static int retry_pending(const struct wr_rread_chunk *c, void *ud)
{
  if (c->status != WR_RREAD_FAILED || !c->retry_pending)
    return 0;
  return cJSON_AddItemToArray(ud, cJSON_CreateString(c->id)) ? 0 : WR_ENOMEM;
}

static bool waves(cJSON *o, const struct wr_audit *au)
{
  const struct wr_rread *rr = au->rr;
  cJSON *a = cJSON_AddArrayToObject(o, "waves"), *e;
  const struct wr_rread_verify *v;
  size_t i;

  for (i = 0; a != NULL && i < au->nwaves; i++) {
    const struct wr_audit_wave *w = &au->waves[i];

    e = cJSON_CreateObject();
    if (!cJSON_AddItemToArray(a, e) ||
        !num(e, "wave", (double)w->wave, false) ||
        !cJSON_AddBoolToObject(e, "canary", w->canary) ||
        !num(e, "ok_desktops", (double)w->ok, false) ||
        !num(e, "failed_desktops", (double)w->failed, false) ||
        !num(e, "excluded_desktops", (double)w->excluded, false) ||
        !str(e, "finished_at", w->finished_at))
      return false;
  }
  a = a != NULL ? cJSON_AddArrayToObject(o, "verify") : NULL;
  for (i = 0; a != NULL && i < rr->nverifies; i++) {
    v = &rr->verifies[i];
    e = cJSON_CreateObject();
    if (!cJSON_AddItemToArray(a, e) || !num(e, "wave", (double)v->wave, 0) ||
        !num(e, "desktops", (double)v->desktops, false) ||
        !num(e, "running", (double)v->running, false) ||
        !cJSON_AddBoolToObject(e, "timed_out", v->timed_out) ||
        !strs(e, "not_running", v->not_running, v->nnot_running) ||
        !num(e, "not_verified", (double)v->nnot_verified, false) ||
        !str(e, "interrupted", v->interrupted) ||
        !cJSON_AddBoolToObject(e, "earlier_sessions", v->earlier) ||
        !str(e, "finished_at", v->finished_at))
      return false;
  }
  return a != NULL;
}

static bool rejected(cJSON *o, const struct wr_rread *rr)
{
  cJSON *a = cJSON_AddArrayToObject(o, "rejected"), *e;
  const struct wr_rread_rejected *r;
  size_t i;

  for (i = 0; a != NULL && i < rr->nrejected; i++) {
    r = &rr->rejected[i];
    e = cJSON_CreateObject();
    if (!cJSON_AddItemToArray(a, e) || !str(e, "source", r->source) ||
        !num(e, "line", (double)r->line, false) ||
        !str(e, "value", r->value) || !str(e, "reason", r->reason))
      return false;
  }
  return a != NULL;
}

static bool regions(cJSON *o, const struct wr_audit *a)
{
  cJSON *arr = cJSON_AddArrayToObject(o, "regions"), *e;
  const struct wr_rread *rr = a->rr;
  size_t i;

  for (i = 0; arr != NULL && i < a->nregions; i++) {
    e = cJSON_CreateObject();
    if (!cJSON_AddItemToArray(arr, e) ||
        !str(e, "region", a->regions[i].region) ||
        !num(e, "ok", (double)a->regions[i].ok, false) ||
        !num(e, "failed", (double)a->regions[i].failed, false) ||
        !num(e, "skipped", (double)a->regions[i].skipped, false) ||
        !num(e, "pending", (double)a->regions[i].pending, false))
      return false;
  }
  arr = arr != NULL ? cJSON_AddArrayToObject(o, "ambiguous_chunks") : NULL;
  for (i = 0; arr != NULL && i < rr->nchunks; i++)
    if (rr->chunks[i].ambiguous_attempts > 0 &&
        !cJSON_AddItemToArray(arr, cJSON_CreateString(rr->chunks[i].id)))
      return false;
  return arr != NULL;
}

/* Three decimals are plenty for a rate, and stay readable. */
static double round3(double v)
{
  return v < 0 ? v : floor(v * 1000 + 0.5) / 1000;
}

static cJSON *build(const struct wr_audit *a)
{
  const struct wr_rread *rr = a->rr;
  const struct wr_rread_run *run = &rr->run;
  cJSON *o = cJSON_CreateObject(), *d, *p;
  char b[160];
  bool ok;

  if (o == NULL)
    return NULL;
  ok = str(o, "report", rr->path) && str(o, "run_id", run->run_id) &&
       str(o, "outcome", wr_audit_outcome(a, b, sizeof(b))) &&
       cJSON_AddBoolToObject(o, "complete", a->complete) &&
       num(o, "exit_code", a->exit_code, a->exit_code < 0) &&
       str(o, "stop_reason", rr->has_summary ? rr->summary.stop_reason
                                             : NULL) &&
       cJSON_AddBoolToObject(o, "has_summary", rr->has_summary) &&
       str(o, "started_at", run->started_at) &&
       str(o, "finished_at", a->finished_at) &&
       num(o, "duration_s", a->duration_s, a->duration_s < 0) &&
       num(o, "resumes", (double)rr->nresumes, false) &&
       str(o, "last_resumed_at", rr->last_resumed_at) &&
       str(o, "tool_version", run->tool_version) && str(o, "api", run->api) &&
       str(o, "action", run->action) && str(o, "endpoint", run->endpoint) &&
       strs(o, "inputs", run->inputs, run->ninputs) &&
       num(o, "rate", run->rate, run->rate < 0) &&
       num(o, "concurrency", (double)run->concurrency, run->concurrency < 0) &&
       num(o, "chunk_size", (double)run->chunk_size, run->chunk_size < 0);
  if (ok && run->selection != NULL) {
    char sel[1024];
    cJSON *s = cJSON_Duplicate(run->selection, true);

    ok = s != NULL && cJSON_AddItemToObject(o, "selection", s) &&
         str(s, "text", wr_audit_selection(run, sel, sizeof(sel)));
  }
  d = ok ? cJSON_AddObjectToObject(o, "desktops") : NULL;
  ok = d != NULL && num(d, "planned", (double)a->planned, false) &&
       num(d, "ok", (double)a->ok, false) &&
       num(d, "failed", (double)a->failed, false) &&
       num(d, "skipped", (double)a->skipped, false) &&
       num(d, "pending", (double)a->pending, false) &&
       num(d, "retry_pending", (double)a->retry_pending, false) &&
       num(d, "not_running", (double)a->not_running, false) &&

       num(d, "rejected", (double)rr->nrejected, false) &&
       num(d, "duplicates", (double)run->duplicates, run->duplicates < 0);
  d = ok ? cJSON_AddObjectToObject(o, "chunks") : NULL;
  ok = d != NULL && num(d, "planned", (double)rr->nroots, false) &&
       num(d, "ok", (double)a->ok_chunks, false) &&
       num(d, "failed", (double)a->failed_chunks, false) &&
       num(d, "skipped", (double)a->skipped_chunks, false) &&
       num(d, "pending", (double)a->pending_chunks, false) &&
       num(d, "retry_pending", (double)a->retry_pending_chunks, false) &&
       num(d, "split", (double)a->splits, false) &&

       num(o, "calls", (double)a->calls, false) &&
       num(o, "retries", (double)a->retries, false) &&
       num(o, "ambiguous_attempts", (double)a->ambiguous, false) &&
       num(o, "calls_per_s", round3(a->calls_per_s), a->calls_per_s < 0) &&
       num(o, "desktops_per_s", round3(a->desktops_per_s),
           a->desktops_per_s < 0) &&
       groups(o, "failures", "error_code", a->failures, a->nfailures) &&
       groups(o, "skipped", "reason", a->skips, a->nskips) &&
       preflight(o, a) &&
       regions(o, a);
  p = ok ? cJSON_AddArrayToObject(o, "pending_chunks") : NULL;
  ok = p != NULL && wr_audit_each_leaf(rr, pending, p) == 0;
  p = ok ? cJSON_AddArrayToObject(o, "retry_pending_chunks") : NULL;
  ok = p != NULL && wr_audit_each_leaf(rr, retry_pending, p) == 0 &&
       waves(o, a) && rejected(o, rr) &&
       cJSON_AddBoolToObject(o, "summary_differs", a->summary_differs) &&
       num(o, "torn_line", (double)rr->torn_line, rr->torn_line == 0) &&
       num(o, "unknown_records", (double)rr->nunknown, false) &&
       wr_audit_json_story(o, a);
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

int wr_audit_json(const struct wr_audit *a, FILE *out)
{
  cJSON *o = build(a);
  char *t = o != NULL ? cJSON_Print(o) : NULL;

  cJSON_Delete(o);
  if (t == NULL)
    return WR_ENOMEM;
  fputs(t, out);
  putc('\n', out);
  cJSON_free(t);
  return 0;
}
