/* ecd-sim's request handling without HTTP: requests built by the
 * project's request builder (api.h), some tampered with, fed straight to
 * wr_sim_handle() with a hand-driven clock. */
#include "api.h"
#include "buf.h"
#include "clock.h"
#include "creds.h"
#include "sign.h"
#include "sim_core.h"
#include "sim_opts.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WALL0 1777000000000LL /* a fixed wall clock for the builder */
#define MAXH 16

struct fixture {
  struct wr_sim_opts opts;
  struct wr_sim sim;
  struct wr_creds creds;
  int64_t now;       /* monotonic ms */
  int nonce_seq;
};

struct sent {
  struct wr_sim_response r;
  cJSON *json;       /* parsed body, NULL if not JSON */
};

static struct fixture *setup_with(const char *const *extra, int nextra)
{
  struct fixture *f = calloc(1, sizeof(*f));
  char *argv[32] = {"ecd-sim", "--desktops", "30", "--reboot-ms", "1000",
                    "--regions", "cn-hangzhou,cn-shanghai"};
  int argc = 7, i;
  struct wr_err err = {0};

  for (i = 0; i < nextra; i++)
    argv[argc++] = (char *)extra[i];
  assert_int_equal(wr_sim_opts_parse(&f->opts, argc, argv, &err), 0);
  wr_sim_fleet_init(&f->sim.fleet, f->opts.reboot_ms);
  assert_int_equal(wr_sim_fleet_generate(&f->sim.fleet, f->opts.desktops,
                                         f->opts.regions, f->opts.nregions,
                                         f->opts.seed, &err), 0);
  assert_int_equal(wr_sim_fleet_finish(&f->sim.fleet), 0);
  f->now = 1000000;
  assert_int_equal(wr_sim_init(&f->sim, &f->opts, NULL, f->now), 0);
  f->creds.access_key_id = "testid";
  f->creds.access_key_secret = "testsecret";
  f->creds.client_id = "client-1";
  f->creds.login_token = "lt";
  f->creds.session_id = "sid";
  return f;
}

static void teardown_f(struct fixture *f)
{
  wr_sim_free(&f->sim);
  wr_sim_opts_free(&f->opts);
  free(f);
}

/* Admin (v3/v1) or client call; ids NULL-terminated. */
struct spec {
  enum wr_api_mode mode;
  enum wr_sig_version sig;
  const char *action;
  const char *region;
  const char **ids;
  const char *client_token;
  long max_results;
  const char *next_token;
  const char *nonce;          /* NULL: fresh */
  int64_t wall_offset_ms;
};

static void build(struct fixture *f, const struct spec *s,
                  struct wr_http_request *req)
{
  struct wr_api_target t = {s->mode, s->sig, "http://127.0.0.1:8080"};
  struct wr_call call = {0};
  struct wr_attempt at;
  struct wr_err err = {0};
  char nonce[40];
  size_t n = 0;

  while (s->ids && s->ids[n])
    n++;
  call.action = s->action ? s->action : "RebootDesktops";
  call.region = s->region ? s->region : "cn-hangzhou";
  call.ids = s->ids;
  call.nids = n;
  call.client_token = s->client_token;
  call.max_results = s->max_results;
  call.next_token = s->next_token;
  snprintf(nonce, sizeof(nonce), "nonce-%d", ++f->nonce_seq);
  at.nonce = s->nonce ? s->nonce : nonce;
  at.wall_ms = WALL0 + s->wall_offset_ms;
  memset(req, 0, sizeof(*req));
  assert_int_equal(wr_api_build(&t, &f->creds, &call, &at, req, &err), 0);
}

static void send_req(struct fixture *f, const struct wr_http_request *req,
                     struct sent *out)
{
  struct wr_sim_header h[MAXH];
  struct wr_sim_request r;
  char *url = strdup(req->url), *path, *q;
  size_t i;

  path = strchr(url + strlen("http://"), '/');
  q = strchr(path, '?');
  if (q)
    *q++ = '\0';
  for (i = 0; i < req->nheaders && i < MAXH; i++) {
    h[i].name = req->headers[i].name;
    h[i].value = req->headers[i].value;
  }
  r.method = req->method;
  r.path = path;
  r.query = q ? q : "";
  r.headers = h;
  r.nheaders = i;
  r.body = req->body;
  r.body_len = req->body_len;
  assert_int_equal(wr_sim_handle(&f->sim, &r, f->now, WALL0, &out->r), 0);
  out->json = out->r.body ? cJSON_Parse(out->r.body) : NULL;
  free(url);
}

