/* ecd-sim's request handling without HTTP: desktop states, paging,
 * throttling, every fault switch, seeding and the stats document, with
 * requests built by the project's request builder and a hand-driven clock
 * (tests/sim/sim_fixture.c). */
#include "buf.h"
#include "clock.h"
#include "sign.h"
#include "sim_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_desktop_errors(void **state)
{
  struct fixture *f = simt_setup(NULL, 0);
  const char *unknown[] = {simt_id(f, 0), "ecd-doesnotexist00", NULL};
  const char *wrong_region[] = {simt_id(f, 1), NULL};
  const char *one[] = {simt_id(f, 0), NULL};
  struct spec s = {.ids = unknown};

  (void)state;
  simt_expect(f, &s, 404, "InvalidDesktopId.NotFound", NULL);
  s.ids = wrong_region;            /* lives in cn-shanghai */
  simt_expect(f, &s, 404, "InvalidDesktopId.NotFound", NULL);
  assert_int_equal(f->sim.fleet.v[0].reboots, 0); /* fails as a whole */
  s.ids = one;
  simt_expect(f, &s, 200, "", NULL);
  f->now += 10;
  simt_expect(f, &s, 403, "IncorrectDesktopStatus", NULL); /* Stopping */
  f->now += 600;
  simt_expect(f, &s, 403, "IncorrectDesktopStatus", NULL); /* Starting */
  f->now += 400;
  simt_expect(f, &s, 200, "", NULL);                       /* Running */
  f->sim.fleet.v[2].fail = WR_SIM_FAIL_STUCK;
  one[0] = simt_id(f, 2);
  simt_expect(f, &s, 403, "IncorrectDesktopStatus", NULL);
  assert_int_equal(f->sim.stats.violations[WR_SIM_V_OTHER], 0);
  simt_teardown(f);
}

/* Desktops of region a listing shows: pooled ones are left out unless
 * FilterDesktopGroup=false (the real default). */
static int unpooled(struct fixture *f, const char *region)
{
  struct wr_sim_meta m;
  size_t i;
  int n = 0;

  for (i = 0; i < f->sim.fleet.n; i++) {
    wr_sim_fleet_meta(&f->sim.fleet, &f->sim.fleet.v[i], &m);
    if (strcmp(f->sim.fleet.regions[f->sim.fleet.v[i].region], region) ==
            0 && m.group[0] == '\0')
      n++;
  }
  return n;
}

static void test_describe_paging(void **state)
{
  struct fixture *f = simt_setup(NULL, 0);
  struct spec s = {.action = "DescribeDesktops", .max_results = 4};
  const char *ids[] = {simt_id(f, 0), simt_id(f, 1), "ecd-nothere",
                       simt_id(f, 2), NULL};
  const char *reboot[] = {simt_id(f, 4), NULL};
  char token[32] = "";
  int pages = 0, seen = 0, n = unpooled(f, "cn-hangzhou");
  struct sent r;

  (void)state;
  assert_true(n > 8 && n < 15); /* some of the 15 are pooled */
  do {                       /* 15 desktops in cn-hangzhou, pages of 4 */
    cJSON *d, *tok;

    s.next_token = token[0] ? token : NULL;
    simt_expect(f, &s, 200, "", &r);
    d = cJSON_GetObjectItem(r.json, "Desktops");
    seen += cJSON_GetArraySize(d);
    assert_int_equal(cJSON_GetObjectItem(r.json, "TotalCount")->valueint, n);
    tok = cJSON_GetObjectItem(r.json, "NextToken");
    snprintf(token, sizeof(token), "%s", tok ? tok->valuestring : "");
    pages++;
    simt_done(&r);
  } while (token[0] != '\0');
  assert_int_equal(pages, (n + 3) / 4);
  assert_int_equal(seen, n);
  /* Named IDs: only those of the region that exist. */
  s.ids = ids;
  s.max_results = 0;
  simt_expect(f, &s, 200, "", &r);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
                                                          "Desktops")), 2);
  simt_done(&r);
  /* A status filter sees the reboot. */
  s.ids = reboot;
  s.action = NULL;
  simt_expect(f, &s, 200, "", NULL);
  s.action = "DescribeDesktops";
  s.ids = NULL;
  s.max_results = 100;
  s.next_token = NULL;
  simt_expect(f, &s, 200, "", &r);
  assert_int_equal(cJSON_GetObjectItem(r.json, "TotalCount")->valueint, n);
  simt_done(&r);
  s.next_token = "garbage";
  simt_expect(f, &s, 400, "InvalidParameter", NULL);
  simt_teardown(f);
}

