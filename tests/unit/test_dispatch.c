/* dispatch with a fake sender on a real libuv loop and a real report
 * file: every scenario reads the report back and checks the records. */
#include "clock.h"
#include "dispatch.h"
#include "dispatch_int.h" /* sizeof(struct task), to fail its allocation */
#include "sender.h"
#include "plan.h"
#include "journal.h"

#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#define MAXIDS 400

/* Linked with -Wl,--wrap=calloc (tests/CMakeLists.txt): when fail_task_
 * counts down to 0, that allocation of a task fails. */
static int fail_task_;
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size)
{
  if (fail_task_ > 0 && n == 1 && size == sizeof(struct task) &&
      --fail_task_ == 0)
    return NULL;
  return __real_calloc(n, size);
}

/* ---- a fake fleet behind a fake sender -------------------------------- */

/* B_LOST: the reboot is done, the answer lost; B_BUSY: refused,
 * IncorrectDesktopStatus naming the first desktop as Stopping; B_AUTH: a
 * credentials error no retry can fix. */
enum behaviour { B_OK, B_TRANSIENT, B_THROTTLE, B_FINAL, B_AUTH, B_LOST,
                 B_BUSY };

struct fake {
  uv_loop_t *loop;
  int delay_ms;
  /* decides the outcome of an attempt */
  enum behaviour (*judge)(const struct wr_dispatch_attempt *a);
  int calls, inflight, max_inflight;
  int reboots[MAXIDS];         /* per desktop index */
  int64_t starts[4096];
  int nstarts;
  int raise_after;             /* raise SIGINT after this many answers */
  int answers;
  bool describe;               /* offer DescribeDesktops */
  int looks[MAXIDS];           /* DescribeDesktops per desktop */
  int never_back;              /* this desktop stays Stopped (-1: none) */
  int describes;
  /* pre-flight's view: the state of desktop k, NULL: unknown to the API
   * (the verify fake's answers when this is NULL) */
  const char *(*state)(int k);
};

struct call {
  uv_timer_t timer;
  struct fake *f;
  wr_dispatch_done_cb *cb;
  wr_dispatch_body_cb *bcb;
  void *ud;
  struct wr_api_result r;
  char body[8192];
};

static struct fake *fake_;

static int id_index(const char *id)
{
  return atoi(id + 4);
}

static void on_call_closed(uv_handle_t *h)
{
  free(h->data);
}

static void on_answer(uv_timer_t *h)
{
  struct call *c = h->data;
  struct fake *f = c->f;

  if (c->bcb != NULL) {
    c->bcb(c->ud, &c->r, c->body, strlen(c->body));
    uv_close((uv_handle_t *)&c->timer, on_call_closed);
    return;
  }
  f->inflight--;
  f->answers++;
  c->cb(c->ud, &c->r, f->delay_ms);
  uv_close((uv_handle_t *)&c->timer, on_call_closed);
  if (f->raise_after > 0 && f->answers == f->raise_after)
    raise(SIGINT);
}

static int fake_send(void *ctx, const struct wr_dispatch_attempt *a,
                     wr_dispatch_done_cb *cb, void *ud, struct wr_err *err)
{
  struct fake *f = ctx;
  struct call *c = calloc(1, sizeof(*c));
  size_t i;

  (void)err;
  assert_non_null(c);
  c->f = f;
  c->cb = cb;
  c->ud = ud;
  c->r.retry_after_ms = -1;
  snprintf(c->r.request_id, sizeof(c->r.request_id), "REQ-%d", f->calls);
  f->calls++;
  if (f->nstarts < 4096)
    f->starts[f->nstarts++] = wr_clock_now_ms();
  switch (f->judge(a)) {
  case B_OK:
    c->r.outcome = WR_OUTCOME_OK;
    c->r.http_status = 200;
    for (i = 0; i < a->nids; i++)
      f->reboots[id_index(a->ids[i])]++;
    break;
  case B_TRANSIENT:
    c->r.outcome = WR_OUTCOME_TRANSIENT;
    c->r.ambiguous = true;
    c->r.http_status = 503;
    snprintf(c->r.code, sizeof(c->r.code), "ServiceUnavailable");
    break;
  case B_THROTTLE:
    c->r.outcome = WR_OUTCOME_THROTTLED;
    c->r.http_status = 400;
    c->r.retry_after_ms = 5;
    snprintf(c->r.code, sizeof(c->r.code), "Throttling.User");
    break;
  case B_FINAL:
    c->r.outcome = WR_OUTCOME_FINAL;
    c->r.splittable = true;
    c->r.http_status = 400;
    snprintf(c->r.code, sizeof(c->r.code), "IncorrectDesktopStatus");
    snprintf(c->r.message, sizeof(c->r.message), "not running");
    break;
  case B_AUTH:
    c->r.outcome = WR_OUTCOME_FINAL;
    c->r.fatal_auth = true;
    c->r.http_status = 400;
    snprintf(c->r.code, sizeof(c->r.code), "SignatureDoesNotMatch");
    snprintf(c->r.message, sizeof(c->r.message), "bad signature");
    break;
  case B_LOST:
    for (i = 0; i < a->nids; i++)
      f->reboots[id_index(a->ids[i])]++;
    c->r.outcome = WR_OUTCOME_TRANSIENT;
    c->r.ambiguous = true;
    c->r.request_id[0] = '\0';
    snprintf(c->r.code, sizeof(c->r.code), "ClientError");
    break;
  case B_BUSY:
    c->r.outcome = WR_OUTCOME_FINAL;
    c->r.splittable = true;
    c->r.http_status = 403;
    snprintf(c->r.code, sizeof(c->r.code), "IncorrectDesktopStatus");
    snprintf(c->r.message, sizeof(c->r.message), "The current status of "
             "the desktop does not support this operation: %s is Stopping.",
             a->ids[0]);
    break;
  }
  f->inflight++;
  if (f->inflight > f->max_inflight)
    f->max_inflight = f->inflight;
  uv_timer_init(f->loop, &c->timer);
  c->timer.data = c;
  uv_timer_start(&c->timer, on_answer, (uint64_t)f->delay_ms, 0);
  return 0;
}

