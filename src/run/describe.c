/* describe: the two users of DescribeDesktops, --verify and pre-flight
 * (verify.h, preflight.h), which batch their calls the same way (up to
 * 100 IDs of one region, one call at a time, each through the run's rate
 * budget) and read the answers the same way.
 *
 * --verify: after each wave, ask DescribeDesktops (up to 100 IDs a call,
 * through the same rate limiter) until every desktop rebooted ok in the
 * wave is Running again, or --verify-timeout passes.
 *
 * "Running again" (API.md section 6, an inference): Running after it was
 * seen in any other state, or Running WR_VERIFY_SETTLE_MS after its reboot
 * was accepted (a quick reboot may end between two looks).  Rounds: the
 * first a second after the wave, then every two seconds, each going once
 * through the desktops not yet back, one call at a time. */
#include "preflight.h"
#include "verify.h"

#include "clock.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define VERIFY_FIRST_MS 1000
#define VERIFY_INTERVAL_MS 2000
#define WR_VERIFY_SETTLE_MS 10000
#define VERIFY_BATCH WR_DESCRIBE_BATCH
#define VERIFY_RECORD_MAX 10000 /* desktops named in one verify record */

struct ventry {
  const char *id;     /* borrowed from the plan */
  const char *region;
  int64_t ok_ms;
  bool down, done;
};

struct wr_verify {
  uv_loop_t *loop;
  struct wr_describe_io io;
  wr_verify_done_cb *done;
  void *ud;
  int64_t timeout_ms;
  uv_timer_t timer;
  struct ventry *v;
  size_t n, cap, ndone, cursor;
  size_t batch[VERIFY_BATCH];
  size_t nbatch;
  int wave;
  int64_t deadline_ms;
  bool active, started;
  bool earlier;       /* desktops rebooted by an earlier session */
  size_t calls, errors;
  char last_error[WR_ERR_LEN];
};

static void next_batch(struct wr_verify *v);

/* The Desktops array of an answer (in *doc, to delete), NULL if none. */
static const cJSON *answer_desktops(const char *body, size_t len,
                                    cJSON **doc)
{
  *doc = cJSON_ParseWithLength(body, len);
  return cJSON_GetObjectItemCaseSensitive(*doc, "Desktops");
}

/* The string field key of desktop entry it, NULL if not a string. */
static const char *field(const cJSON *it, const char *key)
{
  const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, key);

  return cJSON_IsString(f) ? f->valuestring : NULL;
}

int wr_verify_create(struct uv_loop_s *loop, const struct wr_describe_io *io,
                     int64_t timeout_ms, wr_verify_done_cb *done, void *ud,
                     struct wr_verify **out)
{
  struct wr_verify *v = calloc(1, sizeof(*v));

  if (v == NULL)
    return WR_ENOMEM;
  v->loop = loop;
  v->io = *io;
  v->timeout_ms = timeout_ms;
  v->done = done;
  v->ud = ud;
  uv_timer_init(loop, &v->timer);
  v->timer.data = v;
  *out = v;
  return 0;
}

int wr_verify_add(struct wr_verify *v, const char *id, const char *region,
                  int64_t now_ms)
{
  struct ventry *e;

  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 256;

    e = realloc(v->v, cap * sizeof(*e));
    if (e == NULL)
      return WR_ENOMEM;
    v->v = e;
    v->cap = cap;
  }
  e = &v->v[v->n++];
  e->id = id;
  e->region = region;
  e->ok_ms = now_ms;
  e->down = e->done = false;
  if (now_ms == WR_VERIFY_LONG_AGO)
    v->earlier = true;
  return 0;
}

static void on_timer(uv_timer_t *h)
{
  next_batch(h->data);
}

/* One record of the check for desktops [from, to) (part k of nparts; the
 * calls and errors on the first): every desktop it covered, those not
 * Running (when it timed out) and those cut short (cut: the reason).
 * NULL when out of memory. */