static void test_throttling(void **state)
{
  const char *extra[] = {"--qps", "2", "--retry-after-ms", "700"};
  struct fixture *f = simt_setup(extra, 4);
  struct spec s = {.action = "DescribeDesktops"};
  struct wr_http_request req;
  struct sent r;

  (void)state;
  simt_expect(f, &s, 200, "", NULL);
  f->now += 500;
  simt_expect(f, &s, 200, "", NULL);
  f->now += 499;               /* 2 calls in [now-999, now] */
  simt_build(f, &s, &req);
  simt_send(f, &req, &r);
  assert_true(r.r.status == 400 || r.r.status == 429 || r.r.status == 503);
  assert_string_equal(simt_field(&r, "Code"), "Throttling.User");
  assert_int_equal(r.r.outcome, WR_SIM_THROTTLED);
  assert_int_equal(r.r.retry_after_ms, 700);
  simt_done(&r);
  wr_http_request_free(&req);
  f->now += 1;                 /* the first call left the window */
  simt_expect(f, &s, 200, "", NULL);
  /* Per action: RebootDesktops has its own budget. */
  {
    const char *ids[] = {simt_id(f, 0), NULL};
    struct spec rb = {.ids = ids};

    simt_expect(f, &rb, 200, "", NULL);
  }
  assert_int_equal(f->sim.stats.calls[WR_SIM_DESCRIBE][WR_SIM_THROTTLED], 1);
  assert_int_equal(f->sim.stats.max[WR_SIM_DESCRIBE], 3);
  assert_int_equal(simt_violations(f, WR_SIM_V_OTHER), 0);
  simt_teardown(f);
}

/* Send one DescribeDesktops at f->now; 1 if it was throttled. */
static int throttled(struct fixture *f)
{
  struct spec s = {.action = "DescribeDesktops"};
  struct wr_http_request req;
  struct sent r;
  int thr;

  simt_build(f, &s, &req);
  simt_send(f, &req, &r);
  thr = r.r.outcome == WR_SIM_THROTTLED;
  if (thr) {
    assert_true(r.r.status == 400 || r.r.status == 429 ||
                r.r.status == 503);
    assert_string_equal(simt_field(&r, "Code"), "Throttling.User");
  } else {
    assert_int_equal(r.r.status, 200);
  }
  simt_done(&r);
  wr_http_request_free(&req);
  return thr;
}

/* --qps 3 at 5 calls a second (one every 200 ms).  Counting accepted
 * calls only: 3 of every 5 pass.  Counting every arrival: once over the
 * quota, the window stays full and every call is throttled until the
 * client slows down. */
static void test_qps_models(void **state)
{
  const char *acc[] = {"--qps", "3"};
  const char *all[] = {"--qps", "3", "--qps-model", "all"};
  struct fixture *f;
  int i, n;

  (void)state;
  f = simt_setup(acc, 2);
  for (i = n = 0; i < 50; i++, f->now += 200)
    n += throttled(f);
  assert_int_equal(n, 20);
  simt_teardown(f);

  f = simt_setup(all, 4);
  for (i = n = 0; i < 50; i++, f->now += 200)
    n += throttled(f);
  assert_int_equal(n, 47);
  /* At one call every 400 ms (2.5 a second), the window drains below 3
   * and the calls pass again. */
  for (i = n = 0; i < 10; i++, f->now += 400)
    n += throttled(f);
  assert_true(n <= 2);
  for (i = n = 0; i < 10; i++, f->now += 400)
    n += throttled(f);
  assert_int_equal(n, 0);
  assert_int_equal(simt_violations(f, WR_SIM_V_OTHER), 0);
  simt_teardown(f);
}