/* Stopping at the first look, Running after (never_back: Stopped). */
static int fake_describe(void *ctx, const char *region,
                         const char *const *ids, size_t nids,
                         wr_dispatch_body_cb *cb, void *ud, struct wr_err *err)
{
  struct fake *f = ctx;
  struct call *c;
  size_t i, len;

  (void)region;
  (void)err;
  if (!f->describe)
    return WR_EINVAL;
  assert_true(nids >= 1 && nids <= 100);
  c = calloc(1, sizeof(*c));
  assert_non_null(c);
  c->f = f;
  c->bcb = cb;
  c->ud = ud;
  c->r.outcome = WR_OUTCOME_OK;
  c->r.http_status = 200;
  c->r.retry_after_ms = -1;
  f->describes++;
  len = (size_t)snprintf(c->body, sizeof(c->body), "{\"Desktops\":[");
  for (i = 0; i < nids; i++) {
    int k = id_index(ids[i]);
    const char *st = f->state != NULL ? f->state(k)
                     : k == f->never_back ? "Stopped"
                     : f->looks[k]++ == 0 ? "Stopping" : "Running";

    if (st == NULL)
      continue;
    len += (size_t)snprintf(c->body + len, sizeof(c->body) - len,
                            "%s{\"DesktopId\":\"%s\",\"DesktopStatus\":"
                            "\"%s\",\"ConnectionStatus\":\"%s\"}",
                            len > 14 ? "," : "", ids[i], st,
                            k % 9 == 4 ? "Connected" : "Disconnected");
  }
  snprintf(c->body + len, sizeof(c->body) - len, "]}");
  uv_timer_init(f->loop, &c->timer);
  c->timer.data = c;
  uv_timer_start(&c->timer, on_answer, 1, 0);
  return 0;
}

/* ---- a hand-made plan ------------------------------------------------ */

static char idstore[MAXIDS][24];
static const char *idptr[MAXIDS];

static struct wr_plan *make_plan(size_t ndesktops, size_t chunk, long canary,
                                 long wave_size)
{
  struct wr_plan *p = calloc(1, sizeof(*p));
  size_t i, n = (ndesktops + chunk - 1) / chunk, pos = 0, k;
  long wave = canary > 0 ? 0 : 1, inwave = 0;

  assert_non_null(p);
  for (i = 0; i < ndesktops; i++) {
    snprintf(idstore[i], sizeof(idstore[i]), "ecd-%d", (int)i);
    idptr[i] = idstore[i];
  }
  p->chunks = calloc(n, sizeof(*p->chunks));
  assert_non_null(p->chunks);
  p->nchunks = n;
  p->ndesktops = ndesktops;
  for (i = 0; i < n; i++) {
    struct wr_chunk *c = &p->chunks[i];

    k = ndesktops - pos < chunk ? ndesktops - pos : chunk;
    snprintf(c->id, sizeof(c->id), "%zu", i + 1);
    c->region = "cn-hangzhou";
    c->ids = &idptr[pos];
    c->nids = k;
    if (wave == 0 && (long)pos >= canary) {
      wave = 1;
      inwave = 0;
    } else if (wave > 0 && wave_size > 0 && inwave >= wave_size) {
      wave++;
      inwave = 0;
    }
    c->wave = (int)wave;
    inwave += (long)k;
    pos += k;
  }
  p->nwaves = (int)(p->chunks[n - 1].wave + (canary > 0 ? 1 : 0));
  return p;
}

static void free_plan(struct wr_plan *p)
{
  free(p->chunks);
  free(p);
}

/* ---- running and reading back ----------------------------------------- */

struct outcome {
  struct wr_dispatch_stats st;
  cJSON *records[8192];
  int n;
};

static char report_path[64];
static const struct wr_summary *base_; /* resume: earlier sessions */