static cJSON *verify_record(const struct wr_verify *v, bool timed_out,
                            const char *cut, size_t from, size_t to,
                            size_t k, size_t nparts, const char *ts)
{
  cJSON *o, *all = NULL, *nr = NULL, *nv = NULL;
  size_t i, done = 0;
  bool ok;

  for (i = from; i < to; i++)
    done += v->v[i].done;
  o = cJSON_CreateObject();
  ok = o != NULL &&
       cJSON_AddStringToObject(o, "type", "verify") != NULL &&
       cJSON_AddNumberToObject(o, "wave", v->wave) != NULL &&
       cJSON_AddNumberToObject(o, "desktops", (double)(to - from)) != NULL &&
       cJSON_AddNumberToObject(o, "running", (double)done) != NULL &&
       cJSON_AddBoolToObject(o, "timed_out", timed_out) != NULL &&
       cJSON_AddNumberToObject(o, "calls", k == 0 ? (double)v->calls : 0)
           != NULL &&
       cJSON_AddNumberToObject(o, "errors", k == 0 ? (double)v->errors : 0)
           != NULL &&
       (nparts == 1 ||
        (cJSON_AddNumberToObject(o, "part", (double)(k + 1)) != NULL &&
         cJSON_AddNumberToObject(o, "parts", (double)nparts) != NULL)) &&
       (nr = cJSON_AddArrayToObject(o, "not_running")) != NULL &&
       (cut == NULL ||
        ((nv = cJSON_AddArrayToObject(o, "not_verified")) != NULL &&
         cJSON_AddStringToObject(o, "interrupted", cut) != NULL)) &&
       (!v->earlier ||
        cJSON_AddBoolToObject(o, "earlier_sessions", true) != NULL) &&
       (all = cJSON_AddArrayToObject(o, "desktop_ids")) != NULL &&
       cJSON_AddStringToObject(o, "finished_at", ts) != NULL;
  /* Every desktop named: the audit tells each one's state, also after a
   * resume verified what this session could not. */
  for (i = from; ok && i < to; i++) {
    ok = cJSON_AddItemToArray(all, cJSON_CreateString(v->v[i].id));
    if (ok && !v->v[i].done)
      ok = cJSON_AddItemToArray(cut != NULL ? nv : nr,
                                cJSON_CreateString(v->v[i].id));
  }
  if (ok && k == 0 && v->last_error[0] != '\0')
    ok = cJSON_AddStringToObject(o, "last_error", v->last_error) != NULL;
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* The check's records, as an array: one per VERIFY_RECORD_MAX desktops,
 * so that a line stays far below the reader's limit (a wave of 100,000
 * desktops all timed out would name each twice).  NULL when out of
 * memory. */
static cJSON *verify_records(const struct wr_verify *v, bool timed_out,
                             const char *cut)
{
  char ts[WR_TIME_RFC3339_LEN];
  size_t nparts = (v->n + VERIFY_RECORD_MAX - 1) / VERIFY_RECORD_MAX, k;
  cJSON *a = cJSON_CreateArray(), *o;

  wr_time_rfc3339_ms(wr_clock_wall_ms(), ts);
  for (k = 0; a != NULL && k < nparts; k++) {
    size_t from = k * VERIFY_RECORD_MAX;
    size_t to = from + VERIFY_RECORD_MAX < v->n ? from + VERIFY_RECORD_MAX
                                                : v->n;

    o = verify_record(v, timed_out, cut, from, to, k, nparts, ts);
    if (o == NULL || !cJSON_AddItemToArray(a, o)) {
      cJSON_Delete(o);
      cJSON_Delete(a);
      return NULL;
    }
  }
  return a;
}

/* Everything of one check, its figures too: a wave cut before its check
 * started must not report the previous check's calls and errors. */
static void forget(struct wr_verify *v)
{
  v->n = v->ndone = v->cursor = v->calls = v->errors = 0;
  v->last_error[0] = '\0';
  v->earlier = v->started = v->active = false;
}

/* The record, then back to the owner. */
static void end(struct wr_verify *v, bool timed_out)
{
  size_t not_running = 0, running = v->ndone;
  cJSON *o;

  uv_timer_stop(&v->timer);
  v->active = false;
  o = verify_records(v, timed_out, NULL);
  if (timed_out) {
    not_running = v->n - v->ndone;
    wr_warnf("verify: wave %d: %zu of %zu desktops not Running after the "
             "--verify-timeout", v->wave, v->n - v->ndone, v->n);
  } else {
    wr_infof("verify: wave %d: all %zu desktops Running again", v->wave,
             v->n);
  }
  forget(v);
  v->done(v->ud, o, running, not_running);
}