/* --qps-schedule counts from the first call: 2 a second, then 4 from
 * 10 s on, then unlimited from 20 s on. */
static void test_qps_schedule(void **state)
{
  const char *extra[] = {"--qps-schedule", "2@0,4@10,0@20"};
  struct fixture *f = simt_setup(extra, 2);
  int i, n;

  (void)state;
  f->now += 12345;             /* the clock before the first call is moot */
  for (i = n = 0; i < 40; i++, f->now += 100)
    n += throttled(f);
  assert_int_equal(n, 40 - 8);  /* 4 s at 2 a second */
  f->now += 6000;               /* 10 s after the first call */
  for (i = n = 0; i < 40; i++, f->now += 100)
    n += throttled(f);
  assert_int_equal(n, 40 - 16); /* 4 s at 4 a second */
  f->now += 6000;               /* 20 s after the first call */
  for (i = n = 0; i < 40; i++, f->now += 100)
    n += throttled(f);
  assert_int_equal(n, 0);
  simt_teardown(f);
}

static void one_fault(const char *opt, const char *rate, int reply,
                      int outcome, int reboots)
{
  const char *extra[] = {opt, rate, "--hang-ms", "1234"};
  struct fixture *f = simt_setup(extra, 4);
  const char *ids[] = {simt_id(f, 0), NULL};
  struct spec s = {.ids = ids};
  struct wr_http_request req;
  struct sent r;

  simt_build(f, &s, &req);
  simt_send(f, &req, &r);
  assert_int_equal(r.r.reply, reply);
  assert_int_equal(r.r.outcome, outcome);
  assert_int_equal(f->sim.fleet.v[0].reboots, reboots);
  if (outcome == WR_SIM_HANG)
    assert_int_equal(r.r.delay_ms, 1234);
  if (outcome == WR_SIM_GARBAGE) {
    assert_int_equal(r.r.status, 502);
    assert_null(r.json);
  }
  if (outcome == WR_SIM_HTML_OK) {
    assert_int_equal(r.r.status, 200);
    assert_null(r.json);
  }
  if (outcome == WR_SIM_ERROR)
    assert_true(r.r.status == 500 || r.r.status == 503);
  assert_int_equal(f->sim.stats.calls[WR_SIM_REBOOT][outcome], 1);
  assert_int_equal(simt_violations(f, WR_SIM_V_OTHER), 0);
  simt_done(&r);
  wr_http_request_free(&req);
  simt_teardown(f);
}

static void test_faults(void **state)
{
  (void)state;
  one_fault("--reset-rate", "1", WR_SIM_REPLY_CLOSE, WR_SIM_RESET, 0);
  one_fault("--hang-rate", "1", WR_SIM_REPLY_CLOSE, WR_SIM_HANG, 0);
  one_fault("--garbage-rate", "1", WR_SIM_REPLY_SEND, WR_SIM_GARBAGE, 0);
  one_fault("--html-ok-rate", "1", WR_SIM_REPLY_SEND, WR_SIM_HTML_OK, 0);
  one_fault("--fail-rate", "1", WR_SIM_REPLY_SEND, WR_SIM_ERROR, 0);
  one_fault("--lost-rate", "1", WR_SIM_REPLY_CLOSE, WR_SIM_LOST, 1);
}

