/* audit_story_json: the story of audit_story.c as JSON fields of the
 * audit object, structured rather than as rows: "sessions" (who, the
 * credentials, times, calls, rate, option origins), "input_files",
 * "safety" ({"canary": {"value", "origin"}, ...}), "verification",
 * "waves_finished", "ambiguous" and "failed_desktops". */
#include "audit.h"

#include <string.h>

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

static double round3(double v)
{
  return (double)(long long)(v * 1000 + 0.5) / 1000;
}

static bool session(cJSON *a, const struct wr_audit_session *as)
{
  const struct wr_rread_session *s = as->s;
  cJSON *e = cJSON_CreateObject(), *c, *x;

  if (e == NULL || !cJSON_AddItemToArray(a, e)) {
    cJSON_Delete(e);
    return false;
  }
  if (!num(e, "session", (double)s->index, false) ||
      !str(e, "kind", s->kind) || !str(e, "started_at", s->started_at) ||
      !str(e, "finished_at", as->finished_at) ||
      !cJSON_AddBoolToObject(e, "ended", s->ended) ||
      !num(e, "duration_s", round3(as->duration_s), as->duration_s < 0) ||
      !num(e, "calls", (double)s->calls, false) ||
      !num(e, "calls_per_s", round3(as->calls_per_s), as->calls_per_s < 0) ||
      !num(e, "rate_limit", as->rate_limit, as->rate_limit < 0) ||
      !cJSON_AddBoolToObject(e, "recorded", s->has_record) ||
      !str(e, "user", s->user) || !str(e, "host", s->host) ||
      !num(e, "pid", (double)s->pid, s->pid < 0) ||
      !str(e, "tool_version", s->tool_version))
    return false;
  c = cJSON_AddObjectToObject(e, "credentials");
  if (c == NULL || !str(c, "source", s->creds_source) ||
      !str(c, "access_key_id_masked", s->key_id_masked) ||
      !num(c, "renewals", (double)s->renewals, false) ||
      !str(c, "renewed_access_key_id_masked", s->renewed_key_id_masked) ||
      !str(c, "renewed_expires_at", s->renewed_expires_at))
    return false;
  x = s->origins != NULL ? cJSON_Duplicate(s->origins, true)
                         : cJSON_CreateNull();
  if (x == NULL || !cJSON_AddItemToObject(e, "option_origins", x)) {
    cJSON_Delete(x);
    return false;
  }
  return true;
}

static bool inputs(cJSON *o, const struct wr_rread_run *run)
{
  cJSON *a = cJSON_AddArrayToObject(o, "input_files"), *e;
  size_t i;

  for (i = 0; a != NULL && i < run->ninput_files; i++) {
    const struct wr_rread_input *in = &run->input_files[i];

    e = cJSON_CreateObject();
    if (e == NULL || !cJSON_AddItemToArray(a, e)) {
      cJSON_Delete(e);
      return false;
    }
    if (!str(e, "path", in->path) ||
        !num(e, "bytes", in->bytes, in->bytes < 0) ||
        !num(e, "rows", (double)in->rows, in->rows < 0) ||
        !str(e, "sha256", in->sha256))
      return false;
  }
  return a != NULL;
}

static bool safety(cJSON *o, const struct wr_audit *a)
{
  cJSON *s = cJSON_AddObjectToObject(o, "safety"), *e;
  const char *origins, *val;
  char buf[64];
  size_t i;

  for (i = 0; s != NULL && wr_audit_safety_options[i] != NULL; i++) {
    val = wr_audit_option(a, wr_audit_safety_options[i], buf, sizeof(buf),
                          &origins);
    if (val == NULL && strcmp(wr_audit_safety_options[i], "preflight") == 0)
      continue;
    e = cJSON_AddObjectToObject(s, wr_audit_safety_options[i]);
    if (e == NULL || !str(e, "value", val) || !str(e, "origin", origins))
      return false;
  }
  return s != NULL;
}

