/* sender: server texts are redacted where the answers arrive.  A tiny
 * libmicrohttpd server on 127.0.0.1:0 (started and stopped by the test)
 * answers with the secret in its error message; what the sender hands to
 * dispatch must not contain it. */
#include "api.h"
#include "config.h"
#include "creds.h"
#include "dispatch.h"
#include "sender.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>

#define SECRET "SeCrEt-AK-4f1d9c0e77b2"
#define TOKEN "SeCrEt-STS-a01b77e2c9"

static struct MHD_Daemon *daemon_;
static unsigned short port_;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_len, void **con_cls)
{
  static const char body[] =
      "{\"RequestId\":\"REQ-1\",\"Code\":\"InvalidParameter." SECRET "\","
      "\"Message\":\"the key " SECRET " and the token " TOKEN " are "
      "bad\",\"HostId\":\"ecd." TOKEN "\"}";
  struct MHD_Response *r;
  enum MHD_Result rc;

  (void)cls;
  (void)url;
  (void)method;
  (void)version;
  (void)upload;
  if (*con_cls == NULL) {   /* first call: headers only */
    *con_cls = (void *)1;
    return MHD_YES;
  }
  if (*upload_len != 0) {
    *upload_len = 0;
    return MHD_YES;
  }
  r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
                                      MHD_RESPMEM_PERSISTENT);
  if (r == NULL)
    return MHD_NO;
  MHD_add_response_header(r, "Content-Type", "application/json");
  rc = MHD_queue_response(c, 400, r);
  MHD_destroy_response(r);
  return rc;
}

static int server_start(void **state)
{
  const union MHD_DaemonInfo *info;
  struct sockaddr_in sa;

  (void)state;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  daemon_ = MHD_start_daemon(
      MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
      NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
  if (daemon_ == NULL)
    return -1;
  info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
  port_ = info->port;
  return 0;
}

static int server_stop(void **state)
{
  (void)state;
  MHD_stop_daemon(daemon_);
  daemon_ = NULL;
  return 0;
}

static void test_creds(struct wr_creds *c)
{
  memset(c, 0, sizeof(*c));
  c->access_key_id = "test-id";
  c->access_key_secret = SECRET;
  c->security_token = TOKEN;
}

/* No secret, not even a piece of one. */
static void assert_clean(const struct wr_api_result *r)
{
  const char *f[] = {r->code, r->message, r->host_id, r->recommend};
  size_t i;

  for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
    assert_null(strstr(f[i], "SeCrEt"));
}

static void test_redact_result(void **state)
{
  struct wr_creds c;
  struct wr_api_result r;

  (void)state;
  test_creds(&c);
  memset(&r, 0, sizeof(r));
  snprintf(r.request_id, sizeof(r.request_id), "REQ-9");
  snprintf(r.code, sizeof(r.code), "Bad." SECRET);
  snprintf(r.message, sizeof(r.message), "token %s (%s)", TOKEN,
           "SeCrEt-AK-4f1d9c0e77b2");
  snprintf(r.recommend, sizeof(r.recommend), "see " SECRET);
  wr_sender_redact(&c, &r);
  assert_string_equal(r.code, "Bad.***");
  assert_string_equal(r.message, "token *** (***)");
  assert_string_equal(r.recommend, "see ***");
  assert_string_equal(r.host_id, "");
  assert_string_equal(r.request_id, "REQ-9");
  assert_clean(&r);
  /* No credentials: nothing to mask. */
  snprintf(r.code, sizeof(r.code), "Plain");
  wr_sender_redact(NULL, &r);
  assert_string_equal(r.code, "Plain");
}

struct got {
  int calls;
  struct wr_api_result r;
};

static void on_done(void *ud, const struct wr_api_result *r,
                    int64_t latency_ms)
{
  struct got *g = ud;

  (void)latency_ms;
  g->calls++;
  g->r = *r;
}

/* The whole path: a real answer through httppool, judged by api.c,
 * handed to the dispatch callback already masked. */
static void test_answer_redacted(void **state)
{
  uv_loop_t loop;
  struct wr_config cfg;
  struct wr_creds c;
  struct wr_sender *s = NULL;
  struct wr_dispatch_sender ds;
  struct wr_dispatch_attempt a;
  struct wr_err err = {0};
  struct got g;
  const char *ids[] = {"ecd-1"};
  char url[64];

  (void)state;
  test_creds(&c);
  memset(&cfg, 0, sizeof(cfg));
  snprintf(url, sizeof(url), "http://127.0.0.1:%u", port_);
  cfg.api = WR_API_ADMIN;
  cfg.signature = WR_SIG_V3;
  cfg.endpoint = url;
  cfg.timeout_s = 10;
  cfg.concurrency = 1;
  assert_int_equal(uv_loop_init(&loop), 0);
  assert_int_equal(wr_sender_create(&loop, &cfg, &c, &s, &err), 0);
  wr_sender_bind(s, &ds);
  memset(&a, 0, sizeof(a));
  a.chunk_id = "1";
  a.region = "cn-hangzhou";
  a.ids = ids;
  a.nids = 1;
  a.attempt = 1;
  memset(&g, 0, sizeof(g));
  assert_int_equal(ds.send(ds.ctx, &a, on_done, &g, &err), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(g.calls, 1);
  assert_int_equal(g.r.http_status, 400);
  assert_string_equal(g.r.request_id, "REQ-1");
  assert_string_equal(g.r.code, "InvalidParameter.***");
  assert_string_equal(g.r.message, "the key *** and the token *** are bad");
  assert_string_equal(g.r.host_id, "ecd.***");
  assert_clean(&g.r);
  wr_sender_destroy(&s);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_redact_result),
    cmocka_unit_test(test_answer_redacted),
  };

  return cmocka_run_group_tests(tests, server_start, server_stop);
}
