/* report_read_rec: one parsed report line -> struct wr_rread.
 *
 * Every string is copied into the arena (the cJSON tree is freed as soon
 * as the line is decoded).  Fields the audit relies on are checked for
 * type; a field that is absent or null reads as "none".  The chunk forest
 * is checked as it grows: a final record must name a planned chunk or a
 * part of a split one, carry the same desktops, and be the only final
 * record of that chunk (CONTRACT.md). */
#include "report_read_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 3, 4)))
static int bad(struct wr_rread_ctx *c, int code, const char *fmt, ...)
{
  char what[WR_ERR_LEN];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  return wr_err_set(c->err, code, "%s:%ld: %s", c->rr->path, c->line, what);
}

static int nomem(struct wr_rread_ctx *c)
{
  return bad(c, WR_ENOMEM, "out of memory");
}

/* Make room for one more element of size sz in *arr (capacity *cap). */
static int grow(struct wr_rread_ctx *c, void **arr, size_t *cap, size_t n,
                size_t sz)
{
  size_t ncap;
  void *p;

  if (n < *cap)
    return 0;
  ncap = *cap ? *cap * 2 : 16;
  if (ncap > SIZE_MAX / sz)
    return bad(c, WR_ETOOBIG, "too many records");
  p = realloc(*arr, ncap * sz);
  if (p == NULL)
    return nomem(c);
  *arr = p;
  *cap = ncap;
  return 0;
}

static const char *dup_str(struct wr_rread_ctx *c, const char *s)
{
  return wr_arena_strndup(c->arena, s, strlen(s));
}

/* *out: a copy of the string field, NULL when absent or null. */
static int get_str(struct wr_rread_ctx *c, const cJSON *o, const char *type,
                   const char *key, bool required, const char **out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  *out = NULL;
  if (v == NULL || cJSON_IsNull(v)) {
    if (required)
      return bad(c, WR_EINPUT, "%s record without \"%s\"", type, key);
    return 0;
  }
  if (!cJSON_IsString(v))
    return bad(c, WR_EINPUT, "%s record: \"%s\" is not a string", type, key);
  *out = dup_str(c, v->valuestring);
  return *out == NULL ? nomem(c) : 0;
}

static int get_num(struct wr_rread_ctx *c, const cJSON *o, const char *type,
                   const char *key, bool required, double dflt, double *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  *out = dflt;
  if (v == NULL || cJSON_IsNull(v)) {
    if (required)
      return bad(c, WR_EINPUT, "%s record without \"%s\"", type, key);
    return 0;
  }
  if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
    return bad(c, WR_EINPUT, "%s record: \"%s\" is not a number", type, key);
  *out = v->valuedouble;
  return 0;
}

/* A whole number that fits a long (and an int when the field is one). */
static int get_long(struct wr_rread_ctx *c, const cJSON *o, const char *type,
                    const char *key, bool required, long dflt, long *out)
{
  double d;
  int rc = get_num(c, o, type, key, required, (double)dflt, &d);

  if (rc < 0)
    return rc;
  if (d != floor(d) || d < -2147483648.0 || d > 9007199254740992.0)
    return bad(c, WR_EINPUT, "%s record: \"%s\" is not a whole number "
               "in range", type, key);
  *out = (long)d;
  return 0;
}

static int get_int(struct wr_rread_ctx *c, const cJSON *o, const char *type,
                   const char *key, int *out)
{
  long v;
  int rc = get_long(c, o, type, key, false, 0, &v);

  if (rc == 0 && v > 2147483647L)
    return bad(c, WR_EINPUT, "%s record: \"%s\" is too large", type, key);
  *out = (int)v;
  return rc;
}

static int get_bool(struct wr_rread_ctx *c, const cJSON *o, const char *type,
                    const char *key, bool *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  *out = false;
  if (v == NULL || cJSON_IsNull(v))
    return 0;
  if (!cJSON_IsBool(v))
    return bad(c, WR_EINPUT, "%s record: \"%s\" is not true or false", type,
               key);
  *out = cJSON_IsTrue(v);
  return 0;
}

