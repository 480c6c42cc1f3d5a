/* report_read_rec: one parsed report line -> struct wr_rread.
 *
 * Every string is copied into the arena (the cJSON tree is freed as soon
 * as the line is decoded).  Fields the audit relies on are checked for
 * type; a field that is absent or null reads as "none".  Plan and chunk
 * records build the chunk forest in report_read_tree.c. */
#include "report_read_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wr_rr_bad(struct wr_rread_ctx *c, int code, const char *fmt, ...)
{
  char what[WR_ERR_LEN];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  return wr_err_set(c->err, code, "%s:%ld: %s", c->rr->path, c->line, what);
}

int wr_rr_nomem(struct wr_rread_ctx *c)
{
  return wr_rr_bad(c, WR_ENOMEM, "out of memory");
}

/* Make room for one more element of size sz in *arr (capacity *cap). */
int wr_rr_grow(struct wr_rread_ctx *c, void **arr, size_t *cap, size_t n,
               size_t sz)
{
  size_t ncap;
  void *p;

  if (n < *cap)
    return 0;
  ncap = *cap ? *cap * 2 : 16;
  if (ncap > SIZE_MAX / sz)
    return wr_rr_bad(c, WR_ETOOBIG, "too many records");
  p = realloc(*arr, ncap * sz);
  if (p == NULL)
    return wr_rr_nomem(c);
  *arr = p;
  *cap = ncap;
  return 0;
}

static const char *dup_str(struct wr_rread_ctx *c, const char *s)
{
  return wr_arena_strndup(c->arena, s, strlen(s));
}

/* *out: a copy of the string field, NULL when absent or null. */
int wr_rr_str(struct wr_rread_ctx *c, const cJSON *o, const char *type,
              const char *key, bool required, const char **out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  *out = NULL;
  if (v == NULL || cJSON_IsNull(v)) {
    if (required)
      return wr_rr_bad(c, WR_EINPUT, "%s record without \"%s\"", type, key);
    return 0;
  }
  if (!cJSON_IsString(v))
    return wr_rr_bad(c, WR_EINPUT, "%s record: \"%s\" is not a string", type,
                     key);
  *out = dup_str(c, v->valuestring);
  return *out == NULL ? wr_rr_nomem(c) : 0;
}

static int get_num(struct wr_rread_ctx *c, const cJSON *o, const char *type,
                   const char *key, bool required, double dflt, double *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  *out = dflt;
  if (v == NULL || cJSON_IsNull(v)) {
    if (required)
      return wr_rr_bad(c, WR_EINPUT, "%s record without \"%s\"", type, key);
    return 0;
  }
  if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
    return wr_rr_bad(c, WR_EINPUT, "%s record: \"%s\" is not a number", type,
                     key);
  *out = v->valuedouble;
  return 0;
}

/* A whole number that fits a long (and an int when the field is one). */
int wr_rr_long(struct wr_rread_ctx *c, const cJSON *o, const char *type,
               const char *key, bool required, long dflt, long *out)
{
  double d;
  int rc;

  *out = dflt;
  rc = get_num(c, o, type, key, required, (double)dflt, &d);
  if (rc < 0)
    return rc;
  if (d != floor(d) || d < -2147483648.0 || d > 9007199254740992.0)
    return wr_rr_bad(c, WR_EINPUT,
                     "%s record: \"%s\" is not a whole number "
                     "in range",
                     type, key);
  *out = (long)d;
  return 0;
}

int wr_rr_int(struct wr_rread_ctx *c, const cJSON *o, const char *type,
              const char *key, int *out)
{
  long v;
  int rc;

  *out = 0;
  rc = wr_rr_long(c, o, type, key, false, 0, &v);
  if (rc < 0)
    return rc;
  if (v > 2147483647L)
    return wr_rr_bad(c, WR_EINPUT, "%s record: \"%s\" is too large", type, key);
  *out = (int)v;
  return 0;
}

int wr_rr_bool(struct wr_rread_ctx *c, const cJSON *o, const char *type,
                    const char *key, bool *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  *out = false;
  if (v == NULL || cJSON_IsNull(v))
    return 0;
  if (!cJSON_IsBool(v))
    return wr_rr_bad(c, WR_EINPUT, "%s record: \"%s\" is not true or false",
                     type, key);
  *out = cJSON_IsTrue(v);
  return 0;
}

