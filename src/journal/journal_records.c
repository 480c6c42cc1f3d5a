/* journal_records: cJSON owns every child added to a parent
 * (cJSON_AddItemTo* transfers ownership), so each builder deletes only
 * the root on failure. */
#include "journal_records.h"

#include "clock.h"
#include "record_json.h"

#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *wr_record_run(const struct wr_config *cfg, const struct wr_plan *plan,
                     const char *run_id, int64_t started_wall_ms,
                     const char *endpoint)
{
  char when[WR_TIME_RFC3339_LEN];
  cJSON *o = cJSON_CreateObject(), *a, *r, *opts;
  size_t i;

  if (o == NULL)
    return NULL;
  wr_time_rfc3339_ms(started_wall_ms, when);
  if (cJSON_AddStringToObject(o, "type", "run") == NULL ||
      cJSON_AddNumberToObject(o, "report_version", WR_REPORT_VERSION) == NULL ||
      cJSON_AddStringToObject(o, "run_id", run_id) == NULL ||
      cJSON_AddStringToObject(o, "started_at", when) == NULL ||
      cJSON_AddStringToObject(o, "tool_version", WR_VERSION) == NULL ||
      cJSON_AddStringToObject(o, "api", cfg->api == WR_API_CLIENT
                                            ? "client" : "admin") == NULL ||
      cJSON_AddStringToObject(o, "action", WR_ACTION_REBOOT) == NULL ||
      cJSON_AddStringToObject(o, "endpoint", endpoint != NULL
                                                 ? endpoint
                                                 : WR_ENDPOINT_PER_REGION) ==
          NULL ||
      cJSON_AddNumberToObject(o, "rate", cfg->rate) == NULL ||
      cJSON_AddNumberToObject(o, "concurrency", cfg->concurrency) == NULL ||
      cJSON_AddNumberToObject(o, "chunk_size", cfg->chunk_size) == NULL)
    goto fail;
  a = cJSON_AddArrayToObject(o, "inputs");
  if (a == NULL)
    goto fail;
  for (i = 0; i < cfg->ninputs; i++)
    if (!cJSON_AddItemToArray(a, cJSON_CreateString(cfg->inputs[i])))
      goto fail;
  if (cJSON_AddNumberToObject(o, "desktops", (double)plan->ndesktops) == NULL ||
      cJSON_AddNumberToObject(o, "chunks", (double)plan->nchunks) == NULL ||
      cJSON_AddNumberToObject(o, "rejected", (double)plan->nrejected) == NULL ||
      cJSON_AddNumberToObject(o, "duplicates", (double)plan->nduplicates) ==
          NULL ||
      cJSON_AddNumberToObject(o, "waves", plan->nwaves) == NULL)
    goto fail;
  a = cJSON_AddArrayToObject(o, "regions");
  if (a == NULL)
    goto fail;
  for (i = 0; i < plan->nregions; i++) {
    r = cJSON_CreateObject();
    if (!cJSON_AddItemToArray(a, r) ||
        cJSON_AddStringToObject(r, "region", plan->regions[i].region) == NULL ||
        cJSON_AddNumberToObject(r, "desktops",
                                (double)plan->regions[i].desktops) == NULL)
      goto fail;
  }
  a = wr_record_input_files(plan);
  if (a == NULL || !cJSON_AddItemToObject(o, "input_files", a)) {
    cJSON_Delete(a);
    goto fail;
  }
  opts = wr_config_to_json(cfg);
  if (opts == NULL || !cJSON_AddItemToObject(o, "options", opts)) {
    cJSON_Delete(opts);
    goto fail;
  }
  return o;
fail:
  cJSON_Delete(o);
  return NULL;
}

