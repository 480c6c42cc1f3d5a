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
 * is closed in curl's close-socket callback, before the fd is closed.
 * One request on one easy handle (options, headers, the response) is
 * httppool_transfer.c, which knows only libcurl. */
#include "httppool.h"

#include "httppool_int.h"
#include "proxy_env.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <uv.h>

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

/* ---- completion ------------------------------------------------------ */

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

  wr_transfer_response(t, rc, &r);
  curl_multi_remove_handle(pool->multi, t->easy);
  unlink_active(pool, t);
  t->cb(t->ud, &r);
  /* Back on the free list only now: r points into t until cb returns. */
  wr_transfer_recycle(t);
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

  *out = NULL;
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

int wr_httppool_submit(struct wr_httppool *pool,
                       const struct wr_http_request *req,
                       wr_httppool_done_cb *cb, void *ud, struct wr_err *err)
{
  struct transfer *t = pool->free;

  if (pool->closing)
    return wr_err_set(err, WR_ESTATE, "httppool: closing");
  if (t != NULL) {
    pool->free = t->next;
  } else {
    t = wr_transfer_new(&pool->opts, pool->proxy.noproxy, on_close_socket,
                        pool);
    if (t == NULL)
      return wr_err_set(err, WR_ENOMEM, "httppool: cannot set up libcurl");
  }
  if (wr_transfer_prepare(t, req, wr_proxy_env_for(&pool->proxy,
                                                   req->url)) < 0 ||
      curl_multi_add_handle(pool->multi, t->easy) != CURLM_OK) {
    wr_transfer_free(t);
    return wr_err_set(err, WR_ENOMEM, "httppool: cannot set up a request");
  }
  t->cb = cb;
  t->ud = ud;
  t->next = pool->active;
  if (pool->active != NULL)
    pool->active->prev = t;
  pool->active = t;
  pool->nactive++;
  return 0;
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
    wr_transfer_free(t);
  }
  while ((t = pool->free) != NULL) {
    pool->free = t->next;
    wr_transfer_free(t);
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
