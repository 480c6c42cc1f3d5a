/* httppool: concurrent HTTP(S) requests on a libuv loop, through the
 * libcurl multi *socket* interface.  httppool.c is the only file that
 * knows both libuv and libcurl (STYLE.md 1.3 and R8); one request on one
 * easy handle is httppool_transfer.c, which knows only libcurl.
 *
 * - One uv_poll_t per socket (created on curl's first request for it,
 *   attached with curl_multi_assign, left reading but unreferenced while
 *   the connection is idle in curl's cache, closed in curl's close-socket
 *   callback before the fd is, freed only in its close callback) and one
 *   one-shot uv_timer_t.  Completions are drained after every
 *   curl_multi_socket_action; poll errors are passed to curl.
 * - Easy handles are kept on a free list and reused; connections stay in
 *   curl's cache (keep-alive).  TLS is always verified.
 * - CURLcode is translated at this edge into enum wr_transport: NOT_SENT
 *   only when the request certainly never left (resolve, connect, TLS
 *   handshake, or a timeout before the request phase), AMBIGUOUS when it
 *   may have reached the server.
 *
 * Runs on the loop thread only.  The loop belongs to the caller: after
 * wr_httppool_destroy() it runs the loop until the close callbacks have
 * fired; uv_loop_close() then returns 0. */
#ifndef WR_HTTPPOOL_H
#define WR_HTTPPOOL_H

#include "api.h"
#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uv_loop_s;
struct wr_httppool;

#define WR_HTTP_BODY_MAX (64 * 1024) /* response bytes kept; rest dropped */
#define WR_HTTP_DETAIL_LEN 256

struct wr_httppool_opts {
  long connect_timeout_ms; /* per attempt; 0: same as timeout_ms */
  long timeout_ms;         /* per attempt, whole transfer */
  long max_connections;    /* connection cache size (>= concurrency) */
};

/* What came back.  Every pointer is valid only during the callback. */
struct wr_http_response {
  enum wr_transport transport;
  long http_status;         /* 0 when no complete response */
  const char *body;         /* NUL-terminated, at most WR_HTTP_BODY_MAX */
  size_t body_len;
  bool body_truncated;
  const char *retry_after;  /* raw x-acs-retry-after value, or NULL */
  const char *detail;       /* transport error text, "" when OK */
  int64_t total_ms;         /* time the transfer took */
};

typedef void wr_httppool_done_cb(void *ud, const struct wr_http_response *r);

/* *out set on success; WR_ENOMEM / WR_EINVAL with err set otherwise. */
int wr_httppool_create(struct uv_loop_s *loop,
                       const struct wr_httppool_opts *opts,
                       struct wr_httppool **out, struct wr_err *err);

/* Start req (copied: the caller may free it on return).  cb is called
 * exactly once, from the loop, unless this returns an error or the pool
 * is destroyed first.  cb may submit again but must not destroy. */
int wr_httppool_submit(struct wr_httppool *pool,
                       const struct wr_http_request *req,
                       wr_httppool_done_cb *cb, void *ud, struct wr_err *err);

/* Transfers in flight. */
size_t wr_httppool_active(const struct wr_httppool *pool);
/* Sockets being polled, idle connections included (for tests and -vvv). */
size_t wr_httppool_polling(const struct wr_httppool *pool);

/* Abort what is in flight (callbacks are not called), close the cached
 * connections and the handles; the memory goes in the close callbacks.
 * *pp set to NULL; safe on NULL. */
void wr_httppool_destroy(struct wr_httppool **pp);

#endif