cJSON *wr_record_input_files(const struct wr_plan *plan)
{
  cJSON *a = cJSON_CreateArray(), *f;
  size_t i;

  if (a == NULL)
    return NULL;
  for (i = 0; plan != NULL && i < plan->ninputs; i++) {
    const struct wr_plan_input *in = &plan->inputs[i];

    f = cJSON_CreateObject();
    if (f == NULL || !cJSON_AddItemToArray(a, f)) {
      cJSON_Delete(f);
      cJSON_Delete(a);
      return NULL;
    }
    if (cJSON_AddStringToObject(f, "path", in->path) == NULL ||
        cJSON_AddNumberToObject(f, "bytes", (double)in->bytes) == NULL ||
        cJSON_AddNumberToObject(f, "rows", (double)in->rows) == NULL ||
        cJSON_AddStringToObject(f, "sha256", in->sha256) == NULL) {
      cJSON_Delete(a);
      return NULL;
    }
  }
  return a;
}

static bool put_str_or_null(cJSON *o, const char *name, const char *v)
{
  return (v != NULL ? cJSON_AddStringToObject(o, name, v)
                    : cJSON_AddNullToObject(o, name)) != NULL;
}

cJSON *wr_record_session(const struct wr_session_info *si,
                         const struct wr_config *cfg,
                         const struct wr_plan *plan)
{
  char when[WR_TIME_RFC3339_LEN];
  cJSON *o = cJSON_CreateObject(), *c, *x;

  if (o == NULL)
    return NULL;
  wr_time_rfc3339_ms(si->started_wall_ms, when);
  if (cJSON_AddStringToObject(o, "type", "session") == NULL ||
      cJSON_AddNumberToObject(o, "session", (double)si->session) == NULL ||
      cJSON_AddStringToObject(o, "kind", si->kind) == NULL ||
      cJSON_AddStringToObject(o, "started_at", when) == NULL ||
      cJSON_AddStringToObject(o, "tool_version", WR_VERSION) == NULL ||
      !put_str_or_null(o, "user", si->user) ||
      !put_str_or_null(o, "host", si->host) ||
      cJSON_AddNumberToObject(o, "pid", (double)si->pid) == NULL)
    goto fail;
  c = cJSON_AddObjectToObject(o, "credentials");
  if (c == NULL || !put_str_or_null(c, "source", si->creds_source) ||
      !put_str_or_null(c, "access_key_id_masked", si->key_id_masked))
    goto fail;
  x = wr_record_input_files(plan);
  if (x == NULL || !cJSON_AddItemToObject(o, "inputs", x)) {
    cJSON_Delete(x);
    goto fail;
  }
  x = wr_config_to_json(cfg);
  if (x == NULL || !cJSON_AddItemToObject(o, "options", x)) {
    cJSON_Delete(x);
    goto fail;
  }
  x = wr_config_origins_to_json(cfg);
  if (x == NULL || !cJSON_AddItemToObject(o, "option_origins", x)) {
    cJSON_Delete(x);
    goto fail;
  }
  return o;
fail:
  cJSON_Delete(o);
  return NULL;
}

cJSON *wr_record_rejected(const struct wr_rejected *r)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL)
    return NULL;
  if (cJSON_AddStringToObject(o, "type", "rejected") == NULL ||
      cJSON_AddStringToObject(o, "source", r->source) == NULL ||
      cJSON_AddNumberToObject(o, "line", (double)r->line) == NULL ||
      cJSON_AddStringToObject(o, "value", r->value) == NULL ||
      cJSON_AddStringToObject(o, "reason", r->reason) == NULL) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* A run writes one per chunk before its first call, so, like the chunk
 * records (below), it copies nothing: literal keys, and references to
 * the chunk's strings, which the plan keeps. */
cJSON *wr_record_plan(const struct wr_chunk *c)
{
  cJSON *o = cJSON_CreateObject();

  if (o == NULL)
    return NULL;
  if (!wr_record_put_str(o, "type", "plan") ||
      !wr_record_put_str(o, "chunk", c->id) ||
      !wr_record_put(o, "wave", cJSON_CreateNumber(c->wave)) ||
      !wr_record_put_str(o, "region", c->region) ||
      !wr_record_put_strs(o, "desktop_ids", c->ids, c->nids) ||
      !wr_record_put_str(o, "client_token",
                         c->client_token[0] != '\0' ? c->client_token : NULL))
    goto fail;
  return o;
fail:
  cJSON_Delete(o);
  return NULL;
}

