/* verify as an object of its own: a real libuv loop, a fake describe and
 * a fake rate budget.  Every describe call must have been granted by
 * io->may_call (the run's --rate covers them), a refusal waits, and the
 * done callback gets the wave's record. */
#include "clock.h"
#include "verify.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define NDESK 250
#define GAP_MS 30  /* the fake budget: one call per GAP_MS */

struct fake {
  uv_loop_t *loop;
  bool throttle;              /* every answer: Throttling */
  int grants, refusals, describes, throttled, dones;
  int64_t next_ok, last_grant;
  int min_gap;                /* smallest gap between two grants */
  int looks[NDESK];
  size_t not_running, running;
  int nrecords;
  cJSON *record;
};

struct answer {
  uv_timer_t timer;
  wr_dispatch_body_cb *cb;
  void *ud;
  struct wr_api_result r;
  char body[16384];
};

static char ids[NDESK][16];

static bool may_call(void *ud, int64_t now, int64_t *wait_ms)
{
  struct fake *f = ud;

  if (now < f->next_ok) {
    f->refusals++;
    *wait_ms = f->next_ok - now;
    return false;
  }
  /* The gap between grants, on the clock verify gives the budget (the
   * describe call itself may run a little after its grant, so a gap
   * measured there would depend on the machine's load). */
  if (f->last_grant != 0 && (f->min_gap < 0 || now - f->last_grant < f->min_gap))
    f->min_gap = (int)(now - f->last_grant);
  f->last_grant = now;
  f->grants++;
  f->next_ok = now + GAP_MS;
  return true;
}

static void answered(void *ud, int64_t now, const struct wr_api_result *r)
{
  struct fake *f = ud;

  (void)now;
  if (r->outcome != WR_OUTCOME_THROTTLED)
    return;
  assert_int_equal(r->retry_after_ms, 5);
  f->throttled++;
}

static void on_closed(uv_handle_t *h)
{
  free(h->data);
}

static void on_answer(uv_timer_t *h)
{
  struct answer *a = h->data;

  a->cb(a->ud, &a->r, a->body, strlen(a->body));
  uv_close((uv_handle_t *)h, on_closed);
}

/* Stopping at the first look, Running after. */
static int describe(void *ctx, const char *region, const char *const *list,
                    size_t n, wr_dispatch_body_cb *cb, void *ud,
                    struct wr_err *err)
{
  struct fake *f = ctx;
  struct answer *a = calloc(1, sizeof(*a));
  size_t i, len;

  (void)region;
  (void)err;
  assert_non_null(a);
  assert_true(n >= 1 && n <= 100);
  /* Each call was granted: as many calls as grants, so far. */
  f->describes++;
  assert_int_equal(f->describes, f->grants);
  a->cb = cb;
  a->ud = ud;
  a->r.retry_after_ms = -1;
  if (f->throttle) {
    a->r.outcome = WR_OUTCOME_THROTTLED;
    a->r.retry_after_ms = 5;
    snprintf(a->r.code, sizeof(a->r.code), "Throttling");
  } else {
    a->r.outcome = WR_OUTCOME_OK;
    len = (size_t)snprintf(a->body, sizeof(a->body), "{\"Desktops\":[");
    for (i = 0; i < n; i++) {
      int k = atoi(list[i] + 4);

      len += (size_t)snprintf(a->body + len, sizeof(a->body) - len,
                              "%s{\"DesktopId\":\"%s\",\"DesktopStatus\":"
                              "\"%s\"}", i ? "," : "", list[i],
                              f->looks[k]++ == 0 ? "Stopping" : "Running");
    }
    snprintf(a->body + len, sizeof(a->body) - len, "]}");
  }
  uv_timer_init(f->loop, &a->timer);
  a->timer.data = a;
  uv_timer_start(&a->timer, on_answer, 1, 0);
  return 0;
}

/* The check's records: one here (fewer than 10,000 desktops). */
static void on_done(void *ud, cJSON *records, size_t running,
                    size_t not_running)
{
  struct fake *f = ud;

  f->dones++;
  f->running = running;
  f->not_running = not_running;
  f->nrecords = cJSON_GetArraySize(records);
  f->record = cJSON_DetachItemFromArray(records, 0);
  cJSON_Delete(records);
}

static double num(const cJSON *r, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, k);

  return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void run_wave(struct fake *f, int64_t timeout_ms)
{
  uv_loop_t loop;
  struct wr_verify *v = NULL;
  struct wr_describe_io io;
  int64_t now;
  size_t i;

  assert_int_equal(uv_loop_init(&loop), 0);
  f->loop = &loop;
  f->min_gap = -1;
  memset(&io, 0, sizeof(io));
  io.describe = describe;
  io.describe_ctx = f;
  io.may_call = may_call;
  io.answered = answered;
  io.ud = f;
  assert_int_equal(wr_verify_create(&loop, &io, timeout_ms, on_done, f, &v),
                   0);
  now = wr_clock_now_ms();
  for (i = 0; i < NDESK; i++) {
    snprintf(ids[i], sizeof(ids[i]), "ecd-%zu", i);
    /* Two regions: a round takes several calls. */
    assert_int_equal(wr_verify_add(v, ids[i], i < 120 ? "cn-a" : "cn-b",
                                   now), 0);
  }
  assert_int_equal(wr_verify_start_wave(v, 1), 1);
  assert_int_equal(f->dones, 0);   /* never from inside the call */
  uv_run(&loop, UV_RUN_DEFAULT);
  wr_verify_destroy(&v);
  assert_null(v);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
  f->loop = NULL;   /* the loop is gone with this frame */
}