/* An array of strings (absent or null: empty unless required). */
int wr_rr_strs(struct wr_rread_ctx *c, const cJSON *o, const char *type,
               const char *key, bool required, const char ***out, size_t *n)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key), *e;
  const char **a;
  size_t i = 0, cnt;

  *out = NULL;
  *n = 0;
  if (v == NULL || cJSON_IsNull(v)) {
    if (required)
      return wr_rr_bad(c, WR_EINPUT, "%s record without \"%s\"", type, key);
    return 0;
  }
  if (!cJSON_IsArray(v))
    return wr_rr_bad(c, WR_EINPUT, "%s record: \"%s\" is not an array", type,
                     key);
  cnt = (size_t)cJSON_GetArraySize(v);
  if (cnt == 0)
    return required ? wr_rr_bad(c, WR_EINPUT, "%s record: \"%s\" is empty",
                                type, key)
                    : 0;
  a = wr_arena_alloc(c->arena, cnt * sizeof(*a));
  if (a == NULL)
    return wr_rr_nomem(c);
  cJSON_ArrayForEach (e, v) {
    if (!cJSON_IsString(e))
      return wr_rr_bad(c, WR_EINPUT, "%s record: \"%s\"[%zu] is not a string",
                       type, key, i);
    if ((a[i++] = dup_str(c, e->valuestring)) == NULL)
      return wr_rr_nomem(c);
  }
  *out = a;
  *n = cnt;
  return 0;
}

static int decode_run(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_run *r = &c->rr->run;
  const cJSON *opts;
  double ver;
  int rc;

  if (c->seen_run)
    return wr_rr_bad(c, WR_EINPUT,
                     "a second run record (one report holds one "
                     "run)");
  c->seen_run = true;
  if ((rc = get_num(c, o, "run", "report_version", true, 0, &ver)) < 0)
    return rc;
  if (ver != 1)
    return wr_rr_bad(c, WR_EINPUT,
                     "report_version %g is not supported (this "
                     "version of wuying-reboot reads version 1)",
                     ver);
  if ((rc = wr_rr_str(c, o, "run", "run_id", true, &r->run_id)) < 0 ||
      (rc = wr_rr_str(c, o, "run", "started_at", false, &r->started_at)) < 0 ||
      (rc = wr_rr_str(c, o, "run", "tool_version", false,
                      &r->tool_version)) < 0 ||
      (rc = wr_rr_str(c, o, "run", "api", false, &r->api)) < 0 ||
      (rc = wr_rr_str(c, o, "run", "action", false, &r->action)) < 0 ||
      (rc = wr_rr_str(c, o, "run", "endpoint", false, &r->endpoint)) < 0 ||
      (rc = get_num(c, o, "run", "rate", false, -1, &r->rate)) < 0 ||
      (rc = wr_rr_long(c, o, "run", "concurrency", false, -1,
                       &r->concurrency)) < 0 ||
      (rc = wr_rr_long(c, o, "run", "chunk_size", false, -1,
                       &r->chunk_size)) < 0 ||
      (rc = wr_rr_strs(c, o, "run", "inputs", false, &r->inputs,
                       &r->ninputs)) < 0 ||
      (rc = wr_rr_long(c, o, "run", "desktops", false, -1, &r->desktops)) < 0 ||
      (rc = wr_rr_long(c, o, "run", "chunks", false, -1, &r->chunks)) < 0 ||
      (rc = wr_rr_long(c, o, "run", "rejected", false, -1, &r->rejected)) < 0 ||
      (rc = wr_rr_long(c, o, "run", "duplicates", false, -1,
                       &r->duplicates)) < 0)
    return rc;
  opts = cJSON_GetObjectItemCaseSensitive(o, "options");
  if (opts != NULL && !cJSON_IsNull(opts)) {
    if (!cJSON_IsObject(opts))
      return wr_rr_bad(c, WR_EINPUT,
                       "run record: \"options\" is not an object");
    if ((r->options = cJSON_Duplicate(opts, true)) == NULL)
      return wr_rr_nomem(c);
  }
  opts = cJSON_GetObjectItemCaseSensitive(o, "selection");
  if (opts != NULL && !cJSON_IsNull(opts)) {
    if (!cJSON_IsObject(opts))
      return wr_rr_bad(c, WR_EINPUT,
                       "run record: \"selection\" is not an object");
    if ((r->selection = cJSON_Duplicate(opts, true)) == NULL)
      return wr_rr_nomem(c);
  }
  if ((rc = wr_rread_inputs(c, o, "run", "input_files", &r->input_files,
                            &r->ninput_files)) < 0)
    return rc;
  return wr_rread_session_open(c, "run", r->started_at);
}

static int decode_rejected(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread *rr = c->rr;
  struct wr_rread_rejected *r;
  int rc;

  if ((rc = wr_rr_grow(c, (void **)&rr->rejected, &c->cap_rejected,
                       rr->nrejected, sizeof(*r))) < 0)
    return rc;
  r = &rr->rejected[rr->nrejected];
  memset(r, 0, sizeof(*r));
  if ((rc = wr_rr_str(c, o, "rejected", "source", false, &r->source)) < 0 ||
      (rc = wr_rr_long(c, o, "rejected", "line", false, 0, &r->line)) < 0 ||
      (rc = wr_rr_str(c, o, "rejected", "value", false, &r->value)) < 0 ||
      (rc = wr_rr_str(c, o, "rejected", "reason", false, &r->reason)) < 0)
    return rc;
  rr->nrejected++;
  return 0;
}

