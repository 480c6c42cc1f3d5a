/* The libuv <-> libcurl glue: curl's docs/examples/multi-uv.c with the
 * fixes of STYLE.md 1.3.  Ownership: the pool owns its transfers (active
 * list and free list); a transfer owns its easy handle (found through
 * CURLOPT_PRIVATE), its header list and its body buffer; a socket context
 * is owned by its uv_poll_t and freed in the close callback. */
#include "httppool.h"

#include "buf.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#define RETRY_AFTER_LEN 64

struct transfer {
  struct wr_httppool *pool;
  CURL *easy;
  struct curl_slist *headers;
  struct wr_buf body;
  bool truncated;
  bool oom;
  int prereqs;        /* request phases begun by this transfer */
  bool resend_blocked;
  bool has_retry_after;
  char retry_after[RETRY_AFTER_LEN];
  char errbuf[CURL_ERROR_SIZE];
  wr_httppool_done_cb *cb;
  void *ud;
  struct transfer *prev, *next; /* active list, or free list (next) */
};

struct sockctx {
  uv_poll_t poll;
  curl_socket_t fd;
  struct wr_httppool *pool;
};

struct wr_httppool {
  uv_loop_t *loop;
  uv_timer_t timer;
  CURLM *multi;
  struct wr_httppool_opts opts;
  struct transfer *active;
  struct transfer *free;
  size_t nactive;
  bool closing;
};

static void transfer_free(struct transfer *t)
{
  if (t == NULL)
    return;
  curl_slist_free_all(t->headers);
  if (t->easy != NULL)
    curl_easy_cleanup(t->easy);
  wr_buf_free(&t->body);
  free(t);
}

/* ---- curl callbacks ------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
  struct transfer *t = userp;
  size_t len = size * n, room = WR_HTTP_BODY_MAX - t->body.len;

  /* Past the bound the rest is read and dropped: a huge error page must
   * not turn a clear HTTP status into a transport failure. */
  if (len > room) {
    t->truncated = true;
    len = room;
  }
  if (len > 0 && wr_buf_add(&t->body, data, len) < 0) {
    t->oom = true;
    return 0;
  }
  return size * n;
}

static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
  static const char name[] = "x-acs-retry-after:";
  struct transfer *t = userp;
  size_t len = size * n, i;
  const char *v;

  /* A new status line (after a 1xx) starts a new set of headers. */
  if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
    t->has_retry_after = false;
    return len;
  }
  if (len < sizeof(name) - 1 || strncasecmp(line, name, sizeof(name) - 1))
    return len;
  v = line + sizeof(name) - 1;
  len -= sizeof(name) - 1;
  while (len > 0 && (*v == ' ' || *v == '\t')) {
    v++;
    len--;
  }
  while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
                     v[len - 1] == ' ' || v[len - 1] == '\t'))
    len--;
  if (len >= RETRY_AFTER_LEN)
    len = RETRY_AFTER_LEN - 1;
  for (i = 0; i < len; i++)
    t->retry_after[i] = v[i];
  t->retry_after[len] = '\0';
  t->has_retry_after = true;
  return size * n;
}

/* Called before each request is sent.  On a reused connection that dies
 * without an answer, libcurl silently re-sends the same request on a new
 * one (up to five times): the same bytes, so the same signature nonce, and
 * a second reboot if the first one was executed.  The retry policy is
 * ours: a second request phase aborts the transfer, which then ends as
 * AMBIGUOUS and is retried, re-signed, by dispatch. */
static int on_prereq(void *userp, char *primary_ip, char *local_ip,
                     int primary_port, int local_port)
{
  struct transfer *t = userp;

  (void)primary_ip;
  (void)local_ip;
  (void)primary_port;
  (void)local_port;
  if (t->prereqs++ == 0)
    return CURL_PREREQFUNC_OK;
  t->resend_blocked = true;
  return CURL_PREREQFUNC_ABORT;
}

/* ---- completion ------------------------------------------------------ */

static enum wr_transport translate(CURLcode rc, CURL *easy)
{
  curl_off_t pretransfer = 0;
  long request_size = 0;

