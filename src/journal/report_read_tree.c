/* report_read_tree: the chunk forest.  Plan records are its roots, split
 * records add their parts as children, and a final chunk record fills in
 * its node.  Checked as it grows: every desktop is planned once, a final
 * record names a planned chunk or a declared part, carries the same
 * desktops (each once), and is that chunk's only final record. */
#include "report_read_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append a node for chunk id; its index is the id's index in the set.
 * The node, or NULL with the error in *rc. */
static struct wr_rread_chunk *add_node(struct wr_rread_ctx *c, const char *id,
                                       int *rc)
{
  struct wr_rread *rr = c->rr;
  struct wr_rread_chunk *n;
  size_t idx;
  long prev;

  prev = wr_idset_find(rr->index, id, strlen(id));
  if (prev >= 0) {
    *rc = wr_rr_bad(c, WR_EINPUT,
                    "chunk \"%s\" is declared twice (first on line %ld)", id,
                    rr->chunks[prev].plan_line);
    return NULL;
  }
  if ((*rc = wr_rr_grow(c, (void **)&rr->chunks, &c->cap_chunks, rr->nchunks,
                        sizeof(*n))) < 0)
    return NULL;
  *rc = wr_idset_add(rr->index, id, strlen(id), &idx);
  if (*rc < 0) {
    *rc = *rc == WR_ENOMEM ? wr_rr_nomem(c)
                           : wr_rr_bad(c, *rc, "too many chunks");
    return NULL;
  }
  *rc = 0;
  n = &rr->chunks[rr->nchunks++];
  memset(n, 0, sizeof(*n));
  n->id = wr_idset_key(rr->index, idx);
  n->parent = -1;
  n->retry_of = n->retried_by = -1;
  n->plan_line = c->line;
  n->latency_ms = -1;
  return n;
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
    return wr_rr_bad(c, WR_EINPUT,
                     "plan record: \"desktop_ids\" is not a "
                     "non-empty array");
  n->nids = (size_t)cJSON_GetArraySize(a);
  /* Also keeps the checks of the chunk's final records linear. */
  if (n->nids > WR_RREAD_MAX_CHUNK)
    return wr_rr_bad(c, WR_ETOOBIG,
                     "plan record: %zu desktops in one chunk (at "
                     "most %d)",
                     n->nids, WR_RREAD_MAX_CHUNK);
  n->ids = wr_arena_alloc(c->arena, n->nids * sizeof(*n->ids));
  if (n->ids == NULL)
    return wr_rr_nomem(c);
  cJSON_ArrayForEach (e, a) {
    if (!cJSON_IsString(e))
      return wr_rr_bad(c, WR_EINPUT,
                       "plan record: \"desktop_ids\"[%zu] is not a "
                       "string",
                       i);
    rc = wr_idset_add(c->rr->desktops, e->valuestring, strlen(e->valuestring),
                      &idx);
    if (rc < 0)
      return rc == WR_ENOMEM ? wr_rr_nomem(c)
                             : wr_rr_bad(c, rc, "too many desktops");
    if (rc == 0)
      return wr_rr_bad(c, WR_EINPUT,
                       "desktop %.80s is planned twice (again in "
                       "chunk \"%s\")",
                       e->valuestring, n->id);
    n->ids[i++] = wr_idset_key(c->rr->desktops, idx);
  }
  return 0;
}

int wr_rread_plan(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_chunk *n;
  const char *id;
  long wave;
  int rc;

  if ((rc = wr_rr_str(c, o, "plan", "chunk", true, &id)) < 0)
    return rc;
  if (c->rr->nchunks != c->rr->nroots)
    return wr_rr_bad(c, WR_EINPUT,
                     "plan record for chunk \"%s\" after a split "
                     "(plans come before any call)",
                     id);
  if ((n = add_node(c, id, &rc)) == NULL)
    return rc;
  if ((rc = wr_rr_str(c, o, "plan", "region", true, &n->region)) < 0 ||
      (rc = wr_rr_long(c, o, "plan", "wave", false, 0, &wave)) < 0 ||
      (rc = plan_ids(c, o, n)) < 0 ||
      (rc = wr_rr_str(c, o, "plan", "client_token", false,
                      &n->client_token)) < 0)
    return rc;
  n->wave = (int)wave;
  c->rr->nroots++;
  return 0;
}

