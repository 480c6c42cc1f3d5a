/* test_renew: the renewal margin, which credentials are renewable, the
 * expired-token codes, wr_auth_refresh (one step, not the chain), and the
 * renewer on a real loop: the work on the thread pool, the swap, the
 * backoff after a failure and giving up once expired. */
#include "api.h"
#include "auth.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "creds.h"
#include "err.h"
#include "renew.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* The fake credentials URI: answers (on a worker thread) with a new
 * AccessKey that expires `life_ms` from now, or fails. */
static uv_mutex_t lock;
static int calls, fail_calls;
static int64_t life_ms;

static int fake(const struct wr_fetch_req *req, long *status,
                struct wr_buf *body, struct wr_err *err)
{
  char ts[WR_TIME_RFC3339_LEN];
  int n, fail;

  (void)req;
  wr_buf_init(body, 1 << 16);
  uv_mutex_lock(&lock);
  n = ++calls;
  fail = fail_calls > 0;
  if (fail)
    fail_calls--;
  uv_mutex_unlock(&lock);
  if (fail)
    return wr_err_set(err, WR_EIO, "GET 127.0.0.1: no answer");
  /* Expiration has whole seconds: round up. */
  wr_time_iso_seconds(wr_clock_wall_ms() + life_ms + 999, ts);
  *status = 200;
  return wr_buf_addf(body, "{\"Code\":\"Success\",\"AccessKeyId\":"
                     "\"STS.NRenewKey%012d\",\"AccessKeySecret\":\"renewSecret"
                     "%d\",\"SecurityToken\":\"renewToken%d\",\"Expiration\":"
                     "\"%s\"}", n, n, n, ts) < 0 ? WR_ENOMEM : 0;
}

static int setup(void **state)
{
  (void)state;
  setenv("ALIBABA_CLOUD_CREDENTIALS_URI", "http://127.0.0.1:9/creds", 1);
  wr_auth_set_fetch(fake);
  calls = fail_calls = 0;
  life_ms = 60000;
  return 0;
}

static void test_margin(void **state)
{
  (void)state;
  /* 1 h: 15 min (Java, Python); 15 min: a quarter; 12 h: 15 min. */
  assert_int_equal(wr_renew_margin_ms(3600000), 900000);
  assert_int_equal(wr_renew_margin_ms(900000), 225000);
  assert_int_equal(wr_renew_margin_ms(43200000), 900000);
  /* At least 180 s (Go, C++) ... unless that is more than half. */
  assert_int_equal(wr_renew_margin_ms(600000), 180000);
  assert_int_equal(wr_renew_margin_ms(300000), 150000);
  assert_int_equal(wr_renew_margin_ms(20000), 10000);
  assert_int_equal(wr_renew_margin_ms(0), 0);
}

static void test_renewable_and_codes(void **state)
{
  struct wr_creds c;

  (void)state;
  memset(&c, 0, sizeof(c));
  c.step = "env";
  c.expires_ms = 1;
  assert_false(wr_auth_renewable(&c));  /* nothing can renew it */
  c.step = "cli_profile";
  c.expires_ms = 0;
  assert_false(wr_auth_renewable(&c));  /* AK or StsToken mode */
  c.expires_ms = 1;
  assert_true(wr_auth_renewable(&c));
  c.step = "oidc";
  assert_true(wr_auth_renewable(&c));
  assert_false(wr_auth_renewable(NULL));
  assert_true(wr_api_code_token_expired("InvalidSecurityToken.Expired"));
  assert_false(wr_api_code_token_expired("InvalidSecurityToken.Mismatch"));
  assert_false(wr_api_code_token_expired("InvalidTimeStamp.Expired"));
  assert_false(wr_api_code_token_expired(NULL));
}

static void test_refresh(void **state)
{
  struct wr_config cfg;
  struct wr_creds cur, out;
  struct wr_err err = {0};

  (void)state;
  memset(&cfg, 0, sizeof(cfg));
  memset(&cur, 0, sizeof(cur));
  cur.step = "credentials_uri";
  cur.expires_ms = 1;
  assert_int_equal(wr_auth_refresh(&cfg, &cur, &out, &err), 0);
  assert_string_equal(out.step, "credentials_uri");
  assert_string_equal(out.access_key_id, "STS.NRenewKey000000000001");
  assert_true(out.expires_ms > wr_clock_wall_ms());
  wr_creds_free(&out);
  /* A failure: that step's error, not the rest of the chain's. */
  fail_calls = 1;
  assert_int_equal(wr_auth_refresh(&cfg, &cur, &out, &err), WR_ECREDS);
  assert_non_null(strstr(err.msg, "no answer"));
  assert_null(out.access_key_id);
  cur.step = "env";
  assert_int_equal(wr_auth_refresh(&cfg, &cur, &out, &err), WR_ECREDS);
  assert_non_null(strstr(err.msg, "cannot be renewed"));
}