static void done(struct sent *s)
{
  cJSON_Delete(s->json);
  wr_sim_response_free(&s->r);
}

static const char *field(const struct sent *s, const char *name)
{
  cJSON *v = cJSON_GetObjectItemCaseSensitive(s->json, name);

  return cJSON_IsString(v) ? v->valuestring : "";
}

/* Build, send, check status and Code ("" for success). */
static void expect(struct fixture *f, const struct spec *sp, int status,
                   const char *code, struct sent *keep)
{
  struct wr_http_request req;
  struct sent s;

  build(f, sp, &req);
  send_req(f, &req, &s);
  if (s.r.status != status || strcmp(field(&s, "Code"), code) != 0)
    fail_msg("expected %d %s, got %d %s", status, code, s.r.status,
             s.r.body ? s.r.body : "(none)");
  wr_http_request_free(&req);
  if (keep)
    *keep = s;
  else
    done(&s);
}

static const char *id(struct fixture *f, size_t i)
{
  return f->sim.fleet.v[i].id;   /* even i: cn-hangzhou, odd: cn-shanghai */
}

static uint64_t violations(struct fixture *f, int v)
{
  return f->sim.stats.violations[v];
}

static void test_admin_v3_and_v1_reboot(void **state)
{
  struct fixture *f = setup_with(NULL, 0);
  const char *ids[] = {id(f, 0), id(f, 2), NULL};
  struct spec s = {.ids = ids};
  struct sent ok;

  (void)state;
  expect(f, &s, 200, "", &ok);
  assert_int_equal(strlen(field(&ok, "RequestId")), 36);
  assert_int_equal(ok.r.outcome, WR_SIM_OK);
  done(&ok);
  assert_int_equal(f->sim.fleet.v[0].reboots, 1);
  assert_int_equal(f->sim.fleet.v[2].reboots, 1);
  f->now += 1000;
  s.sig = WR_SIG_V1;
  expect(f, &s, 200, "", NULL);
  assert_int_equal(f->sim.fleet.v[0].reboots, 2);
  assert_int_equal(f->sim.stats.violations[0], 0);
  teardown_f(f);
}

static void test_signature_tampering(void **state)
{
  struct fixture *f = setup_with(NULL, 0);
  const char *ids[] = {id(f, 0), NULL};
  struct spec s = {.ids = ids};
  struct wr_http_request req;
  struct sent r;
  size_t i;
  char *p;

  (void)state;
  for (i = 0; i < 2; i++) {
    s.sig = i ? WR_SIG_V1 : WR_SIG_V3;
    /* A changed parameter. */
    build(f, &s, &req);
    p = strstr(req.url, "cn-hangzhou");
    memcpy(p, "cn-shanghai", 11);
    send_req(f, &req, &r);
    assert_int_equal(r.r.status, 400);
    assert_string_equal(field(&r, "Code"), "SignatureDoesNotMatch");
    done(&r);
    wr_http_request_free(&req);
    /* A wrong secret. */
    f->creds.access_key_secret = "not-the-secret";
    expect(f, &s, 400, "SignatureDoesNotMatch", NULL);
    f->creds.access_key_secret = "testsecret";
    /* An unknown key. */
    f->creds.access_key_id = "otherid";
    expect(f, &s, 404, "InvalidAccessKeyId.NotFound", NULL);
    f->creds.access_key_id = "testid";
    /* An old and a future timestamp. */
    s.wall_offset_ms = -16 * 60000;
    expect(f, &s, 400, "InvalidTimeStamp.Expired", NULL);
    s.wall_offset_ms = 16 * 60000;
    expect(f, &s, 400, "InvalidTimeStamp.Expired", NULL);
    s.wall_offset_ms = 14 * 60000; /* inside the window */
    expect(f, &s, 200, "", NULL);
    s.wall_offset_ms = 0;
    f->now += 2000;                /* Running again */
  }
  assert_int_equal(violations(f, WR_SIM_V_BAD_SIGNATURE), 4);
  assert_int_equal(violations(f, WR_SIM_V_UNKNOWN_ACCESS_KEY), 2);
  assert_int_equal(violations(f, WR_SIM_V_EXPIRED_TIMESTAMP), 4);
  assert_int_equal(f->sim.fleet.v[0].reboots, 2);
  teardown_f(f);
}

