/* audit: one walk over the leaves of the chunk forest counts desktops by
 * their final state and groups failures and skips; one pass over every
 * final record (split parents too: their attempts were real calls) counts
 * calls, retries and ambiguous attempts. */
#include "audit.h"

#include "buf.h"
#include "clock.h"
#include "idset.h"

#include <stdlib.h>
#include <string.h>

int wr_audit_format_parse(const char *name, enum wr_audit_format *f)
{
  static const char *const names[] = {"text", "markdown", "csv", "json",
                                      "html"};
  size_t i;

  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(name, names[i]) == 0) {
      *f = (enum wr_audit_format)i;
      return 0;
    }
  return WR_EINVAL;
}

static int walk(const struct wr_rread *rr, size_t i, wr_audit_leaf_cb *cb,
                void *ud)
{
  const struct wr_rread_chunk *c = &rr->chunks[i];
  size_t k;
  int rc;

  /* A retried failed leaf: its retry holds the desktops' final state. */
  if (c->retried_by >= 0)
    return walk(rr, (size_t)c->retried_by, cb, ud);
  if (c->status != WR_RREAD_SPLIT)
    return cb(c, ud);
  for (k = 0; k < c->nchildren; k++)
    if ((rc = walk(rr, c->first_child + k, cb, ud)) < 0)
      return rc;
  return 0;
}

int wr_audit_each_leaf(const struct wr_rread *rr, wr_audit_leaf_cb *cb,
                       void *ud)
{
  size_t i;
  int rc;

  for (i = 0; i < rr->nroots; i++)
    if ((rc = walk(rr, i, cb, ud)) < 0)
      return rc;
  return 0;
}