static int decode_wave(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread *rr = c->rr;
  struct wr_rread_wave *w;
  int rc;

  if ((rc = wr_rr_grow(c, (void **)&rr->waves, &c->cap_waves, rr->nwaves,
                       sizeof(*w))) < 0)
    return rc;
  w = &rr->waves[rr->nwaves];
  memset(w, 0, sizeof(*w));
  if ((rc = wr_rr_long(c, o, "wave", "wave", false, 0, &w->wave)) < 0 ||
      (rc = wr_rr_bool(c, o, "wave", "canary", &w->canary)) < 0 ||
      (rc = wr_rr_long(c, o, "wave", "ok_desktops", false, 0,
                       &w->ok_desktops)) < 0 ||
      (rc = wr_rr_long(c, o, "wave", "failed_desktops", false, 0,
                       &w->failed_desktops)) < 0 ||
      (rc = wr_rr_str(c, o, "wave", "finished_at", false, &w->finished_at)) < 0)
    return rc;
  rr->nwaves++;
  return 0;
}

static int decode_verify(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread *rr = c->rr;
  struct wr_rread_verify *v;
  int rc;

  if ((rc = wr_rr_grow(c, (void **)&rr->verifies, &c->cap_verifies,
                       rr->nverifies, sizeof(*v))) < 0)
    return rc;
  v = &rr->verifies[rr->nverifies];
  memset(v, 0, sizeof(*v));
  if ((rc = wr_rr_long(c, o, "verify", "wave", false, 0, &v->wave)) < 0 ||
      (rc = wr_rr_long(c, o, "verify", "desktops", false, 0,
                       &v->desktops)) < 0 ||
      (rc = wr_rr_long(c, o, "verify", "running", false, 0, &v->running)) < 0 ||
      (rc = wr_rr_bool(c, o, "verify", "timed_out", &v->timed_out)) < 0 ||
      (rc = wr_rr_long(c, o, "verify", "calls", false, 0, &v->calls)) < 0 ||
      (rc = wr_rr_long(c, o, "verify", "errors", false, 0, &v->errors)) < 0 ||
      (rc = wr_rr_strs(c, o, "verify", "not_running", false, &v->not_running,
                       &v->nnot_running)) < 0 ||
      (rc = wr_rr_str(c, o, "verify", "last_error", false,
                      &v->last_error)) < 0 ||
      (rc = wr_rr_str(c, o, "verify", "finished_at", false,
                      &v->finished_at)) < 0 ||
      (rc = wr_rr_strs(c, o, "verify", "desktop_ids", false, &v->desktop_ids,
                       &v->ndesktop_ids)) < 0 ||
      (rc = wr_rr_strs(c, o, "verify", "not_verified", false,
                       &v->not_verified, &v->nnot_verified)) < 0 ||
      (rc = wr_rr_str(c, o, "verify", "interrupted", false,
                      &v->interrupted)) < 0 ||
      (rc = wr_rr_bool(c, o, "verify", "earlier_sessions", &v->earlier)) < 0 ||
      (rc = wr_rr_long(c, o, "verify", "part", false, 0, &v->part)) < 0 ||
      (rc = wr_rr_long(c, o, "verify", "parts", false, 0, &v->parts)) < 0)
    return rc;
  rr->nverifies++;
  return 0;
}

static int decode_preflight(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread *rr = c->rr;
  struct wr_rread_preflight *p;
  int rc;

  if ((rc = wr_rr_grow(c, (void **)&rr->preflights, &c->cap_preflights,
                       rr->npreflights, sizeof(*p))) < 0)
    return rc;
  p = &rr->preflights[rr->npreflights];
  memset(p, 0, sizeof(*p));
  if ((rc = wr_rr_long(c, o, "preflight", "wave", false, 0, &p->wave)) < 0 ||
      (rc = wr_rr_str(c, o, "preflight", "region", false, &p->region)) < 0 ||
      (rc = wr_rr_long(c, o, "preflight", "desktops", false, 0,
                       &p->desktops)) < 0 ||
      (rc = wr_rr_long(c, o, "preflight", "attempt", false, 1,
                       &p->attempt)) < 0 ||
      (rc = wr_rr_str(c, o, "preflight", "request_id", false,
                      &p->request_id)) < 0 ||
      (rc = wr_rr_long(c, o, "preflight", "running", false, 0,
                       &p->running)) < 0 ||
      (rc = wr_rr_long(c, o, "preflight", "excluded", false, 0,
                       &p->excluded)) < 0 ||
      (rc = wr_rr_long(c, o, "preflight", "not_found", false, 0,
                       &p->not_found)) < 0 ||
      (rc = wr_rr_str(c, o, "preflight", "error", false, &p->error)) < 0 ||
      (rc = wr_rr_str(c, o, "preflight", "finished_at", false,
                      &p->finished_at)) < 0)
    return rc;
  rr->npreflights++;
  return 0;
}

