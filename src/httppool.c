/* The libuv <-> libcurl glue: curl's docs/examples/multi-uv.c with the
 * fixes of STYLE.md 1.3.  Ownership: the pool owns its transfers (active
 * list and free list); a transfer owns its easy handle (found through
 * CURLOPT_PRIVATE), its header list and its body buffer; a socket context
 * is owned by its uv_poll_t and freed in the close callback.
 *
 * Per-call cost (the run's overhead target): a socket context lives as
 * long as its socket, not one transfer, so the next transfer on a
 * connection finds it by fd instead of a new uv_poll_init (an ioctl and
 * two epoll_ctl each time).  curl's CURL_POLL_REMOVE (the connection goes
 * idle in curl's cache) leaves a read poll running, unreferenced: the next
 * transfer almost always asks for that same read poll, which then costs no
 * system call, where stop + start cost three epoll_ctl (libuv's
 * uv_poll_start deletes before it adds).  An idle socket that does become
 * readable (the server closed it) has its poll stopped then, without
 * telling curl, whose reuse check finds the connection dead.  The context
 * is closed in curl's close-socket callback, before the fd is closed.  The
 * header list is built without malloc into the transfer's own nodes. */
#include "httppool.h"

#include "buf.h"
#include "proxy_env.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#define RETRY_AFTER_LEN 64
#define HEADER_BYTES_MAX (1u << 20)

struct transfer {
  struct wr_httppool *pool;
  CURL *easy;
  struct curl_slist *hnodes;  /* our own nodes: never curl_slist_free_all */
  size_t hcap;
  struct wr_buf hlines;       /* "name: value\0" for each node */
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
  const char *proxy;  /* CURLOPT_PROXY as last set (the pool's string) */
  struct transfer *prev, *next; /* active list, or free list (next) */
};

struct sockctx {
  uv_poll_t poll;
  curl_socket_t fd;
  struct wr_httppool *pool;
  int events;         /* the poll's UV_READABLE|UV_WRITABLE, 0: stopped */
  bool idle;          /* curl removed it: polled only to see it close */
};

struct wr_httppool {
  uv_loop_t *loop;
  uv_timer_t timer;
  CURLM *multi;
  struct wr_httppool_opts opts;
  struct transfer *active;
  struct transfer *free;
  size_t nactive;
  struct sockctx **byfd;      /* socket contexts by fd, NULL: none */
  size_t nbyfd;
  struct wr_proxy_env proxy;  /* read once: curl would, per transfer */
  bool closing;
};