cJSON *wr_record_columns(const struct wr_plan *plan, const struct wr_chunk *c)
{
  cJSON *o = cJSON_CreateObject(), *cols, *a, *v;
  size_t k, i;

  if (o == NULL)
    return NULL;
  if (!wr_record_put_str(o, "type", "columns") ||
      !wr_record_put_str(o, "chunk", c->id) ||
      (cols = cJSON_AddObjectToObject(o, "columns")) == NULL)
    goto fail;
  for (k = 0; k < plan->nkeep; k++) {
    if ((a = cJSON_AddArrayToObject(cols, plan->keep_names[k])) == NULL)
      goto fail;
    for (i = 0; i < c->nids; i++) {
      const char *s = c->kept != NULL ? c->kept[i * plan->nkeep + k] : NULL;

      v = s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
      if (!cJSON_AddItemToArray(a, v)) {
        cJSON_Delete(v);
        goto fail;
      }
    }
  }
  return o;
fail:
  cJSON_Delete(o);
  return NULL;
}

/* --- chunk and summary records ----------------------------------------- */

static bool add_time_or_null(cJSON *o, const char *name, int64_t wall_ms)
{
  char t[WR_TIME_RFC3339_LEN];

  if (wall_ms <= 0)
    return wr_record_put(o, name, cJSON_CreateNull());
  wr_time_rfc3339_ms(wall_ms, t);
  return wr_record_put(o, name, cJSON_CreateString(t));
}

static bool add_num_or_null(cJSON *o, const char *name, double v, bool null)
{
  return wr_record_put(o, name, null ? cJSON_CreateNull()
                                     : cJSON_CreateNumber(v));
}

static bool add_num(cJSON *o, const char *name, double v)
{
  return wr_record_put(o, name, cJSON_CreateNumber(v));
}

static bool add_into(cJSON *o, const struct wr_split_part *into, size_t n)
{
  cJSON *a = cJSON_CreateArray();
  size_t i;

  if (!wr_record_put(o, "into", a))
    return false;
  for (i = 0; i < n; i++) {
    cJSON *part = cJSON_CreateObject();

    if (part == NULL || !cJSON_AddItemToArray(a, part)) {
      cJSON_Delete(part);
      return false;
    }
    if (!wr_record_put_str(part, "chunk", into[i].chunk_id) ||
        !wr_record_put_strs(part, "desktop_ids", into[i].ids, into[i].nids) ||
        !wr_record_put_str(part, "client_token", into[i].client_token))
      return false;
  }
  return true;
}