static bool same(const char *a, const char *b)
{
  return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Add a leaf's desktops to the group of its key (few groups: a scan). */
static int group_add(struct wr_audit_group **gs, size_t *n, const char *key,
                     const struct wr_rread_chunk *c)
{
  struct wr_audit_group *g = NULL, *p;
  size_t i;

  for (i = 0; i < *n && g == NULL; i++)
    if (same((*gs)[i].key, key))
      g = &(*gs)[i];
  if (g == NULL) {
    p = realloc(*gs, (*n + 1) * sizeof(*p));
    if (p == NULL)
      return WR_ENOMEM;
    *gs = p;
    g = &p[(*n)++];
    memset(g, 0, sizeof(*g));
    g->key = key;
    g->message = same(key, c->error_message) ? NULL : c->error_message;
  }
  g->desktops += c->nids;
  g->chunks++;
  for (i = 0; i < c->nids && g->nsample < WR_AUDIT_SAMPLES; i++)
    g->sample[g->nsample++] = c->ids[i];
  return 0;
}

static int cmp_group(const void *x, const void *y)
{
  const struct wr_audit_group *a = x, *b = y;

  if (a->desktops != b->desktops)
    return a->desktops > b->desktops ? -1 : 1;
  return a->key == NULL ? 1 : b->key == NULL ? -1 : strcmp(a->key, b->key);
}

/* The region's counters (few regions: a scan from the last one used). */
static struct wr_audit_region *region_of(struct wr_audit *a, const char *r)
{
  struct wr_audit_region *p;
  size_t i;

  for (i = a->nregions; i-- > 0;)
    if (same(a->regions[i].region, r))
      return &a->regions[i];
  p = realloc(a->regions, (a->nregions + 1) * sizeof(*p));
  if (p == NULL)
    return NULL;
  a->regions = p;
  p = &p[a->nregions++];
  memset(p, 0, sizeof(*p));
  p->region = r;
  return p;
}

/* ---- waves: finished ones, counted by their leaves -------------------- */

static int cmp_wave(const void *x, const void *y)
{
  const struct wr_audit_wave *a = x, *b = y;

  return (a->wave > b->wave) - (a->wave < b->wave);
}

static int waves_build(struct wr_audit *a)
{
  const struct wr_rread *rr = a->rr;
  size_t i, k;

  if (rr->nwaves == 0)
    return 0;
  if ((a->waves = calloc(rr->nwaves, sizeof(*a->waves))) == NULL)
    return WR_ENOMEM;
  for (i = 0; i < rr->nwaves; i++) {
    for (k = 0; k < a->nwaves && a->waves[k].wave != rr->waves[i].wave; k++)
      ;
    if (k == a->nwaves)
      a->waves[a->nwaves++].wave = rr->waves[i].wave;
    a->waves[k].canary = a->waves[k].canary || rr->waves[i].canary;
    if (rr->waves[i].finished_at != NULL)
      a->waves[k].finished_at = rr->waves[i].finished_at;
  }
  qsort(a->waves, a->nwaves, sizeof(*a->waves), cmp_wave);
  return 0;
}

static struct wr_audit_wave *wave_of(const struct wr_audit *a, long w)
{
  size_t lo = 0, hi = a->nwaves;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if (a->waves[mid].wave == w)
      return &a->waves[mid];
    if (a->waves[mid].wave < w)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static int count_wave(const struct wr_rread_chunk *c, void *ud)
{
  struct wr_audit_wave *w = wave_of(ud, c->wave);

  if (w == NULL)
    return 0;
  w->ok += c->status == WR_RREAD_OK ? c->nids : 0;
  w->failed += c->status == WR_RREAD_FAILED ? c->nids : 0;
  w->excluded += c->status == WR_RREAD_EXCLUDED ? c->nids : 0;
  return 0;
}

static int count_leaf(const struct wr_rread_chunk *c, void *ud)
{
  struct wr_audit *a = ud;
  struct wr_audit_region *r = region_of(a, c->region);

  if (r == NULL)
    return WR_ENOMEM;
  a->planned += c->nids;
  switch (c->status) {
  case WR_RREAD_OK:
    r->ok += c->nids;
    a->ok += c->nids;
    a->ok_chunks++;
    if (c->confirmed_by != NULL) {
      a->confirmed += c->nids;
      a->confirmed_chunks++;
    }
    return 0;
  case WR_RREAD_FAILED:
    r->failed += c->nids;
    a->failed += c->nids;
    a->failed_chunks++;
    if (c->retry_pending) {
      a->retry_pending += c->nids;
      if (a->nretry_pending_sample < WR_AUDIT_SAMPLES)
        a->retry_pending_sample[a->nretry_pending_sample++] = c->id;
      a->retry_pending_chunks++;
    }
    return group_add(&a->failures, &a->nfailures, c->error_code, c);
  case WR_RREAD_SKIPPED:
    r->skipped += c->nids;
    a->skipped += c->nids;
    a->skipped_chunks++;
    return group_add(&a->skips, &a->nskips,
                     c->error_code != NULL ? c->error_code : c->error_message,
                     c);
  case WR_RREAD_PENDING:
    r->pending += c->nids;
    a->pending += c->nids;
    if (a->npending_sample < WR_AUDIT_SAMPLES)
      a->pending_sample[a->npending_sample++] = c->id;
    a->pending_chunks++;
    return 0;
  case WR_RREAD_EXCLUDED:
    r->excluded += c->nids;
    a->excluded += c->nids;
    a->excluded_chunks++;
    return group_add(&a->exclusions, &a->nexclusions, c->reason, c);
  case WR_RREAD_SPLIT:
    break;
  }
  return 0;
}

/* ---- verification, per desktop ---------------------------------------- */

static void vset(struct wr_audit *a, const char *id, uint8_t st,
                 const char *at)
{
  long i = wr_idset_find(a->rr->desktops, id, strlen(id));

  if (i < 0)
    return;
  a->vstat[i] = st;
  a->vat[i] = at;
}

/* An older verify record (no desktop_ids) of the leaf's wave: it covered
 * the wave's ok desktops, naming at most 100 not Running. */
static const struct wr_rread_verify *old_verify(const struct wr_rread *rr,
                                                long wave)
{
  size_t i;

  for (i = rr->nverifies; i-- > 0;)
    if (rr->verifies[i].wave == wave && rr->verifies[i].ndesktop_ids == 0)
      return &rr->verifies[i];
  return NULL;
}

/* Each ok desktop: Running, not Running or not verified, counted. */
static int verify_leaf(const struct wr_rread_chunk *c, void *ud)
{
  struct wr_audit *a = ud;
  const struct wr_rread_verify *old = NULL;
  size_t i;
  long x;

  if (c->status != WR_RREAD_OK)
    return 0;
  for (i = 0; i < c->nids; i++) {
    x = wr_idset_find(a->rr->desktops, c->ids[i], strlen(c->ids[i]));
    if (x < 0)
      continue;
    if (a->vstat[x] == WR_AUDIT_V_NONE &&
        (old != NULL || (old = old_verify(a->rr, c->wave)) != NULL)) {
      a->vstat[x] = WR_AUDIT_V_RUNNING;
      a->vat[x] = old->finished_at;
    }
    if (a->vstat[x] == WR_AUDIT_V_NONE)
      a->vstat[x] = WR_AUDIT_V_NOT_VERIFIED;
    switch (a->vstat[x]) {
    case WR_AUDIT_V_RUNNING:
      a->v_running++;
      break;
    case WR_AUDIT_V_NOT_RUNNING:
      a->not_running++;
      break;
    default:
      a->not_verified++;
      break;
    }
  }
  return 0;
}

/* The verify records in order, the last word about a desktop winning
 * (a resume verifies what an earlier session left unverified). */
static int verify_build(struct wr_audit *a)
{
  const struct wr_rread *rr = a->rr;
  const struct wr_rread_verify *v;
  const cJSON *o = cJSON_GetObjectItemCaseSensitive(rr->run.options,
                                                    "verify");
  size_t n = wr_idset_count(rr->desktops), i, k;

  a->verify_on = cJSON_IsTrue(o) || rr->nverifies > 0;
  for (i = 0; i < rr->nsessions; i++)
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rr->sessions[i].options,
                                                      "verify")))
      a->verify_on = true;
  if (!a->verify_on)
    return 0;
  a->vstat = calloc(n > 0 ? n : 1, sizeof(*a->vstat));
  a->vat = calloc(n > 0 ? n : 1, sizeof(*a->vat));
  if (a->vstat == NULL || a->vat == NULL)
    return WR_ENOMEM;
  for (i = 0; i < rr->nverifies; i++) {
    v = &rr->verifies[i];
    for (k = 0; k < v->ndesktop_ids; k++)
      vset(a, v->desktop_ids[k], WR_AUDIT_V_RUNNING, v->finished_at);
    /* An older record names its not Running ones, whatever the wave. */
    for (k = 0; k < v->nnot_running; k++)
      vset(a, v->not_running[k], WR_AUDIT_V_NOT_RUNNING, v->finished_at);
    for (k = 0; k < v->nnot_verified; k++)
      vset(a, v->not_verified[k], WR_AUDIT_V_NOT_VERIFIED, NULL);
  }
  if (wr_audit_each_leaf(rr, verify_leaf, a) < 0)
    return WR_ENOMEM;
  a->verified = a->v_running + a->not_running;
  return 0;
}

