#include "sim_http.h"

#include "buf.h"
#include "clock.h"
#include "sim_core.h"
#include "sim_delay.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX (1 << 20)  /* bytes of request body kept */
#define HEADERS_MAX 128

struct wr_sim_http {
  struct MHD_Daemon *daemon;
  struct wr_sim_delay *delay;
  struct wr_sim *sim;
};

/* NEW: the first call brings only the headers; answering then, before the
 * (even empty) body has been read, makes libmicrohttpd close the
 * connection, so every call would pay a TCP connect. */
enum { NEW = 0, RECEIVING, DECIDED };

struct ctx {
  char *uri;                   /* raw request target */
  struct wr_buf body;
  bool too_big;
  int state;
  struct wr_sim_response resp;
  struct wr_sim_header headers[HEADERS_MAX];
  size_t nheaders;
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
  struct ctx *x = calloc(1, sizeof(*x));

  (void)cls;
  (void)c;
  if (x == NULL)
    return NULL;
  x->uri = strdup(uri);
  if (x->uri == NULL) {
    free(x);
    return NULL;
  }
  wr_buf_init(&x->body, BODY_MAX);
  return x;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
  struct ctx *x = *con_cls;

  (void)cls;
  (void)c;
  (void)toe;
  if (x == NULL)
    return;
  free(x->uri);
  wr_buf_free(&x->body);
  wr_sim_response_free(&x->resp);
  free(x);
  *con_cls = NULL;
}

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind,
                                 const char *key, const char *value)
{
  struct ctx *x = cls;

  (void)kind;
  if (x->nheaders == HEADERS_MAX)
    return MHD_NO;
  x->headers[x->nheaders].name = key;
  x->headers[x->nheaders++].value = value ? value : "";
  return MHD_YES;
}

static enum MHD_Result send_body(struct MHD_Connection *c, int status,
                                 char *body, size_t len, const char *ctype,
                                 const char *request_id,
                                 int64_t retry_after_ms)
{
  struct MHD_Response *r;
  enum MHD_Result ok;
  char ra[32];

  r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (r == NULL) {
    free(body);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
  if (request_id != NULL && request_id[0] != '\0')
    MHD_add_response_header(r, "x-acs-request-id", request_id);
  if (retry_after_ms >= 0) {
    snprintf(ra, sizeof(ra), "%lld", (long long)retry_after_ms);
    MHD_add_response_header(r, "x-acs-retry-after", ra);
  }
  ok = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result deliver(struct ctx *x, struct MHD_Connection *c)
{
  char *body = x->resp.body;

  if (x->resp.reply == WR_SIM_REPLY_CLOSE)
    return MHD_NO; /* MHD closes the connection without a response */
  x->resp.body = NULL;
  return send_body(c, x->resp.status, body ? body : strdup(""),
                   x->resp.body_len, x->resp.content_type,
                   x->resp.request_id, x->resp.retry_after_ms);
}

static enum MHD_Result decide(struct wr_sim_http *h, struct ctx *x,
                              struct MHD_Connection *c, const char *method)
{
  struct wr_sim_request req;
  char *q = strchr(x->uri, '?');

  if (q != NULL)
    *q++ = '\0';
  if (strcmp(method, "GET") == 0 && strcmp(x->uri, "/__stats") == 0) {
    char *s = wr_sim_stats(h->sim);

    if (s == NULL)
      return MHD_NO;
    return send_body(c, 200, s, strlen(s), "application/json", NULL, -1);
  }
  if (x->too_big) {
    static const char msg[] = "{\"Code\":\"RequestEntityTooLarge\"}";

    return send_body(c, 413, strdup(msg), sizeof(msg) - 1,
                     "application/json", NULL, -1);
  }
  MHD_get_connection_values(c, MHD_HEADER_KIND, on_header, x);
  req.method = method;
  if (h->sim->sts != NULL) {
    int status = 0;
    char *body = NULL;

    req.path = x->uri;
    req.query = q ? q : "";
    req.headers = x->headers;
    req.nheaders = x->nheaders;
    req.body = x->body.data;
    req.body_len = x->body.len;
    switch (wr_sim_sts_route(h->sim->sts, &h->sim->creds, &req,
                             wr_clock_wall_ms(), &status, &body)) {
    case 0: break;
    case 1:
      x->state = DECIDED;
      return send_body(c, status, body, strlen(body), "application/json",
                       NULL, -1);
    default: return MHD_NO;
    }
  }
  req.path = x->uri;
  req.query = q ? q : "";
  req.headers = x->headers;
  req.nheaders = x->nheaders;
  req.body = x->body.data;
  req.body_len = x->body.len;
  if (wr_sim_handle(h->sim, &req, wr_clock_now_ms(), wr_clock_wall_ms(),
                    &x->resp) < 0)
    return MHD_NO;
  x->state = DECIDED;
  if (x->resp.delay_ms > 0) {
    MHD_suspend_connection(c);
    if (wr_sim_delay_add(h->delay, c, x->resp.delay_ms) < 0)
      MHD_resume_connection(c); /* stopping: answer at once */
    return MHD_YES;
  }
  return deliver(x, c);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
  struct wr_sim_http *h = cls;
  struct ctx *x = *con_cls;

  (void)url;
  (void)version;
  if (x == NULL)
    return MHD_NO;
  if (x->state == DECIDED)
    return deliver(x, c);
  if (x->state == NEW) {
    x->state = RECEIVING;
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    if (!x->too_big &&
        wr_buf_add(&x->body, upload_data, *upload_data_size) < 0)
      x->too_big = true;
    *upload_data_size = 0;
    return MHD_YES;
  }
  return decide(h, x, c, method);
}

int wr_sim_http_start(struct wr_sim *sim, int port, int threads,
                      struct wr_sim_http **out, int *bound,
                      struct wr_err *err)
{
  struct wr_sim_http *h = calloc(1, sizeof(*h));
  const union MHD_DaemonInfo *info;
  struct sockaddr_in sa;
  int rc;

  *out = NULL;
  *bound = 0;
  if (h == NULL)
    return wr_err_set(err, WR_ENOMEM, "out of memory");
  h->sim = sim;
  rc = wr_sim_delay_start(&h->delay);
  if (rc < 0) {
    free(h);
    return wr_err_set(err, rc, "cannot start the delay thread");
  }
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  h->daemon = MHD_start_daemon(
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME,
      (uint16_t)port, NULL, NULL, on_request, h,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
      MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
      MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
      MHD_OPTION_END);
  if (h->daemon == NULL) {
    wr_sim_delay_destroy(&h->delay);
    free(h);
    return wr_err_set(err, WR_EIO, "cannot listen on 127.0.0.1:%d", port);
  }
  info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
  *bound = info ? info->port : port;
  *out = h;
  return 0;
}

void wr_sim_http_stop(struct wr_sim_http **pp)
{
  struct wr_sim_http *h = *pp;

  if (h == NULL)
    return;
  *pp = NULL;
  MHD_quiesce_daemon(h->daemon);
  wr_sim_delay_stop(h->delay); /* resumes every suspended connection */
  MHD_stop_daemon(h->daemon);
  wr_sim_delay_destroy(&h->delay);
  free(h);
}