cJSON *wr_verify_cut(struct wr_verify *v, int wave, const char *reason,
                     size_t *running, size_t *not_verified)
{
  cJSON *o;

  *running = *not_verified = 0;
  if (v == NULL || v->n == 0)
    return NULL;
  uv_timer_stop(&v->timer);
  if (!v->started)
    v->wave = wave;
  *running = v->ndone;
  *not_verified = v->n - v->ndone;
  wr_warnf("verify: wave %d: %zu of %zu desktops not verified (%s)",
           v->wave, *not_verified, v->n, reason);
  o = verify_records(v, false, reason);
  forget(v);
  return o;
}

static void on_answer(void *ud, const struct wr_api_result *r,
                      const char *body, size_t len)
{
  struct wr_verify *v = ud;
  int64_t now = wr_clock_now_ms();
  const cJSON *list, *it;
  const char *id, *st;
  cJSON *doc;
  size_t k;

  if (!v->active)
    return;
  v->io.answered(v->io.ud, now, r);
  if (!v->active)
    return; /* the answer stopped the run (credentials) */
  if (r->outcome != WR_OUTCOME_OK) {
    v->errors++;
    snprintf(v->last_error, sizeof(v->last_error), "%s",
             r->code[0] ? r->code : "transport error");
    next_batch(v);
    return;
  }
  list = answer_desktops(body, len, &doc);
  cJSON_ArrayForEach(it, list) {
    id = field(it, "DesktopId");
    st = field(it, "DesktopStatus");
    if (id == NULL || st == NULL)
      continue;
    for (k = 0; k < v->nbatch; k++) {
      struct ventry *e = &v->v[v->batch[k]];

      if (e->done || strcmp(e->id, id) != 0)
        continue;
      if (strcmp(st, "Running") != 0) {
        e->down = true;
      } else if (e->down || now - e->ok_ms >= WR_VERIFY_SETTLE_MS) {
        e->done = true;
        v->ndone++;
      }
    }
  }
  cJSON_Delete(doc);
  next_batch(v);
}

/* One call for the next desktops not yet back (one region, <= 100). */
static void next_batch(struct wr_verify *v)
{
  const char *ids[VERIFY_BATCH];
  const char *region;
  struct wr_err err = {0};
  int64_t now = wr_clock_now_ms();
  int64_t wait = 0;
  size_t i;

  if (!v->active)
    return;
  if (v->ndone == v->n) {
    end(v, false);
    return;
  }
  if (now >= v->deadline_ms) {
    end(v, true);
    return;
  }
  while (v->cursor < v->n && v->v[v->cursor].done)
    v->cursor++;
  if (v->cursor >= v->n) {
    v->cursor = 0;
    uv_timer_start(&v->timer, on_timer, VERIFY_INTERVAL_MS, 0);
    return;
  }
  if (!v->io.may_call(v->io.ud, now, &wait)) {
    /* The loop's cached time may be stale; the wait is from now. */
    uv_update_time(v->loop);
    uv_timer_start(&v->timer, on_timer, (uint64_t)wait, 0);
    return;
  }
  region = v->v[v->cursor].region;
  v->nbatch = 0;
  for (i = v->cursor; i < v->n && v->nbatch < VERIFY_BATCH; i++) {
    if (v->v[i].done)
      continue;
    if (strcmp(v->v[i].region, region) != 0)
      break;
    ids[v->nbatch] = v->v[i].id;
    v->batch[v->nbatch++] = i;
  }
  v->cursor = i;
  v->calls++;
  if (v->io.describe(v->io.describe_ctx, region, ids, v->nbatch, on_answer,
                     v, &err) < 0) {
    v->errors++;
    snprintf(v->last_error, sizeof(v->last_error), "%s", err.msg);
    uv_timer_start(&v->timer, on_timer, VERIFY_INTERVAL_MS, 0);
  }
}