enum wr_audit_vstatus wr_audit_verify_of(const struct wr_audit *a,
                                         const char *id, const char **at)
{
  long i;

  *at = NULL;
  if (a->vstat == NULL ||
      (i = wr_idset_find(a->rr->desktops, id, strlen(id))) < 0)
    return WR_AUDIT_V_NONE;
  *at = a->vat[i];
  return (enum wr_audit_vstatus)a->vstat[i];
}

const char *wr_audit_vstatus_name(enum wr_audit_vstatus s)
{
  switch (s) {
  case WR_AUDIT_V_RUNNING: return "Running";
  case WR_AUDIT_V_NOT_RUNNING: return "not Running";
  case WR_AUDIT_V_NOT_VERIFIED: return "not verified";
  case WR_AUDIT_V_NONE: break;
  }
  return "";
}

/* resume --retry-failed: the re-sends of failed leaves (a desktop
 * retried twice counts twice). */
static void retried_count(struct wr_audit *a)
{
  const struct wr_rread *rr = a->rr;
  size_t i;

  for (i = 0; i < rr->nchunks; i++)
    if (rr->chunks[i].retry_of >= 0) {
      a->retried += rr->chunks[i].nids;
      a->retried_chunks++;
    }
}

/* A retry chunk's desktops by their final state (its own, or its parts'
 * and retries'). */
