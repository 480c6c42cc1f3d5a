/* ecd-sim's authentication and protocol checks without HTTP: requests
 * built by the project's request builder (api.h), some tampered with or
 * re-signed, fed to wr_sim_handle() (tests/sim/sim_fixture.c). */
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

static void test_admin_v3_and_v1_reboot(void **state)
{
  struct fixture *f = simt_setup(NULL, 0);
  const char *ids[] = {simt_id(f, 0), simt_id(f, 2), NULL};
  struct spec s = {.ids = ids};
  struct sent ok;

  (void)state;
  simt_expect(f, &s, 200, "", &ok);
  assert_int_equal(strlen(simt_field(&ok, "RequestId")), 36);
  assert_int_equal(ok.r.outcome, WR_SIM_OK);
  simt_done(&ok);
  assert_int_equal(f->sim.fleet.v[0].reboots, 1);
  assert_int_equal(f->sim.fleet.v[2].reboots, 1);
  f->now += 1000;
  s.sig = WR_SIG_V1;
  simt_expect(f, &s, 200, "", NULL);
  assert_int_equal(f->sim.fleet.v[0].reboots, 2);
  assert_int_equal(f->sim.stats.violations[0], 0);
  simt_teardown(f);
}

static void test_signature_tampering(void **state)
{
  struct fixture *f = simt_setup(NULL, 0);
  const char *ids[] = {simt_id(f, 0), NULL};
  struct spec s = {.ids = ids};
  struct wr_http_request req;
  struct sent r;
  size_t i;
  char *p;

  (void)state;
  for (i = 0; i < 2; i++) {
    s.sig = i ? WR_SIG_V1 : WR_SIG_V3;
    /* A changed parameter. */
    simt_build(f, &s, &req);
    p = strstr(req.url, "cn-hangzhou");
    memcpy(p, "cn-shanghai", 11);
    simt_send(f, &req, &r);
    assert_int_equal(r.r.status, 400);
    assert_string_equal(simt_field(&r, "Code"), "SignatureDoesNotMatch");
    simt_done(&r);
    wr_http_request_free(&req);
    /* A wrong secret. */
    f->creds.access_key_secret = "not-the-secret";
    simt_expect(f, &s, 400, "SignatureDoesNotMatch", NULL);
    f->creds.access_key_secret = "testsecret";
    /* An unknown key. */
    f->creds.access_key_id = "otherid";
    simt_expect(f, &s, 404, "InvalidAccessKeyId.NotFound", NULL);
    f->creds.access_key_id = "testid";
    /* An old and a future timestamp. */
    s.wall_offset_ms = -16 * 60000;
    simt_expect(f, &s, 400, "InvalidTimeStamp.Expired", NULL);
    s.wall_offset_ms = 16 * 60000;
    simt_expect(f, &s, 400, "InvalidTimeStamp.Expired", NULL);
    s.wall_offset_ms = 14 * 60000; /* inside the window */
    simt_expect(f, &s, 200, "", NULL);
    s.wall_offset_ms = 0;
    f->now += 2000;                /* Running again */
  }
  assert_int_equal(simt_violations(f, WR_SIM_V_BAD_SIGNATURE), 4);
  assert_int_equal(simt_violations(f, WR_SIM_V_UNKNOWN_ACCESS_KEY), 2);
  assert_int_equal(simt_violations(f, WR_SIM_V_EXPIRED_TIMESTAMP), 4);
  assert_int_equal(f->sim.fleet.v[0].reboots, 2);
  simt_teardown(f);
}