/* Same seed, same arrivals: same faults, latencies and RequestIds. */
static void run_seeded(const char *seed, char *out, size_t len)
{
  const char *extra[] = {"--seed", seed, "--fail-rate", "0.3",
                         "--reset-rate", "0.2", "--latency-ms", "100",
                         "--reboot-ms", "0"};
  struct fixture *f = simt_setup(extra, 10);
  struct spec s = {.action = "DescribeDesktops"};
  struct wr_http_request req;
  struct sent r;
  int i;

  out[0] = '\0';
  for (i = 0; i < 40; i++) {
    simt_build(f, &s, &req);
    simt_send(f, &req, &r);
    if (r.r.delay_ms > 0)
      assert_true(r.r.delay_ms >= 50 && r.r.delay_ms <= 150);
    snprintf(out + strlen(out), len - strlen(out), "%d:%s:%lld ",
             r.r.status, r.r.request_id, (long long)r.r.delay_ms);
    simt_done(&r);
    wr_http_request_free(&req);
  }
  simt_teardown(f);
}

static void test_seeded(void **state)
{
  static char a[8192], b[8192], c[8192];

  (void)state;
  run_seeded("42", a, sizeof(a));
  run_seeded("42", b, sizeof(b));
  run_seeded("43", c, sizeof(c));
  assert_string_equal(a, b);
  assert_string_not_equal(a, c);
  assert_non_null(strstr(a, " 0:"));   /* some resets */
  assert_non_null(strstr(a, "200:"));  /* some successes */
}

static void test_stats_document(void **state)
{
  struct fixture *f = simt_setup(NULL, 0);
  const char *ids[] = {simt_id(f, 0), simt_id(f, 2), NULL};
  struct spec s = {.ids = ids};
  cJSON *st, *v;
  char *text;

  (void)state;
  simt_expect(f, &s, 200, "", NULL);
  f->now += 2000;
  simt_expect(f, &s, 200, "", NULL);
  s.nonce = "nonce-1";       /* the first call's nonce */
  simt_expect(f, &s, 400, "SignatureNonceUsed", NULL);
  text = wr_sim_stats(&f->sim);
  st = cJSON_Parse(text);
  assert_non_null(st);
  assert_int_equal(cJSON_GetObjectItem(st, "calls_total")->valueint, 3);
  v = cJSON_GetObjectItem(cJSON_GetObjectItem(st, "calls"), "RebootDesktops");
  assert_int_equal(cJSON_GetObjectItem(v, "ok")->valueint, 2);
  assert_int_equal(cJSON_GetObjectItem(v, "error")->valueint, 1);
  assert_int_equal(cJSON_GetObjectItem(st, "reboots_total")->valueint, 4);
  assert_int_equal(cJSON_GetObjectItem(st, "desktops_rebooted")->valueint, 2);
  assert_int_equal(cJSON_GetObjectItem(st, "max_reboots_per_desktop")
                   ->valueint, 2);
  assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "reboots"),
                                       simt_id(f, 0))->valueint, 2);
  assert_int_equal(cJSON_GetObjectItem(st, "max_calls_per_second")->valueint,
                   2);
  assert_int_equal(cJSON_GetObjectItem(st, "violations_total")->valueint, 1);
  assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "violations"),
                                       "nonce_reused")->valueint, 1);
  cJSON_Delete(st);
  free(text);
  simt_teardown(f);
}

/* The states pre-flight reads: ConnectionStatus until a reboot drops
 * the session, the transitions of a reboot, and IncorrectDesktopStatus
 * naming the state when a reboot hits a desktop that is not Running. */
static void describe_one(struct fixture *f, const char *id, const char *st,
                         const char *conn)
{
  const char *ids[] = {id, NULL};
  struct spec s = {.action = "DescribeDesktops", .ids = ids};
  struct sent r;
  cJSON *d;

  simt_expect(f, &s, 200, "", &r);
  d = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "Desktops"), 0);
  assert_non_null(d);
  assert_string_equal(cJSON_GetObjectItem(d, "DesktopStatus")->valuestring,
                      st);
  assert_string_equal(cJSON_GetObjectItem(d, "ConnectionStatus")
                      ->valuestring, conn);
  simt_done(&r);
}