  switch (rc) {
  case CURLE_OK:
    return WR_TRANSPORT_OK;
  /* Never left this process, or never will succeed by retrying. */
  case CURLE_OUT_OF_MEMORY:
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_BAD_FUNCTION_ARGUMENT:
  case CURLE_FAILED_INIT:
  case CURLE_NOT_BUILT_IN:
  case CURLE_WRITE_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CRL_BADFILE:
    return WR_TRANSPORT_FATAL;
  /* Before the request phase by definition. */
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT:
  case CURLE_SSL_CONNECT_ERROR:
    return WR_TRANSPORT_NOT_SENT;
  default:
    break;
  }
  /* A timeout, reset or truncated answer: ambiguous once the transfer
   * reached the request phase (a timeout during connect is not). */
  curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
  curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
  if (pretransfer > 0 || request_size > 0)
    return WR_TRANSPORT_AMBIGUOUS;
  return WR_TRANSPORT_NOT_SENT;
}

static void unlink_active(struct wr_httppool *pool, struct transfer *t)
{
  if (t->prev != NULL)
    t->prev->next = t->next;
  else
    pool->active = t->next;
  if (t->next != NULL)
    t->next->prev = t->prev;
  t->prev = t->next = NULL;
  pool->nactive--;
}

static void finish(struct wr_httppool *pool, struct transfer *t, CURLcode rc)
{
  struct wr_http_response r;
  curl_off_t total_us = 0;

  memset(&r, 0, sizeof(r));
  r.transport = translate(rc, t->easy);
  if (t->oom)
    r.transport = WR_TRANSPORT_FATAL;
  if (t->resend_blocked)
    r.transport = WR_TRANSPORT_AMBIGUOUS;
  if (r.transport == WR_TRANSPORT_OK)
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r.http_status);
  curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &total_us);
  r.total_ms = (int64_t)total_us / 1000;
  r.body = wr_buf_str(&t->body);
  r.body_len = t->body.len;
  r.body_truncated = t->truncated;
  r.retry_after = t->has_retry_after ? t->retry_after : NULL;
  if (rc == CURLE_OK)
    r.detail = "";
  else if (t->resend_blocked)
    r.detail = "connection closed after the request was sent";
  else if (t->oom)
    r.detail = "out of memory";
  else
    r.detail = t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(rc);
  curl_multi_remove_handle(pool->multi, t->easy);
  unlink_active(pool, t);
  t->cb(t->ud, &r);
  /* Back on the free list only now: r points into t until cb returns. */
  curl_slist_free_all(t->headers);
  t->headers = NULL;
  t->next = pool->free;
  pool->free = t;
}

/* Drain after every socket_action, whatever running_handles says: the
 * last transfer's DONE must never be lost (STYLE.md 1.3, item 1). */
static void drain(struct wr_httppool *pool)
{
  CURLMsg *msg;
  int left;
  char *priv;

  while ((msg = curl_multi_info_read(pool->multi, &left)) != NULL) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    priv = NULL;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
    if (priv != NULL)
      finish(pool, (struct transfer *)priv, msg->data.result);
  }
}

/* ---- libuv side ------------------------------------------------------ */

static void on_poll(uv_poll_t *h, int status, int events)
{
  struct sockctx *c = h->data;
  struct wr_httppool *pool = c->pool;
  int flags = 0, running;

  if (status < 0) {
    flags = CURL_CSELECT_ERR;
  } else {
    if (events & UV_READABLE)
      flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
      flags |= CURL_CSELECT_OUT;
  }
  curl_multi_socket_action(pool->multi, c->fd, flags, &running);
  drain(pool);
}