static void test_v3_headers(void **state)
{
  struct fixture *f = setup_with(NULL, 0);
  const char *ids[] = {id(f, 0), NULL};
  struct spec s = {.ids = ids};
  struct wr_http_request req;
  struct sent r;
  size_t i;

  (void)state;
  /* The body hash must match the (empty) body. */
  build(f, &s, &req);
  for (i = 0; i < req.nheaders; i++)
    if (strcmp(req.headers[i].name, "x-acs-content-sha256") == 0)
      req.headers[i].value[0] = 'f';
  send_req(f, &req, &r);
  assert_string_equal(field(&r, "Code"), "SignatureDoesNotMatch");
  done(&r);
  wr_http_request_free(&req);
  /* An x-acs-* header sent but not signed. */
  build(f, &s, &req);
  req.headers = realloc(req.headers,
                        (req.nheaders + 1) * sizeof(*req.headers));
  assert_non_null(req.headers);
  req.headers[req.nheaders].name = strdup("x-acs-extra");
  req.headers[req.nheaders++].value = strdup("1");
  send_req(f, &req, &r);
  assert_int_equal(r.r.status, 400);
  assert_string_equal(field(&r, "Code"), "IncompleteSignature");
  done(&r);
  wr_http_request_free(&req);
  teardown_f(f);
}

static void test_nonce_replay(void **state)
{
  struct fixture *f = setup_with(NULL, 0);
  const char *ids[] = {id(f, 4), NULL};
  struct spec s = {.ids = ids, .nonce = "same-nonce"};

  (void)state;
  expect(f, &s, 200, "", NULL);
  f->now += 5000;
  expect(f, &s, 400, "SignatureNonceUsed", NULL);
  s.sig = WR_SIG_V1;
  expect(f, &s, 400, "SignatureNonceUsed", NULL);
  assert_int_equal(violations(f, WR_SIM_V_NONCE_REUSED), 2);
  assert_int_equal(f->sim.fleet.v[4].reboots, 1);
  teardown_f(f);
}

static void test_id_limits(void **state)
{
  const char *extra[] = {"--desktops", "300", "--client-id", "client-1"};
  struct fixture *f = setup_with(extra, 4);
  const char *ids[102];
  struct spec s = {.ids = ids};
  struct wr_http_request req;
  struct wr_buf q;
  struct sent r;
  int i;

  (void)state;
  for (i = 0; i < 100; i++)
    ids[i] = id(f, (size_t)i * 2);
  ids[100] = NULL;
  expect(f, &s, 200, "", NULL);     /* 100 is fine */
  /* 101 IDs: the builder refuses, so add one and re-sign (V1). */
  s.sig = WR_SIG_V1;
  ids[100] = id(f, 200);
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
  assert_int_equal(violations(f, WR_SIM_V_TOO_MANY_IDS), 1);
  /* Client mode: 20 fine, 21 (one appended to the URL) too many. */
  s.mode = WR_API_CLIENT;
  s.client_token = "tok-21";
  ids[20] = NULL;
  f->now += 5000;
  build(f, &s, &req);
  wr_buf_init(&q, 1 << 16);
  wr_buf_addf(&q, "%s&DesktopId.21=%s", req.url, id(f, 240));
  free(req.url);
  req.url = wr_buf_take(&q);
  send_req(f, &req, &r);
  assert_int_equal(r.r.status, 400);
  assert_string_equal(field(&r, "Code"), "InvalidParameter");
  done(&r);
  wr_http_request_free(&req);
  expect(f, &s, 200, "", NULL);
  assert_int_equal(violations(f, WR_SIM_V_TOO_MANY_IDS), 2);
  teardown_f(f);
}