static void run(struct fake *f, struct wr_plan *plan,
                const struct wr_dispatch_opts *o, struct outcome *out)
{
  uv_loop_t loop;
  struct wr_journal *report = NULL;
  struct wr_dispatch *d = NULL;
  struct wr_dispatch_sender s = {fake_send, fake_describe, f};
  struct wr_err err = {0};
  FILE *fp;
  char line[65536];

  memset(out, 0, sizeof(*out));
  snprintf(report_path, sizeof(report_path), "test_dispatch.%d.jsonl",
           (int)getpid());
  unlink(report_path);
  assert_int_equal(uv_loop_init(&loop), 0);
  f->loop = &loop;
  fake_ = f;
  assert_int_equal(wr_journal_open(report_path, false, &report, &err), 0);
  assert_int_equal(wr_dispatch_create(&loop, plan, o, &s, report, NULL, &d,
                                      &err), 0);
  if (base_ != NULL)
    wr_dispatch_set_base(d, base_);
  assert_int_equal(wr_dispatch_start(d), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  wr_dispatch_stats(d, &out->st);
  wr_dispatch_destroy(&d);
  assert_null(d);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
  assert_int_equal(wr_journal_close(&report, &err), 0);
  fp = fopen(report_path, "r");
  assert_non_null(fp);
  while (fgets(line, sizeof(line), fp) != NULL && out->n < 8192) {
    out->records[out->n] = cJSON_Parse(line);
    assert_non_null(out->records[out->n]);
    out->n++;
  }
  fclose(fp);
  unlink(report_path);
}

static void free_outcome(struct outcome *o)
{
  int i;

  for (i = 0; i < o->n; i++)
    cJSON_Delete(o->records[i]);
}

static const char *str(const cJSON *r, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, k);

  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *r, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, k);

  return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* Desktops in leaf records with this status. */
static int leaves(const struct outcome *o, const char *status)
{
  int i, n = 0;

  for (i = 0; i < o->n; i++) {
    const cJSON *r = o->records[i];

    if (strcmp(str(r, "type"), "chunk") == 0 &&
        strcmp(str(r, "status"), status) == 0)
      n += cJSON_GetArraySize(cJSON_GetObjectItem(r, "desktop_ids"));
  }
  return n;
}

static const cJSON *last(const struct outcome *o)
{
  return o->records[o->n - 1];
}

static void default_opts(struct wr_dispatch_opts *o)
{
  memset(o, 0, sizeof(*o));
  o->rate = 0;
  o->concurrency = 4;
  o->retries = 3;
  o->max_errors = -1;
  o->max_errors_pct = -1;
  o->signals = true;
}

/* ---- scenarios ------------------------------------------------------ */

static enum behaviour all_ok(const struct wr_dispatch_attempt *a)
{
  (void)a;
  return B_OK;
}

static void test_all_ok(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(200, 4, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i;

  (void)state;
  f.judge = all_ok;
  f.delay_ms = 2;
  default_opts(&o);
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 0);
  assert_int_equal(leaves(&out, "ok"), 200);
  assert_int_equal(out.n, 50 + 1);
  assert_string_equal(str(last(&out), "type"), "summary");
  assert_true(f.max_inflight <= 4 && f.max_inflight >= 2);
  for (i = 0; i < 200; i++)
    assert_int_equal(f.reboots[i], 1);
  assert_string_equal(str(out.records[0], "request_id"), "REQ-0");
  free_outcome(&out);
  free_plan(p);
}

/* Chunk 3 fails twice, then works; chunk 5 never works. */
static enum behaviour flaky(const struct wr_dispatch_attempt *a)
{
  if (strcmp(a->chunk_id, "3") == 0)
    return a->attempt <= 2 ? B_TRANSIENT : B_OK;
  if (strcmp(a->chunk_id, "5") == 0)
    return B_TRANSIENT;
  if (strcmp(a->chunk_id, "7") == 0 && a->attempt == 1)
    return B_THROTTLE;
  return B_OK;
}

static void test_retries(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(40, 4, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i;

  (void)state;
  f.judge = flaky;
  f.delay_ms = 1;
  default_opts(&o);
  o.retries = 2;
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 1);
  assert_int_equal(leaves(&out, "ok"), 36);
  assert_int_equal(leaves(&out, "failed"), 4);
  for (i = 0; i < out.n; i++) {
    const cJSON *r = out.records[i];
    const char *c = str(r, "chunk");

    if (c == NULL)
      continue;
    if (strcmp(c, "3") == 0) {
      assert_string_equal(str(r, "status"), "ok");
      assert_int_equal(num(r, "attempts"), 3);
      assert_int_equal(num(r, "ambiguous_attempts"), 2);
      assert_int_equal(cJSON_GetArraySize(
                           cJSON_GetObjectItem(r, "attempt_request_ids")), 3);
    }
    if (strcmp(c, "5") == 0) {
      assert_string_equal(str(r, "status"), "failed");
      assert_int_equal(num(r, "attempts"), 3);
      assert_string_equal(str(r, "error_code"), "ServiceUnavailable");
    }
    if (strcmp(c, "7") == 0)
      assert_int_equal(num(r, "attempts"), 2);
  }
  assert_int_equal(out.st.retries, 2 + 2 + 1);
  assert_int_equal(out.st.throttled, 1);
  free_outcome(&out);
  free_plan(p);
}

