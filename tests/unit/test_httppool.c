/* httppool against a tiny libmicrohttpd server on 127.0.0.1:0, started
 * inside the test.  Every test ends with uv_loop_close() == 0. */
#include "api.h"
#include "httppool.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

/* ---- the server ------------------------------------------------------ */

static struct MHD_Daemon *daemon_;
static unsigned short port_;
static atomic_int connections_;
static atomic_int requests_;
static atomic_int stopping_;
static atomic_int drops_;
static char seen_ua[128];
static char seen_hdr[128];
static char seen_empty[128];
static char seen_body[128];
static char seen_method[16];
static char seen_url[128];

struct upload {
  char data[128];
  size_t len;
};

static void on_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
                      enum MHD_ConnectionNotificationCode code)
{
  (void)cls;
  (void)c;
  (void)socket_ctx;
  if (code == MHD_CONNECTION_NOTIFY_STARTED)
    atomic_fetch_add(&connections_, 1);
}

static void copy(char *dst, size_t cap, const char *src)
{
  snprintf(dst, cap, "%s", src != NULL ? src : "");
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
                             const char *body, size_t len, const char *hname,
                             const char *hval)
{
  struct MHD_Response *r;
  enum MHD_Result rc;

  r = MHD_create_response_from_buffer(len, (void *)body,
                                      MHD_RESPMEM_MUST_COPY);
  if (r == NULL)
    return MHD_NO;
  if (hname != NULL)
    MHD_add_response_header(r, hname, hval);
  rc = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return rc;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload_data,
                               size_t *upload_size, void **con_cls)
{
  struct upload *u = *con_cls;
  const char *empty;
  enum MHD_Result rc;
  static char big[100000];
  int i;

  (void)cls;
  (void)version;
  if (u == NULL) {
    u = calloc(1, sizeof(*u));
    if (u == NULL)
      return MHD_NO;
    *con_cls = u;
    return MHD_YES;
  }
  if (*upload_size > 0) {
    size_t n = *upload_size;

    if (n > sizeof(u->data) - 1 - u->len)
      n = sizeof(u->data) - 1 - u->len;
    memcpy(u->data + u->len, upload_data, n);
    u->len += n;
    *upload_size = 0;
    return MHD_YES;
  }
  atomic_fetch_add(&requests_, 1);
  if (strncmp(url, "http://", 7) == 0) {
    /* An absolute URL: we are being used as a proxy. */
    copy(seen_url, sizeof(seen_url), url);
    rc = reply(c, 200, "{\"RequestId\":\"R-px\"}", 20, NULL, NULL);
  } else if (strcmp(url, "/echo") == 0) {
    copy(seen_ua, sizeof(seen_ua),
         MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent"));
    copy(seen_hdr, sizeof(seen_hdr),
         MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-acs-test"));
    /* Sent as curl's "name;": present, empty. */
    empty = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-acs-empty");
    copy(seen_empty, sizeof(seen_empty), empty ? empty : "(absent)");
    copy(seen_body, sizeof(seen_body), u->data);
    copy(seen_method, sizeof(seen_method), method);
    rc = reply(c, 200, "{\"RequestId\":\"R-1\"}", 19, NULL, NULL);
  } else if (strcmp(url, "/ok") == 0) {
    rc = reply(c, 200, "{\"RequestId\":\"R-ok\"}", 20, NULL, NULL);
  } else if (strcmp(url, "/throttle") == 0) {
    rc = reply(c, 400, "{\"Code\":\"Throttling.User\"}", 26,
               "x-acs-retry-after", " 1500 ");
  } else if (strcmp(url, "/big") == 0) {
    memset(big, 'x', sizeof(big));
    rc = reply(c, 500, big, sizeof(big), NULL, NULL);
  } else if (strcmp(url, "/hang") == 0) {
    /* Thread per connection: hold this one until the test ends. */
    for (i = 0; i < 500 && !atomic_load(&stopping_); i++)
      usleep(10000);
    rc = MHD_NO;
  } else {
    /* "/drop": close without an answer (a lost response). */
    atomic_fetch_add(&drops_, 1);
    rc = MHD_NO;
  }
  return rc;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
  (void)cls;
  (void)c;
  (void)toe;
  free(*con_cls);
  *con_cls = NULL;
}

static int server_start(void **state)
{
  const union MHD_DaemonInfo *info;
  struct sockaddr_in sa;

  (void)state;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  atomic_store(&connections_, 0);
  atomic_store(&requests_, 0);
  atomic_store(&stopping_, 0);
  daemon_ = MHD_start_daemon(
      MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
      NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &sa,
      MHD_OPTION_NOTIFY_CONNECTION, on_notify, NULL,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
  if (daemon_ == NULL)
    return -1;
  info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
  port_ = info->port;
  return 0;
}

static int server_stop(void **state)
{
  (void)state;
  atomic_store(&stopping_, 1);
  MHD_stop_daemon(daemon_);
  daemon_ = NULL;
  return 0;
}

/* ---- the client side ------------------------------------------------- */

struct result {
  int calls;
  struct wr_http_response r;
  char body[128];
  char retry_after[64];
  char detail[256];
};

static void on_done(void *ud, const struct wr_http_response *r)
{
  struct result *res = ud;

  res->calls++;
  res->r = *r;
  snprintf(res->body, sizeof(res->body), "%.*s", (int)r->body_len, r->body);
  snprintf(res->retry_after, sizeof(res->retry_after), "%s",
           r->retry_after != NULL ? r->retry_after : "(none)");
  snprintf(res->detail, sizeof(res->detail), "%s", r->detail);
  res->r.body = NULL;
  res->r.retry_after = NULL;
  res->r.detail = NULL;
}

static void make_req(struct wr_http_request *req, char *url, size_t cap,
                     const char *path)
{
  memset(req, 0, sizeof(*req));
  strcpy(req->method, "POST");
  snprintf(url, cap, "http://127.0.0.1:%u%s", port_, path);
  req->url = url;
}

static struct wr_httppool *pool_new(uv_loop_t *loop, long timeout_ms)
{
  struct wr_httppool_opts o = {0};
  struct wr_httppool *pool = NULL;
  struct wr_err err = {0};

  o.timeout_ms = timeout_ms;
  o.max_connections = 8;
  assert_int_equal(uv_loop_init(loop), 0);
  assert_int_equal(wr_httppool_create(loop, &o, &pool, &err), 0);
  return pool;
}

static void pool_end(uv_loop_t *loop, struct wr_httppool **pool)
{
  wr_httppool_destroy(pool);
  assert_null(*pool);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(uv_loop_close(loop), 0);
}

/* Run one request to a whole URL alone and return its result. */
static void one_url(const char *url, long timeout_ms, struct result *res)
{
  uv_loop_t loop;
  struct wr_httppool *pool = pool_new(&loop, timeout_ms);
  struct wr_http_request req;
  char copy_of_url[128];

  memset(res, 0, sizeof(*res));
  memset(&req, 0, sizeof(req));
  strcpy(req.method, "POST");
  snprintf(copy_of_url, sizeof(copy_of_url), "%s", url);
  req.url = copy_of_url;
  assert_int_equal(wr_httppool_submit(pool, &req, on_done, res, NULL), 0);
  assert_int_equal(wr_httppool_active(pool), 1);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(res->calls, 1);
  assert_int_equal(wr_httppool_active(pool), 0);
  pool_end(&loop, &pool);
}

/* Run one request to path on the test server. */
static void one(const char *path, long timeout_ms, struct result *res)
{
  char url[128];

  snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port_, path);
  one_url(url, timeout_ms, res);
}

static void test_headers_body_user_agent(void **state)
{
  uv_loop_t loop;
  struct wr_httppool *pool = pool_new(&loop, 5000);
  struct wr_http_request req;
  struct result res = {0};
  char url[128], body[] = "a=1&b=2";

  (void)state;
  make_req(&req, url, sizeof(url), "/echo?x=1");
  assert_int_equal(wr_http_request_set_header(&req, "x-acs-test", "v42"), 0);
  assert_int_equal(wr_http_request_set_header(&req, "x-acs-empty", ""), 0);
  req.body = body;
  req.body_len = strlen(body);
  assert_int_equal(wr_httppool_submit(pool, &req, on_done, &res, NULL), 0);
  /* The request was copied: the caller's memory may go at once. */
  memset(url, 0, sizeof(url));
  memset(body, 0, sizeof(body));
  req.url = NULL;
  req.body = NULL;
  wr_http_request_free(&req);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(res.calls, 1);
  assert_int_equal(res.r.transport, WR_TRANSPORT_OK);
  assert_int_equal(res.r.http_status, 200);
  assert_string_equal(res.body, "{\"RequestId\":\"R-1\"}");
  assert_string_equal(res.retry_after, "(none)");
  assert_string_equal(seen_ua, "wuying-reboot/" WR_VERSION);
  assert_string_equal(seen_hdr, "v42");
  assert_string_equal(seen_empty, "");
  assert_string_equal(seen_body, "a=1&b=2");
  assert_string_equal(seen_method, "POST");
  pool_end(&loop, &pool);
}

static void test_retry_after_header(void **state)
{
  struct result res;

  (void)state;
  one("/throttle", 5000, &res);
  assert_int_equal(res.r.transport, WR_TRANSPORT_OK);
  assert_int_equal(res.r.http_status, 400);
  assert_string_equal(res.retry_after, "1500");
  assert_string_equal(res.body, "{\"Code\":\"Throttling.User\"}");
}

static void test_big_body_truncated(void **state)
{
  struct result res;

  (void)state;
  one("/big", 5000, &res);
  assert_int_equal(res.r.transport, WR_TRANSPORT_OK);
  assert_int_equal(res.r.http_status, 500);
  assert_int_equal(res.r.body_len, WR_HTTP_BODY_MAX);
  assert_true(res.r.body_truncated);
}

static void test_dropped_is_ambiguous(void **state)
{
  struct result res;

  (void)state;
  one("/drop", 5000, &res);
  assert_int_equal(res.r.transport, WR_TRANSPORT_AMBIGUOUS);
  assert_int_equal(res.r.http_status, 0);
  assert_true(res.detail[0] != '\0');
}

static void test_timeout_after_send_is_ambiguous(void **state)
{
  struct result res;

  (void)state;
  one("/hang", 300, &res);
  assert_int_equal(res.r.transport, WR_TRANSPORT_AMBIGUOUS);
  assert_true(strstr(res.detail, "imeout") != NULL ||
              strstr(res.detail, "imed out") != NULL);
}

/* A port on 127.0.0.1 where nothing listens. */
static unsigned short closed_port(void)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  assert_true(fd >= 0);
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
  close(fd);
  return ntohs(sa.sin_port);
}

/* A port nobody listens on: refused, certainly not sent. */
static void test_refused_is_not_sent(void **state)
{
  struct result res = {0};
  char url[64];

  (void)state;
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/", closed_port());
  one_url(url, 2000, &res);
  assert_int_equal(res.calls, 1);
  assert_int_equal(res.r.transport, WR_TRANSPORT_NOT_SENT);
}

/* A listener whose accept queue is full drops SYNs: the connect times
 * out before anything was sent, so the attempt is NOT_SENT. */
static void test_connect_timeout_is_not_sent(void **state)
{
  uv_loop_t loop;
  struct wr_httppool *pool = pool_new(&loop, 300);
  struct wr_http_request req;
  struct result res = {0};
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);
  char url[128];
  int lfd = socket(AF_INET, SOCK_STREAM, 0), cfd[4], i;

  (void)state;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_true(lfd >= 0);
  assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  assert_int_equal(listen(lfd, 0), 0);
  assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
  for (i = 0; i < 4; i++) {
    cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_true(cfd[i] >= 0);
    connect(cfd[i], (struct sockaddr *)&sa, sizeof(sa));
  }
  make_req(&req, url, sizeof(url), "/");
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/", ntohs(sa.sin_port));
  assert_int_equal(wr_httppool_submit(pool, &req, on_done, &res, NULL), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(res.calls, 1);
  if (res.r.transport != WR_TRANSPORT_NOT_SENT)
    print_error("transport %d: %s\n", (int)res.r.transport, res.detail);
  assert_int_equal(res.r.transport, WR_TRANSPORT_NOT_SENT);
  for (i = 0; i < 4; i++)
    close(cfd[i]);
  close(lfd);
  pool_end(&loop, &pool);
}

static void test_bad_url_is_fatal(void **state)
{
  uv_loop_t loop;
  struct wr_httppool *pool = pool_new(&loop, 2000);
  struct wr_http_request req;
  struct result res = {0};
  char url[] = "gopher://127.0.0.1:1/";

  (void)state;
  memset(&req, 0, sizeof(req));
  strcpy(req.method, "POST");
  req.url = url;
  assert_int_equal(wr_httppool_submit(pool, &req, on_done, &res, NULL), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(res.calls, 1);
  assert_int_equal(res.r.transport, WR_TRANSPORT_FATAL);
  pool_end(&loop, &pool);
}

/* Many requests, 8 at a time, resubmitted from the callback: every one
 * completes once and the connections are reused. */
struct chain {
  struct wr_httppool *pool;
  struct wr_http_request req;
  int started, done, ok, limit;
};

static void on_chain(void *ud, const struct wr_http_response *r)
{
  struct chain *ch = ud;

  ch->done++;
  if (r->transport == WR_TRANSPORT_OK && r->http_status == 200 &&
      r->body_len == 20)
    ch->ok++;
  if (ch->started < ch->limit) {
    ch->started++;
    assert_int_equal(wr_httppool_submit(ch->pool, &ch->req, on_chain, ch,
                                        NULL), 0);
  }
}

static void test_many_keepalive(void **state)
{
  uv_loop_t loop;
  struct chain ch;
  char url[128];
  int i;

  (void)state;
  memset(&ch, 0, sizeof(ch));
  ch.pool = pool_new(&loop, 5000);
  ch.limit = 400;
  make_req(&ch.req, url, sizeof(url), "/ok");
  for (i = 0; i < 8; i++) {
    ch.started++;
    assert_int_equal(wr_httppool_submit(ch.pool, &ch.req, on_chain, &ch,
                                        NULL), 0);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(ch.done, 400);
  assert_int_equal(ch.ok, 400);
  if (atomic_load(&connections_) > 16)
    print_error("connections opened: %d\n", atomic_load(&connections_));
  assert_true(atomic_load(&connections_) <= 16);
  pool_end(&loop, &ch.pool);
}

/* A reused connection that dies without an answer: libcurl would
 * re-send the very same request on a new connection; the pool must not
 * (same nonce, maybe a second reboot).  One arrival, AMBIGUOUS. */
static void test_no_silent_resend(void **state)
{
  uv_loop_t loop;
  struct wr_httppool *pool = pool_new(&loop, 5000);
  struct wr_http_request req;
  struct result res = {0};
  char url[128];

  (void)state;
  make_req(&req, url, sizeof(url), "/ok");
  assert_int_equal(wr_httppool_submit(pool, &req, on_done, &res, NULL), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(res.r.http_status, 200);
  atomic_store(&drops_, 0);
  memset(&res, 0, sizeof(res));
  make_req(&req, url, sizeof(url), "/drop");
  assert_int_equal(wr_httppool_submit(pool, &req, on_done, &res, NULL), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(res.calls, 1);
  assert_int_equal(res.r.transport, WR_TRANSPORT_AMBIGUOUS);
  assert_int_equal(atomic_load(&drops_), 1);
  /* The pool still works afterwards. */
  memset(&res, 0, sizeof(res));
  make_req(&req, url, sizeof(url), "/ok");
  assert_int_equal(wr_httppool_submit(pool, &req, on_done, &res, NULL), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(res.r.http_status, 200);
  pool_end(&loop, &pool);
}

/* ---- a server that closes each connection after one answer ----------
 * Raw sockets: the answer says nothing of closing, so the client keeps the
 * connection as idle and sees the close only as an event on it. */

struct closer {
  int lfd;
  unsigned short port;
  atomic_int accepted;
  const char *answer; /* NULL: a complete 200 with a RequestId */
  pthread_t thread;
};

static void *closer_main(void *arg)
{
  static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n"
                               "\r\n{\"RequestId\":\"R-ok\"}";
  struct closer *cl = arg;
  int fd;

  while ((fd = accept(cl->lfd, NULL, NULL)) >= 0) {
    char buf[4096];
    size_t have = 0;
    ssize_t n;

    atomic_fetch_add(&cl->accepted, 1);
    while (have < sizeof(buf) - 1 &&
           (n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
      have += (size_t)n;
      buf[have] = '\0';
      if (strstr(buf, "\r\n\r\n") != NULL)
        break;
    }
    if (write(fd, cl->answer != NULL ? cl->answer : answer,
              cl->answer != NULL ? strlen(cl->answer) : sizeof(answer) - 1) <
        0)
      perror("closer: write");
    close(fd);
  }
  return NULL;
}

static void closer_start(struct closer *cl)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);

  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cl->lfd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(cl->lfd >= 0);
  assert_int_equal(bind(cl->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  assert_int_equal(listen(cl->lfd, 8), 0);
  assert_int_equal(getsockname(cl->lfd, (struct sockaddr *)&sa, &len), 0);
  cl->port = ntohs(sa.sin_port);
  atomic_store(&cl->accepted, 0);
  assert_int_equal(pthread_create(&cl->thread, NULL, closer_main, cl), 0);
}

static void closer_stop(struct closer *cl)
{
  /* shutdown wakes the blocked accept(), which then fails. */
  shutdown(cl->lfd, SHUT_RDWR);
  pthread_join(cl->thread, NULL);
  close(cl->lfd);
}

static void count_turns(uv_idle_t *h)
{
  (*(long *)h->data)++;
}

/* An idle keep-alive connection the server closes: the pool stops
 * polling it (no busy loop on the readable socket), the loop does not
 * wait for it, and the next request opens a new connection. */
static void test_idle_connection_closed_by_server(void **state)
{
  uv_loop_t loop;
  struct wr_httppool *pool = pool_new(&loop, 5000);
  struct wr_http_request req;
  struct result res = {0};
  struct closer cl = {0};
  uv_idle_t idle;
  long turns = 0;
  char url[128];

  (void)state;
  closer_start(&cl);
  make_req(&req, url, sizeof(url), "/ok");
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/ok", cl.port);
  assert_int_equal(wr_httppool_submit(pool, &req, on_done, &res, NULL), 0);
  /* Returns with the idle connection still polled: it does not keep the
   * loop alive. */
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(res.calls, 1);
  assert_int_equal(res.r.http_status, 200);
  /* Turn the loop (an idle handle keeps it turning) until the close is
   * seen; a poll left on the closed socket would never get here. */
  assert_int_equal(uv_idle_init(&loop, &idle), 0);
  idle.data = &turns;
  assert_int_equal(uv_idle_start(&idle, count_turns), 0);
  while (wr_httppool_polling(pool) > 0 && turns < 1000000L)
    uv_run(&loop, UV_RUN_ONCE);
  assert_int_equal(wr_httppool_polling(pool), 0);
  uv_close((uv_handle_t *)&idle, NULL);
  /* The next request: curl finds the connection dead, opens another. */
  memset(&res, 0, sizeof(res));
  assert_int_equal(wr_httppool_submit(pool, &req, on_done, &res, NULL), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(res.calls, 1);
  assert_int_equal(res.r.http_status, 200);
  assert_int_equal(atomic_load(&cl.accepted), 2);
  pool_end(&loop, &pool);
  closer_stop(&cl);
}

/* A 200 whose body is cut (issue 13, item 2): by the connection closing
 * before Content-Length bytes came (curl: partial file), the transport is
 * ambiguous; by a Content-Length shorter than the JSON, the body is cut
 * JSON, which classifies as ambiguous too.  Never ok without a RequestId. */
static void cut_200(const char *answer, struct result *res,
                    struct wr_api_result *ar)
{
  struct closer cl = {0};
  char url[128];

  cl.answer = answer;
  closer_start(&cl);
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/", cl.port);
  one_url(url, 5000, res);
  closer_stop(&cl);
  if (res->r.transport == WR_TRANSPORT_OK)
    wr_api_classify_response(res->r.http_status, res->body,
                             strlen(res->body), NULL, ar);
  else
    wr_api_classify_transport(res->r.transport, res->detail, ar);
}

static void test_cut_200_is_ambiguous(void **state)
{
  struct wr_api_result ar;
  struct result res;

  (void)state;
  cut_200("HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n"
          "{\"RequestId\":\"R-ok\"}", &res, &ar);
  assert_int_equal(res.r.transport, WR_TRANSPORT_AMBIGUOUS);
  assert_int_equal(ar.outcome, WR_OUTCOME_TRANSIENT);
  assert_true(ar.ambiguous);
  cut_200("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"
          "{\"RequestId\":\"R-ok\"}", &res, &ar);
  assert_int_equal(res.r.transport, WR_TRANSPORT_OK);
  assert_int_equal(res.r.http_status, 200);
  assert_string_equal(res.body, "{\"RequestId\"");
  assert_int_equal(ar.outcome, WR_OUTCOME_TRANSIENT);
  assert_true(ar.ambiguous);
  assert_string_equal(ar.request_id, "");
  cut_200("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &res, &ar);
  assert_int_equal(res.r.transport, WR_TRANSPORT_OK);
  assert_int_equal(ar.outcome, WR_OUTCOME_TRANSIENT);
  assert_true(ar.ambiguous);
}

/* The environment's proxy, read once by the pool, is what curl uses: the
 * request reaches our server (the "proxy") with an absolute URL for a
 * host that is never contacted; no_proxy sends a request direct. */
static void test_proxy_from_environment(void **state)
{
  struct result res = {0};
  char proxy[64], url[64];

  (void)state;
  snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%u", port_);
  setenv("http_proxy", proxy, 1);
  unsetenv("no_proxy");
  unsetenv("NO_PROXY");
  seen_url[0] = '\0';
  /* Loopback too, and closed: without the proxy the call would fail. */
  snprintf(url, sizeof(url), "http://127.0.0.2:%u/via-proxy", closed_port());
  one_url(url, 5000, &res);
  assert_int_equal(res.r.http_status, 200);
  assert_string_equal(res.body, "{\"RequestId\":\"R-px\"}");
  assert_string_equal(seen_url, url);
  /* A proxy that is down: the call fails before anything is sent... */
  snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%u", closed_port());
  setenv("http_proxy", proxy, 1);
  one("/ok", 5000, &res);
  assert_int_equal(res.r.http_status, 0);
  assert_int_equal(res.r.transport, WR_TRANSPORT_NOT_SENT);
  /* ...unless no_proxy names the host. */
  setenv("no_proxy", "127.0.0.1", 1);
  one("/ok", 5000, &res);
  assert_int_equal(res.r.http_status, 200);
  unsetenv("http_proxy");
  unsetenv("no_proxy");
}

/* Destroyed with a request in flight: no callback, and the loop closes. */
static void test_destroy_in_flight(void **state)
{
  uv_loop_t loop;
  struct wr_httppool *pool = pool_new(&loop, 10000);
  struct wr_http_request req;
  struct result res = {0};
  char url[128];

  (void)state;
  make_req(&req, url, sizeof(url), "/hang");
  assert_int_equal(wr_httppool_submit(pool, &req, on_done, &res, NULL), 0);
  /* Run until the request is on the wire. */
  while (atomic_load(&requests_) == 0)
    uv_run(&loop, UV_RUN_ONCE);
  pool_end(&loop, &pool);
  assert_int_equal(res.calls, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_headers_body_user_agent),
    cmocka_unit_test(test_retry_after_header),
    cmocka_unit_test(test_big_body_truncated),
    cmocka_unit_test(test_cut_200_is_ambiguous),
    cmocka_unit_test(test_dropped_is_ambiguous),
    cmocka_unit_test(test_timeout_after_send_is_ambiguous),
    cmocka_unit_test(test_refused_is_not_sent),
    cmocka_unit_test(test_connect_timeout_is_not_sent),
    cmocka_unit_test(test_bad_url_is_fatal),
    cmocka_unit_test(test_many_keepalive),
    cmocka_unit_test(test_no_silent_resend),
    cmocka_unit_test(test_idle_connection_closed_by_server),
    cmocka_unit_test(test_proxy_from_environment),
    cmocka_unit_test(test_destroy_in_flight),
  };
  int rc;

  curl_global_init(CURL_GLOBAL_DEFAULT);
  rc = cmocka_run_group_tests(tests, server_start, server_stop);
  curl_global_cleanup();
  return rc;
}