static void transfer_free(struct transfer *t)
{
  if (t == NULL)
    return;
  if (t->easy != NULL)
    curl_easy_cleanup(t->easy);
  free(t->hnodes);
  wr_buf_free_secret(&t->hlines);
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
  /* Back on the free list only now: r points into t until cb returns.
   * The header lines may hold an STS token: wiped, kept for reuse. */
  if (t->hlines.data != NULL)
    OPENSSL_cleanse(t->hlines.data, t->hlines.len);
  wr_buf_reset(&t->hlines);
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

  /* An idle connection woke up: the peer closed it (or broke protocol).
   * Not curl's business until it tries to reuse it. */
  if (c->idle) {
    uv_poll_stop(h);
    c->events = 0;
    return;
  }
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

/* The context of fd s, created on first use (NULL on ENOMEM or a socket
 * libuv cannot poll). */
static struct sockctx *sock_get(struct wr_httppool *pool, curl_socket_t s)
{
  struct sockctx *c;
  size_t fd = (size_t)s;

  if (s < 0)
    return NULL;
  if (fd < pool->nbyfd && pool->byfd[fd] != NULL)
    return pool->byfd[fd];
  if (fd >= pool->nbyfd) {
    size_t n = pool->nbyfd > 0 ? pool->nbyfd : 64;
    struct sockctx **p;

    while (n <= fd)
      n *= 2;
    p = realloc(pool->byfd, n * sizeof(*p));
    if (p == NULL)
      return NULL;
    memset(p + pool->nbyfd, 0, (n - pool->nbyfd) * sizeof(*p));
    pool->byfd = p;
    pool->nbyfd = n;
  }
  c = malloc(sizeof(*c));
  if (c == NULL)
    return NULL;
  if (uv_poll_init_socket(pool->loop, &c->poll, s) != 0) {
    free(c);
    return NULL;
  }
  c->poll.data = c;
  c->fd = s;
  c->pool = pool;
  c->events = 0;
  c->idle = false;
  pool->byfd[fd] = c;
  return c;
}

/* Close the context of fd s, if any; the memory goes in on_sock_closed. */
static void sock_release(struct wr_httppool *pool, curl_socket_t s)
{
  size_t fd = (size_t)s;
  struct sockctx *c;

  if (s < 0 || fd >= pool->nbyfd || pool->byfd[fd] == NULL)
    return;
  c = pool->byfd[fd];
  pool->byfd[fd] = NULL;
  uv_close((uv_handle_t *)&c->poll, on_sock_closed);
}

/* curl closes a socket: its poll handle goes first (libuv: never close
 * an fd a poll handle still refers to). */
static int on_close_socket(void *userp, curl_socket_t s)
{
  sock_release(userp, s);
  return close(s) == 0 ? 0 : 1;
}

static int on_curl_socket(CURL *easy, curl_socket_t s, int action,
                          void *userp, void *socketp)
{
  struct wr_httppool *pool = userp;
  struct sockctx *c = socketp;
  int events = 0;

  (void)easy;
  /* The context stays with the socket (closed in on_close_socket), ready
   * for the connection's next transfer; a read poll stays on, but no
   * longer keeps the loop alive.  A write poll on an idle socket would
   * fire at once, so that one stops. */
  if (action == CURL_POLL_REMOVE) {
    if (c != NULL) {
      c->idle = true;
      uv_unref((uv_handle_t *)&c->poll);
      if (c->events != UV_READABLE) {
        uv_poll_stop(&c->poll);
        c->events = 0;
      }
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
    c = sock_get(pool, s);
    if (c == NULL)
      return -1;
    /* On failure the context stays in byfd, closed with the socket. */
    if (curl_multi_assign(pool->multi, s, c) != CURLM_OK)
      return -1;
  }
  if (action != CURL_POLL_IN)
    events |= UV_WRITABLE;
  if (action != CURL_POLL_OUT)
    events |= UV_READABLE;
  if (c->idle) {
    c->idle = false;
    uv_ref((uv_handle_t *)&c->poll);
  }
  if (events == c->events)
    return 0;
  /* On failure the context stays assigned; curl's REMOVE closes it. */
  if (uv_poll_start(&c->poll, events, on_poll) != 0) {
    c->events = 0;
    return -1;
  }
  c->events = events;
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
  if (wr_proxy_env_load(&pool->proxy) < 0)
    goto fail_proxy;
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
  wr_proxy_env_free(&pool->proxy);
fail_proxy:
  free(pool);
  return wr_err_set(err, WR_ENOMEM, "httppool: cannot set up libcurl");
}

/* The request's header lines, then "Expect:" (no 100-continue round
 * trip), into t's own list nodes: no allocation once they have grown.
 *
 * The lines are copied, in one memcpy of the request's header strings
 * into t's reused buffer, rather than borrowed from the request: the
 * caller may then free the request as soon as submit returns (dispatch
 * does; tests resubmit one request), and no request has to outlive a
 * transfer through its finish, failure and destroy paths.  finish()
 * wipes the copy. */
static int build_headers(struct transfer *t, const struct wr_http_request *req)
{
  size_t n = req->nheaders + 1, i, len;
  const char *lines = wr_http_request_strings(req, &len);
  char *data;
  int rc;

  if (n > t->hcap) {
    struct curl_slist *p = realloc(t->hnodes, n * sizeof(*p));

    if (p == NULL)
      return WR_ENOMEM;
    t->hnodes = p;
    t->hcap = n;
  }
  wr_buf_reset(&t->hlines);
  if ((rc = wr_buf_add(&t->hlines, lines, len)) < 0 ||
      (rc = wr_buf_add(&t->hlines, "Expect:", 8)) < 0)
    return rc;
  /* Pointers only now: the buffer may have moved while growing.  Each
   * line is where it was in the request's strings. */
  data = t->hlines.data;
  for (i = 0; i < req->nheaders; i++) {
    t->hnodes[i].data = data + (req->headers[i].line - lines);
    t->hnodes[i].next = &t->hnodes[i + 1];
  }
  t->hnodes[i].data = data + len;
  t->hnodes[i].next = NULL;
  return 0;
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
  const char *proxy;

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
    wr_buf_init(&t->hlines, HEADER_BYTES_MAX);
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
    SETOPT(CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
    SETOPT(CURLOPT_CLOSESOCKETDATA, pool);
    SETOPT(CURLOPT_NOPROXY, pool->proxy.noproxy);
  }
  t->next = t->prev = NULL;
  t->truncated = t->oom = t->has_retry_after = t->resend_blocked = false;
  t->prereqs = 0;
  t->errbuf[0] = '\0';
  t->cb = cb;
  t->ud = ud;
  if (build_headers(t, req) < 0)
    goto fail;
  proxy = wr_proxy_env_for(&pool->proxy, req->url);
  if (t->proxy != proxy) {
    SETOPT(CURLOPT_PROXY, proxy);
    t->proxy = proxy;
  }
  SETOPT(CURLOPT_URL, req->url);
  SETOPT(CURLOPT_HTTPHEADER, t->hnodes);
  SETOPT(CURLOPT_CUSTOMREQUEST, NULL);
  if (strcmp(req->method, "POST") == 0) {
    SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    /* An empty body needs no copy (the usual case: every parameter is
     * in the query). */
    if (req->body_len > 0)
      SETOPT(CURLOPT_COPYPOSTFIELDS, req->body);
    else
      SETOPT(CURLOPT_POSTFIELDS, "");
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

fail:
  transfer_free(t);
  return wr_err_set(err, WR_ENOMEM, "httppool: cannot set up a request");
}

size_t wr_httppool_active(const struct wr_httppool *pool)
{
  return pool->nactive;
}

size_t wr_httppool_polling(const struct wr_httppool *pool)
{
  size_t i, n = 0;

  for (i = 0; i < pool->nbyfd; i++)
    if (pool->byfd[i] != NULL && pool->byfd[i]->events != 0)
      n++;
  return n;
}

static void on_timer_closed(uv_handle_t *h)
{
  free(h->data);
}

void wr_httppool_destroy(struct wr_httppool **pp)
{
  struct wr_httppool *pool = *pp;
  struct transfer *t;
  size_t i;

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
  /* Every socket is closed by now, each context with it; none should be
   * left, but a socket closed behind curl's callback would leave one. */
  for (i = 0; i < pool->nbyfd; i++)
    sock_release(pool, (curl_socket_t)i);
  free(pool->byfd);
  pool->byfd = NULL;
  pool->nbyfd = 0;
  wr_proxy_env_free(&pool->proxy);
  uv_timer_stop(&pool->timer);
  uv_close((uv_handle_t *)&pool->timer, on_timer_closed);
}