/* Desktops 5 and 13 are stuck: any call naming one fails as a whole. */
static enum behaviour stuck(const struct wr_dispatch_attempt *a)
{
  size_t i;

  for (i = 0; i < a->nids; i++)
    if (id_index(a->ids[i]) == 5 || id_index(a->ids[i]) == 13)
      return B_FINAL;
  return B_OK;
}

static void test_split_isolates(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(40, 10, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i, splits = 0;

  (void)state;
  f.judge = stuck;
  f.delay_ms = 1;
  default_opts(&o);
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 1);
  assert_int_equal(leaves(&out, "ok"), 38);
  assert_int_equal(leaves(&out, "failed"), 2);
  for (i = 0; i < 40; i++)
    assert_int_equal(f.reboots[i], i == 5 || i == 13 ? 0 : 1);
  for (i = 0; i < out.n; i++) {
    const cJSON *r = out.records[i];

    if (str(r, "status") != NULL && strcmp(str(r, "status"), "split") == 0) {
      splits++;
      assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "into")), 2);
    }
    if (str(r, "status") != NULL && strcmp(str(r, "status"), "failed") == 0) {
      assert_int_equal(cJSON_GetArraySize(
                           cJSON_GetObjectItem(r, "desktop_ids")), 1);
      assert_string_equal(str(r, "error_code"), "IncorrectDesktopStatus");
    }
  }
  /* Desktop 5: 0-9 -> 5-9 -> 5-7 -> 5-6 -> 5 (four splits); desktop 13:
   * 10-19 -> 10-14 -> 13-14 -> 13 (three). */
  assert_int_equal(splits, 7);
  assert_int_equal(out.st.splits, 7);
  free_outcome(&out);
  free_plan(p);
}

/* resume: the plan is what an earlier session left (a part "3.2" of a
 * split chunk, and chunk "4"); the summary and --max-errors count the
 * earlier sessions' final records too, and a part splits further. */
/* Chunk "1": the first answer is lost (the reboot done), the retry finds
 * the desktop Stopping: ok, confirmed_by, not split, rebooted once.
 * Chunk "2": refused the same way without a lost answer before: truly
 * failed, split as before. */
static enum behaviour lost_then_busy(const struct wr_dispatch_attempt *a)
{
  size_t i;

  if (strcmp(a->chunk_id, "1") == 0)
    return a->attempt == 1 ? B_LOST : B_BUSY;
  for (i = 0; i < a->nids; i++)
    if (id_index(a->ids[i]) == 5)
      return B_BUSY;
  return B_OK;
}