static int retried_final(const struct wr_rread_chunk *c, void *ud)
{
  struct wr_audit *a = ud;
  const struct wr_rread_chunk *p = c;

  /* Up to the plan root or the retry chunk it descends from. */
  while (p->retry_of < 0 && p->parent >= 0)
    p = &a->rr->chunks[p->parent];
  if (p->retry_of < 0)
    return 0;
  if (c->status == WR_RREAD_OK)
    a->retried_ok += c->nids;
  else if (c->status == WR_RREAD_FAILED)
    a->retried_failed += c->nids;
  else
    a->retried_other += c->nids;
  return 0;
}

/* Wall ms of an RFC 3339 string, -1 when absent or unreadable. */
static int64_t wall(const char *s)
{
  int64_t ms;

  return s != NULL && wr_time_parse_rfc3339(s, &ms) == 0 ? ms : -1;
}

static void times(struct wr_audit *a)
{
  const struct wr_rread *rr = a->rr;
  int64_t start = wall(rr->run.started_at), end = -1, t;
  size_t i;

  if (rr->has_summary && (end = wall(rr->summary.finished_at)) >= 0) {
    a->finished_at = rr->summary.finished_at;
  } else {
    for (i = 0; i < rr->nchunks; i++)
      if ((t = wall(rr->chunks[i].finished_at)) > end) {
        end = t;
        a->finished_at = rr->chunks[i].finished_at;
      }
  }
  a->duration_s = a->calls_per_s = a->desktops_per_s = -1;
  if (start < 0 || end < start)
    return;
  a->duration_s = (double)(end - start) / 1000.0;
  if (end > start) {
    a->calls_per_s = (double)a->calls / a->duration_s;
    a->desktops_per_s = (double)(a->ok + a->failed) / a->duration_s;
  }
}

int wr_audit_build(const struct wr_rread *rr, struct wr_audit *a,
                   struct wr_err *err)
{
  const struct wr_rread_summary *s = &rr->summary;
  const struct wr_rread_chunk *c;
  size_t i;
  int rc;