/* An array of strings (absent or null: empty unless required). */
static int get_strs(struct wr_rread_ctx *c, const cJSON *o, const char *type,
                    const char *key, bool required, const char ***out,
                    size_t *n)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key), *e;
  const char **a;
  size_t i = 0, cnt;

  *out = NULL;
  *n = 0;
  if (v == NULL || cJSON_IsNull(v)) {
    if (required)
      return bad(c, WR_EINPUT, "%s record without \"%s\"", type, key);
    return 0;
  }
  if (!cJSON_IsArray(v))
    return bad(c, WR_EINPUT, "%s record: \"%s\" is not an array", type, key);
  cnt = (size_t)cJSON_GetArraySize(v);
  if (cnt == 0)
    return required ? bad(c, WR_EINPUT, "%s record: \"%s\" is empty", type,
                          key)
                    : 0;
  a = wr_arena_alloc(c->arena, cnt * sizeof(*a));
  if (a == NULL)
    return nomem(c);
  cJSON_ArrayForEach(e, v) {
    if (!cJSON_IsString(e))
      return bad(c, WR_EINPUT, "%s record: \"%s\"[%zu] is not a string",
                 type, key, i);
    if ((a[i++] = dup_str(c, e->valuestring)) == NULL)
      return nomem(c);
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
    return bad(c, WR_EINPUT, "a second run record (one report holds one "
               "run)");
  c->seen_run = true;
  if ((rc = get_num(c, o, "run", "report_version", true, 0, &ver)) < 0)
    return rc;
  if (ver != 1)
    return bad(c, WR_EINPUT, "report_version %g is not supported (this "
               "version of wuying-reboot reads version 1)", ver);
  if ((rc = get_str(c, o, "run", "run_id", true, &r->run_id)) < 0 ||
      (rc = get_str(c, o, "run", "started_at", false, &r->started_at)) < 0 ||
      (rc = get_str(c, o, "run", "tool_version", false,
                    &r->tool_version)) < 0 ||
      (rc = get_str(c, o, "run", "api", false, &r->api)) < 0 ||
      (rc = get_str(c, o, "run", "action", false, &r->action)) < 0 ||
      (rc = get_str(c, o, "run", "endpoint", false, &r->endpoint)) < 0 ||
      (rc = get_num(c, o, "run", "rate", false, -1, &r->rate)) < 0 ||
      (rc = get_long(c, o, "run", "concurrency", false, -1,
                     &r->concurrency)) < 0 ||
      (rc = get_long(c, o, "run", "chunk_size", false, -1,
                     &r->chunk_size)) < 0 ||
      (rc = get_strs(c, o, "run", "inputs", false, &r->inputs,
                     &r->ninputs)) < 0 ||
      (rc = get_long(c, o, "run", "desktops", false, -1, &r->desktops)) < 0 ||
      (rc = get_long(c, o, "run", "chunks", false, -1, &r->chunks)) < 0 ||
      (rc = get_long(c, o, "run", "rejected", false, -1, &r->rejected)) < 0 ||
      (rc = get_long(c, o, "run", "duplicates", false, -1,
                     &r->duplicates)) < 0)
    return rc;
  opts = cJSON_GetObjectItemCaseSensitive(o, "options");
  if (opts != NULL && !cJSON_IsNull(opts)) {
    if (!cJSON_IsObject(opts))
      return bad(c, WR_EINPUT, "run record: \"options\" is not an object");
    if ((r->options = cJSON_Duplicate(opts, true)) == NULL)
      return nomem(c);
  }
  return 0;
}

static int decode_rejected(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread *rr = c->rr;
  struct wr_rread_rejected *r;
  int rc;

  if ((rc = grow(c, (void **)&rr->rejected, &c->cap_rejected, rr->nrejected,
                 sizeof(*r))) < 0)
    return rc;
  r = &rr->rejected[rr->nrejected];
  memset(r, 0, sizeof(*r));
  if ((rc = get_str(c, o, "rejected", "source", false, &r->source)) < 0 ||
      (rc = get_long(c, o, "rejected", "line", false, 0, &r->line)) < 0 ||
      (rc = get_str(c, o, "rejected", "value", false, &r->value)) < 0 ||
      (rc = get_str(c, o, "rejected", "reason", false, &r->reason)) < 0)
    return rc;
  rr->nrejected++;
  return 0;
}