/* ---- the renewer on a loop ------------------------------------------- */

struct ev {
  uv_loop_t *loop;
  int renewed, gave_up;
  int stop_after;           /* events before uv_stop */
};

/* Bounded: a renewer that never calls back fails the test. */

static void on_event(void *ud, bool renewed)
{
  struct ev *e = ud;

  if (renewed)
    e->renewed++;
  else
    e->gave_up++;
  if (e->renewed + e->gave_up >= e->stop_after)
    uv_stop(e->loop);
}

static void stop_loop(uv_timer_t *t)
{
  uv_stop(t->loop);
}

static void test_renewer(void **state)
{
  uv_loop_t loop;
  struct wr_config cfg;
  struct wr_creds init;
  struct wr_renewer *rn = NULL;
  struct wr_err err = {0};
  struct ev e;
  uv_timer_t guard;

  (void)state;
  assert_int_equal(uv_loop_init(&loop), 0);
  memset(&cfg, 0, sizeof(cfg));
  cfg.api = WR_API_ADMIN;
  memset(&init, 0, sizeof(init));
  assert_int_equal(wr_creds_set(&init, "STS.NInitialKey0000001", "s0", "t0",
                                "credentials_uri", "uri"), 0);
  /* They live 1.2 s: renewed half-way. */
  init.expires_ms = wr_clock_wall_ms() + 1200;
  life_ms = 1200;
  memset(&e, 0, sizeof(e));
  e.loop = &loop;
  assert_int_equal(wr_renewer_create(&loop, &cfg, &init, NULL, &rn, &err), 0);
  wr_renewer_listen(rn, on_event, &e);
  assert_true(wr_renewer_active(rn));
  assert_ptr_equal(wr_renewer_creds(rn), &init);
  assert_false(wr_renewer_waiting(rn));
  wr_renewer_start(rn);
  uv_timer_init(&loop, &guard);
  uv_timer_start(&guard, stop_loop, 20000, 0);
  e.stop_after = 1;
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(e.renewed, 1);
  assert_int_equal(wr_renewer_generation(rn), 1);
  assert_string_equal(wr_renewer_creds(rn)->access_key_id,
                      "STS.NRenewKey000000000001");
  assert_ptr_equal(wr_renewer_previous(rn), &init);
  /* The server says the new ones expired: renewed at once, even though
   * the clock says they are good; a refusal of an older generation
   * changes nothing. */
  wr_renewer_expired(rn, 0);
  assert_false(wr_renewer_waiting(rn));
  wr_renewer_expired(rn, 1);
  assert_true(wr_renewer_waiting(rn));
  e.stop_after = 2;
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(e.renewed, 2);
  assert_false(wr_renewer_waiting(rn));
  /* Every later renewal fails: tried before the expiry, at it and a few
   * times after, then the renewer gives up. */
  uv_mutex_lock(&lock);
  fail_calls = 1000;
  uv_mutex_unlock(&lock);
  e.stop_after = 3;
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(e.gave_up, 1);
  assert_false(wr_renewer_active(rn));
  assert_false(wr_renewer_waiting(rn));
  assert_true(1000 - fail_calls >= 1 + WR_RENEW_EXPIRED_TRIES);
  assert_int_equal(wr_renewer_count(rn), 2);
  uv_close((uv_handle_t *)&guard, NULL);
  wr_renewer_destroy(&rn);
  assert_null(rn);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
  wr_creds_free(&init);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_margin),
    cmocka_unit_test(test_renewable_and_codes),
    cmocka_unit_test_setup(test_refresh, setup),
    cmocka_unit_test_setup(test_renewer, setup),
  };
  int rc;

  uv_mutex_init(&lock);
  rc = cmocka_run_group_tests(tests, NULL, NULL);
  uv_mutex_destroy(&lock);
  return rc;
}