cJSON *wr_record_chunk(const struct wr_chunk_outcome *c)
{
  cJSON *o = cJSON_CreateObject();
  bool ok;

  if (o == NULL)
    return NULL;
  ok = wr_record_put_str(o, "type", "chunk") &&
       wr_record_put_str(o, "chunk", c->chunk_id) &&
       wr_record_put_str(o, "region", c->region) &&
       wr_record_put_strs(o, "desktop_ids", c->ids, c->nids) &&
       wr_record_put_str(o, "client_token", c->client_token) &&
       wr_record_put_str(o, "status", c->status) &&
       wr_record_put_str(o, "request_id", c->request_id) &&
       wr_record_put_strs(o, "attempt_request_ids", c->attempt_request_ids,
                     c->nattempt_request_ids) &&
       add_num_or_null(o, "http_status", (double)c->http_status,
                       c->http_status <= 0) &&
       wr_record_put_str(o, "error_code", c->error_code) &&
       wr_record_put_str(o, "error_message", c->error_message) &&
       add_num(o, "attempts", c->attempts) &&
       add_num(o, "ambiguous_attempts", c->ambiguous_attempts) &&
       add_time_or_null(o, "started_at", c->started_wall_ms) &&
       add_time_or_null(o, "finished_at", c->finished_wall_ms) &&
       add_num_or_null(o, "latency_ms", (double)c->latency_ms,
                       c->latency_ms < 0);
  /* `into` only on a split record (CONTRACT.md). */
  if (ok && c->status != NULL && strcmp(c->status, "split") == 0)
    ok = add_into(o, c->into, c->ninto);
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void wr_summary_exclude(struct wr_summary *s, const char *reason, size_t n)
{
  size_t i;

  s->excluded_desktops += n;
  for (i = 0; i < s->nexcluded_by; i++)
    if (strcmp(s->excluded_by[i].reason, reason) == 0)
      break;
  if (i == s->nexcluded_by) {
    if (i == WR_EXCLUDE_REASONS)
      i--, reason = "other";
    else
      s->nexcluded_by++;
    snprintf(s->excluded_by[i].reason, sizeof(s->excluded_by[i].reason),
             "%s", reason);
  }
  s->excluded_by[i].desktops += n;
}

/* "excluded_chunks", "excluded_desktops" and "excluded_by_reason", only
 * when pre-flight excluded any (a summary as before otherwise). */
static bool add_excluded(cJSON *o, const struct wr_summary *s)
{
  cJSON *by;
  size_t i;

  if (s->excluded_desktops == 0)
    return true;
  if (!add_num(o, "excluded_chunks", (double)s->excluded_chunks) ||
      !add_num(o, "excluded_desktops", (double)s->excluded_desktops) ||
      (by = cJSON_AddObjectToObject(o, "excluded_by_reason")) == NULL)
    return false;
  for (i = 0; i < s->nexcluded_by; i++)
    if (!add_num(by, s->excluded_by[i].reason,
                 (double)s->excluded_by[i].desktops))
      return false;
  return true;
}

/* "verify":{"running","not_running","not_verified"}, with --verify. */
static bool add_verify(cJSON *o, const struct wr_summary *s)
{
  cJSON *v;

  if (!s->verify)
    return true;
  v = cJSON_CreateObject();
  if (!wr_record_put(o, "verify", v))
    return false;
  return add_num(v, "running", (double)s->verify_running) &&
         add_num(v, "not_running", (double)s->verify_not_running) &&
         add_num(v, "not_verified", (double)s->verify_not_verified);
}

cJSON *wr_record_summary(const struct wr_summary *s)
{
  cJSON *o = cJSON_CreateObject();
  bool ok;

  if (o == NULL)
    return NULL;
  ok = wr_record_put_str(o, "type", "summary") &&
       add_time_or_null(o, "finished_at", s->finished_wall_ms) &&
       add_num(o, "ok_chunks", (double)s->ok_chunks) &&
       add_num(o, "failed_chunks", (double)s->failed_chunks) &&
       add_num(o, "skipped_chunks", (double)s->skipped_chunks) &&
       add_num(o, "ok_desktops", (double)s->ok_desktops) &&
       add_num(o, "failed_desktops", (double)s->failed_desktops) &&
       add_num(o, "skipped_desktops", (double)s->skipped_desktops) &&
       add_excluded(o, s) &&
       add_verify(o, s) &&
       add_num(o, "exit_code", s->exit_code) &&
       wr_record_put_str(o, "stop_reason", s->stop_reason);
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* --- reusable records --------------------------------------------------- */

/* A template is a record's tree built once and refilled per record.  Its
 * leaves own nothing: the key is a literal (cJSON_StringIsConst) and the
 * value a reference (cJSON_IsReference) to the caller's string or to a
 * buffer of the template, so a leaf changes value and type (null, string,
 * number) by assignment, and cJSON_Delete frees only the items.  Array
 * elements come from a pool of such items, relinked for each record. */

struct ref_pool {
  cJSON **items;
  size_t n;                      /* items created */
};

static cJSON *leaf(cJSON *o, const char *name)
{
  cJSON *it = cJSON_CreateNull();

  if (!wr_record_put(o, name, it))
    return NULL;
  it->type |= cJSON_IsReference;
  return it;
}

static cJSON *array(cJSON *o, const char *name)
{
  cJSON *a = cJSON_CreateArray();

  return wr_record_put(o, name, a) ? a : NULL;
}

/* s: the value, NULL for null. */
static void set_str(cJSON *it, const char *s)
{
  it->type = (it->type & ~0xff) | (s != NULL ? cJSON_String : cJSON_NULL);
  it->valuestring = (char *)s;
}

/* Only valuedouble is printed; valueint as cJSON_SetNumberValue sets it. */
static void set_num(cJSON *it, double v, bool null)
{
  it->type = (it->type & ~0xff) | (null ? cJSON_NULL : cJSON_Number);
  it->valuestring = NULL;
  it->valuedouble = v;
  it->valueint = v >= INT_MAX ? INT_MAX : v <= (double)INT_MIN ? INT_MIN
                                                                : (int)v;
}

/* Make sure the pool holds at least need items (grows by doubling). */
static int pool_reserve(struct ref_pool *p, size_t need)
{
  size_t cap = p->n > 0 ? p->n : 8;
  cJSON **items;

  if (need <= p->n)
    return 0;
  if (need > SIZE_MAX / 2 / sizeof(*items))
    return -1;
  while (cap < need)
    cap *= 2;
  items = realloc(p->items, cap * sizeof(*items));
  if (items == NULL)
    return -1;
  p->items = items;
  for (; p->n < cap; p->n++) {
    items[p->n] = cJSON_CreateStringReference("");
    if (items[p->n] == NULL)
      return -1;
  }
  return 0;
}

/* Make items[0..n) the elements of a, with the values v (NULL as "", as
 * the builders do).  cJSON's invariant: the first's prev is the last. */
static void link_strings(cJSON *a, cJSON **items, const char *const *v,
                         size_t n)
{
  size_t i;

  a->child = n > 0 ? items[0] : NULL;
  for (i = 0; i < n; i++) {
    items[i]->valuestring = (char *)(v[i] != NULL ? v[i] : "");
    items[i]->prev = items[i > 0 ? i - 1 : n - 1];
    items[i]->next = i + 1 < n ? items[i + 1] : NULL;
  }
}

/* Free the pool's items, unlinked first: cJSON_Delete follows `next`. */
static void pool_free(struct ref_pool *p)
{
  size_t i;

  for (i = 0; i < p->n; i++) {
    p->items[i]->next = p->items[i]->prev = NULL;
    cJSON_Delete(p->items[i]);
  }
  free(p->items);
  p->items = NULL;
  p->n = 0;
}

struct wr_plan_record {
  cJSON *root;
  cJSON *chunk, *wave, *region, *ids, *client_token;
  struct ref_pool pool;
};

int wr_plan_record_create(struct wr_plan_record **out)
{
  struct wr_plan_record *r = calloc(1, sizeof(*r));
  cJSON *type;

  *out = NULL;
  if (r == NULL)
    return WR_ENOMEM;
  r->root = cJSON_CreateObject();
  /* The keys in wr_record_plan's order. */
  if (r->root == NULL || (type = leaf(r->root, "type")) == NULL ||
      (r->chunk = leaf(r->root, "chunk")) == NULL ||
      (r->wave = leaf(r->root, "wave")) == NULL ||
      (r->region = leaf(r->root, "region")) == NULL ||
      (r->ids = array(r->root, "desktop_ids")) == NULL ||
      (r->client_token = leaf(r->root, "client_token")) == NULL) {
    wr_plan_record_destroy(&r);
    return WR_ENOMEM;
  }
  set_str(type, "plan");
  *out = r;
  return 0;
}

const cJSON *wr_plan_record_fill(struct wr_plan_record *r,
                                 const struct wr_chunk *c)
{
  if (pool_reserve(&r->pool, c->nids) < 0)
    return NULL;
  set_str(r->chunk, c->id);
  set_num(r->wave, c->wave, false);
  set_str(r->region, c->region);
  link_strings(r->ids, r->pool.items, c->ids, c->nids);
  set_str(r->client_token, c->client_token[0] != '\0' ? c->client_token
                                                      : NULL);
  return r->root;
}

void wr_plan_record_destroy(struct wr_plan_record **pp)
{
  struct wr_plan_record *r = *pp;

  if (r == NULL)
    return;
  *pp = NULL;
  if (r->ids != NULL)
    r->ids->child = NULL;        /* the pool's: freed below */
  cJSON_Delete(r->root);
  pool_free(&r->pool);
  free(r);
}

struct wr_chunk_record {
  cJSON *root;
  cJSON *chunk, *region, *ids, *client_token, *status, *request_id, *rids,
      *http_status, *error_code, *error_message, *attempts, *ambiguous,
      *started_at, *finished_at, *latency_ms;
  struct ref_pool pool;          /* desktop ids, then attempt request ids */
  char started[WR_TIME_RFC3339_LEN], finished[WR_TIME_RFC3339_LEN];
};

int wr_chunk_record_create(struct wr_chunk_record **out)
{
  struct wr_chunk_record *r = calloc(1, sizeof(*r));
  cJSON *o, *type;

  *out = NULL;
  if (r == NULL)
    return WR_ENOMEM;
  o = r->root = cJSON_CreateObject();
  /* The keys in wr_record_chunk's order. */
  if (o == NULL || (type = leaf(o, "type")) == NULL ||
      (r->chunk = leaf(o, "chunk")) == NULL ||
      (r->region = leaf(o, "region")) == NULL ||
      (r->ids = array(o, "desktop_ids")) == NULL ||
      (r->client_token = leaf(o, "client_token")) == NULL ||
      (r->status = leaf(o, "status")) == NULL ||
      (r->request_id = leaf(o, "request_id")) == NULL ||
      (r->rids = array(o, "attempt_request_ids")) == NULL ||
      (r->http_status = leaf(o, "http_status")) == NULL ||
      (r->error_code = leaf(o, "error_code")) == NULL ||
      (r->error_message = leaf(o, "error_message")) == NULL ||
      (r->attempts = leaf(o, "attempts")) == NULL ||
      (r->ambiguous = leaf(o, "ambiguous_attempts")) == NULL ||
      (r->started_at = leaf(o, "started_at")) == NULL ||
      (r->finished_at = leaf(o, "finished_at")) == NULL ||
      (r->latency_ms = leaf(o, "latency_ms")) == NULL) {
    wr_chunk_record_destroy(&r);
    return WR_ENOMEM;
  }
  set_str(type, "chunk");
  *out = r;
  return 0;
}

/* wall_ms <= 0: null; else its RFC 3339 text, kept in buf. */
static void set_time(cJSON *it, char buf[WR_TIME_RFC3339_LEN],
                     int64_t wall_ms)
{
  if (wall_ms <= 0) {
    set_str(it, NULL);
    return;
  }
  wr_time_rfc3339_ms(wall_ms, buf);
  set_str(it, buf);
}

const cJSON *wr_chunk_record_fill(struct wr_chunk_record *r,
                                  const struct wr_chunk_outcome *o)
{
  size_t nids = o->nids, nrids = o->nattempt_request_ids;

  assert(o->status == NULL || strcmp(o->status, "split") != 0);
  if (nids + nrids < nids || pool_reserve(&r->pool, nids + nrids) < 0)
    return NULL;
  set_str(r->chunk, o->chunk_id);
  set_str(r->region, o->region);
  link_strings(r->ids, r->pool.items, o->ids, nids);
  set_str(r->client_token, o->client_token);
  set_str(r->status, o->status);
  set_str(r->request_id, o->request_id);
  link_strings(r->rids, r->pool.items + nids, o->attempt_request_ids, nrids);
  set_num(r->http_status, (double)o->http_status, o->http_status <= 0);
  set_str(r->error_code, o->error_code);
  set_str(r->error_message, o->error_message);
  set_num(r->attempts, o->attempts, false);
  set_num(r->ambiguous, o->ambiguous_attempts, false);
  set_time(r->started_at, r->started, o->started_wall_ms);
  set_time(r->finished_at, r->finished, o->finished_wall_ms);
  set_num(r->latency_ms, (double)o->latency_ms, o->latency_ms < 0);
  return r->root;
}

void wr_chunk_record_destroy(struct wr_chunk_record **pp)
{
  struct wr_chunk_record *r = *pp;

  if (r == NULL)
    return;
  *pp = NULL;
  /* The arrays' elements are the pool's: freed below. */
  if (r->ids != NULL)
    r->ids->child = NULL;
  if (r->rids != NULL)
    r->rids->child = NULL;
  cJSON_Delete(r->root);
  pool_free(&r->pool);
  free(r);
}