static void test_lost_answer_confirmed(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(12, 4, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i, confirmed = 0;

  (void)state;
  f.judge = lost_then_busy;
  f.delay_ms = 1;
  default_opts(&o);
  run(&f, p, &o, &out);
  for (i = 0; i < 4; i++)
    assert_int_equal(f.reboots[i], 1);       /* once, by the lost call */
  for (i = 0; i < out.n; i++) {
    const cJSON *r = out.records[i];
    const char *c = str(r, "chunk");

    if (c == NULL || strcmp(c, "1") != 0)
      continue;
    assert_string_equal(str(r, "status"), "ok");
    assert_non_null(strstr(str(r, "confirmed_by"),
                           "IncorrectDesktopStatus: ecd-0 is Stopping"));
    confirmed++;
  }
  assert_int_equal(confirmed, 1);
  assert_int_equal(out.st.confirmed, 1);
  /* Chunk 2 was refused without a lost answer: split until desktop 5 is
   * alone and failed, the rest ok. */
  assert_true(out.st.splits > 0);
  assert_int_equal(leaves(&out, "failed"), 1);
  assert_int_equal(leaves(&out, "ok"), 11);
  free_outcome(&out);
  free_plan(p);
}

/* Pre-flight's view of desktop k: every 5th Stopped, 7 unknown, 11
 * Starting, the rest Running (4 and 13 with a user connected). */
static const char *pf_state(int k)
{
  if (k == 7)
    return NULL;
  if (k == 11)
    return "Starting";
  return k % 5 == 0 ? "Stopped" : "Running";
}

static void test_preflight(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(20, 4, 4, 8);
  struct wr_dispatch_opts o;
  struct outcome out;
  const cJSON *sum, *by;
  int i, parts = 0, pfrec = 0;

  (void)state;
  f.judge = all_ok;
  f.delay_ms = 1;
  f.describe = true;
  f.state = pf_state;
  default_opts(&o);
  o.preflight = true;
  o.skip_connected = true;
  run(&f, p, &o, &out);
  /* Excluded: 0 5 10 15 (Stopped), 11 (Starting), 4 and 13 (Connected);
   * 7 failed without a call; 12 ok. */
  for (i = 0; i < 20; i++)
    assert_int_equal(f.reboots[i], i % 5 == 0 || i == 11 || i == 7 ||
                                   i == 4 || i == 13 ? 0 : 1);
  assert_int_equal(leaves(&out, "excluded"), 7);
  assert_int_equal(leaves(&out, "failed"), 1);
  assert_int_equal(leaves(&out, "ok"), 12);
  assert_int_equal(out.st.splits, 0);
  for (i = 0; i < out.n; i++) {
    const cJSON *r = out.records[i];

    if (strcmp(str(r, "type"), "preflight") == 0) {
      pfrec++;
      assert_non_null(cJSON_GetObjectItem(r, "request_id"));
    }
    if (str(r, "by") != NULL) {
      assert_string_equal(str(r, "by"), "preflight");
      parts++;
    }
    if (str(r, "status") != NULL &&
        strcmp(str(r, "status"), "failed") == 0) {
      assert_string_equal(str(r, "error_code"),
                          "InvalidDesktopId.NotFound");
      assert_int_equal((int)num(r, "attempts"), 0);
    }
  }
  assert_int_equal(pfrec, 3);                /* one per wave (<= 100) */
  assert_int_equal(parts, 4);                /* every chunk but "5" */
  sum = last(&out);
  assert_int_equal((int)num(sum, "excluded_desktops"), 7);
  by = cJSON_GetObjectItem(sum, "excluded_by_reason");
  assert_int_equal((int)num(by, "status:Stopped"), 4);
  assert_int_equal((int)num(by, "status:Starting"), 1);
  assert_int_equal((int)num(by, "connected"), 2);
  /* The unknown desktop (wave 1) failed: exit 1. */
  assert_int_equal(out.st.summary.exit_code, 1);
  free_outcome(&out);
  free_plan(p);
}

static void test_resume_base(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(20, 10, 0, 0);
  struct wr_summary base = {0};
  struct wr_dispatch_opts o;
  struct outcome out;
  const cJSON *sum;
  int i, parts = 0;

  (void)state;
  /* "3.2" holds desktops 5..9, "4" desktops 10..19; 5 and 13 are stuck */
  snprintf(p->chunks[0].id, sizeof(p->chunks[0].id), "3.2");
  p->chunks[0].ids += 5;
  p->chunks[0].nids = 5;
  snprintf(p->chunks[1].id, sizeof(p->chunks[1].id), "4");
  p->ndesktops = 40;
  base.ok_chunks = 3;
  base.ok_desktops = 24;
  base.failed_chunks = 1;
  base.failed_desktops = 1;
  base.exit_code = 3;
  f.judge = stuck;
  f.delay_ms = 1;
  default_opts(&o);
  o.max_errors = 3;
  base_ = &base;
  run(&f, p, &o, &out);
  base_ = NULL;
  sum = last(&out);
  assert_string_equal(str(sum, "type"), "summary");
  assert_int_equal(num(sum, "ok_desktops"), 24 + 13);
  assert_int_equal(num(sum, "failed_desktops"), 1 + 2);
  assert_int_equal(num(sum, "skipped_desktops"), 0);
  assert_int_equal(num(sum, "failed_chunks"), 1 + 2);
  assert_int_equal(num(sum, "exit_code"), 1);
  assert_int_equal(out.st.summary.exit_code, 1);
  for (i = 0; i < 20; i++)
    assert_int_equal(f.reboots[i], i < 5 || i == 5 || i == 13 ? 0 : 1);
  for (i = 0; i < out.n; i++) {
    const char *c = str(out.records[i], "chunk");

    if (c != NULL && strncmp(c, "3.2.", 4) == 0)
      parts++;
    if (c != NULL)
      assert_true(strncmp(c, "3.2", 3) == 0 || c[0] == '4');
  }
  assert_true(parts >= 2);
  free_outcome(&out);

  /* one more failed desktop than --max-errors allows over the whole run */
  memset(&f, 0, sizeof(f));
  f.judge = stuck;
  f.delay_ms = 1;
  o.max_errors = 1;
  o.concurrency = 1;
  base_ = &base;
  run(&f, p, &o, &out);
  base_ = NULL;
  assert_int_equal(out.st.summary.exit_code, 3);
  assert_int_equal(num(last(&out), "failed_desktops"), 2);
  free_outcome(&out);
  free_plan(p);
}

static void test_max_errors_stops(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(200, 1, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;

  (void)state;
  f.judge = stuck;
  f.delay_ms = 1;
  default_opts(&o);
  o.concurrency = 1;
  o.max_errors = 1;
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 3);
  assert_int_equal(leaves(&out, "failed"), 2);
  assert_int_equal(leaves(&out, "ok"), 12);
  assert_int_equal(leaves(&out, "skipped"), 186);
  assert_int_equal(f.calls, 14);
  assert_int_equal(num(last(&out), "exit_code"), 3);
  free_outcome(&out);
  free_plan(p);
}

static void test_canary_failure_stops(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(60, 2, 10, 20);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i, waves = 0;

  (void)state;
  f.judge = stuck;
  f.delay_ms = 1;
  default_opts(&o);
  o.canary = true;
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 3);
  /* The canary (desktops 0-9) ran; desktop 5 failed; nothing after it. */
  assert_int_equal(leaves(&out, "ok"), 9);
  assert_int_equal(leaves(&out, "failed"), 1);
  assert_int_equal(leaves(&out, "skipped"), 50);
  for (i = 0; i < out.n; i++)
    if (strcmp(str(out.records[i], "type"), "wave") == 0)
      waves++;
  assert_int_equal(waves, 0);
  free_outcome(&out);
  free_plan(p);
}