static bool ambiguous(cJSON *o, const struct wr_rread *rr)
{
  cJSON *a = cJSON_AddArrayToObject(o, "ambiguous"), *e;
  size_t i;

  for (i = 0; a != NULL && i < rr->nchunks; i++) {
    const struct wr_rread_chunk *c = &rr->chunks[i];

    if (c->ambiguous_attempts <= 0)
      continue;
    e = cJSON_CreateObject();
    if (e == NULL || !cJSON_AddItemToArray(a, e)) {
      cJSON_Delete(e);
      return false;
    }
    if (!str(e, "chunk", c->id) ||
        !num(e, "attempts", c->attempts, false) ||
        !num(e, "ambiguous_attempts", c->ambiguous_attempts, false) ||
        !str(e, "resolution", c->status == WR_RREAD_OK ? "ok"
                              : c->status == WR_RREAD_SPLIT ? "split"
                                                            : "unresolved") ||
        !str(e, "status", wr_rread_status_name(c->status)) ||
        !str(e, "request_id", c->request_id) ||
        !str(e, "error_code", c->error_code))
      return false;
  }
  return a != NULL;
}

static int failed_leaf(const struct wr_rread_chunk *c, void *ud)
{
  cJSON *e;
  size_t k;

  if (c->status != WR_RREAD_FAILED)
    return 0;
  for (k = 0; k < c->nids; k++) {
    e = cJSON_CreateObject();
    if (e == NULL || !cJSON_AddItemToArray(ud, e)) {
      cJSON_Delete(e);
      return WR_ENOMEM;
    }
    if (!str(e, "desktop_id", c->ids[k]) ||
        !str(e, "error_code", c->error_code) || !str(e, "chunk", c->id) ||
        !cJSON_AddBoolToObject(e, "retry_pending", c->retry_pending))
      return WR_ENOMEM;
  }
  return 0;
}

/* resume --retry-failed: {"desktops","chunks","now_ok","failed_again",
 * "other" (excluded, skipped or pending), "links":[{"chunk","retry_of",
 * "status"}]}, status the retry chunk's own final record ("split" when its
 * parts hold the outcome). */
static bool retried(cJSON *o, const struct wr_audit *a)
{
  const struct wr_rread *rr = a->rr;
  cJSON *r = cJSON_AddObjectToObject(o, "retried"), *l, *e;
  size_t i;

  l = r != NULL ? cJSON_AddArrayToObject(r, "links") : NULL;
  if (l == NULL || !num(r, "desktops", (double)a->retried, false) ||
      !num(r, "chunks", (double)a->retried_chunks, false) ||
      !num(r, "now_ok", (double)a->retried_ok, false) ||
      !num(r, "failed_again", (double)a->retried_failed, false) ||
      !num(r, "other", (double)a->retried_other, false))
    return false;
  for (i = 0; i < rr->nchunks; i++) {
    const struct wr_rread_chunk *c = &rr->chunks[i];

    if (c->retry_of < 0)
      continue;
    e = cJSON_CreateObject();
    if (e == NULL || !cJSON_AddItemToArray(l, e)) {
      cJSON_Delete(e);
      return false;
    }
    if (!str(e, "chunk", c->id) ||
        !str(e, "retry_of", rr->chunks[c->retry_of].id) ||
        !str(e, "status", wr_rread_status_name(c->status)))
      return false;
  }
  return true;
}

bool wr_audit_json_story(cJSON *o, const struct wr_audit *a)
{
  cJSON *s = cJSON_AddArrayToObject(o, "sessions"), *v;
  size_t i;

  for (i = 0; s != NULL && i < a->nsessions; i++)
    if (!session(s, &a->sessions[i]))
      return false;
  if (s == NULL || !inputs(o, &a->rr->run) || !safety(o, a) ||
      !num(o, "waves_finished", (double)a->nwaves, false))
    return false;
  v = cJSON_AddObjectToObject(o, "verification");
  if (v == NULL || !cJSON_AddBoolToObject(v, "requested", a->verify_on) ||
      !num(v, "verified", (double)a->verified, false) ||
      !num(v, "running", (double)a->v_running, false) ||
      !num(v, "not_running", (double)a->not_running, false) ||
      !num(v, "not_verified", (double)a->not_verified, false) ||
      !ambiguous(o, a->rr) || !retried(o, a))
    return false;
  s = cJSON_AddArrayToObject(o, "failed_desktops");
  return s != NULL && wr_audit_each_leaf(a->rr, failed_leaf, s) == 0;
}
