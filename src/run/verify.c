/* --verify: after each wave, ask DescribeDesktops (up to 100 IDs a call,
 * through the same rate limiter) until every desktop rebooted ok in the
 * wave is Running again, or --verify-timeout passes.
 *
 * "Running again" (API.md section 6, an inference): Running after it was
 * seen in any other state, or Running WR_VERIFY_SETTLE_MS after its reboot
 * was accepted (a quick reboot may end between two looks).  Rounds: the
 * first a second after the wave, then every two seconds, each going once
 * through the desktops not yet back, one call at a time. */
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
#define VERIFY_BATCH 100       /* DescribeDesktops takes 1-100 IDs */
#define VERIFY_LIST_MAX 100    /* not_running IDs named in the record */

struct ventry {
  const char *id;     /* borrowed from the plan */
  const char *region;
  int64_t ok_ms;
  bool down, done;
};

struct wr_verify {
  uv_loop_t *loop;
  struct wr_verify_io io;
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
  bool active;
  size_t calls, errors;
  char last_error[WR_ERR_LEN];
};

static void next_batch(struct wr_verify *v);

int wr_verify_create(struct uv_loop_s *loop, const struct wr_verify_io *io,
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
  return 0;
}

static void on_timer(uv_timer_t *h)
{
  next_batch(h->data);
}

/* The record, then back to the owner. */
static void end(struct wr_verify *v, bool timed_out)
{
  size_t not_running = 0;
  char ts[WR_TIME_RFC3339_LEN];
  cJSON *o, *arr = NULL;
  size_t i, listed = 0;

  uv_timer_stop(&v->timer);
  v->active = false;
  wr_time_rfc3339_ms(wr_clock_wall_ms(), ts);
  o = cJSON_CreateObject();
  if (o != NULL &&
      (cJSON_AddStringToObject(o, "type", "verify") == NULL ||
       cJSON_AddNumberToObject(o, "wave", v->wave) == NULL ||
       cJSON_AddNumberToObject(o, "desktops", (double)v->n) == NULL ||
       cJSON_AddNumberToObject(o, "running", (double)v->ndone) == NULL ||
       cJSON_AddBoolToObject(o, "timed_out", timed_out) == NULL ||
       cJSON_AddNumberToObject(o, "calls", (double)v->calls) == NULL ||
       cJSON_AddNumberToObject(o, "errors", (double)v->errors) == NULL ||
       (arr = cJSON_AddArrayToObject(o, "not_running")) == NULL ||
       cJSON_AddStringToObject(o, "finished_at", ts) == NULL)) {
    cJSON_Delete(o);
    o = NULL;
  }
  for (i = 0; o != NULL && i < v->n && listed < VERIFY_LIST_MAX; i++)
    if (!v->v[i].done) {
      cJSON_AddItemToArray(arr, cJSON_CreateString(v->v[i].id));
      listed++;
    }
  if (o != NULL && v->last_error[0] != '\0')
    cJSON_AddStringToObject(o, "last_error", v->last_error);
  if (timed_out) {
    not_running = v->n - v->ndone;
    wr_warnf("verify: wave %d: %zu of %zu desktops not Running after the "
             "--verify-timeout", v->wave, v->n - v->ndone, v->n);
  } else {
    wr_infof("verify: wave %d: all %zu desktops Running again", v->wave,
             v->n);
  }
  v->n = v->ndone = v->cursor = 0;
  v->done(v->ud, o, not_running);
}

static void on_answer(void *ud, const struct wr_api_result *r,
                      const char *body, size_t len)
{
  struct wr_verify *v = ud;
  int64_t now = wr_clock_now_ms();
  const cJSON *list, *it, *id, *st;
  cJSON *doc;
  size_t k;

  if (!v->active)
    return;
  if (r->outcome != WR_OUTCOME_OK) {
    v->errors++;
    snprintf(v->last_error, sizeof(v->last_error), "%s",
             r->code[0] ? r->code : "transport error");
    if (r->outcome == WR_OUTCOME_THROTTLED)
      v->io.throttled(v->io.ud, now, r->retry_after_ms);
    next_batch(v);
    return;
  }
  doc = cJSON_ParseWithLength(body, len);
  list = cJSON_GetObjectItemCaseSensitive(doc, "Desktops");
  cJSON_ArrayForEach(it, list) {
    id = cJSON_GetObjectItemCaseSensitive(it, "DesktopId");
    st = cJSON_GetObjectItemCaseSensitive(it, "DesktopStatus");
    if (!cJSON_IsString(id) || !cJSON_IsString(st))
      continue;
    for (k = 0; k < v->nbatch; k++) {
      struct ventry *e = &v->v[v->batch[k]];

      if (e->done || strcmp(e->id, id->valuestring) != 0)
        continue;
      if (strcmp(st->valuestring, "Running") != 0) {
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
  v->active = true;
  wr_infof("verify: wave %d: waiting for %zu desktops to be Running",
           wave, v->n);
  uv_timer_start(&v->timer, on_timer, VERIFY_FIRST_MS, 0);
  return 1;
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