static void test_v3_headers(void **state)
{
  struct fixture *f = simt_setup(NULL, 0);
  const char *ids[] = {simt_id(f, 0), NULL};
  struct spec s = {.ids = ids};
  struct wr_http_request req;
  struct sent r;
  char v[128];
  size_t i;

  (void)state;
  /* The body hash must match the (empty) body. */
  simt_build(f, &s, &req);
  for (i = 0; i < req.nheaders; i++)
    if (strcmp(req.headers[i].name, "x-acs-content-sha256") == 0) {
      snprintf(v, sizeof(v), "f%s", req.headers[i].value + 1);
      assert_int_equal(wr_http_request_set_header(&req, "x-acs-content-sha256",
                                                  v), 0);
      break;
    }
  assert_int_equal(i < req.nheaders, 1);
  simt_send(f, &req, &r);
  assert_string_equal(simt_field(&r, "Code"), "SignatureDoesNotMatch");
  simt_done(&r);
  wr_http_request_free(&req);
  /* An x-acs-* header sent but not signed. */
  simt_build(f, &s, &req);
  assert_int_equal(wr_http_request_set_header(&req, "x-acs-extra", "1"), 0);
  simt_send(f, &req, &r);
  assert_int_equal(r.r.status, 400);
  assert_string_equal(simt_field(&r, "Code"), "IncompleteSignature");
  simt_done(&r);
  wr_http_request_free(&req);
  simt_teardown(f);
}

static void test_nonce_replay(void **state)
{
  struct fixture *f = simt_setup(NULL, 0);
  const char *ids[] = {simt_id(f, 4), NULL};
  struct spec s = {.ids = ids, .nonce = "same-nonce"};

  (void)state;
  simt_expect(f, &s, 200, "", NULL);
  f->now += 5000;
  simt_expect(f, &s, 400, "SignatureNonceUsed", NULL);
  s.sig = WR_SIG_V1;
  simt_expect(f, &s, 400, "SignatureNonceUsed", NULL);
  assert_int_equal(simt_violations(f, WR_SIM_V_NONCE_REUSED), 2);
  assert_int_equal(f->sim.fleet.v[4].reboots, 1);
  simt_teardown(f);
}

static void test_id_limits(void **state)
{
  const char *extra[] = {"--desktops", "300", "--client-id", "client-1"};
  struct fixture *f = simt_setup(extra, 4);
  const char *ids[102];
  struct spec s = {.ids = ids};
  struct wr_http_request req;
  struct wr_buf q;
  struct sent r;
  int i;

  (void)state;
  for (i = 0; i < 100; i++)
    ids[i] = simt_id(f, (size_t)i * 2);
  ids[100] = NULL;
  simt_expect(f, &s, 200, "", NULL);     /* 100 is fine */
  /* 101 IDs: the builder refuses, so add one and re-sign (V1). */
  s.sig = WR_SIG_V1;
  ids[100] = simt_id(f, 200);
  ids[101] = NULL;
  {
    struct wr_sim_request sr;
    struct wr_param p[120];
    struct wr_buf sig;
    char names[101][24];
    char nonce[] = "n-101";
    char ts[WR_TIME_RFC3339_LEN];
    size_t n = 0;
    struct wr_sim_response resp;

    wr_time_iso_seconds(WALL0, ts);
    p[n++] = (struct wr_param){"AccessKeyId", "testid"};
    p[n++] = (struct wr_param){"Action", "RebootDesktops"};
    p[n++] = (struct wr_param){"Format", "JSON"};
    p[n++] = (struct wr_param){"RegionId", "cn-hangzhou"};
    p[n++] = (struct wr_param){"SignatureMethod", "HMAC-SHA1"};
    p[n++] = (struct wr_param){"SignatureNonce", nonce};
    p[n++] = (struct wr_param){"SignatureVersion", "1.0"};
    p[n++] = (struct wr_param){"Timestamp", ts};
    p[n++] = (struct wr_param){"Version", "2020-09-30"};
    for (i = 0; i < 101; i++) {
      snprintf(names[i], sizeof(names[i]), "DesktopId.%d", i + 1);
      p[n++] = (struct wr_param){names[i], ids[i]};
    }
    wr_buf_init(&sig, 256);
    wr_buf_init(&q, 1 << 16);
    assert_int_equal(wr_sign_v1("POST", p, n, "testsecret", &sig, NULL), 0);
    p[n++] = (struct wr_param){"Signature", wr_buf_str(&sig)};
    assert_int_equal(wr_canonical_query(p, n, &q), 0);
    memset(&sr, 0, sizeof(sr));
    sr.method = "POST";
    sr.path = "/";
    sr.query = wr_buf_str(&q);
    assert_int_equal(wr_sim_handle(&f->sim, &sr, f->now, WALL0, &resp), 0);
    assert_int_equal(resp.status, 400);
    assert_non_null(strstr(resp.body, "\"InvalidParameter\""));
    assert_non_null(strstr(resp.body, "got 101"));
    wr_sim_response_free(&resp);
    wr_buf_free(&sig);
    wr_buf_free(&q);
  }
  assert_int_equal(simt_violations(f, WR_SIM_V_TOO_MANY_IDS), 1);
  /* Client mode: 20 fine, 21 (one appended to the URL) too many. */
  s.mode = WR_API_CLIENT;
  s.client_token = "tok-21";
  ids[20] = NULL;
  f->now += 5000;
  simt_build(f, &s, &req);
  wr_buf_init(&q, 1 << 16);
  wr_buf_addf(&q, "%s&DesktopId.21=%s", req.url, simt_id(f, 240));
  free(req.url);
  req.url = wr_buf_take(&q);
  simt_send(f, &req, &r);
  assert_int_equal(r.r.status, 400);
  assert_string_equal(simt_field(&r, "Code"), "InvalidParameter");
  simt_done(&r);
  wr_http_request_free(&req);
  simt_expect(f, &s, 200, "", NULL);
  assert_int_equal(simt_violations(f, WR_SIM_V_TOO_MANY_IDS), 2);
  simt_teardown(f);
}