static void test_client_token_idempotency(void **state)
{
  const char *extra[] = {"--client-id", "client-1", "--login-token", "lt",
                         "--session-id", "sid"};
  struct fixture *f = setup_with(extra, 6);
  const char *ids[] = {id(f, 0), id(f, 2), NULL};
  const char *other[] = {id(f, 0), NULL};
  struct spec s = {.mode = WR_API_CLIENT, .ids = ids, .client_token = "T1"};
  struct sent first, again;

  (void)state;
  expect(f, &s, 200, "", &first);
  f->now += 100;
  expect(f, &s, 200, "", &again);      /* a retry: fresh nonce, same token */
  assert_string_equal(field(&first, "RequestId"), field(&again, "RequestId"));
  assert_int_equal(again.r.outcome, WR_SIM_REPLAYED);
  assert_int_equal(f->sim.fleet.v[0].reboots, 1);
  done(&first);
  done(&again);
  s.ids = other;
  expect(f, &s, 400, "IdempotentParameterMismatch", NULL);
  assert_int_equal(violations(f, WR_SIM_V_TOKEN_MISMATCH), 1);
  /* Session values are checked; the login token may change on a retry. */
  f->creds.login_token = "wrong";
  s.ids = ids;
  expect(f, &s, 400, "InvalidLoginToken", NULL);
  f->creds.login_token = "lt";
  f->creds.client_id = "client-2";
  expect(f, &s, 400, "InvalidClientId", NULL);
  assert_int_equal(violations(f, WR_SIM_V_BAD_CLIENT_SESSION), 2);
  teardown_f(f);
}

/* Cut "&name=value" (or "name=value&") out of the URL's query. */
static void cut_param(struct wr_http_request *req, const char *name)
{
  char *p = strstr(req->url, name), *end;

  assert_non_null(p);
  end = strchr(p, '&');
  if (end != NULL)
    memmove(p, end + 1, strlen(end + 1) + 1);
  else
    p[-1] = '\0';
}

static void test_missing_parameters(void **state)
{
  static const char *const cut[] = {"RegionId=", "ClientToken=",
                                    "Timestamp=", "SignatureNonce=",
                                    "ClientId="};
  struct fixture *f = setup_with(NULL, 0);
  const char *ids[] = {id(f, 0), NULL};
  struct spec s = {.mode = WR_API_CLIENT, .ids = ids, .client_token = "M"};
  struct wr_http_request req;
  struct sent r;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
    build(f, &s, &req);
    cut_param(&req, cut[i]);
    send_req(f, &req, &r);
    assert_int_equal(r.r.status, 400);
    assert_string_equal(field(&r, "Code"), "MissingParameter");
    done(&r);
    wr_http_request_free(&req);
  }
  /* V3 without x-acs-date; V1 without SignatureMethod. */
  s.mode = WR_API_ADMIN;
  build(f, &s, &req);
  for (i = 0; i < req.nheaders; i++)
    if (strcmp(req.headers[i].name, "x-acs-date") == 0)
      req.headers[i].name[0] = 'y';
  send_req(f, &req, &r);
  assert_string_equal(field(&r, "Code"), "MissingParameter");
  assert_non_null(strstr(field(&r, "Message"), "x-acs-date"));
  done(&r);
  wr_http_request_free(&req);
  s.sig = WR_SIG_V1;
  build(f, &s, &req);
  cut_param(&req, "SignatureMethod=");
  send_req(f, &req, &r);
  assert_string_equal(field(&r, "Code"), "MissingParameter");
  done(&r);
  wr_http_request_free(&req);
  assert_int_equal(violations(f, WR_SIM_V_MISSING_PARAMETER), 7);
  assert_int_equal(f->sim.fleet.v[0].reboots, 0);
  teardown_f(f);
}