/* Append a node for chunk id; its index is the id's index in the set. */
static int add_node(struct wr_rread_ctx *c, const char *id,
                    struct wr_rread_chunk **out)
{
  struct wr_rread *rr = c->rr;
  struct wr_rread_chunk *n;
  size_t idx;
  long prev;
  int rc;

  prev = wr_idset_find(rr->index, id, strlen(id));
  if (prev >= 0)
    return bad(c, WR_EINPUT, "chunk \"%s\" is declared twice (first on line "
               "%ld)", id, rr->chunks[prev].plan_line);
  if ((rc = grow(c, (void **)&rr->chunks, &c->cap_chunks, rr->nchunks,
                 sizeof(*n))) < 0)
    return rc;
  rc = wr_idset_add(rr->index, id, strlen(id), &idx);
  if (rc < 0)
    return rc == WR_ENOMEM ? nomem(c) : bad(c, rc, "too many chunks");
  n = &rr->chunks[rr->nchunks++];
  memset(n, 0, sizeof(*n));
  n->id = wr_idset_key(rr->index, idx);
  n->parent = -1;
  n->plan_line = c->line;
  n->latency_ms = -1;
  *out = n;
  return 0;
}

/* A plan's desktops, each stored once in rr->desktops: a desktop in two
 * chunks would be rebooted twice and counted twice. */
static int plan_ids(struct wr_rread_ctx *c, const cJSON *o,
                    struct wr_rread_chunk *n)
{
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "desktop_ids"), *e;
  size_t i = 0, idx;
  int rc;

  if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) == 0)
    return bad(c, WR_EINPUT, "plan record: \"desktop_ids\" is not a "
               "non-empty array");
  n->nids = (size_t)cJSON_GetArraySize(a);
  /* Also keeps the checks of the chunk's final records linear. */
  if (n->nids > WR_RREAD_MAX_CHUNK)
    return bad(c, WR_ETOOBIG, "plan record: %zu desktops in one chunk (at "
               "most %d)", n->nids, WR_RREAD_MAX_CHUNK);
  n->ids = wr_arena_alloc(c->arena, n->nids * sizeof(*n->ids));
  if (n->ids == NULL)
    return nomem(c);
  cJSON_ArrayForEach(e, a) {
    if (!cJSON_IsString(e))
      return bad(c, WR_EINPUT, "plan record: \"desktop_ids\"[%zu] is not a "
                 "string", i);
    rc = wr_idset_add(c->rr->desktops, e->valuestring,
                      strlen(e->valuestring), &idx);
    if (rc < 0)
      return rc == WR_ENOMEM ? nomem(c) : bad(c, rc, "too many desktops");
    if (rc == 0)
      return bad(c, WR_EINPUT, "desktop %.80s is planned twice (again in "
                 "chunk \"%s\")", e->valuestring, n->id);
    n->ids[i++] = wr_idset_key(c->rr->desktops, idx);
  }
  return 0;
}

static int decode_plan(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_chunk *n;
  const char *id;
  long wave;
  int rc;

  if ((rc = get_str(c, o, "plan", "chunk", true, &id)) < 0)
    return rc;
  if (c->rr->nchunks != c->rr->nroots)
    return bad(c, WR_EINPUT, "plan record for chunk \"%s\" after a split "
               "(plans come before any call)", id);
  if ((rc = add_node(c, id, &n)) < 0)
    return rc;
  if ((rc = get_str(c, o, "plan", "region", true, &n->region)) < 0 ||
      (rc = get_long(c, o, "plan", "wave", false, 0, &wave)) < 0 ||
      (rc = plan_ids(c, o, n)) < 0 ||
      (rc = get_str(c, o, "plan", "client_token", false,
                    &n->client_token)) < 0)
    return rc;
  n->wave = (int)wave;
  c->rr->nroots++;
  return 0;
}