int wr_verify_start_wave(struct wr_verify *v, int wave)
{
  if (v == NULL || v->n == 0)
    return 0;
  v->wave = wave;
  v->ndone = v->cursor = v->calls = v->errors = 0;
  v->last_error[0] = '\0';
  v->deadline_ms = wr_clock_now_ms() + v->timeout_ms;
  v->active = v->started = true;
  wr_infof("verify: wave %d: waiting for %zu desktops to be Running",
           wave, v->n);
  uv_timer_start(&v->timer, on_timer, VERIFY_FIRST_MS, 0);
  return 1;
}

void wr_verify_progress(const struct wr_verify *v, size_t *running,
                        size_t *total)
{
  *running = v != NULL && v->active ? v->ndone : 0;
  *total = v != NULL && v->active ? v->n : 0;
}

void wr_verify_cancel(struct wr_verify *v)
{
  if (v == NULL)
    return;
  v->active = false;
  uv_timer_stop(&v->timer);
}

static void on_closed(uv_handle_t *h)
{
  struct wr_verify *v = h->data;

  free(v->v);
  free(v);
}

void wr_verify_destroy(struct wr_verify **pp)
{
  struct wr_verify *v = *pp;

  if (v == NULL)
    return;
  *pp = NULL;
  uv_close((uv_handle_t *)&v->timer, on_closed);
}

/* ---- pre-flight ---------------------------------------------------------- */

#define PREFLIGHT_RETRY_MS 1000
#define PREFLIGHT_REASON_LEN 48

struct pentry {
  const char *id;     /* borrowed from the plan */
  const char *region;
  uint8_t verdict;    /* enum wr_pf_verdict */
  char why[PREFLIGHT_REASON_LEN];
};

struct wr_preflight {
  uv_loop_t *loop;
  struct wr_describe_io io;
  bool skip_connected;
  int attempts;       /* calls for one batch at most (transient errors) */
  wr_preflight_record_cb *record;
  wr_preflight_done_cb *done;
  void *ud;
  uv_timer_t timer;
  struct pentry *v;
  size_t n, cap, cursor;
  size_t batch[WR_DESCRIBE_BATCH];
  size_t nbatch;
  int attempt;        /* of the current batch */
  int wave;
  bool active;
};

static void pf_next(struct wr_preflight *p);

static void pf_on_timer(uv_timer_t *h)
{
  pf_next(h->data);
}

int wr_preflight_create(struct uv_loop_s *loop,
                        const struct wr_describe_io *io, bool skip_connected,
                        int attempts, wr_preflight_record_cb *record,
                        wr_preflight_done_cb *done, void *ud,
                        struct wr_preflight **out)
{
  struct wr_preflight *p = calloc(1, sizeof(*p));

  if (p == NULL)
    return WR_ENOMEM;
  p->attempts = attempts > 0 ? attempts : 1;
  p->loop = loop;
  p->io = *io;
  p->skip_connected = skip_connected;
  p->record = record;
  p->done = done;
  p->ud = ud;
  uv_timer_init(loop, &p->timer);
  p->timer.data = p;
  *out = p;
  return 0;
}

void wr_preflight_reset(struct wr_preflight *p)
{
  p->n = p->cursor = p->nbatch = 0;
}

int wr_preflight_add(struct wr_preflight *p, const char *id,
                     const char *region)
{
  struct pentry *e;

  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 256;

    e = realloc(p->v, cap * sizeof(*e));
    if (e == NULL)
      return WR_ENOMEM;
    p->v = e;
    p->cap = cap;
  }
  e = &p->v[p->n++];
  e->id = id;
  e->region = region;
  e->verdict = WR_PF_UNCHECKED;
  e->why[0] = '\0';
  return 0;
}