static void test_client_token_idempotency(void **state)
{
  const char *extra[] = {"--client-id", "client-1", "--login-token", "lt",
                         "--session-id", "sid"};
  struct fixture *f = simt_setup(extra, 6);
  const char *ids[] = {simt_id(f, 0), simt_id(f, 2), NULL};
  const char *other[] = {simt_id(f, 0), NULL};
  struct spec s = {.mode = WR_API_CLIENT, .ids = ids, .client_token = "T1"};
  struct sent first, again;

  (void)state;
  simt_expect(f, &s, 200, "", &first);
  f->now += 100;
  simt_expect(f, &s, 200, "", &again); /* a retry: fresh nonce, same token */
  assert_string_equal(simt_field(&first, "RequestId"),
                      simt_field(&again, "RequestId"));
  assert_int_equal(again.r.outcome, WR_SIM_REPLAYED);
  assert_int_equal(f->sim.fleet.v[0].reboots, 1);
  simt_done(&first);
  simt_done(&again);
  s.ids = other;
  simt_expect(f, &s, 400, "IdempotentParameterMismatch", NULL);
  assert_int_equal(simt_violations(f, WR_SIM_V_TOKEN_MISMATCH), 1);
  /* Session values are checked; the login token may change on a retry. */
  f->creds.login_token = "wrong";
  s.ids = ids;
  simt_expect(f, &s, 400, "InvalidLoginToken", NULL);
  f->creds.login_token = "lt";
  f->creds.client_id = "client-2";
  simt_expect(f, &s, 400, "InvalidClientId", NULL);
  assert_int_equal(simt_violations(f, WR_SIM_V_BAD_CLIENT_SESSION), 2);
  simt_teardown(f);
}