static int parse_status(const char *s, enum wr_rread_status *st)
{
  static const char *const names[] = {"ok", "failed", "skipped", "split"};
  size_t i;

  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(s, names[i]) == 0) {
      *st = (enum wr_rread_status)(WR_RREAD_OK + i);
      return 0;
    }
  return WR_EINVAL;
}

/* The index in ids[0..n) of the string s, or n; hint first (the usual
 * case: the same order). */
static size_t find_id(const char *const *ids, size_t n, size_t hint,
                      const char *s)
{
  size_t i;

  if (hint < n && strcmp(ids[hint], s) == 0)
    return hint;
  for (i = 0; i < n && strcmp(ids[i], s) != 0; i++)
    ;
  return i;
}

/* The desktop_ids array a, each of which must be one of ids[0..n): *out
 * (from the arena) points at those strings, so nothing is copied twice. */
static int match_ids(struct wr_rread_ctx *c, const cJSON *a,
                     const char *what, const char *const *ids, size_t n,
                     const char ***out, size_t *nout)
{
  const cJSON *e;
  const char **p;
  size_t i = 0, j, k, cnt;

  if (!cJSON_IsArray(a) || (cnt = (size_t)cJSON_GetArraySize(a)) == 0)
    return bad(c, WR_EINPUT, "%s: \"desktop_ids\" is not a non-empty array",
               what);
  p = wr_arena_alloc(c->arena, cnt * sizeof(*p));
  if (p == NULL)
    return nomem(c);
  cJSON_ArrayForEach(e, a) {
    if (!cJSON_IsString(e))
      return bad(c, WR_EINPUT, "%s: \"desktop_ids\"[%zu] is not a string",
                 what, i);
    k = find_id(ids, n, i, e->valuestring);
    if (k == n)
      return bad(c, WR_EINPUT, "%s: %.80s was not planned there", what,
                 e->valuestring);
    /* The same desktop twice would hide a missing one. */
    for (j = 0; j < i && p[j] != ids[k]; j++)
      ;
    if (j < i)
      return bad(c, WR_EINPUT, "%s: %.80s is listed twice", what,
                 e->valuestring);
    p[i++] = ids[k];
  }
  *out = p;
  *nout = cnt;
  return 0;
}

/* The parts of split chunk pi: their desktops must partition its own.
 * Part IDs point at the parent's strings. */
static int decode_into(struct wr_rread_ctx *c, const cJSON *o, size_t pi)
{
  const cJSON *into = cJSON_GetObjectItemCaseSensitive(o, "into"), *e;
  struct wr_rread_chunk *n;
  const char *id, **ids;
  char what[160];
  size_t nids, total = 0, first = c->rr->nchunks;
  int rc;

  if (!cJSON_IsArray(into) || cJSON_GetArraySize(into) < 1)
    return bad(c, WR_EINPUT, "split record of chunk \"%s\" without its "
               "parts (\"into\")", c->rr->chunks[pi].id);
  cJSON_ArrayForEach(e, into) {
    if (!cJSON_IsObject(e))
      return bad(c, WR_EINPUT, "split record: a part is not an object");
    if ((rc = get_str(c, e, "split part", "chunk", true, &id)) < 0)
      return rc;
    snprintf(what, sizeof(what), "split part \"%.40s\" of chunk \"%.40s\"",
             id, c->rr->chunks[pi].id);
    if ((rc = match_ids(c, cJSON_GetObjectItemCaseSensitive(e, "desktop_ids"),
                        what, c->rr->chunks[pi].ids, c->rr->chunks[pi].nids,
                        &ids, &nids)) < 0 ||
        (rc = add_node(c, id, &n)) < 0)
      return rc;
    /* add_node may have moved the array: index the parent afresh. */
    n->ids = ids;
    n->nids = nids;
    n->region = c->rr->chunks[pi].region;
    n->wave = c->rr->chunks[pi].wave;
    n->parent = (long)pi;
    total += nids;
    if ((rc = get_str(c, e, "split part", "client_token", false,
                      &n->client_token)) < 0)
      return rc;
  }
  if (total != c->rr->chunks[pi].nids)
    return bad(c, WR_EINPUT, "the parts of split chunk \"%s\" hold %zu "
               "desktops, the chunk %zu", c->rr->chunks[pi].id, total,
               c->rr->chunks[pi].nids);
  c->rr->chunks[pi].first_child = first;
  c->rr->chunks[pi].nchildren = c->rr->nchunks - first;
  return 0;
}