  memset(a, 0, sizeof(*a));
  a->rr = rr;
  a->exit_code = rr->has_summary ? s->exit_code : -1;
  if ((rc = wr_audit_each_leaf(rr, count_leaf, a)) < 0 ||
      (rc = waves_build(a)) < 0 ||
      (rc = wr_audit_each_leaf(rr, count_wave, a)) < 0)
    return wr_err_set(err, rc, "out of memory");
  for (i = 0; i < rr->nchunks; i++) {
    c = &rr->chunks[i];
    a->calls += (size_t)(c->attempts > 0 ? c->attempts : 0);
    a->retries += (size_t)(c->attempts > 1 ? c->attempts - 1 : 0);
    a->ambiguous += (size_t)(c->ambiguous_attempts > 0 ? c->ambiguous_attempts
                                                       : 0);
    a->splits += c->status == WR_RREAD_SPLIT && !c->by_preflight;
    a->preflight_parts += c->status == WR_RREAD_SPLIT && c->by_preflight;
    if (c->ambiguous_attempts > 0 &&
        a->nambiguous_chunks++ < WR_AUDIT_SAMPLES)
      a->ambiguous_sample[a->nambiguous_chunks - 1] = c->id;
  }
  a->preflight_calls = rr->npreflights;
  for (i = 0; i < rr->npreflights; i++)
    a->preflight_errors += rr->preflights[i].error != NULL;
  if (a->nexclusions > 1)
    qsort(a->exclusions, a->nexclusions, sizeof(*a->exclusions), cmp_group);
  if (verify_build(a) < 0)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  retried_count(a);
  if (rr->nretry_chunks > 0)
    wr_audit_each_leaf(rr, retried_final, a);
  if (a->nfailures > 1)
    qsort(a->failures, a->nfailures, sizeof(*a->failures), cmp_group);
  if (a->nskips > 1)
    qsort(a->skips, a->nskips, sizeof(*a->skips), cmp_group);
  times(a);
  if (wr_audit_story_build(a) < 0)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  a->complete = rr->has_summary && a->skipped == 0 && a->pending == 0 &&
                a->retry_pending == 0 && !rr->plan_incomplete;
  a->summary_differs =
      rr->has_summary &&
      ((size_t)s->ok_desktops != a->ok ||
       (size_t)s->failed_desktops != a->failed ||
       (size_t)s->skipped_desktops != a->skipped ||
       (size_t)s->excluded_desktops != a->excluded);
  return 0;
}

void wr_audit_free(struct wr_audit *a)
{
  free(a->failures);
  free(a->skips);
  free(a->exclusions);
  a->exclusions = NULL;
  a->nexclusions = 0;
  free(a->regions);
  free(a->waves);
  a->waves = NULL;
  a->nwaves = 0;
  free(a->vstat);
  free(a->vat);
  a->vstat = NULL;
  a->vat = NULL;
  free(a->sessions);
  a->sessions = NULL;
  a->nsessions = 0;
  a->failures = a->skips = NULL;
  a->regions = NULL;
  a->nfailures = a->nskips = a->nregions = 0;
}

const char *wr_audit_outcome(const struct wr_audit *a, char *buf, size_t len)
{
  const struct wr_rread *rr = a->rr;
  size_t left = a->skipped + a->pending + a->retry_pending, n;

  /* The missing chunks are in no record: nothing here can finish them. */
  if (rr->plan_incomplete) {
    snprintf(buf, len, "plan incomplete: %zu of %ld chunks recorded (the run "
             "stopped while writing its plan); not resumable: start a new "
             "run from its inputs", rr->nroots, rr->run.chunks);
    return buf;
  }
  if (!rr->has_summary)
    snprintf(buf, len, "interrupted: no summary record (the run was killed "
             "or crashed); %zu desktops pending", a->pending);
  else if (!a->complete || a->exit_code == WR_EXIT_STOPPED)
    snprintf(buf, len, "stopped early (%s)",
             rr->summary.stop_reason != NULL ? rr->summary.stop_reason
                                             : "no reason recorded");
  else if (a->failed > 0)
    snprintf(buf, len, "complete, with failures");
  else if (a->not_running > 0)
    snprintf(buf, len, "complete, but %zu desktop%s not Running again in "
             "time", a->not_running, wr_audit_plural(a->not_running));
  else if (a->not_verified > 0)
    snprintf(buf, len, "complete, but %zu desktop%s not verified (`resume` "
             "verifies them)", a->not_verified,
             wr_audit_plural(a->not_verified));
  else
    snprintf(buf, len, "complete");
  n = strlen(buf);
  if (left > 0 && n < len)
    snprintf(buf + n, len - n, "; can be resumed (`resume` re-sends %zu "
             "desktop%s)", left, wr_audit_plural(left));
  return buf;
}