/* The call's `preflight` record: what it asked and what it saw. */
static void pf_record(struct wr_preflight *p, const char *region,
                      const struct wr_api_result *r, const char *error)
{
  size_t k, c[WR_PF_ERROR + 1] = {0};
  char ts[WR_TIME_RFC3339_LEN];
  cJSON *o;

  for (k = 0; k < p->nbatch; k++)
    c[p->v[p->batch[k]].verdict]++;
  wr_time_rfc3339_ms(wr_clock_wall_ms(), ts);
  o = cJSON_CreateObject();
  if (o != NULL &&
      (cJSON_AddStringToObject(o, "type", "preflight") == NULL ||
       cJSON_AddNumberToObject(o, "wave", p->wave) == NULL ||
       cJSON_AddStringToObject(o, "region", region) == NULL ||
       cJSON_AddNumberToObject(o, "desktops", (double)p->nbatch) == NULL ||
       cJSON_AddNumberToObject(o, "attempt", p->attempt) == NULL ||
       (r != NULL && r->request_id[0] != '\0'
            ? cJSON_AddStringToObject(o, "request_id", r->request_id)
            : cJSON_AddNullToObject(o, "request_id")) == NULL ||
       cJSON_AddNumberToObject(o, "running", (double)c[WR_PF_SEND]) == NULL ||
       cJSON_AddNumberToObject(o, "excluded", (double)c[WR_PF_EXCLUDED]) ==
           NULL ||
       cJSON_AddNumberToObject(o, "not_found", (double)c[WR_PF_NOT_FOUND]) ==
           NULL ||
       (error != NULL ? cJSON_AddStringToObject(o, "error", error)
                      : cJSON_AddNullToObject(o, "error")) == NULL ||
       cJSON_AddStringToObject(o, "finished_at", ts) == NULL)) {
    cJSON_Delete(o);
    o = NULL;
  }
  p->record(p->ud, o);
  cJSON_Delete(o);
}

/* The verdict of one desktop from its entry in an answer. */
static void pf_judge(struct wr_preflight *p, struct pentry *e,
                     const char *st, const char *conn)
{
  if (strcmp(st, "Running") != 0) {
    e->verdict = WR_PF_EXCLUDED;
    snprintf(e->why, sizeof(e->why), "status:%s", st);
  } else if (p->skip_connected && conn != NULL &&
             strcmp(conn, "Connected") == 0) {
    e->verdict = WR_PF_EXCLUDED;
    snprintf(e->why, sizeof(e->why), "connected");
  } else {
    e->verdict = WR_PF_SEND;
  }
}

/* A call for the batch failed: again later if that may help (a
 * transient or throttled answer, budget left), else its desktops are
 * ERROR. */
static void pf_failed(struct wr_preflight *p, const char *region,
                      const struct wr_api_result *r, const char *error,
                      bool again)
{
  size_t k;

  if (again && p->attempt < p->attempts) {
    pf_record(p, region, r, error);
    uv_timer_start(&p->timer, pf_on_timer, PREFLIGHT_RETRY_MS, 0);
    return;
  }
  for (k = 0; k < p->nbatch; k++) {
    struct pentry *e = &p->v[p->batch[k]];

    e->verdict = WR_PF_ERROR;
    snprintf(e->why, sizeof(e->why), "%s", error);
  }
  pf_record(p, region, r, error);
  wr_warnf("pre-flight: wave %d: %zu desktop(s) of %s could not be "
           "checked (%s after %d calls); they are not rebooted", p->wave,
           p->nbatch, region, error, p->attempt);
  p->nbatch = 0;
  p->attempt = 0;
  pf_next(p);
}