static int decode_chunk(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_chunk *n;
  const char *id, *status, **ids;
  char what[160];
  size_t nids;
  long idx, http, lat;
  int rc;

  if ((rc = get_str(c, o, "chunk", "chunk", true, &id)) < 0 ||
      (rc = get_str(c, o, "chunk", "status", true, &status)) < 0)
    return rc;
  idx = wr_idset_find(c->rr->index, id, strlen(id));
  if (idx < 0)
    return bad(c, WR_EINPUT, "chunk \"%s\" is in no plan or split record",
               id);
  n = &c->rr->chunks[idx];
  if (n->status != WR_RREAD_PENDING)
    return bad(c, WR_EINPUT, "chunk \"%s\" has a final record already (line "
               "%ld)", id, n->line);
  if (parse_status(status, &n->status) < 0)
    return bad(c, WR_EINPUT, "chunk \"%s\": unknown status \"%s\"", id,
               status);
  n->line = c->line;
  snprintf(what, sizeof(what), "chunk \"%.40s\" (planned on line %ld)", id,
           n->plan_line);
  if ((rc = match_ids(c, cJSON_GetObjectItemCaseSensitive(o, "desktop_ids"),
                      what, n->ids, n->nids, &ids, &nids)) < 0)
    return rc;
  if (nids != n->nids)
    return bad(c, WR_EINPUT, "%s: %zu desktops, %zu planned", what, nids,
               n->nids);
  if ((rc = get_str(c, o, "chunk", "request_id", false, &n->request_id)) < 0 ||
      (rc = get_strs(c, o, "chunk", "attempt_request_ids", false,
                     &n->attempt_request_ids,
                     &n->nattempt_request_ids)) < 0 ||
      (rc = get_long(c, o, "chunk", "http_status", false, 0, &http)) < 0 ||
      (rc = get_str(c, o, "chunk", "error_code", false, &n->error_code)) < 0 ||
      (rc = get_str(c, o, "chunk", "error_message", false,
                    &n->error_message)) < 0 ||
      (rc = get_int(c, o, "chunk", "attempts", &n->attempts)) < 0 ||
      (rc = get_int(c, o, "chunk", "ambiguous_attempts",
                    &n->ambiguous_attempts)) < 0 ||
      (rc = get_str(c, o, "chunk", "started_at", false, &n->started_at)) < 0 ||
      (rc = get_str(c, o, "chunk", "finished_at", false,
                    &n->finished_at)) < 0 ||
      (rc = get_long(c, o, "chunk", "latency_ms", false, -1, &lat)) < 0)
    return rc;
  n->http_status = http;
  n->latency_ms = lat;
  if (n->status == WR_RREAD_SPLIT)
    return decode_into(c, o, (size_t)idx);
  return 0;
}

static int decode_wave(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread *rr = c->rr;
  struct wr_rread_wave *w;
  int rc;

  if ((rc = grow(c, (void **)&rr->waves, &c->cap_waves, rr->nwaves,
                 sizeof(*w))) < 0)
    return rc;
  w = &rr->waves[rr->nwaves];
  memset(w, 0, sizeof(*w));
  if ((rc = get_long(c, o, "wave", "wave", false, 0, &w->wave)) < 0 ||
      (rc = get_bool(c, o, "wave", "canary", &w->canary)) < 0 ||
      (rc = get_long(c, o, "wave", "ok_desktops", false, 0,
                     &w->ok_desktops)) < 0 ||
      (rc = get_long(c, o, "wave", "failed_desktops", false, 0,
                     &w->failed_desktops)) < 0 ||
      (rc = get_str(c, o, "wave", "finished_at", false, &w->finished_at)) < 0)
    return rc;
  rr->nwaves++;
  return 0;
}