const char *wr_audit_duration(double s, char *buf, size_t len)
{
  if (s < 0)
    snprintf(buf, len, "unknown");
  else if (s < 60)
    snprintf(buf, len, "%.1fs", s);
  else if (s < 3600)
    snprintf(buf, len, "%dm %.1fs", (int)(s / 60), s - 60 * (int)(s / 60));
  else if (s < 1e12) /* a report's times may be anything: stay in range */
    snprintf(buf, len, "%lldh %lldm %llds", (long long)s / 3600,
             (long long)s / 60 % 60, (long long)s % 60);
  else
    snprintf(buf, len, "%.3gs", s);
  return buf;
}

const char *wr_audit_plural(size_t n)
{
  return n == 1 ? "" : "s";
}

const char *wr_audit_rate(double rate, char *buf, size_t len)
{
  if (rate < 0)
    snprintf(buf, len, "unknown");
  else if (rate == 0)
    snprintf(buf, len, "no limit");
  else
    snprintf(buf, len, "%g/s", rate);
  return buf;
}

int wr_audit_write(const struct wr_audit *a, enum wr_audit_format f,
                   FILE *out, struct wr_err *err)
{
  int rc = 0;

  switch (f) {
  case WR_AUDIT_TEXT: wr_audit_text(a, out); break;
  case WR_AUDIT_MARKDOWN: wr_audit_markdown(a, out); break;
  case WR_AUDIT_CSV: wr_audit_csv(a, out); break;
  case WR_AUDIT_JSON: rc = wr_audit_json(a, out); break;
  case WR_AUDIT_HTML: /* its own room, above this one */
    return wr_err_set(err, WR_EINVAL, "the HTML page is written by "
                      "wr_html_audit_write (src/html)");
  }
  if (rc < 0)
    return wr_err_set(err, rc, "out of memory");
  if (fflush(out) != 0 || ferror(out))
    return wr_err_set(err, WR_EIO, "cannot write the audit");
  return 0;
}

void wr_audit_run_rows(const struct wr_audit *a, wr_audit_row_fn *row,
                       FILE *out)
{
  const struct wr_rread *rr = a->rr;
  const struct wr_rread_run *run = &rr->run;
  struct wr_buf inputs;
  char b[160], code[16];
  size_t i;

  row(out, "Outcome", wr_audit_outcome(a, b, sizeof(b)));
  snprintf(code, sizeof(code), "%d", a->exit_code);
  row(out, "Exit code", a->exit_code >= 0 ? code : NULL);
  row(out, "Started", run->started_at);
  row(out, "Finished", a->finished_at);
  row(out, "Duration", wr_audit_duration(a->duration_s, b, sizeof(b)));
  if (rr->nresumes > 0) {
    snprintf(b, sizeof(b), "%zu time%s, last at %s", rr->nresumes,
             wr_audit_plural(rr->nresumes),
             rr->last_resumed_at != NULL ? rr->last_resumed_at : "?");
    row(out, "Resumed", b);
  }
  row(out, "Tool version", run->tool_version);
  row(out, "API", run->api);
  row(out, "Action", run->action);
  row(out, "Endpoint", run->endpoint);
  wr_buf_init(&inputs, 1 << 16);
  for (i = 0; i < run->ninputs; i++)
    if ((i > 0 && wr_buf_adds(&inputs, ", ") < 0) ||
        wr_buf_adds(&inputs, run->inputs[i]) < 0)
      break; /* the buffer was freed: the row shows "none" */
  row(out, "Inputs", inputs.data);
  wr_buf_free(&inputs);
  if (run->selection != NULL) {
    char sel[1024];

    row(out, "Selection", wr_audit_selection(run, sel, sizeof(sel)));
  }
  row(out, "Rate limit", wr_audit_rate(run->rate, b, sizeof(b)));
  row(out, "Report file", rr->path);
}