static void on_timeout(uv_timer_t *h)
{
  struct wr_httppool *pool = h->data;
  int running;

  curl_multi_socket_action(pool->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  drain(pool);
}

static void on_sock_closed(uv_handle_t *h)
{
  free(h->data);
}

static int on_curl_socket(CURL *easy, curl_socket_t s, int action,
                          void *userp, void *socketp)
{
  struct wr_httppool *pool = userp;
  struct sockctx *c = socketp;
  int events = 0;

  (void)easy;
  if (action == CURL_POLL_REMOVE) {
    if (c != NULL) {
      uv_poll_stop(&c->poll);
      uv_close((uv_handle_t *)&c->poll, on_sock_closed);
      curl_multi_assign(pool->multi, s, NULL);
    }
    return 0;
  }
  /* During destroy only removals are honoured (curl issue #15201). */
  if (pool->closing)
    return 0;
  if (action != CURL_POLL_IN && action != CURL_POLL_OUT &&
      action != CURL_POLL_INOUT)
    return -1;
  if (c == NULL) {
    c = malloc(sizeof(*c));
    if (c == NULL)
      return -1;
    if (uv_poll_init_socket(pool->loop, &c->poll, s) != 0) {
      free(c);
      return -1;
    }
    c->poll.data = c;
    c->fd = s;
    c->pool = pool;
    if (curl_multi_assign(pool->multi, s, c) != CURLM_OK) {
      uv_close((uv_handle_t *)&c->poll, on_sock_closed);
      return -1;
    }
  }
  if (action != CURL_POLL_IN)
    events |= UV_WRITABLE;
  if (action != CURL_POLL_OUT)
    events |= UV_READABLE;
  /* On failure the context stays assigned; curl's REMOVE closes it. */
  if (uv_poll_start(&c->poll, events, on_poll) != 0)
    return -1;
  return 0;
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
  struct wr_httppool *pool = userp;

  (void)multi;
  if (timeout_ms < 0 || pool->closing) {
    uv_timer_stop(&pool->timer);
    return 0;
  }
  /* 0 means "now", but never from inside this callback: 1 ms. */
  if (timeout_ms == 0)
    timeout_ms = 1;
  return uv_timer_start(&pool->timer, on_timeout, (uint64_t)timeout_ms, 0)
             == 0 ? 0 : -1;
}

/* ---- public ---------------------------------------------------------- */

int wr_httppool_create(struct uv_loop_s *loop,
                       const struct wr_httppool_opts *opts,
                       struct wr_httppool **out, struct wr_err *err)
{
  struct wr_httppool *pool;
  long maxconn = opts->max_connections > 0 ? opts->max_connections : 16;

  if (opts->timeout_ms <= 0)
    return wr_err_set(err, WR_EINVAL, "httppool: timeout must be positive");
  pool = calloc(1, sizeof(*pool));
  if (pool == NULL)
    return wr_err_set(err, WR_ENOMEM, "httppool: out of memory");
  pool->loop = loop;
  pool->opts = *opts;
  if (pool->opts.connect_timeout_ms <= 0 ||
      pool->opts.connect_timeout_ms > opts->timeout_ms)
    pool->opts.connect_timeout_ms = opts->timeout_ms;
  pool->multi = curl_multi_init();
  if (pool->multi == NULL)
    goto fail_multi;
  if (curl_multi_setopt(pool->multi, CURLMOPT_SOCKETFUNCTION,
                        on_curl_socket) != CURLM_OK ||
      curl_multi_setopt(pool->multi, CURLMOPT_SOCKETDATA, pool) != CURLM_OK ||
      curl_multi_setopt(pool->multi, CURLMOPT_TIMERFUNCTION,
                        on_curl_timer) != CURLM_OK ||
      curl_multi_setopt(pool->multi, CURLMOPT_TIMERDATA, pool) != CURLM_OK ||
      curl_multi_setopt(pool->multi, CURLMOPT_MAXCONNECTS, maxconn) !=
          CURLM_OK)
    goto fail_timer;
  if (uv_timer_init(loop, &pool->timer) != 0)
    goto fail_timer;
  pool->timer.data = pool;
  *out = pool;
  return 0;

fail_timer:
  curl_multi_cleanup(pool->multi);
fail_multi:
  free(pool);
  return wr_err_set(err, WR_ENOMEM, "httppool: cannot set up libcurl");
}

/* Set an option, or fail the submit (string options allocate). */
#define SETOPT(opt, val)                                                    \
  do {                                                                      \
    if (curl_easy_setopt(t->easy, opt, val) != CURLE_OK)                    \
      goto fail;                                                            \
  } while (0)

int wr_httppool_submit(struct wr_httppool *pool,
                       const struct wr_http_request *req,
                       wr_httppool_done_cb *cb, void *ud, struct wr_err *err)
{
  struct transfer *t = pool->free;
  struct curl_slist *h;
  struct wr_buf line;
  size_t i;

  if (pool->closing)
    return wr_err_set(err, WR_ESTATE, "httppool: closing");
  if (t != NULL) {
    pool->free = t->next;
    wr_buf_reset(&t->body);
  } else {
    t = calloc(1, sizeof(*t));
    if (t == NULL)
      return wr_err_set(err, WR_ENOMEM, "httppool: out of memory");
    t->pool = pool;
    wr_buf_init(&t->body, WR_HTTP_BODY_MAX);
    t->easy = curl_easy_init();
    if (t->easy == NULL)
      goto fail;
    /* What every request of this handle shares is set once: reusing the
     * handle without curl_easy_reset keeps the per-call cost low. */
    SETOPT(CURLOPT_PRIVATE, t);
    SETOPT(CURLOPT_ERRORBUFFER, t->errbuf);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, pool->opts.connect_timeout_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, pool->opts.timeout_ms);
    SETOPT(CURLOPT_USERAGENT, "wuying-reboot/" WR_VERSION);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, t);
    SETOPT(CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(CURLOPT_HEADERDATA, t);
    SETOPT(CURLOPT_PREREQFUNCTION, on_prereq);
    SETOPT(CURLOPT_PREREQDATA, t);
  }
  t->next = t->prev = NULL;
  t->truncated = t->oom = t->has_retry_after = t->resend_blocked = false;
  t->prereqs = 0;
  t->errbuf[0] = '\0';
  t->cb = cb;
  t->ud = ud;
  wr_buf_init(&line, 16384);
  for (i = 0; i < req->nheaders; i++) {
    wr_buf_reset(&line);
    /* "name;" is curl's way to send a header with an empty value. */
    if (wr_buf_addf(&line, req->headers[i].value[0] ? "%s: %s" : "%s;",
                    req->headers[i].name, req->headers[i].value) < 0)
      goto fail_line;
    h = curl_slist_append(t->headers, wr_buf_str(&line));
    if (h == NULL)
      goto fail_line;
    t->headers = h;
  }
  wr_buf_free(&line);
  /* No "Expect: 100-continue" round trip. */
  h = curl_slist_append(t->headers, "Expect:");
  if (h == NULL)
    goto fail;
  t->headers = h;

  SETOPT(CURLOPT_URL, req->url);
  SETOPT(CURLOPT_HTTPHEADER, t->headers);
  SETOPT(CURLOPT_CUSTOMREQUEST, NULL);
  if (strcmp(req->method, "POST") == 0) {
    SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    SETOPT(CURLOPT_COPYPOSTFIELDS, req->body != NULL ? req->body : "");
  } else if (strcmp(req->method, "GET") == 0) {
    SETOPT(CURLOPT_HTTPGET, 1L);
  } else {
    SETOPT(CURLOPT_CUSTOMREQUEST, req->method);
  }
  if (curl_multi_add_handle(pool->multi, t->easy) != CURLM_OK)
    goto fail;
  t->next = pool->active;
  if (pool->active != NULL)
    pool->active->prev = t;
  pool->active = t;
  pool->nactive++;
  return 0;

fail_line:
  wr_buf_free(&line);
fail:
  transfer_free(t);
  return wr_err_set(err, WR_ENOMEM, "httppool: cannot set up a request");
}

size_t wr_httppool_active(const struct wr_httppool *pool)
{
  return pool->nactive;
}

static void on_timer_closed(uv_handle_t *h)
{
  free(h->data);
}

void wr_httppool_destroy(struct wr_httppool **pp)
{
  struct wr_httppool *pool = *pp;
  struct transfer *t;

  if (pool == NULL)
    return;
  *pp = NULL;
  pool->closing = true;
  while ((t = pool->active) != NULL) {
    unlink_active(pool, t);
    curl_multi_remove_handle(pool->multi, t->easy);
    transfer_free(t);
  }
  while ((t = pool->free) != NULL) {
    pool->free = t->next;
    transfer_free(t);
  }
  /* May call on_curl_socket(REMOVE) for cached connections: the pool
   * must still be alive here ("multi_cleanup can trigger events!"). */
  curl_multi_cleanup(pool->multi);
  pool->multi = NULL;
  uv_timer_stop(&pool->timer);
  uv_close((uv_handle_t *)&pool->timer, on_timer_closed);
}