static int parse_status(const char *s, enum wr_rread_status *st)
{
  static const char *const names[] = {"ok", "failed", "skipped", "split",
                                       "excluded"};
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
static int match_ids(struct wr_rread_ctx *c, const cJSON *a, const char *what,
                     const char *const *ids, size_t n, const char ***out,
                     size_t *nout)
{
  const cJSON *e;
  const char **p;
  size_t i = 0, j, k, cnt;

  *out = NULL;
  *nout = 0;
  if (!cJSON_IsArray(a) || (cnt = (size_t)cJSON_GetArraySize(a)) == 0)
    return wr_rr_bad(c, WR_EINPUT,
                     "%s: \"desktop_ids\" is not a non-empty array", what);
  p = wr_arena_alloc(c->arena, cnt * sizeof(*p));
  if (p == NULL)
    return wr_rr_nomem(c);
  cJSON_ArrayForEach (e, a) {
    if (!cJSON_IsString(e))
      return wr_rr_bad(c, WR_EINPUT, "%s: \"desktop_ids\"[%zu] is not a string",
                       what, i);
    k = find_id(ids, n, i, e->valuestring);
    if (k == n)
      return wr_rr_bad(c, WR_EINPUT, "%s: %.80s was not planned there", what,
                       e->valuestring);
    /* The same desktop twice would hide a missing one. */
    for (j = 0; j < i && p[j] != ids[k]; j++)
      ;
    if (j < i)
      return wr_rr_bad(c, WR_EINPUT, "%s: %.80s is listed twice", what,
                       e->valuestring);
    p[i++] = ids[k];
  }
  *out = p;
  *nout = cnt;
  return 0;
}

/* No desktop in two of the parts chunks[first..]: with the count equal to
 * the parent's, they then partition it.  IDs are the parent's pointers,
 * so pointers compare; at most WR_RREAD_MAX_CHUNK of them. */
static int disjoint(struct wr_rread_ctx *c, size_t first)
{
  const struct wr_rread_chunk *a, *b;
  size_t i, j, x, y;

  for (i = first; i < c->rr->nchunks; i++)
    for (j = i + 1; j < c->rr->nchunks; j++) {
      a = &c->rr->chunks[i];
      b = &c->rr->chunks[j];
      for (x = 0; x < a->nids; x++)
        for (y = 0; y < b->nids; y++)
          if (a->ids[x] == b->ids[y])
            return wr_rr_bad(c, WR_EINPUT, "%s is in both split parts "
                             "\"%s\" and \"%s\"", a->ids[x], a->id, b->id);
    }
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
    return wr_rr_bad(c, WR_EINPUT,
                     "split record of chunk \"%s\" without its "
                     "parts (\"into\")",
                     c->rr->chunks[pi].id);
  cJSON_ArrayForEach (e, into) {
    if (!cJSON_IsObject(e))
      return wr_rr_bad(c, WR_EINPUT, "split record: a part is not an object");
    if ((rc = wr_rr_str(c, e, "split part", "chunk", true, &id)) < 0)
      return rc;
    snprintf(what, sizeof(what), "split part \"%.40s\" of chunk \"%.40s\"", id,
             c->rr->chunks[pi].id);
    if ((rc = match_ids(c, cJSON_GetObjectItemCaseSensitive(e, "desktop_ids"),
                        what, c->rr->chunks[pi].ids, c->rr->chunks[pi].nids,
                        &ids, &nids)) < 0 ||
        (n = add_node(c, id, &rc)) == NULL)
      return rc;
    /* add_node may have moved the array: index the parent afresh. */
    n->ids = ids;
    n->nids = nids;
    n->region = c->rr->chunks[pi].region;
    n->wave = c->rr->chunks[pi].wave;
    n->parent = (long)pi;
    total += nids;
    if ((rc = wr_rr_str(c, e, "split part", "client_token", false,
                        &n->client_token)) < 0)
      return rc;
  }
  if (total != c->rr->chunks[pi].nids)
    return wr_rr_bad(c, WR_EINPUT,
                     "the parts of split chunk \"%s\" hold %zu "
                     "desktops, the chunk %zu",
                     c->rr->chunks[pi].id, total, c->rr->chunks[pi].nids);
  if ((rc = disjoint(c, first)) < 0)
    return rc;
  c->rr->chunks[pi].first_child = first;
  c->rr->chunks[pi].nchildren = c->rr->nchunks - first;
  return 0;
}

/* Back to PENDING, as if the skipped record had not been read. */
static void resend(struct wr_rread_chunk *n)
{
  n->status = WR_RREAD_PENDING;
  n->line = 0;
  n->request_id = NULL;
  n->attempt_request_ids = NULL;
  n->nattempt_request_ids = 0;
  n->http_status = 0;
  n->error_code = n->error_message = NULL;
  n->attempts = n->ambiguous_attempts = 0;
  n->retry_pending = false;
  n->reason = n->confirmed_by = NULL;
  n->by_preflight = false;
  n->started_at = n->finished_at = NULL;
  n->latency_ms = -1;
}

int wr_rread_chunk_record(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_chunk *n;
  const char *id, *status, **ids;
  char what[160];
  size_t nids;
  long idx, http, lat;
  int rc;

  if ((rc = wr_rr_str(c, o, "chunk", "chunk", true, &id)) < 0 ||
      (rc = wr_rr_str(c, o, "chunk", "status", true, &status)) < 0)
    return rc;
  idx = wr_idset_find(c->rr->index, id, strlen(id));
  if (idx < 0)
    return wr_rr_bad(c, WR_EINPUT, "chunk \"%s\" is in no plan or split record",
                     id);
  n = &c->rr->chunks[idx];
  /* A chunk skipped (never sent) or cut while a retry was due is sent by
   * a later resume session: its new record replaces the earlier one. */
  if ((n->status == WR_RREAD_SKIPPED ||
       (n->status == WR_RREAD_FAILED && n->retry_pending)) &&
      c->resume_line > n->line)
    resend(n);
  if (n->status != WR_RREAD_PENDING)
    return wr_rr_bad(c, WR_EINPUT,
                     "chunk \"%s\" has a final record already (line "
                     "%ld)",
                     id, n->line);
  if (parse_status(status, &n->status) < 0)
    return wr_rr_bad(c, WR_EINPUT, "chunk \"%s\": unknown status \"%s\"", id,
                     status);
  n->line = c->line;
  snprintf(what, sizeof(what), "chunk \"%.40s\" (planned on line %ld)", id,
           n->plan_line);
  if ((rc = match_ids(c, cJSON_GetObjectItemCaseSensitive(o, "desktop_ids"),
                      what, n->ids, n->nids, &ids, &nids)) < 0)
    return rc;
  if (nids != n->nids)
    return wr_rr_bad(c, WR_EINPUT, "%s: %zu desktops, %zu planned", what, nids,
                     n->nids);
  if ((rc = wr_rr_str(c, o, "chunk", "request_id", false,
                      &n->request_id)) < 0 ||
      (rc = wr_rr_strs(c, o, "chunk", "attempt_request_ids", false,
                       &n->attempt_request_ids,
                       &n->nattempt_request_ids)) < 0 ||
      (rc = wr_rr_long(c, o, "chunk", "http_status", false, 0, &http)) < 0 ||
      (rc = wr_rr_str(c, o, "chunk", "error_code", false,
                      &n->error_code)) < 0 ||
      (rc = wr_rr_str(c, o, "chunk", "error_message", false,
                      &n->error_message)) < 0 ||
      (rc = wr_rr_int(c, o, "chunk", "attempts", &n->attempts)) < 0 ||
      (rc = wr_rr_int(c, o, "chunk", "ambiguous_attempts",
                      &n->ambiguous_attempts)) < 0 ||
      (rc = wr_rr_str(c, o, "chunk", "started_at", false,
                      &n->started_at)) < 0 ||
      (rc = wr_rr_str(c, o, "chunk", "finished_at", false,
                      &n->finished_at)) < 0 ||
      (rc = wr_rr_long(c, o, "chunk", "latency_ms", false, -1, &lat)) < 0 ||
      (rc = wr_rr_bool(c, o, "chunk", "retry_pending", &n->retry_pending)) < 0 ||
      (rc = wr_rr_str(c, o, "chunk", "reason", false, &n->reason)) < 0 ||
      (rc = wr_rr_str(c, o, "chunk", "confirmed_by", false,
                      &n->confirmed_by)) < 0)
    return rc;
  if (n->status == WR_RREAD_SPLIT) {
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(o, "by");

    n->by_preflight = cJSON_IsString(by) &&
                      strcmp(by->valuestring, "preflight") == 0;
  }
  if (n->status == WR_RREAD_EXCLUDED && n->reason == NULL)
    return wr_rr_bad(c, WR_EINPUT, "chunk \"%s\": excluded without a "
                     "\"reason\"", id);
  /* Only a failed chunk can wait for a retry. */
  if (n->status != WR_RREAD_FAILED)
    n->retry_pending = false;
  n->http_status = http;
  n->latency_ms = lat;
  if (n->status == WR_RREAD_SPLIT)
    return decode_into(c, o, (size_t)idx);
  return 0;
}

/* The names of a columns record: the first one's, and every later one
 * the same, so that each desktop has one value a name. */
static int column_names(struct wr_rread_ctx *c, const cJSON *cols)
{
  struct wr_rread *rr = c->rr;
  const cJSON *a;
  size_t n = 0, k;

  cJSON_ArrayForEach(a, cols)
    n++;
  if (rr->kept_names == NULL) {
    if (n == 0)
      return wr_rr_bad(c, WR_EINPUT, "columns record: no column");
    rr->kept_names = wr_arena_alloc(c->arena, n * sizeof(*rr->kept_names));
    if (rr->kept_names == NULL)
      return wr_rr_nomem(c);
    k = 0;
    cJSON_ArrayForEach(a, cols)
      if ((rr->kept_names[k++] = wr_arena_strndup(
               c->arena, a->string, strlen(a->string))) == NULL)
        return wr_rr_nomem(c);
    rr->nkept = n;
    return 0;
  }
  k = 0;
  cJSON_ArrayForEach(a, cols)
    if (k >= rr->nkept || strcmp(a->string, rr->kept_names[k++]) != 0)
      break;
  if (a != NULL || n != rr->nkept)
    return wr_rr_bad(c, WR_EINPUT, "columns record: other columns than "
                     "the first columns record's");
  return 0;
}

int wr_rread_columns(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread *rr = c->rr;
  const struct wr_rread_chunk *n;
  const cJSON *cols = cJSON_GetObjectItemCaseSensitive(o, "columns"), *a, *e;
  const char *id;
  size_t k = 0, i, need;
  long at, d;
  int rc;

  if ((rc = wr_rr_str(c, o, "columns", "chunk", true, &id)) < 0)
    return rc;
  at = wr_idset_find(rr->index, id, strlen(id));
  if (at < 0 || rr->chunks[at].parent != -1)
    return wr_rr_bad(c, WR_EINPUT, "columns record for chunk \"%.40s\", "
                     "which no plan record declared", id);
  n = &rr->chunks[at];
  if (!cJSON_IsObject(cols))
    return wr_rr_bad(c, WR_EINPUT, "columns record: \"columns\" is not an "
                     "object");
  if ((rc = column_names(c, cols)) < 0)
    return rc;
  need = wr_idset_count(rr->desktops);
  if (need > rr->kept_cap) {
    const char **p = realloc(rr->kept, need * 2 * rr->nkept * sizeof(*p));

    if (p == NULL)
      return wr_rr_nomem(c);
    memset(p + rr->kept_cap * rr->nkept, 0,
           (need * 2 - rr->kept_cap) * rr->nkept * sizeof(*p));
    rr->kept = p;
    rr->kept_cap = need * 2;
  }
  cJSON_ArrayForEach(a, cols) {
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n->nids)
      return wr_rr_bad(c, WR_EINPUT, "columns record: \"%.40s\" is not an "
                       "array of %zu values (one a desktop)", a->string,
                       n->nids);
    i = 0;
    cJSON_ArrayForEach(e, a) {
      const char *v = NULL;

      if (cJSON_IsString(e)) {
        if ((v = wr_arena_strndup(c->arena, e->valuestring,
                                  strlen(e->valuestring))) == NULL)
          return wr_rr_nomem(c);
      } else if (!cJSON_IsNull(e)) {
        return wr_rr_bad(c, WR_EINPUT, "columns record: \"%.40s\"[%zu] is "
                         "neither a string nor null", a->string, i);
      }
      d = wr_idset_find(rr->desktops, n->ids[i], strlen(n->ids[i]));
      if (d >= 0)
        rr->kept[(size_t)d * rr->nkept + k] = v;
      i++;
    }
    k++;
  }
  return 0;
}