static void test_waves_in_order(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(60, 2, 10, 20);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i, waves = 0, maxwave = -1;

  (void)state;
  f.judge = all_ok;
  f.delay_ms = 1;
  default_opts(&o);
  o.canary = true;
  o.concurrency = 8;
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 0);
  assert_int_equal(leaves(&out, "ok"), 60);
  /* A wave's chunks all end before the next wave's first one does. */
  for (i = 0; i < out.n; i++) {
    const cJSON *r = out.records[i];

    if (strcmp(str(r, "type"), "wave") == 0) {
      assert_int_equal(num(r, "wave"), waves);
      waves++;
    } else if (strcmp(str(r, "type"), "chunk") == 0) {
      int w = p->chunks[atoi(str(r, "chunk")) - 1].wave;

      assert_true(w >= maxwave);
      assert_int_equal(w, waves);
      maxwave = w;
    }
  }
  assert_int_equal(waves, 4); /* canary + 3 waves of 20 */
  free_outcome(&out);
  free_plan(p);
}

static void test_sigint_graceful(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(100, 1, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i, sent = 0;

  (void)state;
  f.judge = all_ok;
  f.delay_ms = 5;
  f.raise_after = 10;
  default_opts(&o);
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 3);
  assert_false(out.st.aborted);
  for (i = 0; i < 100; i++)
    sent += f.reboots[i];
  /* Everything sent finished ok; nothing else was sent. */
  assert_int_equal(leaves(&out, "ok"), sent);
  assert_int_equal(sent, f.calls);
  assert_int_equal(leaves(&out, "skipped"), 100 - sent);
  assert_true(sent >= 10 && sent < 100);
  assert_int_equal(num(last(&out), "exit_code"), 3);
  free_outcome(&out);
  free_plan(p);
}

/* The chunk record of id (NULL: none). */
static const cJSON *chunk_rec(const struct outcome *o, const char *id)
{
  int i;

  for (i = 0; i < o->n; i++)
    if (str(o->records[i], "chunk") != NULL &&
        strcmp(str(o->records[i], "chunk"), id) == 0)
      return o->records[i];
  return NULL;
}

static bool pending_flag(const cJSON *r)
{
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "retry_pending"));
}

/* Chunk 1 is throttled, chunk 3 fails transiently (both with budget
 * left), chunk 2 fails finally. */
static enum behaviour cut(const struct wr_dispatch_attempt *a)
{
  if (strcmp(a->chunk_id, "1") == 0 || strcmp(a->chunk_id, "4") == 0)
    return B_THROTTLE;
  if (strcmp(a->chunk_id, "2") == 0)
    return B_FINAL;
  if (strcmp(a->chunk_id, "3") == 0)
    return B_TRANSIENT;
  return B_OK;
}

/* A stop while retries are due: those chunks are failed with their last
 * error and "retry_pending": true (resume re-sends them); a final error
 * or an exhausted budget never gets the flag. */
static void test_stop_retry_pending(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(12, 1, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;
  const cJSON *r;
  int i;

  (void)state;
  f.judge = cut;
  f.delay_ms = 2;
  f.raise_after = 1;
  default_opts(&o);
  o.retries = 2;
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 3);
  r = chunk_rec(&out, "1");
  assert_non_null(r);
  assert_string_equal(str(r, "status"), "failed");
  assert_string_equal(str(r, "error_code"), "Throttling.User");
  assert_non_null(strstr(str(r, "error_message"),
                         "not retried: the run stopped"));
  assert_true(pending_flag(r));
  r = chunk_rec(&out, "3");
  assert_string_equal(str(r, "status"), "failed");
  assert_string_equal(str(r, "error_code"), "ServiceUnavailable");
  assert_true(pending_flag(r));
  assert_true(num(r, "ambiguous_attempts") >= 1);
  r = chunk_rec(&out, "2");
  assert_string_equal(str(r, "status"), "failed");
  assert_string_equal(str(r, "error_code"), "IncorrectDesktopStatus");
  assert_null(cJSON_GetObjectItemCaseSensitive(r, "retry_pending"));
  for (i = 0; i < out.n; i++)
    if (str(out.records[i], "status") != NULL &&
        strcmp(str(out.records[i], "status"), "failed") != 0)
      assert_false(pending_flag(out.records[i]));
  free_outcome(&out);

  /* No budget left: "retries exhausted", final, also for the answer
   * that arrives while the run is stopping. */
  memset(&f, 0, sizeof(f));
  f.judge = cut;
  f.delay_ms = 2;
  f.raise_after = 1;
  default_opts(&o);
  o.retries = 0;
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 3);
  r = chunk_rec(&out, "1");
  assert_string_equal(str(r, "status"), "failed");
  assert_non_null(strstr(str(r, "error_message"), "retries exhausted"));
  assert_false(pending_flag(r));
  r = chunk_rec(&out, "4");
  assert_string_equal(str(r, "status"), "failed");
  assert_non_null(strstr(str(r, "error_message"), "retries exhausted"));
  for (i = 0; i < out.n; i++)
    assert_false(pending_flag(out.records[i]));
  free_outcome(&out);
  free_plan(p);
}

