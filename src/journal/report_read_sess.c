/* report_read_sess: the sessions of a report (the run and each resume)
 * and the input files a run read.  Sessions come from the run and resume
 * records, so an older report, without session records, still has them;
 * a session record only adds who ran it and with what. */
#include "report_read_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct wr_rread_session *current(struct wr_rread_ctx *c)
{
  return c->rr->nsessions > 0 ? &c->rr->sessions[c->rr->nsessions - 1]
                              : NULL;
}

int wr_rread_session_open(struct wr_rread_ctx *c, const char *kind,
                          const char *started_at)
{
  struct wr_rread *rr = c->rr;
  struct wr_rread_session *s;
  int rc;

  if ((rc = wr_rr_grow(c, (void **)&rr->sessions, &c->cap_sessions,
                       rr->nsessions, sizeof(*s))) < 0)
    return rc;
  s = &rr->sessions[rr->nsessions];
  memset(s, 0, sizeof(*s));
  s->index = (long)rr->nsessions;
  s->kind = kind;
  s->started_at = started_at;
  s->pid = -1;
  s->exit_code = -1;
  rr->nsessions++;
  return 0;
}

int wr_rread_inputs(struct wr_rread_ctx *c, const cJSON *o, const char *type,
                    const char *key, struct wr_rread_input **out, size_t *n)
{
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key), *it;
  struct wr_rread_input *in;
  size_t i = 0;
  double d;
  int rc;

  *out = NULL;
  *n = 0;
  if (a == NULL || cJSON_IsNull(a))
    return 0;
  if (!cJSON_IsArray(a))
    return wr_rr_bad(c, WR_EINPUT, "%s record: \"%s\" is not an array", type,
                     key);
  in = wr_arena_alloc(c->arena, (size_t)cJSON_GetArraySize(a) * sizeof(*in) +
                                    1);
  if (in == NULL)
    return wr_rr_nomem(c);
  cJSON_ArrayForEach(it, a) {
    const cJSON *b;

    if (!cJSON_IsObject(it))
      return wr_rr_bad(c, WR_EINPUT, "%s record: \"%s\" holds a non-object",
                       type, key);
    memset(&in[i], 0, sizeof(in[i]));
    b = cJSON_GetObjectItemCaseSensitive(it, "bytes");
    d = cJSON_IsNumber(b) && isfinite(b->valuedouble) ? b->valuedouble : -1;
    in[i].bytes = d;
    if ((rc = wr_rr_str(c, it, type, "path", false, &in[i].path)) < 0 ||
        (rc = wr_rr_long(c, it, type, "rows", false, -1, &in[i].rows)) < 0 ||
        (rc = wr_rr_str(c, it, type, "sha256", false, &in[i].sha256)) < 0)
      return rc;
    i++;
  }
  *out = in;
  *n = i;
  return 0;
}

static int dup_obj(struct wr_rread_ctx *c, const cJSON *o, const char *key,
                   cJSON **out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  if (v == NULL || cJSON_IsNull(v))
    return 0;
  if (!cJSON_IsObject(v))
    return wr_rr_bad(c, WR_EINPUT, "session record: \"%s\" is not an object",
                     key);
  *out = cJSON_Duplicate(v, true);
  return *out == NULL ? wr_rr_nomem(c) : 0;
}

int wr_rread_session_record(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_session *s = current(c);
  const cJSON *cr = cJSON_GetObjectItemCaseSensitive(o, "credentials");
  int rc;

  if (s == NULL || s->has_record) /* one per session: a stray is skipped */
    return 0;
  s->has_record = true;
  if ((rc = wr_rr_str(c, o, "session", "user", false, &s->user)) < 0 ||
      (rc = wr_rr_str(c, o, "session", "host", false, &s->host)) < 0 ||
      (rc = wr_rr_long(c, o, "session", "pid", false, -1, &s->pid)) < 0 ||
      (rc = wr_rr_str(c, o, "session", "tool_version", false,
                      &s->tool_version)) < 0 ||
      (rc = wr_rread_inputs(c, o, "session", "inputs", &s->inputs,
                            &s->ninputs)) < 0 ||
      (rc = dup_obj(c, o, "options", &s->options)) < 0 ||
      (rc = dup_obj(c, o, "option_origins", &s->origins)) < 0)
    return rc;
  if (cJSON_IsObject(cr) &&
      ((rc = wr_rr_str(c, cr, "session", "source", false,
                       &s->creds_source)) < 0 ||
       (rc = wr_rr_str(c, cr, "session", "access_key_id_masked", false,
                       &s->key_id_masked)) < 0))
    return rc;
  return 0;
}

int wr_rread_session_creds(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_session *s = current(c);
  int rc;

  if (s == NULL)
    return 0;
  s->renewals++;
  if ((rc = wr_rr_str(c, o, "credentials", "access_key_id", false,
                      &s->renewed_key_id_masked)) < 0 ||
      (rc = wr_rr_str(c, o, "credentials", "expires_at", false,
                      &s->renewed_expires_at)) < 0)
    return rc;
  return 0;
}

/* The record was decoded already (wr_rread_chunk_record): no checks. */
void wr_rread_session_chunk(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_session *s = current(c);
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "attempts");
  const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "finished_at");

  if (s == NULL)
    return;
  s->final_records++;
  if (cJSON_IsNumber(a) && a->valuedouble > 0)
    s->calls += (long)a->valuedouble;
  if (cJSON_IsString(f)) {
    const char *t = wr_arena_strndup(c->arena, f->valuestring,
                                     strlen(f->valuestring));

    if (t != NULL)
      s->last_record_at = t;
  }
}

void wr_rread_session_summary(struct wr_rread_ctx *c,
                              const struct wr_rread_summary *sum)
{
  struct wr_rread_session *s = current(c);

  if (s == NULL)
    return;
  s->ended = true;
  s->finished_at = sum->finished_at;
  s->exit_code = sum->exit_code;
  s->stop_reason = sum->stop_reason;
}