static int decode_verify(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread *rr = c->rr;
  struct wr_rread_verify *v;
  int rc;

  if ((rc = grow(c, (void **)&rr->verifies, &c->cap_verifies, rr->nverifies,
                 sizeof(*v))) < 0)
    return rc;
  v = &rr->verifies[rr->nverifies];
  memset(v, 0, sizeof(*v));
  if ((rc = get_long(c, o, "verify", "wave", false, 0, &v->wave)) < 0 ||
      (rc = get_long(c, o, "verify", "desktops", false, 0, &v->desktops)) < 0 ||
      (rc = get_long(c, o, "verify", "running", false, 0, &v->running)) < 0 ||
      (rc = get_bool(c, o, "verify", "timed_out", &v->timed_out)) < 0 ||
      (rc = get_long(c, o, "verify", "calls", false, 0, &v->calls)) < 0 ||
      (rc = get_long(c, o, "verify", "errors", false, 0, &v->errors)) < 0 ||
      (rc = get_strs(c, o, "verify", "not_running", false, &v->not_running,
                     &v->nnot_running)) < 0 ||
      (rc = get_str(c, o, "verify", "last_error", false, &v->last_error)) < 0 ||
      (rc = get_str(c, o, "verify", "finished_at", false,
                    &v->finished_at)) < 0)
    return rc;
  rr->nverifies++;
  return 0;
}

/* Resume appends a summary per session: the last one describes the run. */
static int decode_summary(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_summary *s = &c->rr->summary;
  int rc;

  memset(s, 0, sizeof(*s));
  if ((rc = get_str(c, o, "summary", "finished_at", false,
                    &s->finished_at)) < 0 ||
      (rc = get_long(c, o, "summary", "ok_chunks", false, 0,
                     &s->ok_chunks)) < 0 ||
      (rc = get_long(c, o, "summary", "failed_chunks", false, 0,
                     &s->failed_chunks)) < 0 ||
      (rc = get_long(c, o, "summary", "skipped_chunks", false, 0,
                     &s->skipped_chunks)) < 0 ||
      (rc = get_long(c, o, "summary", "ok_desktops", false, 0,
                     &s->ok_desktops)) < 0 ||
      (rc = get_long(c, o, "summary", "failed_desktops", false, 0,
                     &s->failed_desktops)) < 0 ||
      (rc = get_long(c, o, "summary", "skipped_desktops", false, 0,
                     &s->skipped_desktops)) < 0 ||
      (rc = get_int(c, o, "summary", "exit_code", &s->exit_code)) < 0 ||
      (rc = get_str(c, o, "summary", "stop_reason", false,
                    &s->stop_reason)) < 0)
    return rc;
  c->rr->has_summary = true;
  c->rr->nsummaries++;
  return 0;
}

int wr_rread_record(struct wr_rread_ctx *c, const cJSON *o)
{
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
  const char *type;

  if (!cJSON_IsObject(o))
    return bad(c, WR_EINPUT, "not a JSON object");
  if (!cJSON_IsString(t))
    return bad(c, WR_EINPUT, "record without a \"type\" string");
  type = t->valuestring;
  if (!c->seen_run && strcmp(type, "run") != 0)
    return bad(c, WR_EINPUT, "the first record is \"%.40s\", not \"run\" "
               "(is this a wuying-reboot report?)", type);
  if (strcmp(type, "run") == 0)
    return decode_run(c, o);
  if (strcmp(type, "rejected") == 0)
    return decode_rejected(c, o);
  if (strcmp(type, "plan") == 0)
    return decode_plan(c, o);
  if (strcmp(type, "chunk") == 0)
    return decode_chunk(c, o);
  if (strcmp(type, "wave") == 0)
    return decode_wave(c, o);
  if (strcmp(type, "verify") == 0)
    return decode_verify(c, o);
  if (strcmp(type, "summary") == 0)
    return decode_summary(c, o);
  if (c->rr->nunknown++ == 0 &&
      (c->rr->first_unknown = dup_str(c, type)) == NULL)
    return nomem(c);
  return 0;
}