static void test_rate_windows(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(130, 1, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i, j = 0, best = 0;
  int64_t span;

  (void)state;
  f.judge = all_ok;
  f.delay_ms = 3;
  default_opts(&o);
  o.rate = 100;
  o.concurrency = 16;
  run(&f, p, &o, &out);
  assert_int_equal(leaves(&out, "ok"), 130);
  for (i = 0; i < f.nstarts; i++) {
    while (j < f.nstarts && f.starts[j] < f.starts[i] + 1000)
      j++;
    if (j - i > best)
      best = j - i;
  }
  span = f.starts[f.nstarts - 1] - f.starts[0];
  if (best > 101 || span < 1250)
    print_error("max window %d, span %lld ms\n", best, (long long)span);
  /* The fake stamps a start a little after the limiter decided it: the
   * contract's one call of slack at a window edge. */
  assert_true(best <= 101);
  /* 130 starts at 100/s: 1.29 s from first to last at the fastest. */
  assert_true(span >= 1250 && span < 2000);
  free_outcome(&out);
  free_plan(p);
}

static int count_type(const struct outcome *o, const char *type)
{
  int i, n = 0;

  for (i = 0; i < o->n; i++)
    if (strcmp(str(o->records[i], "type"), type) == 0)
      n++;
  return n;
}

/* --verify: each wave waits for its desktops (Stopping, then Running). */
static void test_verify_waves(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(30, 5, 0, 15);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i, seen_wave2 = 0;

  (void)state;
  f.judge = all_ok;
  f.delay_ms = 1;
  f.describe = true;
  f.never_back = -1;
  default_opts(&o);
  o.verify = true;
  o.verify_timeout_ms = 20000;
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 0);
  assert_int_equal(leaves(&out, "ok"), 30);
  assert_int_equal(count_type(&out, "verify"), 2);
  for (i = 0; i < out.n; i++) {
    const cJSON *r = out.records[i];

    if (strcmp(str(r, "type"), "verify") == 0) {
      assert_int_equal(num(r, "desktops"), 15);
      assert_int_equal(num(r, "running"), 15);
      assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r, "timed_out")));
      /* The first wave's check ends before the second wave starts. */
      if (num(r, "wave") == 1)
        assert_int_equal(seen_wave2, 0);
    }
    if (strcmp(str(r, "type"), "chunk") == 0 &&
        p->chunks[atoi(str(r, "chunk")) - 1].wave == 2)
      seen_wave2++;
  }
  for (i = 0; i < 30; i++)
    assert_true(f.looks[i] >= 2);
  free_outcome(&out);
  free_plan(p);
}

static void test_verify_timeout(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(10, 5, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;
  const cJSON *v = NULL;
  int i;

  (void)state;
  f.judge = all_ok;
  f.delay_ms = 1;
  f.describe = true;
  f.never_back = 7;
  default_opts(&o);
  o.verify = true;
  o.verify_timeout_ms = 3500;
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 1);
  assert_int_equal(leaves(&out, "ok"), 10);
  for (i = 0; i < out.n; i++)
    if (strcmp(str(out.records[i], "type"), "verify") == 0)
      v = out.records[i];
  assert_non_null(v);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "timed_out")));
  assert_int_equal(num(v, "running"), 9);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(v, "not_running")),
                   1);
  assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(v,
                      "not_running"), 0)->valuestring, "ecd-7");
  assert_int_equal(num(last(&out), "exit_code"), 1);
  free_outcome(&out);
  free_plan(p);
}

/* --deadline: nothing starts after it; the rest is skipped, exit 3. */
static void test_deadline(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(40, 1, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;

  (void)state;
  f.judge = all_ok;
  f.delay_ms = 1;
  default_opts(&o);
  o.rate = 10;
  o.deadline_wall_ms = wr_clock_wall_ms() + 350;
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 3);
  /* One start at once, then one per 100 ms: 4 or 5 before 350 ms. */
  assert_true(f.calls >= 3 && f.calls <= 5);
  assert_int_equal(leaves(&out, "ok"), f.calls);
  assert_int_equal(leaves(&out, "skipped"), 40 - f.calls);
  assert_string_equal(str(last(&out), "stop_reason"), "deadline");
  free_outcome(&out);
  free_plan(p);
}