static void test_shares_rate(void **state)
{
  struct fake f;

  (void)state;
  memset(&f, 0, sizeof(f));
  run_wave(&f, 20000);
  assert_int_equal(f.dones, 1);
  assert_int_equal(f.not_running, 0);
  /* Two rounds (Stopping, then Running) of 4 calls each (100 + 20 in
   * cn-a, 100 + 30 in cn-b): each call granted, refusals waited out. */
  assert_int_equal(f.describes, 8);
  assert_int_equal(f.grants, f.describes);
  assert_true(f.refusals > 0);
  assert_true(f.min_gap >= GAP_MS);
  assert_non_null(f.record);
  assert_int_equal(num(f.record, "desktops"), NDESK);
  assert_int_equal(num(f.record, "running"), NDESK);
  assert_int_equal(num(f.record, "calls"), 8);
  assert_false(cJSON_IsTrue(cJSON_GetObjectItem(f.record, "timed_out")));
  cJSON_Delete(f.record);
}

static void test_throttled_times_out(void **state)
{
  struct fake f;
  const cJSON *nr;

  (void)state;
  memset(&f, 0, sizeof(f));
  f.throttle = true;
  run_wave(&f, 1500);
  assert_int_equal(f.dones, 1);
  assert_int_equal(f.not_running, NDESK);
  assert_int_equal(f.running, 0);
  assert_int_equal(f.nrecords, 1);
  assert_true(f.describes >= 4);
  assert_int_equal(f.throttled, f.describes);
  assert_non_null(f.record);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(f.record, "timed_out")));
  assert_int_equal(num(f.record, "errors"), f.describes);
  assert_string_equal(
      cJSON_GetObjectItem(f.record, "last_error")->valuestring, "Throttling");
  nr = cJSON_GetObjectItem(f.record, "not_running");
  /* Every one named (the audit tells each desktop's state from them). */
  assert_int_equal(cJSON_GetArraySize(nr), NDESK);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(f.record,
                                                          "desktop_ids")),
                   NDESK);
  assert_null(cJSON_GetObjectItem(f.record, "not_verified"));
  cJSON_Delete(f.record);
}

/* A wave cut before its check started (an interrupt while it was being
 * sent): its record names its own desktops as not verified, with no call
 * and no error of the previous wave's check. */
static void test_cut_before_start(void **state)
{
  struct fake f;
  uv_loop_t loop;
  struct wr_verify *v = NULL;
  struct wr_describe_io io;
  size_t i, running = 1, not_verified = 0;
  cJSON *recs, *r;

  (void)state;
  memset(&f, 0, sizeof(f));
  f.throttle = true; /* wave 1's check: calls and errors, then a timeout */
  assert_int_equal(uv_loop_init(&loop), 0);
  f.loop = &loop;
  f.min_gap = -1;
  memset(&io, 0, sizeof(io));
  io.describe = describe;
  io.describe_ctx = &f;
  io.may_call = may_call;
  io.answered = answered;
  io.ud = &f;
  assert_int_equal(wr_verify_create(&loop, &io, 1500, on_done, &f, &v), 0);
  for (i = 0; i < 10; i++) {
    snprintf(ids[i], sizeof(ids[i]), "ecd-%zu", i);
    assert_int_equal(wr_verify_add(v, ids[i], "cn-a", wr_clock_now_ms()), 0);
  }
  assert_int_equal(wr_verify_start_wave(v, 1), 1);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(f.dones, 1);
  assert_true(num(f.record, "calls") >= 1);
  assert_true(num(f.record, "errors") >= 1);
  cJSON_Delete(f.record);
  /* wave 2: sent in part, then the interrupt */
  for (i = 10; i < 14; i++) {
    snprintf(ids[i], sizeof(ids[i]), "ecd-%zu", i);
    assert_int_equal(wr_verify_add(v, ids[i], "cn-a", wr_clock_now_ms()), 0);
  }
  recs = wr_verify_cut(v, 2, "interrupt", &running, &not_verified);
  assert_non_null(recs);
  assert_int_equal(running, 0);
  assert_int_equal(not_verified, 4);
  r = cJSON_GetArrayItem(recs, 0);
  assert_int_equal(num(r, "wave"), 2);
  assert_int_equal(num(r, "desktops"), 4);
  assert_int_equal(num(r, "calls"), 0);
  assert_int_equal(num(r, "errors"), 0);
  assert_null(cJSON_GetObjectItem(r, "last_error"));
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "not_verified")),
                   4);
  cJSON_Delete(recs);
  wr_verify_destroy(&v);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_shares_rate),
    cmocka_unit_test(test_throttled_times_out),
      cmocka_unit_test(test_cut_before_start),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