/* Resume appends a summary per session: the last one describes the run. */
static int decode_summary(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_summary *s = &c->rr->summary;
  int rc;

  memset(s, 0, sizeof(*s));
  if ((rc = wr_rr_str(c, o, "summary", "finished_at", false,
                      &s->finished_at)) < 0 ||
      (rc = wr_rr_long(c, o, "summary", "ok_chunks", false, 0,
                       &s->ok_chunks)) < 0 ||
      (rc = wr_rr_long(c, o, "summary", "failed_chunks", false, 0,
                       &s->failed_chunks)) < 0 ||
      (rc = wr_rr_long(c, o, "summary", "skipped_chunks", false, 0,
                       &s->skipped_chunks)) < 0 ||
      (rc = wr_rr_long(c, o, "summary", "ok_desktops", false, 0,
                       &s->ok_desktops)) < 0 ||
      (rc = wr_rr_long(c, o, "summary", "failed_desktops", false, 0,
                       &s->failed_desktops)) < 0 ||
      (rc = wr_rr_long(c, o, "summary", "skipped_desktops", false, 0,
                       &s->skipped_desktops)) < 0 ||
      (rc = wr_rr_long(c, o, "summary", "excluded_chunks", false, 0,
                       &s->excluded_chunks)) < 0 ||
      (rc = wr_rr_long(c, o, "summary", "excluded_desktops", false, 0,
                       &s->excluded_desktops)) < 0 ||
      (rc = wr_rr_int(c, o, "summary", "exit_code", &s->exit_code)) < 0 ||
      (rc = wr_rr_str(c, o, "summary", "stop_reason", false,
                      &s->stop_reason)) < 0)
    return rc;
  wr_rread_session_summary(c, s);
  c->rr->has_summary = true;
  c->rr->nsummaries++;
  return 0;
}

int wr_rread_record(struct wr_rread_ctx *c, const cJSON *o)
{
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
  const char *type;

  if (!cJSON_IsObject(o))
    return wr_rr_bad(c, WR_EINPUT, "not a JSON object");
  if (!cJSON_IsString(t))
    return wr_rr_bad(c, WR_EINPUT, "record without a \"type\" string");
  type = t->valuestring;
  if (!c->seen_run && strcmp(type, "run") != 0)
    return wr_rr_bad(c, WR_EINPUT,
                     "the first record is \"%.40s\", not \"run\" "
                     "(is this a wuying-reboot report?)",
                     type);
  if (strcmp(type, "run") == 0)
    return decode_run(c, o);
  if (strcmp(type, "rejected") == 0)
    return decode_rejected(c, o);
  if (strcmp(type, "plan") == 0)
    return wr_rread_plan(c, o);
  if (strcmp(type, "columns") == 0)
    return wr_rread_columns(c, o);
  if (strcmp(type, "chunk") == 0) {
    int rc = wr_rread_chunk_record(c, o);

    if (rc == 0)
      wr_rread_session_chunk(c, o);
    return rc;
  }
  if (strcmp(type, "session") == 0)
    return wr_rread_session_record(c, o);
  if (strcmp(type, "wave") == 0)
    return decode_wave(c, o);
  if (strcmp(type, "verify") == 0)
    return decode_verify(c, o);
  if (strcmp(type, "retry") == 0)
    return wr_rread_retry(c, o);
  if (strcmp(type, "summary") == 0)
    return decode_summary(c, o);
  if (strcmp(type, "preflight") == 0)
    return decode_preflight(c, o);
  if (strcmp(type, "credentials") == 0)
    return wr_rread_session_creds(c, o);
  /* resume starts each session with one, then appends records as run
   * does, and a summary of its own. */
  if (strcmp(type, "resume") == 0) {
    int rc;

    c->rr->nresumes++;
    c->resume_line = c->line;
    rc = wr_rr_str(c, o, "resume", "started_at", false,
                   &c->rr->last_resumed_at);
    return rc < 0 ? rc
                  : wr_rread_session_open(c, "resume", c->rr->last_resumed_at);
  }
  if (c->rr->nunknown++ == 0 &&
      (c->rr->first_unknown = dup_str(c, type)) == NULL)
    return wr_rr_nomem(c);
  return 0;
}