/* The task for chunk 2 cannot be allocated: the run stops ("out of
 * memory"), and chunk 2 still gets its final record (skipped), as does
 * every other chunk: exactly one each, none lost. */
static void test_task_alloc_fails(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(6, 2, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i, k, seen[4] = {0};

  (void)state;
  f.judge = all_ok;
  f.delay_ms = 1;
  default_opts(&o);
  o.concurrency = 1;
  fail_task_ = 2;
  run(&f, p, &o, &out);
  assert_int_equal(fail_task_, 0);
  assert_int_equal(f.calls, 1);
  for (i = 0; i < out.n; i++) {
    const cJSON *r = out.records[i];

    if (strcmp(str(r, "type"), "chunk") != 0)
      continue;
    k = atoi(str(r, "chunk"));
    assert_true(k >= 1 && k <= 3);
    seen[k]++;
    assert_string_equal(str(r, "status"), k == 1 ? "ok" : "skipped");
  }
  for (k = 1; k <= 3; k++)
    assert_int_equal(seen[k], 1);
  assert_int_equal(leaves(&out, "ok"), 2);
  assert_int_equal(leaves(&out, "skipped"), 4);
  assert_string_equal(str(last(&out), "type"), "summary");
  assert_string_equal(str(last(&out), "stop_reason"), "out of memory");
  assert_int_equal(out.st.summary.exit_code, WR_EXIT_STOPPED);
  assert_int_equal(out.st.err.code, WR_ENOMEM);
  free_outcome(&out);
  free_plan(p);
}

/* Chunk 3 answers SignatureDoesNotMatch; chunk 2 is retried once first. */
static enum behaviour auth_fails(const struct wr_dispatch_attempt *a)
{
  if (strcmp(a->chunk_id, "3") == 0)
    return B_AUTH;
  if (strcmp(a->chunk_id, "2") == 0 && a->attempt == 1)
    return B_TRANSIENT;
  return B_OK;
}

/* Fail fast: the first answer no retry can fix stops the run; calls in
 * flight finish, nothing more starts, a due retry is cut, the rest is
 * skipped, and the chunk itself is marked for resume. */
static void test_credentials_stop(void **state)
{
  struct fake f = {0};
  struct wr_plan *p = make_plan(200, 4, 0, 0);
  struct wr_dispatch_opts o;
  struct outcome out;
  int i, auth = 0, ok = 0, failed, skipped;

  (void)state;
  f.judge = auth_fails;
  f.delay_ms = 5;
  default_opts(&o);
  run(&f, p, &o, &out);
  assert_int_equal(out.st.summary.exit_code, 3);
  assert_string_equal(str(last(&out), "stop_reason"), "credentials");
  /* Chunks 1..4 start at once; at most 4 more before chunk 3's answer
   * (2 is retried, and 1 and 4 are answered in the same tick). */
  assert_true(f.calls >= 4 && f.calls <= 8);
  assert_int_equal(f.inflight, 0);
  assert_int_equal(out.st.splits, 0);
  for (i = 0; i < out.n; i++) {
    const cJSON *r = out.records[i];
    const char *c = str(r, "chunk");

    if (c == NULL || strcmp(str(r, "type"), "chunk") != 0)
      continue;
    if (strcmp(str(r, "status"), "ok") == 0)
      ok++;
    if (strcmp(c, "3") == 0) {
      auth++;
      assert_string_equal(str(r, "status"), "failed");
      assert_string_equal(str(r, "error_code"), "SignatureDoesNotMatch");
      assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "retry_pending")));
      assert_int_equal(num(r, "attempts"), 1);
    }
  }
  assert_int_equal(auth, 1);
  failed = leaves(&out, "failed");
  skipped = leaves(&out, "skipped");
  assert_true(failed == 4 || failed == 8); /* chunk 3, maybe 2 cut */
  assert_int_equal(leaves(&out, "ok") + failed + skipped, 200);
  assert_int_equal(leaves(&out, "ok"), ok * 4);
  assert_true(skipped >= 200 - 4 * f.calls);
  free_outcome(&out);
  free_plan(p);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_all_ok),
    cmocka_unit_test(test_retries),
    cmocka_unit_test(test_split_isolates),
    cmocka_unit_test(test_lost_answer_confirmed),
    cmocka_unit_test(test_preflight),
    cmocka_unit_test(test_resume_base),
    cmocka_unit_test(test_max_errors_stops),
    cmocka_unit_test(test_canary_failure_stops),
    cmocka_unit_test(test_waves_in_order),
    cmocka_unit_test(test_sigint_graceful),
    cmocka_unit_test(test_stop_retry_pending),
    cmocka_unit_test(test_rate_windows),
    cmocka_unit_test(test_deadline),
    cmocka_unit_test(test_verify_waves),
    cmocka_unit_test(test_verify_timeout),
    cmocka_unit_test(test_task_alloc_fails),
    cmocka_unit_test(test_credentials_stop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
