/* httppool's insides, shared by httppool.c (the libuv glue: sockets,
 * timer, the pool's lists) and httppool_transfer.c (one request on one
 * reused easy handle: libcurl only). */
#ifndef WR_HTTPPOOL_INT_H
#define WR_HTTPPOOL_INT_H

#include "buf.h"
#include "httppool.h"

#include <curl/curl.h>
#include <stdbool.h>

#define RETRY_AFTER_LEN 64

struct transfer {
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

/* A transfer with its easy handle and the options all its requests share
 * (close_socket is curl's close-socket callback, with close_data); NULL
 * on ENOMEM or a libcurl failure. */
struct transfer *wr_transfer_new(const struct wr_httppool_opts *opts,
                                 const char *noproxy,
                                 curl_closesocket_callback close_socket,
                                 void *close_data);
/* Set t up for req, through proxy ("" for none): -1 on failure, after
 * which t is only fit for wr_transfer_free. */
int wr_transfer_prepare(struct transfer *t, const struct wr_http_request *req,
                        const char *proxy);
/* What a finished transfer (its CURLcode rc) gives back; r points into t
 * until wr_transfer_recycle. */
void wr_transfer_response(struct transfer *t, CURLcode rc,
                          struct wr_http_response *r);
/* Done with the response: the copy of the header lines (it may hold an
 * STS token) is wiped, the buffers kept for the next request. */
void wr_transfer_recycle(struct transfer *t);
void wr_transfer_free(struct transfer *t);

#endif