const char *const *wr_rread_kept(const struct wr_rread *rr, const char *id)
{
  long d;

  if (rr->nkept == 0 || rr->kept == NULL)
    return NULL;
  d = wr_idset_find(rr->desktops, id, strlen(id));
  if (d < 0 || (size_t)d >= rr->kept_cap)
    return NULL;
  return rr->kept + (size_t)d * rr->nkept;
}

/* {"type":"retry","chunk","retry_of","region","wave","desktop_ids",
 * "client_token"} (resume --retry-failed): a new chunk re-sending every
 * desktop of the failed leaf retry_of, written by a resume session before
 * its calls.  The leaf keeps its record; the retry's state replaces it as
 * the desktops' final one. */
int wr_rread_retry(struct wr_rread_ctx *c, const cJSON *o)
{
  struct wr_rread_chunk *n, *orig;
  const char *id, *of, **ids;
  char what[160];
  size_t nids;
  long oi;
  int rc;

  if ((rc = wr_rr_str(c, o, "retry", "chunk", true, &id)) < 0 ||
      (rc = wr_rr_str(c, o, "retry", "retry_of", true, &of)) < 0)
    return rc;
  if (c->resume_line == 0)
    return wr_rr_bad(c, WR_EINPUT, "retry record for chunk \"%s\" before "
                     "any resume record", id);
  oi = wr_idset_find(c->rr->index, of, strlen(of));
  if (oi < 0)
    return wr_rr_bad(c, WR_EINPUT, "retry record: chunk \"%s\" retries "
                     "\"%s\", which is in no plan or split record", id, of);
  orig = &c->rr->chunks[oi];
  if (orig->status != WR_RREAD_FAILED)
    return wr_rr_bad(c, WR_EINPUT, "retry record: chunk \"%s\" retries "
                     "\"%s\", which is %s, not failed", id, of,
                     wr_rread_status_name(orig->status));
  if (orig->retried_by >= 0)
    return wr_rr_bad(c, WR_EINPUT, "retry record: chunk \"%s\" is retried "
                     "twice (by \"%s\" already)", of,
                     c->rr->chunks[orig->retried_by].id);
  snprintf(what, sizeof(what), "retry record \"%.40s\" of chunk \"%.40s\"",
           id, of);
  if ((rc = match_ids(c, cJSON_GetObjectItemCaseSensitive(o, "desktop_ids"),
                      what, orig->ids, orig->nids, &ids, &nids)) < 0)
    return rc;
  if (nids != orig->nids)
    return wr_rr_bad(c, WR_EINPUT, "%s: %zu desktops, the chunk %zu", what,
                     nids, orig->nids);
  if ((n = add_node(c, id, &rc)) == NULL)
    return rc;
  /* add_node may have moved the array: index the original afresh. */
  orig = &c->rr->chunks[oi];
  n->ids = ids;
  n->nids = nids;
  n->region = orig->region;
  n->wave = orig->wave;
  n->retry_of = oi;
  orig->retried_by = (long)(n - c->rr->chunks);
  c->rr->nretry_chunks++;
  return wr_rr_str(c, o, "retry", "client_token", false, &n->client_token);
}