static void test_missing_parameters(void **state)
{
  static const char *const cut[] = {"RegionId=", "ClientToken=",
                                    "Timestamp=", "SignatureNonce=",
                                    "ClientId="};
  struct fixture *f = simt_setup(NULL, 0);
  const char *ids[] = {simt_id(f, 0), NULL};
  struct spec s = {.mode = WR_API_CLIENT, .ids = ids, .client_token = "M"};
  struct wr_http_request req;
  struct sent r;
  char v[128];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
    simt_build(f, &s, &req);
    simt_cut_param(&req, cut[i]);
    simt_send(f, &req, &r);
    assert_int_equal(r.r.status, 400);
    assert_string_equal(simt_field(&r, "Code"), "MissingParameter");
    simt_done(&r);
    wr_http_request_free(&req);
  }
  /* V3 without x-acs-date; V1 without SignatureMethod. */
  s.mode = WR_API_ADMIN;
  simt_build(f, &s, &req);
  for (i = 0; i < req.nheaders; i++)
    if (strcmp(req.headers[i].name, "x-acs-date") == 0) {
      snprintf(v, sizeof(v), "%s", req.headers[i].value);
      assert_int_equal(wr_http_request_set_header(&req, "x-acs-date", NULL),
                       0);
      assert_int_equal(wr_http_request_set_header(&req, "y-acs-date", v), 0);
      break;
    }
  assert_non_null(strstr(req.headers[req.nheaders - 1].line, "y-acs-date: "));
  simt_send(f, &req, &r);
  assert_string_equal(simt_field(&r, "Code"), "MissingParameter");
  assert_non_null(strstr(simt_field(&r, "Message"), "x-acs-date"));
  simt_done(&r);
  wr_http_request_free(&req);
  s.sig = WR_SIG_V1;
  simt_build(f, &s, &req);
  simt_cut_param(&req, "SignatureMethod=");
  simt_send(f, &req, &r);
  assert_string_equal(simt_field(&r, "Code"), "MissingParameter");
  simt_done(&r);
  wr_http_request_free(&req);
  assert_int_equal(simt_violations(f, WR_SIM_V_MISSING_PARAMETER), 7);
  assert_int_equal(f->sim.fleet.v[0].reboots, 0);
  simt_teardown(f);
}

/* V1 signs the union of query and form body: the same request with its
 * parameters moved to an x-www-form-urlencoded body is still valid, and
 * split between the two as well. */
static void test_v1_form_body(void **state)
{
  struct fixture *f = simt_setup(NULL, 0);
  const char *ids[] = {simt_id(f, 0), NULL};
  struct spec s = {.sig = WR_SIG_V1, .ids = ids};
  struct wr_http_request req;
  struct sent r;
  char *q, *amp;
  int split;

  (void)state;
  for (split = 0; split < 2; split++) {
    simt_build(f, &s, &req);
    q = strchr(req.url, '?');
    /* split: the first parameter stays in the query */
    amp = split ? strchr(q, '&') : q;
    req.body = strdup(amp + 1);
    req.body_len = strlen(req.body);
    amp[split ? 0 : 1] = '\0';
    assert_int_equal(wr_http_request_set_header(
                         &req, "Content-Type",
                         "application/x-www-form-urlencoded"), 0);
    simt_send(f, &req, &r);
    if (r.r.status != 200)
      fail_msg("split %d: %s", split, r.r.body);
    simt_done(&r);
    wr_http_request_free(&req);
    f->now += 2000;
  }
  /* A parameter both in the query and in the body is refused. */
  simt_build(f, &s, &req);
  q = strchr(req.url, '?');
  req.body = strdup(q + 1);
  req.body_len = strlen(req.body);
  assert_int_equal(wr_http_request_set_header(
                       &req, "content-type",
                       "application/x-www-form-urlencoded; charset=utf-8"),
                   0);
  simt_send(f, &req, &r);
  assert_int_equal(r.r.status, 400);
  assert_string_equal(simt_field(&r, "Code"), "InvalidParameter");
  simt_done(&r);
  wr_http_request_free(&req);
  assert_int_equal(f->sim.fleet.v[0].reboots, 2);
  simt_teardown(f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_admin_v3_and_v1_reboot),
    cmocka_unit_test(test_signature_tampering),
    cmocka_unit_test(test_v3_headers),
    cmocka_unit_test(test_nonce_replay),
    cmocka_unit_test(test_id_limits),
    cmocka_unit_test(test_client_token_idempotency),
    cmocka_unit_test(test_missing_parameters),
    cmocka_unit_test(test_v1_form_body),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