static void test_desktop_errors(void **state)
{
  struct fixture *f = setup_with(NULL, 0);
  const char *unknown[] = {id(f, 0), "ecd-doesnotexist00", NULL};
  const char *wrong_region[] = {id(f, 1), NULL};
  const char *one[] = {id(f, 0), NULL};
  struct spec s = {.ids = unknown};

  (void)state;
  expect(f, &s, 404, "InvalidDesktopId.NotFound", NULL);
  s.ids = wrong_region;            /* lives in cn-shanghai */
  expect(f, &s, 404, "InvalidDesktopId.NotFound", NULL);
  assert_int_equal(f->sim.fleet.v[0].reboots, 0); /* fails as a whole */
  s.ids = one;
  expect(f, &s, 200, "", NULL);
  f->now += 10;
  expect(f, &s, 403, "IncorrectDesktopStatus", NULL); /* Stopping */
  f->now += 600;
  expect(f, &s, 403, "IncorrectDesktopStatus", NULL); /* Starting */
  f->now += 400;
  expect(f, &s, 200, "", NULL);                       /* Running */
  f->sim.fleet.v[2].fail = WR_SIM_FAIL_STUCK;
  one[0] = id(f, 2);
  expect(f, &s, 403, "IncorrectDesktopStatus", NULL);
  assert_int_equal(f->sim.stats.violations[WR_SIM_V_OTHER], 0);
  teardown_f(f);
}

static void test_describe_paging(void **state)
{
  struct fixture *f = setup_with(NULL, 0);
  struct spec s = {.action = "DescribeDesktops", .max_results = 4};
  const char *ids[] = {id(f, 0), id(f, 1), "ecd-nothere", id(f, 2), NULL};
  const char *reboot[] = {id(f, 4), NULL};
  char token[32] = "";
  int pages = 0, seen = 0;
  struct sent r;

  (void)state;
  do {                       /* 15 desktops in cn-hangzhou, pages of 4 */
    cJSON *d, *tok;

    s.next_token = token[0] ? token : NULL;
    expect(f, &s, 200, "", &r);
    d = cJSON_GetObjectItem(r.json, "Desktops");
    seen += cJSON_GetArraySize(d);
    assert_int_equal(cJSON_GetObjectItem(r.json, "TotalCount")->valueint, 15);
    tok = cJSON_GetObjectItem(r.json, "NextToken");
    snprintf(token, sizeof(token), "%s", tok ? tok->valuestring : "");
    pages++;
    done(&r);
  } while (token[0] != '\0');
  assert_int_equal(pages, 4);
  assert_int_equal(seen, 15);
  /* Named IDs: only those of the region that exist. */
  s.ids = ids;
  s.max_results = 0;
  expect(f, &s, 200, "", &r);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
                                                          "Desktops")), 2);
  done(&r);
  /* A status filter sees the reboot. */
  s.ids = reboot;
  s.action = NULL;
  expect(f, &s, 200, "", NULL);
  s.action = "DescribeDesktops";
  s.ids = NULL;
  s.max_results = 100;
  s.next_token = NULL;
  expect(f, &s, 200, "", &r);
  assert_int_equal(cJSON_GetObjectItem(r.json, "TotalCount")->valueint, 15);
  done(&r);
  s.next_token = "garbage";
  expect(f, &s, 400, "InvalidParameter", NULL);
  teardown_f(f);
}

static void test_throttling(void **state)
{
  const char *extra[] = {"--qps", "2", "--retry-after-ms", "700"};
  struct fixture *f = setup_with(extra, 4);
  struct spec s = {.action = "DescribeDesktops"};
  struct wr_http_request req;
  struct sent r;

  (void)state;
  expect(f, &s, 200, "", NULL);
  f->now += 500;
  expect(f, &s, 200, "", NULL);
  f->now += 499;               /* 2 calls in [now-999, now] */
  build(f, &s, &req);
  send_req(f, &req, &r);
  assert_true(r.r.status == 400 || r.r.status == 429 || r.r.status == 503);
  assert_string_equal(field(&r, "Code"), "Throttling.User");
  assert_int_equal(r.r.outcome, WR_SIM_THROTTLED);
  assert_int_equal(r.r.retry_after_ms, 700);
  done(&r);
  wr_http_request_free(&req);
  f->now += 1;                 /* the first call left the window */
  expect(f, &s, 200, "", NULL);
  /* Per action: RebootDesktops has its own budget. */
  {
    const char *ids[] = {id(f, 0), NULL};
    struct spec rb = {.ids = ids};

    expect(f, &rb, 200, "", NULL);
  }
  assert_int_equal(f->sim.stats.calls[WR_SIM_DESCRIBE][WR_SIM_THROTTLED], 1);
  assert_int_equal(f->sim.stats.max[WR_SIM_DESCRIBE], 3);
  assert_int_equal(violations(f, WR_SIM_V_OTHER), 0);
  teardown_f(f);
}

