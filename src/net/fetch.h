/* fetch: one blocking HTTP request with a timeout, for the credential
 * providers (STS, the ECS metadata service, a credentials URI) before the
 * loop starts.  TLS is always verified, with the trust of ca.h; libcurl
 * transfers stay in net/.  The answer body may hold a secret: it lands in
 * a wr_buf the caller frees with wr_buf_free_secret().  Messages name the
 * method and host only, never the query (it may carry a token). */
#ifndef WR_FETCH_H
#define WR_FETCH_H

#include "err.h"

#include <stddef.h>

struct wr_buf;

struct wr_fetch_req {
  const char *method;          /* "GET", "POST", "PUT" */
  const char *url;             /* checked by the caller's policy */
  const char *const *headers;  /* "Name: value", NULL-terminated, or NULL */
  const char *body;            /* NULL: none */
  size_t body_len;
  long connect_timeout_ms;
  long timeout_ms;             /* the whole request */
  int direct;                  /* never through a proxy (the metadata
                                  service is link-local) */
  size_t max_body;             /* the longest answer kept, 0: 64 KiB (a
                                  credentials answer is small; a page of
                                  DescribeDesktops is not) */
};

/* 0 with *status (any HTTP status) and body filled; WR_EIO with err set
 * when no answer came (refused, timed out, TLS). */
int wr_fetch(const struct wr_fetch_req *req, long *status,
             struct wr_buf *body, struct wr_err *err);

#endif