static void pf_on_answer(void *ud, const struct wr_api_result *r,
                         const char *body, size_t len)
{
  struct wr_preflight *p = ud;
  const char *region = p->v[p->batch[0]].region;
  const cJSON *list, *it;
  const char *id, *st;
  cJSON *doc = NULL;
  size_t k;

  if (!p->active)
    return;
  p->io.answered(p->io.ud, wr_clock_now_ms(), r);
  if (!p->active)
    return; /* the answer stopped the run (credentials) */
  if (r->outcome != WR_OUTCOME_OK) {
    pf_failed(p, region, r, r->code[0] ? r->code : "transport error",
              r->outcome != WR_OUTCOME_FINAL);
    return;
  }
  list = answer_desktops(body, len, &doc);
  /* A page that does not hold every match cannot say what is absent. */
  if (!cJSON_IsArray(list) ||
      cJSON_GetObjectItemCaseSensitive(doc, "NextToken") != NULL) {
    cJSON_Delete(doc);
    pf_failed(p, region, r, "incomplete DescribeDesktops answer", true);
    return;
  }
  cJSON_ArrayForEach(it, list) {
    id = field(it, "DesktopId");
    st = field(it, "DesktopStatus");
    if (id == NULL || st == NULL)
      continue;
    for (k = 0; k < p->nbatch; k++) {
      struct pentry *e = &p->v[p->batch[k]];

      if (e->verdict == WR_PF_UNCHECKED && strcmp(e->id, id) == 0)
        pf_judge(p, e, st, field(it, "ConnectionStatus"));
    }
  }
  cJSON_Delete(doc);
  for (k = 0; k < p->nbatch; k++) {
    struct pentry *e = &p->v[p->batch[k]];

    if (e->verdict == WR_PF_UNCHECKED)
      e->verdict = WR_PF_NOT_FOUND;
  }
  pf_record(p, region, r, NULL);
  p->nbatch = 0;
  p->attempt = 0;
  pf_next(p);
}

/* The next call: the batch again after an error, else the next <= 100
 * desktops of one region. */
static void pf_next(struct wr_preflight *p)
{
  const char *ids[WR_DESCRIBE_BATCH];
  struct wr_err err = {0};
  int64_t wait = 0;
  size_t i;

  if (!p->active)
    return;
  if (p->nbatch == 0 && p->cursor >= p->n) {
    p->active = false;
    p->done(p->ud);
    return;
  }
  if (!p->io.may_call(p->io.ud, wr_clock_now_ms(), &wait)) {
    uv_update_time(p->loop);
    uv_timer_start(&p->timer, pf_on_timer, (uint64_t)wait, 0);
    return;
  }
  if (p->nbatch == 0) {
    const char *region = p->v[p->cursor].region;

    for (i = p->cursor; i < p->n && p->nbatch < WR_DESCRIBE_BATCH; i++) {
      if (strcmp(p->v[i].region, region) != 0)
        break;
      p->batch[p->nbatch++] = i;
    }
    p->cursor = i;
  }
  for (i = 0; i < p->nbatch; i++)
    ids[i] = p->v[p->batch[i]].id;
  p->attempt++;
  if (p->io.describe(p->io.describe_ctx, p->v[p->batch[0]].region, ids,
                     p->nbatch, pf_on_answer, p, &err) < 0) {
    struct wr_api_result r;

    memset(&r, 0, sizeof(r));
    pf_failed(p, p->v[p->batch[0]].region, &r, err.msg, false);
  }
}

int wr_preflight_start(struct wr_preflight *p, int wave)
{
  if (p == NULL || p->n == 0)
    return 0;
  p->wave = wave;
  p->cursor = p->nbatch = 0;
  p->attempt = 0;
  p->active = true;
  wr_infof("pre-flight: wave %d: checking the state of %zu desktops", wave,
           p->n);
  uv_timer_start(&p->timer, pf_on_timer, 0, 0);
  return 1;
}

enum wr_pf_verdict wr_preflight_verdict(const struct wr_preflight *p,
                                        size_t i, const char **why)
{
  const struct pentry *e = &p->v[i];

  *why = e->why[0] != '\0' ? e->why : NULL;
  return (enum wr_pf_verdict)e->verdict;
}

void wr_preflight_progress(const struct wr_preflight *p, size_t *checked,
                           size_t *total)
{
  /* Those before the cursor have a verdict, but the batch in flight. */
  *checked = p != NULL ? p->cursor - p->nbatch : 0;
  *total = p != NULL ? p->n : 0;
}

void wr_preflight_cancel(struct wr_preflight *p)
{
  if (p == NULL)
    return;
  p->active = false;
  uv_timer_stop(&p->timer);
}

static void pf_on_closed(uv_handle_t *h)
{
  struct wr_preflight *p = h->data;

  free(p->v);
  free(p);
}

void wr_preflight_destroy(struct wr_preflight **pp)
{
  struct wr_preflight *p = *pp;

  if (p == NULL)
    return;
  *pp = NULL;
  uv_close((uv_handle_t *)&p->timer, pf_on_closed);
}