static void test_connection_and_transitions(void **state)
{
  struct fixture *f = simt_setup(NULL, 0);
  const char *one[] = {simt_id(f, 0), NULL};
  struct spec s = {.ids = one};
  struct sent r;
  char want[128];

  (void)state;
  f->sim.fleet.v[0].connected = 1;
  describe_one(f, simt_id(f, 0), "Running", "Connected");
  describe_one(f, simt_id(f, 2), "Running", "Disconnected");
  simt_expect(f, &s, 200, "", NULL);
  f->now += 10;
  describe_one(f, simt_id(f, 0), "Stopping", "Disconnected");
  simt_expect(f, &s, 403, "IncorrectDesktopStatus", &r);
  snprintf(want, sizeof(want), "%s is Stopping.", simt_id(f, 0));
  assert_non_null(strstr(simt_field(&r, "Message"), want));
  simt_done(&r);
  f->now += 600;
  describe_one(f, simt_id(f, 0), "Starting", "Disconnected");
  simt_expect(f, &s, 403, "IncorrectDesktopStatus", &r);
  snprintf(want, sizeof(want), "%s is Starting.", simt_id(f, 0));
  assert_non_null(strstr(simt_field(&r, "Message"), want));
  simt_done(&r);
  f->now += 400;                 /* back, and the session is gone */
  describe_one(f, simt_id(f, 0), "Running", "Disconnected");
  f->sim.fleet.v[2].fail = WR_SIM_FAIL_STUCK;
  f->sim.fleet.v[2].connected = 1; /* no session while Stopped */
  describe_one(f, simt_id(f, 2), "Stopped", "Disconnected");
  assert_int_equal(f->sim.fleet.v[0].reboots, 1);
  simt_teardown(f);
}

/* --stopped-rate and --connected-rate: about the share asked, the same
 * desktops for the same seed, unknown desktops left alone. */
static void test_draw_states(void **state)
{
  struct wr_sim_fleet a, b;
  struct wr_err err = {0};
  char *regions[] = {"cn-hangzhou"};
  size_t i, stopped = 0, connected = 0;

  (void)state;
  wr_sim_fleet_init(&a, 1000);
  wr_sim_fleet_init(&b, 1000);
  assert_int_equal(wr_sim_fleet_generate(&a, 2000, regions, 1, 7, &err), 0);
  assert_int_equal(wr_sim_fleet_generate(&b, 2000, regions, 1, 7, &err), 0);
  a.v[5].fail = b.v[5].fail = WR_SIM_FAIL_UNKNOWN;
  wr_sim_fleet_draw_states(&a, 0.1, 0.2, 7);
  wr_sim_fleet_draw_states(&b, 0.1, 0.2, 7);
  for (i = 0; i < a.n; i++) {
    assert_int_equal(a.v[i].fail, b.v[i].fail);
    assert_int_equal(a.v[i].connected, b.v[i].connected);
    stopped += a.v[i].fail == WR_SIM_FAIL_STUCK;
    connected += a.v[i].connected;
    assert_false(a.v[i].connected && a.v[i].fail != WR_SIM_FAIL_NONE);
  }
  assert_int_equal(a.v[5].fail, WR_SIM_FAIL_UNKNOWN);
  assert_in_range(stopped, 140, 260);    /* 200 expected */
  assert_in_range(connected, 280, 440);  /* 360 expected */
  wr_sim_fleet_draw_states(&a, 0, 0, 8); /* rates 0: nothing changes */
  for (i = 0; i < a.n; i++)
    assert_int_equal(a.v[i].connected, b.v[i].connected);
  wr_sim_fleet_free(&a);
  wr_sim_fleet_free(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_desktop_errors),
    cmocka_unit_test(test_describe_paging),
    cmocka_unit_test(test_throttling),
    cmocka_unit_test(test_qps_models),
    cmocka_unit_test(test_qps_schedule),
    cmocka_unit_test(test_faults),
    cmocka_unit_test(test_seeded),
    cmocka_unit_test(test_stats_document),
    cmocka_unit_test(test_connection_and_transitions),
    cmocka_unit_test(test_draw_states),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