static void one_fault(const char *opt, const char *rate, int reply,
                      int outcome, int reboots)
{
  const char *extra[] = {opt, rate, "--hang-ms", "1234"};
  struct fixture *f = setup_with(extra, 4);
  const char *ids[] = {id(f, 0), NULL};
  struct spec s = {.ids = ids};
  struct wr_http_request req;
  struct sent r;

  build(f, &s, &req);
  send_req(f, &req, &r);
  assert_int_equal(r.r.reply, reply);
  assert_int_equal(r.r.outcome, outcome);
  assert_int_equal(f->sim.fleet.v[0].reboots, reboots);
  if (outcome == WR_SIM_HANG)
    assert_int_equal(r.r.delay_ms, 1234);
  if (outcome == WR_SIM_GARBAGE) {
    assert_int_equal(r.r.status, 502);
    assert_null(r.json);
  }
  if (outcome == WR_SIM_ERROR)
    assert_true(r.r.status == 500 || r.r.status == 503);
  assert_int_equal(f->sim.stats.calls[WR_SIM_REBOOT][outcome], 1);
  assert_int_equal(violations(f, WR_SIM_V_OTHER), 0);
  done(&r);
  wr_http_request_free(&req);
  teardown_f(f);
}

static void test_faults(void **state)
{
  (void)state;
  one_fault("--reset-rate", "1", WR_SIM_REPLY_CLOSE, WR_SIM_RESET, 0);
  one_fault("--hang-rate", "1", WR_SIM_REPLY_CLOSE, WR_SIM_HANG, 0);
  one_fault("--garbage-rate", "1", WR_SIM_REPLY_SEND, WR_SIM_GARBAGE, 0);
  one_fault("--fail-rate", "1", WR_SIM_REPLY_SEND, WR_SIM_ERROR, 0);
  one_fault("--lost-rate", "1", WR_SIM_REPLY_CLOSE, WR_SIM_LOST, 1);
}

/* Same seed, same arrivals: same faults, latencies and RequestIds. */
static void run_seeded(const char *seed, char *out, size_t len)
{
  const char *extra[] = {"--seed", seed, "--fail-rate", "0.3",
                         "--reset-rate", "0.2", "--latency-ms", "100",
                         "--reboot-ms", "0"};
  struct fixture *f = setup_with(extra, 10);
  struct spec s = {.action = "DescribeDesktops"};
  struct wr_http_request req;
  struct sent r;
  int i;

  out[0] = '\0';
  for (i = 0; i < 40; i++) {
    build(f, &s, &req);
    send_req(f, &req, &r);
    if (r.r.delay_ms > 0)
      assert_true(r.r.delay_ms >= 50 && r.r.delay_ms <= 150);
    snprintf(out + strlen(out), len - strlen(out), "%d:%s:%lld ",
             r.r.status, r.r.request_id, (long long)r.r.delay_ms);
    done(&r);
    wr_http_request_free(&req);
  }
  teardown_f(f);
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
  struct fixture *f = setup_with(NULL, 0);
  const char *ids[] = {id(f, 0), id(f, 2), NULL};
  struct spec s = {.ids = ids};
  cJSON *st, *v;
  char *text;

  (void)state;
  expect(f, &s, 200, "", NULL);
  f->now += 2000;
  expect(f, &s, 200, "", NULL);
  s.nonce = "nonce-1";       /* the first call's nonce */
  expect(f, &s, 400, "SignatureNonceUsed", NULL);
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
                                       id(f, 0))->valueint, 2);
  assert_int_equal(cJSON_GetObjectItem(st, "max_calls_per_second")->valueint,
                   2);
  assert_int_equal(cJSON_GetObjectItem(st, "violations_total")->valueint, 1);
  assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "violations"),
                                       "nonce_reused")->valueint, 1);
  cJSON_Delete(st);
  free(text);
  teardown_f(f);
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
    cmocka_unit_test(test_desktop_errors),
    cmocka_unit_test(test_describe_paging),
    cmocka_unit_test(test_throttling),
    cmocka_unit_test(test_faults),
    cmocka_unit_test(test_seeded),
    cmocka_unit_test(test_stats_document),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
